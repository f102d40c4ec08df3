// HttpServer: HTTP/1.1 on Boost.Beast, one coroutine per connection, keep-alive.
//
// Handlers are coroutines on the network thread; anything slow (a query, a store read) runs on
// the query thread pool via RunOn() so one investigator's big query never stalls ingest or
// other clients. Large answers stream with chunked encoding: HttpResponse::stream is called
// on the pool for each next piece, and the next piece is produced only after the previous
// one was written, so memory stays bounded by one piece per connection.
//
// Limits: a request body above max_body_bytes gets 413; more than max_connections concurrent
// connections are refused; a connection idle for idle_timeout is closed.
//
// Thread-safety: Route/Listen/Start/Stop from the thread that owns the io_context, before or
// while it runs; handlers run on the io_context.

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/async.h"
#include "common/metrics.h"
#include "common/status.h"
#include "query/filter.h"

namespace spard {

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string path;  // percent-decoded, without the query string
  ParamList params;  // percent-decoded query parameters, in order
  std::string authorization;
  std::string content_type;
  std::string body;
  std::string peer;  // "10.0.0.7:51234"
  bool loopback = false;

  // The first parameter named `name`, or nullptr.
  const std::string* Param(std::string_view name) const;
  // The peer's address without the port ("10.0.0.7", "::1").
  std::string_view ClientIp() const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed (chunked): called repeatedly on the query pool, it appends
  // the next piece to *chunk and returns false once nothing follows.
  std::function<bool(std::string* chunk)> stream;
  std::string error;  // the message of an Error() answer (for the audit of reads)

  static HttpResponse Json(unsigned status, std::string body);
  // {"error":"<message>"} with the given status.
  static HttpResponse Error(unsigned status, std::string_view message);
};

using HttpHandler = std::function<asio::awaitable<HttpResponse>(HttpRequest&)>;

struct HttpServerOptions {
  size_t max_body_bytes = 32ull << 20;
  size_t max_connections = 256;
  std::chrono::seconds idle_timeout{60};
};

class HttpServer {
 public:
  // `pool` runs the producers of streamed answers.
  HttpServer(asio::io_context& io, asio::thread_pool& pool, const HttpServerOptions& options,
             Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes an exact path; a path ending in '/' routes every path under it.
  void Route(boost::beast::http::verb method, std::string path, HttpHandler handler);

  // Binds; returns the bound endpoint (port 0 picks one).
  Result<asio::ip::tcp::endpoint> Listen(const std::string& host, uint16_t port);
  void Start();
  // Stops accepting and closes idle connections; requests in progress finish.
  void Stop();
  // Connections still open (any thread).
  size_t connections() const { return active_.load(); }
  // Called on the io thread whenever a connection ends; the daemon waits on it at shutdown.
  void set_on_connection_end(std::function<void()> fn) { on_end_ = std::move(fn); }

 private:
  struct Connection;
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(asio::ip::tcp::socket socket);
  asio::awaitable<HttpResponse> Dispatch(HttpRequest& request);

  asio::io_context& io_;
  asio::thread_pool& pool_;
  const HttpServerOptions options_;
  asio::ip::tcp::acceptor acceptor_;
  bool stopping_ = false;
  struct RouteEntry {
    boost::beast::http::verb method;
    std::string path;
    HttpHandler handler;
  };
  std::vector<RouteEntry> routes_;
  std::vector<Connection*> connections_;  // live connections, for Stop(); io thread only
  std::atomic<size_t> active_{0};
  std::function<void()> on_end_;

  Counter* refused_;
  Metrics* metrics_;
};

// Percent-decodes a URL component ('+' as space in query strings). False on a bad escape.
bool PercentDecode(std::string_view in, bool plus_as_space, std::string* out);
// Splits "a=1&b=2" into decoded pairs. False on a bad escape.
bool ParseQueryString(std::string_view query, ParamList* out);

}  // namespace spard
