#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

namespace spard::cli {

TerminalInfo DetectTerminal(int fd, const GetEnvFn& getenv) {
  TerminalInfo t;
  t.is_tty = ::isatty(fd) == 1;
  if (!t.is_tty) return t;
  winsize ws = {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    t.width = ws.ws_col;
  } else if (const char* cols = getenv("COLUMNS")) {
    size_t n = 0;
    auto [p, ec] = std::from_chars(cols, cols + std::strlen(cols), n);
    if (ec == std::errc() && *p == '\0' && n > 0) t.width = n;
  }
  if (t.width == 0) t.width = 80;
  const char* no_color = getenv("NO_COLOR");  // https://no-color.org: set and non-empty
  const char* term = getenv("TERM");
  t.color = !(no_color && *no_color) && !(term && std::strcmp(term, "dumb") == 0);
  return t;
}

}  // namespace spard::cli
