// Command: one `spar NAME` subcommand, and the registry that lets each command live in a file of
// its own (commands_NAME.cc) without any other file naming it.
//
// A command file defines a Command and registers it from a static initializer:
//
//   const bool kRegistered = RegisterCommand({
//       .name = "verify", .summary = "...", .description = "...",
//       .examples = {{"spar verify", "..."}}, .order = 50,
//       .make = [] { return std::unique_ptr<Command>(new VerifyCommand); }});
//
// spar builds its CLI (help, man page) from the registry. spar_cli is an OBJECT library so that
// these initializers are always linked (a static archive would drop a file no one refers to).
//
// Thread-safety: RegisterCommand runs during static initialisation; RegisteredCommands after.

#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string_view>
#include <vector>

#include "cli/exit_code.h"
#include "common/status.h"

namespace spard::cli {

class Context;

class Command {
 public:
  virtual ~Command() = default;
  // Declares the command's options on its CLI11 subcommand (name, description and examples are
  // already set from its CommandInfo).
  virtual void Configure(CLI::App* app) = 0;
  // Runs after a successful parse: kOk or kNoMatch, or a non-OK Status whose message spar prints
  // ("spar: MESSAGE") and whose code gives the exit status (ExitCodeFor).
  virtual Result<ExitCode> Run(Context* ctx) = 0;
  // The --format values the command writes. spar refuses any other before Run (exit 2), so a
  // command never has to handle a format it does not offer (html is for documents).
  virtual std::vector<std::string_view> Formats() const {
    return {"table", "json", "csv", "ndjson"};
  }
};

struct Example {
  std::string_view command;      // spar events --subject 19650412-1234 --since 30d
  std::string_view explanation;  // Who accessed this person's records in the last 30 days?
};

struct CommandInfo {
  std::string_view name;
  std::string_view summary;      // one line, listed by `spar --help`
  std::string_view description;  // `spar NAME --help` and the man page
  std::vector<Example> examples;
  int order = 100;  // position in listings: events 10, count 20, extract 30, review 40, ...
  std::unique_ptr<Command> (*make)() = nullptr;
};

// Adds a command; returns true (for the initializer). Names must be unique.
bool RegisterCommand(CommandInfo info);

// Every registered command, by order, then name.
std::vector<const CommandInfo*> RegisteredCommands();

}  // namespace spard::cli
