#include "cli/context.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "cli/time_args.h"

namespace spard::cli {

namespace {

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(ws) - b + 1));
}

OutputFormat ParseFormat(std::string_view name, bool is_tty) {
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "ndjson") return OutputFormat::kNdjson;
  if (name == "table") return OutputFormat::kTable;
  return is_tty ? OutputFormat::kTable : OutputFormat::kNdjson;
}

}  // namespace

Environment Environment::Process(Output* out) {
  Environment env;
  env.out = out;
  env.err = stderr;
  env.getenv = [](const char* name) -> const char* { return std::getenv(name); };
  env.terminal = DetectTerminal(STDOUT_FILENO, env.getenv);
  env.err_terminal = DetectTerminal(STDERR_FILENO, env.getenv);
  env.in_fd = STDIN_FILENO;
  env.clock = SystemClock::Default();
  env.zone = LocalZone();
  env.http_factory = [](const HttpClientOptions& o) { return NewHttpClient(o); };
  return env;
}

Result<TokenChoice> ResolveToken(const GlobalOptions& options, const GetEnvFn& getenv) {
  if (!options.token.empty()) return TokenChoice{options.token, "--token"};
  if (const char* t = getenv("SPAR_TOKEN"); t != nullptr && *t != '\0') {
    return TokenChoice{Trim(t), "$SPAR_TOKEN"};
  }
  std::string dir = options.data_dir.empty() ? std::string(kDefaultDataDir) : options.data_dir;
  std::string path = dir + "/admin.token";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    std::string why = errno == ENOENT ? "there is no " + path : path + ": " + std::strerror(errno);
    return Status::Unauthenticated("no token: " + why +
                                   "; pass --token, set SPAR_TOKEN, or point --data-dir at "
                                   "spard's data directory");
  }
  std::string text;
  char buf[512];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < 4096;) {
    text.append(buf, n);
  }
  std::fclose(f);
  std::string token = Trim(text);
  if (token.empty()) {
    return Status::Unauthenticated("no token: " + path +
                                   " is empty; pass --token or set SPAR_TOKEN");
  }
  return TokenChoice{token, path};
}

Context::Context(const GlobalOptions& options, const Environment& env)
    : options_(options), env_(env) {
  format_ = ParseFormat(options_.format, env_.terminal.is_tty);
  terminal_ = env_.terminal;
  if (format_ != OutputFormat::kTable || !terminal_.is_tty) terminal_.width = 0;
  if (format_ != OutputFormat::kTable || !terminal_.is_tty || options_.no_color) {
    terminal_.color = false;
  }
}

void Context::Note(std::string_view message) {
  std::fprintf(env_.err, "spar: %.*s\n", static_cast<int>(message.size()), message.data());
  std::fflush(env_.err);
}

Result<HttpClient*> Context::Http() {
  if (http_) return http_.get();
  std::string url = options_.url;
  if (url.empty()) {
    const char* e = env_.getenv("SPAR_URL");
    url = e != nullptr && *e != '\0' ? e : std::string(kDefaultUrl);
  }
  auto parsed = ServerUrl::Parse(url);
  if (!parsed.ok()) return parsed.status();
  auto token = ResolveToken(options_, env_.getenv);
  if (!token.ok()) return token.status();
  HttpClientOptions o;
  o.url = *parsed;
  o.token = token->token;
  o.token_source = token->source;
  o.verbose = options_.verbose ? env_.err : nullptr;
  http_ = env_.http_factory(o);
  return http_.get();
}

}  // namespace spard::cli
