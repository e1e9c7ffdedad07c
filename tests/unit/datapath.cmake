csflowd_add_test(bpf_sampler_test SOURCES bpf_sampler_test.cpp LIBS csflowd_datapath LABELS root)
csflowd_add_test(tc_attach_test SOURCES tc_attach_test.cpp LIBS csflowd_datapath LABELS root)
