// SparApp: the spar program — global options, one CLI11 subcommand per registered command, the
// help texts (which the man page shares), and how parse errors and failed commands become one
// line on stderr and an exit status (exit_code.h).
//
// Thread-safety: one thread.

#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/context.h"

namespace spard::cli {

inline constexpr std::string_view kSparVersion = "spar 0.1.0";

class SparApp {
 public:
  // Builds the CLI from the command registry.
  SparApp();
  SparApp(const SparApp&) = delete;
  SparApp& operator=(const SparApp&) = delete;

  // Parses argv and runs the chosen command in env; returns the exit status.
  int Run(int argc, const char* const* argv, const Environment& env);

  // spar(1) in roff.
  std::string ManPage() const;
  const CLI::App& cli() const { return *app_; }

 private:
  struct Entry {
    const CommandInfo* info;
    CLI::App* app;
    std::unique_ptr<Command> command;
  };

  GlobalOptions globals_;
  bool generate_man_ = false;
  std::unique_ptr<CLI::App> app_;
  std::vector<Entry> commands_;
};

}  // namespace spard::cli
