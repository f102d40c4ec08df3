// TcpListener: syslog and NDJSON over TCP (listen.syslog_tcp), and over TLS (RFC 5425,
// listen.syslog_tls) when given a TlsServerContext. One coroutine per connection reads, frames
// (StreamFramer), decodes (Decoder) and submits one batch per read to the EventSink. When the
// sink is full the connection stops reading until it has room, so a slow store pushes back on
// the sender through TCP flow control and memory stays bounded.
//
// Limits, each refusal counted and logged: max_connections in all, max_connections_per_ip from
// one address (a slowloris peer cannot take the listener), idle_timeout without a byte, and
// handshake_timeout for TLS.
//
// Everything read from a socket is submitted, also at shutdown: Stop() cancels the reads, and
// each connection submits what it had framed (a trailing partial message included) before it
// ends. Wait for connections() == 0 before closing the sink.
//
// Thread-safety: Listen/Start/Stop on the io_context's thread (or before it runs);
// connections() from any thread.

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <string>

#include "common/async.h"
#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "common/status.h"
#include "ingest/decoder.h"
#include "ingest/receiver_stats.h"
#include "ingest/tls_context.h"

namespace spard {

struct TcpListenerOptions {
  DecoderOptions decoder;
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 256;
  std::chrono::seconds idle_timeout{3600};  // 0: never
  std::chrono::seconds handshake_timeout{10};
  size_t read_buffer_bytes = 64 * 1024;
  Listener listener = Listener::kTcp;
  const TlsServerContext* tls = nullptr;  // set: every connection is TLS
};

class TcpListener {
 public:
  TcpListener(asio::io_context& io, EventSink* sink, const TcpListenerOptions& options,
              Metrics* metrics, const Clock* clock);
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  Result<asio::ip::tcp::endpoint> Listen(const std::string& host, uint16_t port);
  void Start();
  void Stop();
  size_t connections() const { return active_.load(); }
  // Called (on the io thread) whenever a connection ends; the daemon waits on it at shutdown.
  void set_on_connection_end(std::function<void()> fn) { on_end_ = std::move(fn); }

 private:
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(asio::ip::tcp::socket socket);
  template <typename Stream>
  asio::awaitable<void> ReadLoop(Stream& stream, boost::beast::tcp_stream& tcp,
                                 const std::string& peer);
  // Submits the batch, waiting for room as long as needed. False if the sink closed.
  asio::awaitable<bool> Submit(IngestBatch* batch);

  asio::io_context& io_;
  EventSink* const sink_;
  const TcpListenerOptions options_;
  const Clock* const clock_;
  asio::ip::tcp::acceptor acceptor_;
  ReceiverStats stats_;
  Counter* lost_;
  Counter* idle_closed_;
  Counter* tls_failures_;
  bool stopping_ = false;
  std::list<boost::beast::tcp_stream*> streams_;  // io thread only
  std::map<asio::ip::address, size_t> per_ip_;    // io thread only
  std::atomic<size_t> active_{0};
  std::function<void()> on_end_;
};

}  // namespace spard
