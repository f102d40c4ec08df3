#include "ingest/relp_listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <vector>

#include "common/sink_awaitables.h"
#include "ingest/relp_frame.h"

namespace spard {

using tcp = asio::ip::tcp;

namespace {
// What spard offers in answer to "open" (librelp's format: name=value lines).
constexpr std::string_view kOpenOffers =
    "200 OK\nrelp_version=0\nrelp_software=spard,0.1.0\ncommands=syslog";
}  // namespace

// State shared by a session's reader, its writer, and the commit callbacks (which run on the
// store's writer thread and post back here).
struct RelpListener::Session {
  explicit Session(tcp::socket s)
      : socket(std::move(s)), wake(socket.get_executor()), writer_done(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer wake;         // cancelled to wake the writer
  asio::steady_timer writer_done;  // cancelled when the writer has ended
  bool writer_ended = false;
  std::string out;             // responses not yet written
  size_t unacked_batches = 0;  // submitted, commit not yet reported
  bool reading_done = false;   // reader finished: writer ends once everything is acked
  bool broken = false;         // a write failed
  uint32_t close_txnr = 0;     // the client's "close", answered after every earlier ack
  bool close_requested = false;
  bool server_close = false;  // spard is stopping: say "serverclose" at the end

  void Append(std::string_view s) {
    out.append(s);
    wake.cancel();
  }
};

RelpListener::RelpListener(asio::io_context& io, EventSink* sink,
                           const RelpListenerOptions& options, Metrics* metrics, const Clock* clock)
    : io_(io),
      sink_(sink),
      options_(options),
      clock_(clock),
      acceptor_(io),
      stats_(metrics, Listener::kRelp) {
  frames_ = metrics->GetCounter("spard_relp_frames_total", "RELP syslog frames received");
  protocol_errors_ = metrics->GetCounter("spard_relp_protocol_errors_total",
                                         "RELP sessions ended for a protocol violation");
  resent_ = metrics->GetCounter(
      "spard_relp_resent_duplicates_total",
      "RELP frames identical to a message stored just before the last restart: most likely "
      "resent because their ack was lost; stored again");
  recent_.insert(options_.recent_raw_hashes.begin(), options_.recent_raw_hashes.end());
}

Result<tcp::endpoint> RelpListener::Listen(const std::string& host, uint16_t port) {
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

void RelpListener::Start() { asio::co_spawn(io_, Accept(), asio::detached); }

void RelpListener::Stop() {
  stopping_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& s : sessions_) {
    s->server_close = true;
    s->socket.cancel(ec);
  }
}

asio::awaitable<void> RelpListener::Accept() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      spdlog::warn("relp: accept failed: {}", ec.message());
      continue;
    }
    if (active_.load() >= options_.max_connections) {
      stats_.ConnectionRefused();
      socket.close(ec);
      continue;
    }
    stats_.ConnectionOpened();
    ++active_;
    asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> RelpListener::WriteLoop(std::shared_ptr<Session> s) {
  boost::system::error_code ec;
  while (true) {
    if (s->out.empty()) {
      // Done when the reader is done and every submitted batch has been answered.
      if (s->reading_done && s->unacked_batches == 0) {
        if (s->close_requested) {
          s->close_requested = false;
          s->out = RelpResponse(s->close_txnr, "");
          continue;
        }
        if (s->server_close && !s->broken) {
          s->server_close = false;
          s->out = "0 serverclose 0\n";
          continue;
        }
        co_return;
      }
      s->wake.expires_at(asio::steady_timer::time_point::max());
      co_await s->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::string chunk;
    chunk.swap(s->out);
    co_await asio::async_write(s->socket, asio::buffer(chunk),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      s->broken = true;
      s->out.clear();
      if (s->reading_done && s->unacked_batches == 0) co_return;
    }
  }
}

asio::awaitable<void> RelpListener::Serve(tcp::socket socket) {
  auto s = std::make_shared<Session>(std::move(socket));
  sessions_.push_back(s);
  auto self = std::prev(sessions_.end());
  boost::system::error_code ec;
  std::string peer = "unknown";
  if (auto ep = s->socket.remote_endpoint(ec); !ec) {
    peer = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  if (stopping_) s->server_close = true;

  // The writer runs beside the reader; the session ends when both are done.
  asio::co_spawn(io_, WriteLoop(s), [s](std::exception_ptr) {
    s->writer_ended = true;
    s->writer_done.cancel();
  });

  RelpFrameParser parser(options_.decoder.max_message_bytes);
  Decoder decoder(options_.decoder);
  std::vector<char> buf(options_.read_buffer_bytes);
  bool opened = false;
  bool open = true;
  while (open && !stopping_) {
    size_t n = co_await s->socket.async_read_some(asio::buffer(buf),
                                                  asio::redirect_error(asio::use_awaitable, ec));
    MessageSource source{Listener::kRelp, peer, clock_->NowMicros()};
    IngestBatch batch;
    std::vector<uint32_t> txnrs;  // of the syslog frames in `batch`, in order
    std::string immediate;        // answers that need no commit
    bool ok = true;
    if (n > 0) {
      stats_.AddBytes(n);
      ok = parser.Feed(std::string_view(buf.data(), n), [&](const RelpFrame& f) {
        if (f.command == "syslog") {
          if (!opened) {
            immediate += RelpResponse(f.txnr, "500 session not opened");
            return;
          }
          frames_->Inc();
          if (!recent_.empty() && recent_.erase(std::hash<std::string_view>{}(f.data)) > 0) {
            resent_->Inc();
          }
          decoder.Decode(f.data, source, f.truncated, &batch);
          txnrs.push_back(f.txnr);
        } else if (f.command == "open") {
          opened = true;
          immediate += RelpResponse(f.txnr, kOpenOffers);
        } else if (f.command == "close") {
          s->close_txnr = f.txnr;
          s->close_requested = true;
          open = false;
        } else if (f.command == "rsp") {
          // A client does not answer the server's hints; nothing to do.
        } else {
          immediate += RelpResponse(f.txnr, "500 command not supported");
        }
      });
    }
    if (!ok) {
      protocol_errors_->Inc();
      spdlog::warn("relp {}: protocol error: {}; closing the session", peer, parser.error());
      open = false;
    }
    if (ec) open = false;
    // Answers to open/unknown frames may overtake acks of earlier syslog frames: RELP matches
    // answers by txnr, not by order.
    if (!immediate.empty()) s->Append(immediate);
    if (!batch.empty()) {
      const BatchTally tally = ReceiverStats::Tally(batch);
      auto executor = s->socket.get_executor();
      ++s->unacked_batches;
      batch.on_durable = [s, executor, txnrs = std::move(txnrs)](const CommitResult& r) {
        asio::post(executor, [s, txnrs, ok = r.status.ok()] {
          std::string acks;
          for (uint32_t t : txnrs) acks += RelpResponse(t, ok ? "200 OK" : "500 not stored");
          --s->unacked_batches;
          s->Append(acks);
        });
      };
      if (co_await SubmitWhenReady(sink_, &batch) == SubmitResult::kAccepted) {
        stats_.Add(tally);
      } else {
        // The store closed: these frames stay unacknowledged and the sender keeps them.
        --s->unacked_batches;
        open = false;
      }
    }
  }
  s->reading_done = true;
  s->wake.cancel();
  // Wait for the writer to send every ack (it ends when all batches are answered).
  while (!s->writer_ended) {
    s->writer_done.expires_at(asio::steady_timer::time_point::max());
    co_await s->writer_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  s->socket.shutdown(tcp::socket::shutdown_both, ec);
  s->socket.close(ec);
  sessions_.erase(self);
  --active_;
  if (on_end_) on_end_();
}

}  // namespace spard
