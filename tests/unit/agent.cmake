csflowd_add_test(agent_test
  SOURCES agent_address_test.cpp agent_flow_samples_test.cpp agent_interfaces_test.cpp
          agent_poll_schedule_test.cpp
  LIBS csflowd_agent)
csflowd_add_test(cli_settings_test SOURCES cli_settings_test.cpp LIBS csflowd_cli)
