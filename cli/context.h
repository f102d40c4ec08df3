// Context: what a command runs with — the global options resolved (server URL, token, output
// format, terminal), the output, stderr, the clock and the local time zone — and the HTTP client,
// made on first use so that offline commands never need a server or a token.
//
// Environment holds everything that comes from outside the process's arguments, so tests can
// run whole commands against a fake server, a fake terminal and a fixed clock.
//
// Thread-safety: one thread.

#pragma once

#include <date/tz.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "cli/http_client.h"
#include "cli/output.h"
#include "cli/terminal.h"
#include "common/clock.h"
#include "common/status.h"

namespace spard::cli {

inline constexpr std::string_view kDefaultUrl = "http://127.0.0.1:8514";
inline constexpr std::string_view kDefaultDataDir = "./var/spard";

struct GlobalOptions {
  std::string url;       // --url; "" -> $SPAR_URL, else kDefaultUrl
  std::string token;     // --token; "" -> $SPAR_TOKEN, else DATA_DIR/admin.token
  std::string data_dir;  // --data-dir; "" -> kDefaultDataDir
  std::string format;    // --format; "" -> table on a terminal, ndjson otherwise
  bool no_color = false;
  bool verbose = false;
  size_t page_size = 10000;  // hidden --page-size: events per request (tests use small pages)
};

using HttpFactory = std::function<std::unique_ptr<HttpClient>(const HttpClientOptions&)>;

struct Environment {
  Output* out = nullptr;
  FILE* err = stderr;
  TerminalInfo terminal;
  TerminalInfo err_terminal;  // stderr's: where progress is drawn (spar import)
  int in_fd = 0;              // standard input, for `spar import -`
  GetEnvFn getenv;
  const Clock* clock = nullptr;
  const date::time_zone* zone = nullptr;  // nullptr: UTC
  HttpFactory http_factory;               // NewHttpClient unless a test swaps it

  // The real process: stdout's terminal, the environment, the system clock, LocalZone().
  static Environment Process(Output* out);
};

struct TokenChoice {
  std::string token;
  std::string source;  // "--token", "$SPAR_TOKEN" or the file's path
};

// --token, else $SPAR_TOKEN, else DATA_DIR/admin.token (whitespace trimmed). Unauthenticated,
// saying where spar looked, when there is none or the file cannot be read.
Result<TokenChoice> ResolveToken(const GlobalOptions& options, const GetEnvFn& getenv);

class Context {
 public:
  Context(const GlobalOptions& options, const Environment& env);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const GlobalOptions& options() const { return options_; }
  OutputFormat format() const { return format_; }
  bool format_given() const { return !options_.format.empty(); }
  // The terminal as it applies to the output: width 0 and no color unless a table goes to a
  // terminal (and --no-color is not given).
  const TerminalInfo& terminal() const { return terminal_; }
  Output* out() { return env_.out; }
  const Environment& env() const { return env_; }
  const Clock& clock() const { return *env_.clock; }
  int64_t NowMicros() const { return env_.clock->NowMicros(); }
  const date::time_zone* zone() const { return env_.zone; }
  // "spar: MESSAGE" on stderr, for notes beside the answer.
  void Note(std::string_view message);

  // The client for --url with the token; made on first call. InvalidArgument for a bad --url,
  // Unauthenticated when there is no token.
  Result<HttpClient*> Http();

 private:
  GlobalOptions options_;
  Environment env_;
  OutputFormat format_;
  TerminalInfo terminal_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace spard::cli
