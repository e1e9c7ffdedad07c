// csflowd: sFlow v5 agent for container hosts.
#include <iostream>

#include "agent/agent.h"
#include "cli/settings.h"
#include "common/log.h"

namespace {

int run(int argc, char** argv) {
  // Parse and validate the command line; --help and --version end here.
  auto parsed = csflowd::cli::parse_command_line(argc, argv, std::cout, std::cerr);
  if (!parsed.settings) {
    return parsed.exit_code;
  }
  const csflowd::cli::Settings& settings = *parsed.settings;

  // Route spdlog and libbpf's messages to stderr at the requested level.
  csflowd::init_logging(settings.log_level);

  // Load the sampler, open the collectors and attach to the interfaces.
  auto agent = csflowd::agent::Agent::create(settings);
  if (!agent) {
    spdlog::error("{}", agent.error().message());
    spdlog::error("csflowd did not start");
    return 1;
  }

  // Sample and poll until SIGINT or SIGTERM; detach and exit.
  return (*agent)->run();
}

}  // namespace

int main(int argc, char** argv) {
  // Only fatal errors throw (allocation failures and the like); report them and exit.
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "csflowd: fatal error: " << error.what() << "\n";
    return 1;
  }
}
