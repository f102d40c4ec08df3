// UdpListener: syslog over UDP (listen.syslog_udp), one message per datagram (RFC 5426).
//
// UDP has no flow control: when the sink is full, datagrams are dropped and counted
// (spard_ingest_dropped_total{listener="udp"}), never buffered without bound. Datagrams already
// waiting in the socket are drained in one go into one batch, so a burst costs one submit.
//
// Thread-safety: Listen/Start/Stop on the io_context's thread (or before it runs).

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <string>
#include <vector>

#include "common/async.h"
#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "common/status.h"
#include "ingest/decoder.h"
#include "ingest/receiver_stats.h"

namespace spard {

struct UdpListenerOptions {
  DecoderOptions decoder;
  int receive_buffer_bytes = 4 << 20;  // SO_RCVBUF; the kernel may cap it (net.core.rmem_max)
  size_t max_batch = 512;              // datagrams per submit
};

class UdpListener {
 public:
  UdpListener(asio::io_context& io, EventSink* sink, const UdpListenerOptions& options,
              Metrics* metrics, const Clock* clock);
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  Result<asio::ip::udp::endpoint> Listen(const std::string& host, uint16_t port);
  // Datagrams the kernel dropped for this socket (its receive buffer was full), from
  // /proc/net/udp{,6}; -1 when it cannot be read. Safe from any thread.
  int64_t KernelDrops() const;
  void Start();
  void Stop();

 private:
  asio::awaitable<void> Receive();

  asio::io_context& io_;
  EventSink* const sink_;
  const UdpListenerOptions options_;
  const Clock* const clock_;
  asio::ip::udp::socket socket_;
  ReceiverStats stats_;
  bool stopping_ = false;
  uint64_t inode_ = 0;  // of the socket, to find it in /proc/net/udp
  bool v6_ = false;
};

}  // namespace spard
