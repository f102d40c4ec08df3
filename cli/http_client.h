// HttpClient: how spar talks to spard (SPEC §4) — synchronous HTTP/1.1 GETs with a bearer token
// over one keep-alive connection (Boost.Beast), the answer's body handed over piece by piece as
// it arrives, so a big answer streams through without being held in memory.
//
// Errors come back as a Status whose message is the one line spar prints, saying what to do:
//   InvalidArgument    the server refused a parameter (HTTP 400): its own message   -> exit 2
//   Unavailable        cannot connect, connection broke, HTTP 5xx                    -> exit 3
//   Unauthenticated    HTTP 401: the token was refused                               -> exit 3
//   PermissionDenied   HTTP 403: the token's role may not do this                    -> exit 3
//   NotFound           HTTP 404: this spard does not have the endpoint               -> exit 3
//
// Thread-safety: a client is used by one thread.

#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace spard::cli {

// Query parameters, in order, not yet encoded.
using Params = std::vector<std::pair<std::string, std::string>>;

struct ServerUrl {
  std::string host;       // "127.0.0.1", "::1" (no brackets), "spard.example.org"
  std::string port;       // "8514"; 80 when the URL names none
  std::string base_path;  // "" or "/prefix" when spard sits behind a proxy under a path

  // "http://HOST[:PORT][/PATH]". InvalidArgument naming --url otherwise (https is refused with
  // a hint: spard's API is plain HTTP on loopback; use a TLS-terminating proxy's http side).
  static Result<ServerUrl> Parse(std::string_view url);
  // "http://127.0.0.1:8514" (with the base path), for messages.
  std::string ToString() const;
};

// "a=1&b=x%20y": RFC 3986 unreserved bytes as they are, every other byte percent-encoded.
std::string EncodeQuery(const Params& params);

// Receives the body of a successful answer piece by piece; a non-OK Status stops the request.
using BodyFn = std::function<Status(std::string_view piece)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // GET path?params. On a 2xx answer, passes the body to on_body as it arrives and returns OK
  // once the whole answer was read; otherwise the Status described above (or on_body's).
  virtual Status Get(std::string_view path, const Params& params, const BodyFn& on_body) = 0;
  // Any method with a request body (POST /v1/tokens, DELETE /v1/tokens/ID). Only a GET is sent
  // again on a keep-alive connection the server had closed.
  virtual Status Send(std::string_view method, std::string_view path, const Params& params,
                      std::string_view body, const BodyFn& on_body) {
    if (method == "GET" && body.empty()) return Get(path, params, on_body);
    return Status::Internal("this client sends only GET");
  }
};

// Send() into a string, for small answers.
Result<std::string> SendBody(HttpClient* http, std::string_view method, std::string_view path,
                             const Params& params, std::string_view body);

// GET into a string, for small answers (counts, one JSON page). IOError beyond max_bytes.
Result<std::string> GetBody(HttpClient* http, std::string_view path, const Params& params,
                            size_t max_bytes = size_t{512} << 20);

struct HttpClientOptions {
  ServerUrl url;
  std::string token;         // "Authorization: Bearer TOKEN"
  std::string token_source;  // where it came from, for the 401 message ("--token", a path, ...)
  FILE* verbose = nullptr;   // when set: one line per request (target, status, time, bytes)
};

std::unique_ptr<HttpClient> NewHttpClient(HttpClientOptions options);

// The Status for an answer with a non-2xx HTTP status and this body ({"error":"..."}).
Status HttpErrorStatus(unsigned http_status, std::string_view body,
                       const HttpClientOptions& options);

}  // namespace spard::cli
