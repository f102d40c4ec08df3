#include "ingest/udp_listener.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <fstream>
#include <sstream>

namespace spard {

using udp = asio::ip::udp;

UdpListener::UdpListener(asio::io_context& io, EventSink* sink, const UdpListenerOptions& options,
                         Metrics* metrics, const Clock* clock)
    : io_(io),
      sink_(sink),
      options_(options),
      clock_(clock),
      socket_(io),
      stats_(metrics, Listener::kUdp) {
  metrics->AddCallbackGauge(
      "spard_udp_kernel_drops",
      "Datagrams the kernel dropped for spard's UDP socket (from "
      "/proc/net/udp); compare with spard_ingest_dropped_total{listener=\"udp\"}",
      [this] { return static_cast<double>(KernelDrops()); });
}

Result<udp::endpoint> UdpListener::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad address " + host + ": " + ec.message());
  udp::endpoint endpoint(address, port);
  socket_.open(endpoint.protocol(), ec);
  if (!ec)
    socket_.set_option(asio::socket_base::receive_buffer_size(options_.receive_buffer_bytes), ec);
  if (!ec) socket_.bind(endpoint, ec);
  if (ec) {
    return Status::IOError("cannot listen on udp " + host + ":" + std::to_string(port) + ": " +
                           ec.message());
  }
  socket_.non_blocking(true, ec);
  struct stat st;
  if (::fstat(socket_.native_handle(), &st) == 0) inode_ = st.st_ino;
  v6_ = endpoint.address().is_v6();
  return socket_.local_endpoint();
}

int64_t UdpListener::KernelDrops() const {
  // Columns: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
  std::ifstream in(v6_ ? "/proc/net/udp6" : "/proc/net/udp");
  if (!in || inode_ == 0) return -1;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer, retr, uid, timeout;
    uint64_t inode = 0;
    std::string ref, pointer;
    int64_t drops = -1;
    f >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode >> ref >>
        pointer >> drops;
    if (f && inode == inode_) return drops;
  }
  return -1;
}

void UdpListener::Start() { asio::co_spawn(io_, Receive(), asio::detached); }

void UdpListener::Stop() {
  stopping_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
}

asio::awaitable<void> UdpListener::Receive() {
  // A datagram holds at most 64 KiB; anything above max_message_bytes is cut and flagged.
  std::vector<char> buf(65536);
  Decoder decoder(options_.decoder);
  udp::endpoint from;
  while (!stopping_) {
    boost::system::error_code ec;
    co_await socket_.async_wait(udp::socket::wait_read,
                                asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      spdlog::warn("udp: {}", ec.message());
      continue;
    }
    IngestBatch batch;
    const int64_t now = clock_->NowMicros();
    size_t bytes = 0;
    while (batch.events.size() + batch.quarantined.size() < options_.max_batch) {
      size_t n = socket_.receive_from(asio::buffer(buf), from, 0, ec);
      if (ec) break;  // would_block: drained
      bytes += n;
      std::string peer = from.address().to_string() + ":" + std::to_string(from.port());
      MessageSource source{Listener::kUdp, peer, now};
      std::string_view msg(buf.data(), n);
      bool truncated = msg.size() > options_.decoder.max_message_bytes;
      if (truncated) msg = msg.substr(0, options_.decoder.max_message_bytes);
      // Senders often end a datagram with LF (or NUL); it is framing, not content.
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\0' || msg.back() == '\r')) {
        msg.remove_suffix(1);
      }
      if (msg.empty()) continue;
      decoder.Decode(msg, source, truncated, &batch);
    }
    stats_.AddBytes(bytes);
    if (batch.empty()) continue;
    const BatchTally tally = ReceiverStats::Tally(batch);
    if (sink_->TrySubmit(&batch) == SubmitResult::kAccepted) {
      stats_.Add(tally);
    } else {
      stats_.AddDropped(tally.messages());
    }
  }
}

}  // namespace spard
