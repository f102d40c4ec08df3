#include "query/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>

#include "common/json_writer.h"

namespace spard {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Connection {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request
};

const std::string* HttpRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string_view HttpRequest::ClientIp() const {
  std::string_view p = peer;
  if (p.starts_with('[')) {
    size_t end = p.find(']');
    return end == std::string_view::npos ? p : p.substr(1, end - 1);
  }
  size_t colon = p.rfind(':');
  return colon == std::string_view::npos ? p : p.substr(0, colon);
}

HttpResponse HttpResponse::Json(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Error(unsigned status, std::string_view message) {
  std::string body;
  JsonWriter w(&body);
  w.StartObject();
  w.Key("error");
  w.String(message);
  w.EndObject();
  HttpResponse r = Json(status, std::move(body));
  r.error = message;
  return r;
}

bool PercentDecode(std::string_view in, bool plus_as_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool ParseQueryString(std::string_view query, ParamList* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key, value;
    if (!PercentDecode(part.substr(0, eq), true, &key)) return false;
    if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), true, &value)) {
      return false;
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

HttpServer::HttpServer(asio::io_context& io, asio::thread_pool& pool,
                       const HttpServerOptions& options, Metrics* metrics)
    : io_(io), pool_(pool), options_(options), acceptor_(io), metrics_(metrics) {
  refused_ = metrics->GetCounter("spard_http_connections_refused_total",
                                 "HTTP connections refused at http.max_connections");
  metrics->AddCallbackGauge("spard_http_connections", "Open HTTP connections",
                            [this] { return static_cast<double>(active_.load()); });
}

HttpServer::~HttpServer() = default;

void HttpServer::Route(http::verb method, std::string path, HttpHandler handler) {
  routes_.push_back(RouteEntry{method, std::move(path), std::move(handler)});
}

Result<tcp::endpoint> HttpServer::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad address " + host + ": " + ec.message());
  tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                           ec.message());
  }
  return acceptor_.local_endpoint();
}

void HttpServer::Start() { asio::co_spawn(io_, Accept(), asio::detached); }

void HttpServer::Stop() {
  stopping_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (Connection* c : connections_) {
    if (c->idle) c->stream->socket().shutdown(tcp::socket::shutdown_receive, ec);
    if (c->idle) c->stream->cancel();
  }
}

asio::awaitable<void> HttpServer::Accept() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      spdlog::warn("http: accept failed: {}", ec.message());
      continue;
    }
    if (connections_.size() >= options_.max_connections) {
      refused_->Inc();
      socket.close(ec);
      continue;
    }
    asio::co_spawn(io_, Serve(std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: connection ended by an unexpected error: {}", ex.what());
      }
    });
  }
}

asio::awaitable<HttpResponse> HttpServer::Dispatch(HttpRequest& request) {
  bool path_known = false;
  for (const RouteEntry& r : routes_) {
    bool match = r.path.ends_with('/') ? request.path.starts_with(r.path) : request.path == r.path;
    if (!match) continue;
    path_known = true;
    if (r.method == request.method) {
      HttpResponse response = co_await r.handler(request);
      co_return response;
    }
  }
  if (path_known) co_return HttpResponse::Error(405, "method not allowed");
  co_return HttpResponse::Error(404, "no such endpoint: " + request.path);
}

asio::awaitable<void> HttpServer::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  Connection conn;
  conn.stream = &stream;
  connections_.push_back(&conn);
  ++active_;
  // Bookkeeping undone however the coroutine ends (an exception included).
  struct Done {
    HttpServer* server;
    Connection* conn;
    ~Done() {
      std::erase(server->connections_, conn);
      --server->active_;
      if (server->on_end_) server->on_end_();
    }
  } done{this, &conn};

  boost::system::error_code ec;
  std::string peer = "unknown";
  bool loopback = false;
  if (auto ep = stream.socket().remote_endpoint(ec); !ec) {
    peer = ep.address().to_string() + ":" + std::to_string(ep.port());
    loopback = ep.address().is_loopback() ||
               (ep.address().is_v6() && ep.address().to_v6().is_v4_mapped() &&
                asio::ip::make_address_v4(asio::ip::v4_mapped, ep.address().to_v6()).is_loopback());
  }
  beast::flat_buffer buffer;
  while (!stopping_) {
    conn.idle = true;
    stream.expires_after(options_.idle_timeout);
    http::request_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    parser.header_limit(16 * 1024);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    conn.idle = false;
    if (ec == http::error::body_limit) {
      HttpResponse r = HttpResponse::Error(
          413, "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
      http::response<http::string_body> res{http::status::payload_too_large, 11};
      res.set(http::field::content_type, r.content_type);
      res.keep_alive(false);
      res.body() = std::move(r.body);
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      // Lingering close (as nginx does): the client is most likely still sending the body.
      // Closing now would reset the connection and the client would never read the 413; read
      // and discard what it sends, bounded in bytes and time, then close.
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream.expires_after(std::chrono::seconds(10));
      std::vector<char> discard(64 * 1024);
      size_t drained = 0;
      while (!ec && drained < 2 * options_.max_body_bytes + (1 << 20)) {
        drained += co_await stream.async_read_some(asio::buffer(discard),
                                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      break;
    }
    if (ec) {
      if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
          ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
          ec != asio::error::eof) {
        // Malformed HTTP: say so once and close.
        HttpResponse r = HttpResponse::Error(400, "malformed HTTP request: " + ec.message());
        http::response<http::string_body> res{http::status::bad_request, 11};
        res.set(http::field::content_type, r.content_type);
        res.keep_alive(false);
        res.body() = std::move(r.body);
        res.prepare_payload();
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      }
      break;
    }
    http::request<http::string_body> req = parser.release();
    HttpRequest request;
    request.method = req.method();
    request.peer = peer;
    request.loopback = loopback;
    request.authorization = std::string(req[http::field::authorization]);
    request.content_type = std::string(req[http::field::content_type]);
    std::string_view target = req.target();
    size_t q = target.find('?');
    HttpResponse response;
    if (!PercentDecode(target.substr(0, q), false, &request.path) ||
        (q != std::string_view::npos && !ParseQueryString(target.substr(q + 1), &request.params))) {
      response = HttpResponse::Error(400, "malformed URL escape");
    } else {
      request.body = std::move(req.body());
      response = co_await Dispatch(request);
    }
    const bool keep_alive = req.keep_alive() && !stopping_;

    stream.expires_after(std::chrono::seconds(300));
    if (!response.stream) {
      http::response<http::string_body> res{static_cast<http::status>(response.status),
                                            req.version()};
      res.set(http::field::server, "spard");
      res.set(http::field::content_type, response.content_type);
      res.set(http::field::cache_control, "no-store");
      for (const auto& [k, v] : response.headers) res.set(k, v);
      res.keep_alive(keep_alive);
      res.body() = std::move(response.body);
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    } else {
      http::response<http::empty_body> res{static_cast<http::status>(response.status),
                                           req.version()};
      res.set(http::field::server, "spard");
      res.set(http::field::content_type, response.content_type);
      res.set(http::field::cache_control, "no-store");
      for (const auto& [k, v] : response.headers) res.set(k, v);
      res.keep_alive(keep_alive);
      res.chunked(true);
      http::response_serializer<http::empty_body> sr{res};
      co_await http::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      std::string chunk = std::move(response.body);
      bool more = true;
      while (more && !ec) {
        if (!chunk.empty()) {
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk)),
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        chunk.clear();
        auto produce = [stream_fn = response.stream]() mutable -> std::pair<std::string, bool> {
          std::string piece;
          bool m = stream_fn(&piece);
          return {std::move(piece), m};
        };
        std::pair<std::string, bool> produced = co_await RunOn(pool_.get_executor(), produce);
        std::string next = std::move(produced.first);
        bool has_more = produced.second;
        chunk = std::move(next);
        more = has_more;
        if (!more && !chunk.empty()) {
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(chunk)),
                                     asio::redirect_error(asio::use_awaitable, ec));
        }
      }
      if (ec) break;
      co_await asio::async_write(stream, http::make_chunk_last(),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace spard
