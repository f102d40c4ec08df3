// spard: the access-log traceability daemon. Parses the command line and the configuration,
// sets up logging, and runs the Daemon. Exceptions end start-up with one clear message here.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "config/config.h"
#include "daemon/daemon.h"

namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("spard");  // colours only on a terminal
  // Under systemd the journal stamps every line; elsewhere spard does.
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    logger->set_pattern("%l: %v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"spard: access-log traceability daemon (vem, vad, när)"};
  std::string config_path, data_dir;
  bool print_default = false;
  app.add_option("--config", config_path, "TOML configuration file");
  app.add_option("--data-dir", data_dir, "Data directory (overrides storage.data_dir)");
  app.add_flag("--print-default-config", print_default,
               "Print the full default configuration with comments and exit");
  app.set_version_flag("--version", "spard 0.1.0");
  CLI11_PARSE(app, argc, argv);

  if (print_default) {
    std::cout << spard::Config::DefaultToml();
    return 0;
  }
  spard::Config config;
  if (!config_path.empty()) {
    auto loaded = spard::Config::Load(config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "spard: %s\n", loaded.status().message().c_str());
      return 2;
    }
    config = std::move(loaded).value();
  }
  if (!data_dir.empty()) config.storage.data_dir = data_dir;

  SetUpLogging(config.log.level);
  auto daemon = spard::Daemon::Start(config);
  if (!daemon.ok()) {
    spdlog::critical("cannot start: {}", daemon.status().message());
    return 1;
  }
  return (*daemon)->Run();
}
