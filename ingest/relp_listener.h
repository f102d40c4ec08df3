// RelpListener: rsyslog's RELP (listen.relp). Each syslog frame is acknowledged ("200 OK") only
// after the store batch that holds it is durable, so omrelp never drops an event: whatever was
// not acknowledged when a connection or spard died is sent again.
//
// Why not librelp: its server calls back synchronously and acknowledges when the callback
// returns, from its own event loop. Waiting there for the group commit would serialise every
// session behind one fsync per message. Here reading, committing and acknowledging overlap:
// a session keeps reading while earlier frames wait for their commit, and acks go out in order
// as commits complete (RELP requires nothing more; omrelp windows 128 frames by default).
//
// Thread-safety: Listen/Start/Stop on the io_context's thread (or before it runs);
// connections() from any thread.

#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/async.h"
#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "common/status.h"
#include "ingest/decoder.h"
#include "ingest/receiver_stats.h"

namespace spard {

struct RelpListenerOptions {
  DecoderOptions decoder;
  size_t max_connections = 1024;
  size_t read_buffer_bytes = 64 * 1024;
  // Hashes of the raw messages stored last before this start (Store::RecentRawHashes). A
  // frame matching one is most likely a resend of a frame that was stored but whose ack was
  // lost with the previous process: it is stored again (RELP cannot tell) and counted.
  std::vector<size_t> recent_raw_hashes;
};

class RelpListener {
 public:
  RelpListener(asio::io_context& io, EventSink* sink, const RelpListenerOptions& options,
               Metrics* metrics, const Clock* clock);
  RelpListener(const RelpListener&) = delete;
  RelpListener& operator=(const RelpListener&) = delete;

  Result<asio::ip::tcp::endpoint> Listen(const std::string& host, uint16_t port);
  void Start();
  // Stops accepting and reading; each session submits what it read, sends the acks of what
  // became durable, says "serverclose" and ends.
  void Stop();
  size_t connections() const { return active_.load(); }
  void set_on_connection_end(std::function<void()> fn) { on_end_ = std::move(fn); }

 private:
  struct Session;
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(asio::ip::tcp::socket socket);
  asio::awaitable<void> WriteLoop(std::shared_ptr<Session> session);

  asio::io_context& io_;
  EventSink* const sink_;
  const RelpListenerOptions options_;
  const Clock* const clock_;
  asio::ip::tcp::acceptor acceptor_;
  ReceiverStats stats_;
  Counter* frames_;
  Counter* protocol_errors_;
  Counter* resent_;
  std::unordered_set<size_t> recent_;  // io thread only; emptied as resends are matched
  bool stopping_ = false;
  std::list<std::shared_ptr<Session>> sessions_;  // io thread only
  std::atomic<size_t> active_{0};
  std::function<void()> on_end_;
};

}  // namespace spard
