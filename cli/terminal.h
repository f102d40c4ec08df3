// What spar knows about where its output goes: a terminal or not, how wide, whether to color.
//
// Thread-safety: pure functions over the process's file descriptors and environment.

#pragma once

#include <cstddef>
#include <functional>

namespace spard::cli {

// Reads an environment variable; nullptr when unset. Injected so tests control the environment.
using GetEnvFn = std::function<const char*(const char*)>;

struct TerminalInfo {
  bool is_tty = false;  // stdout is a terminal
  size_t width = 0;     // its width in columns; 0 when not a terminal (no truncation)
  bool color = false;   // ANSI colors wanted: a terminal, NO_COLOR unset, TERM not "dumb"
};

// Looks at `fd` (TIOCGWINSZ for the width, $COLUMNS when that fails).
TerminalInfo DetectTerminal(int fd, const GetEnvFn& getenv);

}  // namespace spard::cli
