// csflowd: sFlow v5 agent for container hosts.
#include <iostream>

#include <csignal>

#include "agent/agent.h"
#include "agent/instance_lock.h"
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

  // Route spdlog and libbpf's messages to stderr at the requested level. A closed log
  // pipe must not kill the daemon before it detaches, so SIGPIPE is ignored.
  csflowd::init_logging(settings.log_level);
  std::signal(SIGPIPE, SIG_IGN);

  // Refuse to run twice: two samplers on one interface would count every packet twice.
  auto lock = csflowd::agent::InstanceLock::acquire(settings.lock_file);
  if (!lock) {
    spdlog::error("{}", lock.error().message());
    return 1;
  }

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
