csflowd_add_test(bpf_sampler_test SOURCES bpf_sampler_test.cpp LIBS csflowd_datapath LABELS root)
