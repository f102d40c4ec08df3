#include "ingest/tcp_listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <vector>

#include "common/sink_awaitables.h"
#include "ingest/stream_framer.h"

namespace spard {

using tcp = asio::ip::tcp;
namespace beast = boost::beast;

TcpListener::TcpListener(asio::io_context& io, EventSink* sink, const TcpListenerOptions& options,
                         Metrics* metrics, const Clock* clock)
    : io_(io),
      sink_(sink),
      options_(options),
      clock_(clock),
      acceptor_(io),
      stats_(metrics, options.listener) {
  const Labels l{{"listener", std::string(ListenerName(options.listener))}};
  lost_ = metrics->GetCounter("spard_ingest_lost_total",
                              "Messages read but not stored because the store had closed; "
                              "should stay 0",
                              l);
  idle_closed_ =
      metrics->GetCounter("spard_ingest_idle_closed_total",
                          "Connections closed after ingest.idle_timeout_s without data", l);
  tls_failures_ = metrics->GetCounter(
      "spard_ingest_tls_handshake_failures_total",
      "TLS handshakes that failed (bad or missing client certificate, protocol, timeout)", l);
}

Result<tcp::endpoint> TcpListener::Listen(const std::string& host, uint16_t port) {
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

void TcpListener::Start() { asio::co_spawn(io_, Accept(), asio::detached); }

void TcpListener::Stop() {
  stopping_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  // Pending reads complete with operation_aborted; each connection then submits what it read.
  for (beast::tcp_stream* s : streams_) s->socket().cancel(ec);
}

asio::awaitable<void> TcpListener::Accept() {
  const std::string_view name = ListenerName(options_.listener);
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      spdlog::warn("{}: accept failed: {}", name, ec.message());
      continue;
    }
    auto remote = socket.remote_endpoint(ec);
    if (ec) continue;
    if (active_.load() >= options_.max_connections) {
      stats_.ConnectionRefused();
      spdlog::warn("{}: refusing {}: {} connections open (max_connections)", name,
                   remote.address().to_string(), active_.load());
      socket.close(ec);
      continue;
    }
    if (per_ip_[remote.address()] >= options_.max_connections_per_ip) {
      stats_.ConnectionRefused();
      spdlog::warn("{}: refusing {}: {} connections from it already (max_connections_per_ip)", name,
                   remote.address().to_string(), per_ip_[remote.address()]);
      socket.close(ec);
      continue;
    }
    stats_.ConnectionOpened();
    ++active_;
    ++per_ip_[remote.address()];
    asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<bool> TcpListener::Submit(IngestBatch* batch) {
  const BatchTally tally = ReceiverStats::Tally(*batch);
  if (co_await SubmitWhenReady(sink_, batch) != SubmitResult::kAccepted) co_return false;
  stats_.Add(tally);
  co_return true;
}

template <typename Stream>
asio::awaitable<void> TcpListener::ReadLoop(Stream& stream, beast::tcp_stream& tcp,
                                            const std::string& peer) {
  boost::system::error_code ec;
  StreamFramer framer(options_.decoder.max_message_bytes);
  Decoder decoder(options_.decoder);
  std::vector<char> buf(options_.read_buffer_bytes);
  IngestBatch batch;
  MessageSource source{options_.listener, peer, 0};
  auto emit = [&](const Frame& f) { decoder.Decode(f.message, source, f.truncated, &batch); };

  bool open = true;
  while (open) {
    if (options_.idle_timeout.count() > 0) {
      tcp.expires_after(options_.idle_timeout);
    } else {
      tcp.expires_never();
    }
    size_t n = co_await stream.async_read_some(asio::buffer(buf),
                                               asio::redirect_error(asio::use_awaitable, ec));
    source.received_us = clock_->NowMicros();
    if (n > 0) {
      stats_.AddBytes(n);
      framer.Feed(std::string_view(buf.data(), n), emit);
    }
    if (ec || stopping_) {
      if (ec == beast::error::timeout) {
        idle_closed_->Inc();
        spdlog::info("{} {}: closed after {} s without data", ListenerName(options_.listener), peer,
                     options_.idle_timeout.count());
      }
      // End of stream, error or shutdown: the bytes of a last unterminated message were read
      // too, so they are stored (as an event if they parse, else in quarantine).
      framer.Finish(emit);
      open = false;
    }
    if (!batch.empty()) {
      size_t count = batch.events.size() + batch.quarantined.size();
      if (!co_await Submit(&batch)) {
        lost_->Inc(count);
        spdlog::critical(
            "{} {}: the store closed before {} messages read from this connection "
            "could be submitted",
            ListenerName(options_.listener), peer, count);
        open = false;
      }
    }
  }
}

asio::awaitable<void> TcpListener::Serve(tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer =
      ec ? "unknown" : remote.address().to_string() + ":" + std::to_string(remote.port());
  socket.set_option(tcp::no_delay(true), ec);
  beast::tcp_stream tcp(std::move(socket));
  streams_.push_back(&tcp);
  auto self = std::prev(streams_.end());

  if (options_.tls == nullptr) {
    co_await ReadLoop(tcp, tcp, peer);
  } else {
    beast::ssl_stream<beast::tcp_stream&> tls(tcp, *options_.tls->Current());
    tcp.expires_after(options_.handshake_timeout);
    co_await tls.async_handshake(asio::ssl::stream_base::server,
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      tls_failures_->Inc();
      spdlog::warn("{} {}: TLS handshake failed: {}", ListenerName(options_.listener), peer,
                   ec.message());
    } else {
      co_await ReadLoop(tls, tcp, peer);
      // Answer the client's close_notify, briefly: a client that does not wait is no problem.
      tcp.expires_after(std::chrono::seconds(2));
      co_await tls.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  tcp.socket().shutdown(tcp::socket::shutdown_both, ec);
  tcp.socket().close(ec);
  streams_.erase(self);
  if (--per_ip_[remote.address()] == 0) per_ip_.erase(remote.address());
  --active_;
  if (on_end_) on_end_();
}

}  // namespace spard
