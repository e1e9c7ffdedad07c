# End-to-end tests of counter samples and the container model (tests/e2e/<name>.sh).
# Included by tests/e2e/CMakeLists.txt inside its target guard, after
# csflowd_add_e2e_test() is defined.
csflowd_add_e2e_test(containers_docker 300)
csflowd_add_e2e_test(containers_netns 120)
csflowd_add_e2e_test(interface_counters 120)
csflowd_add_e2e_test(host_counters 120)
csflowd_add_e2e_test(stalled_docker 120)
