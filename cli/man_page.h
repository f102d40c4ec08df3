// The man page, spar(1), rendered in roff from the same CLI11 app and texts that `--help` shows,
// so the two cannot say different things. docs/spar.1 is this output, committed; a unit test
// fails when they differ (regenerate with `build/spar --generate-man > docs/spar.1`).
//
// Thread-safety: pure functions.

#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"

namespace spard::cli {

// A section after COMMANDS (EXIT STATUS, ENVIRONMENT, ...): preformatted text, shown as it is.
struct ManSection {
  std::string_view title;
  std::string_view text;
};

// app: the root app, with the registered commands as subcommands, in `commands` order.
std::string RenderManPage(const CLI::App& app, const std::vector<const CommandInfo*>& commands,
                          std::string_view version, const std::vector<ManSection>& sections);

// Text escaped for roff: backslashes, hyphens (as \-), and a leading '.' or '\''.
std::string RoffEscape(std::string_view text);

}  // namespace spard::cli
