# Tests of the containers module. containers_netns_test needs root and skips without it.
set(containers_test_dir ${CMAKE_CURRENT_SOURCE_DIR})
csflowd_add_test(containers_identity_test
  SOURCES ${containers_test_dir}/containers_identity_test.cpp LIBS csflowd_containers)
csflowd_add_test(containers_docker_json_test
  SOURCES ${containers_test_dir}/containers_docker_json_test.cpp LIBS csflowd_containers)
csflowd_add_test(containers_cgroup_scan_test
  SOURCES ${containers_test_dir}/containers_cgroup_scan_test.cpp LIBS csflowd_containers)
csflowd_add_test(containers_registry_test
  SOURCES ${containers_test_dir}/containers_registry_test.cpp LIBS csflowd_containers)
csflowd_add_test(containers_docker_client_test
  SOURCES ${containers_test_dir}/containers_docker_client_test.cpp LIBS csflowd_containers)
csflowd_add_test(containers_netns_test
  SOURCES ${containers_test_dir}/containers_netns_test.cpp
  LIBS csflowd_containers nlohmann_json::nlohmann_json
  LABELS root)
