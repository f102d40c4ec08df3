#include "cli/http_client.h"

#include <simdjson.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <charconv>
#include <chrono>
#include <limits>
#include <vector>

#include "cli/interrupt.h"

namespace spard::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kUserAgent = "spar/0.1.0";
constexpr size_t kPieceBytes = size_t{64} << 10;
constexpr size_t kMaxErrorBody = size_t{64} << 10;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// The server's {"error":"..."} message, or the body itself (shortened) when it is not that.
std::string ServerMessage(std::string_view body) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  auto doc = parser.iterate(padded);
  std::string_view message;
  if (!doc.error() && !doc["error"].get_string().get(message)) return std::string(message);
  std::string s(body.substr(0, 200));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "no message" : s;
}

class BeastHttpClient final : public HttpClient {
 public:
  explicit BeastHttpClient(HttpClientOptions options)
      : options_(std::move(options)), socket_(io_), piece_(kPieceBytes) {
    // Beast reads at most max(512, free capacity) bytes per call: without room reserved, a
    // big answer would arrive 512 bytes at a time.
    buffer_.reserve(kPieceBytes);
    const ServerUrl& u = options_.url;
    host_header_ = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    if (u.port != "80") host_header_ += ":" + u.port;
  }

  Status Get(std::string_view path, const Params& params, const BodyFn& on_body) override {
    return Send("GET", path, params, {}, on_body);
  }

  Status Send(std::string_view method, std::string_view path, const Params& params,
              std::string_view request_body, const BodyFn& on_body) override {
    const http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) return Status::Internal("unknown HTTP method");
    // Only a GET is sent again: a DELETE that did reach spard would answer 404 the second time.
    const bool idempotent = verb == http::verb::get;
    std::string target = options_.url.base_path + std::string(path);
    if (!params.empty()) target += "?" + EncodeQuery(params);
    auto start = std::chrono::steady_clock::now();
    unsigned status = 0;
    uint64_t bytes = 0;
    Status s;
    for (int attempt = 0;; ++attempt) {
      const bool reused = socket_.is_open();
      if (!reused) {
        s = Connect();
        if (!s.ok()) break;
      }
      bool answered = false;
      s = Exchange(verb, target, request_body, on_body, &answered, &status, &bytes);
      // spard closes keep-alive connections that sat idle; a GET is safe to send again.
      if (!s.ok() && reused && !answered && attempt == 0 && idempotent && !Interrupted()) {
        continue;
      }
      break;
    }
    if (options_.verbose) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      std::fprintf(options_.verbose, "spar: %s %s -> %s (%.1f ms, %llu bytes)\n",
                   std::string(method).c_str(), target.c_str(),
                   status ? std::to_string(status).c_str() : s.message().c_str(), ms,
                   static_cast<unsigned long long>(bytes));
    }
    return s;
  }

 private:
  Status Connect() {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(options_.url.host, options_.url.port, ec);
    if (ec) {
      return Status::Unavailable("cannot resolve " + options_.url.host + " (" + ec.message() +
                                 "); check --url");
    }
    asio::connect(socket_, endpoints, ec);
    if (ec) {
      Close();
      if (Interrupted()) return Status::Unavailable("interrupted");
      std::string where = options_.url.ToString();
      if (ec == asio::error::connection_refused) {
        return Status::Unavailable("cannot connect to " + where +
                                   ": is spard running? (start it with make run)");
      }
      return Status::Unavailable("cannot connect to " + where + " (" + ec.message() +
                                 "): is spard running, and is --url right?");
    }
    socket_.set_option(tcp::no_delay(true), ec);
    buffer_.clear();
    return Status::Ok();
  }

  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
    buffer_.clear();
  }

  Status Broken(bool mid_answer, const boost::system::error_code& ec) {
    Close();
    if (Interrupted()) return Status::Unavailable("interrupted");
    std::string where = options_.url.ToString();
    if (mid_answer) {
      return Status::Unavailable("the connection to " + where + " broke mid-answer (" +
                                 ec.message() + "); the output is incomplete, run it again");
    }
    return Status::Unavailable("lost the connection to " + where + " (" + ec.message() +
                               "): is spard still running?");
  }

  Status Exchange(http::verb verb, const std::string& target, std::string_view request_body,
                  const BodyFn& on_body, bool* answered, unsigned* status, uint64_t* bytes) {
    http::request<http::string_body> req{verb, target, 11};
    if (!request_body.empty() || verb == http::verb::post) {
      req.body() = std::string(request_body);
      req.set(http::field::content_type, "application/json");
      req.prepare_payload();
    }
    req.set(http::field::host, host_header_);
    req.set(http::field::user_agent, kUserAgent);
    if (!options_.token.empty()) req.set(http::field::authorization, "Bearer " + options_.token);
    req.keep_alive(true);
    boost::system::error_code ec;
    http::write(socket_, req, ec);
    if (ec) return Broken(false, ec);

    http::response_parser<http::buffer_body> parser;
    // Streamed through, never held: no limit. (Not boost::none: Boost 1.74 compares the length
    // with the optional itself, and any length is "greater" than an empty one.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    http::read_header(socket_, buffer_, parser, ec);
    if (ec) return Broken(false, ec);
    *answered = true;
    *status = parser.get().result_int();
    const bool ok = *status / 100 == 2;

    std::string error_body;
    while (!parser.is_done()) {
      auto& body = parser.get().body();
      body.data = piece_.data();
      body.size = piece_.size();
      http::read_some(socket_, buffer_, parser, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return Broken(true, ec);
      size_t n = piece_.size() - parser.get().body().size;
      if (n == 0) continue;
      *bytes += n;
      std::string_view piece(piece_.data(), n);
      if (!ok) {
        if (error_body.size() < kMaxErrorBody) error_body.append(piece);
        continue;
      }
      Status s = on_body(piece);
      if (!s.ok()) {
        Close();  // the rest of the answer is still on the wire
        return s;
      }
    }
    if (!parser.keep_alive()) Close();
    if (!ok) return HttpErrorStatus(*status, error_body, options_);
    return Status::Ok();
  }

  HttpClientOptions options_;
  std::string host_header_;
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::vector<char> piece_;
};

}  // namespace

Result<ServerUrl> ServerUrl::Parse(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("--url: " + std::string(why) + " in '" + std::string(url) +
                                   "'; expected http://HOST[:PORT], e.g. http://127.0.0.1:8514");
  };
  if (StartsWithNoCase(url, "https://")) {
    return Status::InvalidArgument(
        "--url: https is not supported; spard's API is plain HTTP (reach a remote spard "
        "through an SSH tunnel or a proxy's http side)");
  }
  if (!StartsWithNoCase(url, "http://")) return bad("not an http:// URL");
  std::string_view rest = url.substr(7);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) return bad("a query or fragment");
  if (authority.find('@') != std::string_view::npos) return bad("user info");
  ServerUrl u;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("an unclosed [");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ]");
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  if (port.empty()) {
    u.port = "80";
  } else {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535) {
      return bad("a bad port");
    }
    u.port = std::to_string(n);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  u.base_path = std::string(path);
  return u;
}

std::string ServerUrl::ToString() const {
  std::string s = "http://";
  s += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  s += ":" + port + base_path;
  return s;
}

std::string EncodeQuery(const Params& params) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto encode = [&out](std::string_view s) {
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
  };
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    encode(name);
    out.push_back('=');
    encode(value);
  }
  return out;
}

Result<std::string> GetBody(HttpClient* http, std::string_view path, const Params& params,
                            size_t max_bytes) {
  std::string body;
  Status s = http->Get(path, params, [&](std::string_view piece) {
    if (body.size() + piece.size() > max_bytes) {
      return Status::IOError("the answer to " + std::string(path) + " is larger than " +
                             std::to_string(max_bytes) + " bytes");
    }
    body.append(piece);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return body;
}

Result<std::string> SendBody(HttpClient* http, std::string_view method, std::string_view path,
                             const Params& params, std::string_view request_body) {
  std::string body;
  Status s = http->Send(method, path, params, request_body, [&](std::string_view piece) {
    body.append(piece);
    return body.size() > (size_t{64} << 20) ? Status::IOError("the answer is too large")
                                            : Status::Ok();
  });
  if (!s.ok()) return s;
  return body;
}

std::unique_ptr<HttpClient> NewHttpClient(HttpClientOptions options) {
  return std::make_unique<BeastHttpClient>(std::move(options));
}

Status HttpErrorStatus(unsigned http_status, std::string_view body,
                       const HttpClientOptions& options) {
  std::string message = ServerMessage(body);
  std::string code = " (" + std::to_string(http_status) + ")";
  switch (http_status) {
    case 400:
      return Status::InvalidArgument("spard refused the query" + code + ": " + message);
    case 401:
      return Status::Unauthenticated(
          "the token" + (options.token_source.empty() ? "" : " from " + options.token_source) +
          " was refused" + code + ": " + message + "; pass a valid one with --token or SPAR_TOKEN");
    case 403:
      return Status::PermissionDenied("not allowed" + code + ": " + message +
                                      "; use a token whose role may do this");
    case 404:
      return Status::NotFound("spard at " + options.url.ToString() + " does not know this request" +
                              code + ": " + message +
                              "; is --url right, and is spard as new as spar?");
    case 409:
      return Status::Conflict("spard refused" + code + ": " + message);
    case 503:
      return Status::Unavailable("spard is unavailable" + code + ": " + message +
                                 "; try again in a moment");
    default:
      if (http_status >= 500) {
        return Status::Unavailable("spard failed" + code + ": " + message + "; its log says more");
      }
      return Status::Unavailable("unexpected answer from spard" + code + ": " + message);
  }
}

}  // namespace spard::cli
