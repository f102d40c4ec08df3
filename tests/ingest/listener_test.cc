// The receivers against a sink that can be made full: a full sink must stop TCP reads (so the
// sender blocks and memory stays bounded) and make UDP count drops, and nothing read may be lost
// once the sink has room again.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ingest/tcp_listener.h"
#include "ingest/udp_listener.h"

namespace spard {
namespace {

class GatedSink final : public EventSink {
 public:
  SubmitResult TrySubmit(IngestBatch* batch) override {
    std::lock_guard lock(mu_);
    ++attempts_;
    if (full_) return SubmitResult::kFull;
    events_ += batch->events.size();
    quarantined_ += batch->quarantined.size();
    *batch = IngestBatch();
    cv_.notify_all();
    return SubmitResult::kAccepted;
  }
  void NotifyWhenReady(std::function<void()> ready) override {
    {
      std::lock_guard lock(mu_);
      if (full_) {
        waiters_.push_back(std::move(ready));
        return;
      }
    }
    ready();
  }
  void Open() {
    std::vector<std::function<void()>> waiters;
    {
      std::lock_guard lock(mu_);
      full_ = false;
      waiters.swap(waiters_);
    }
    for (auto& w : waiters) w();
  }
  bool WaitForEvents(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return events_ >= n; });
  }
  bool WaitForAttempt() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return attempts_ > 0; });
  }
  size_t events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  void set_full(bool f) {
    std::lock_guard lock(mu_);
    full_ = f;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool full_ = true;
  size_t attempts_ = 0;
  size_t events_ = 0;
  size_t quarantined_ = 0;
  std::vector<std::function<void()>> waiters_;
};

std::string Line(int i) {
  return "{\"ts\":\"2026-10-05T08:00:00Z\",\"user\":\"u\",\"object\":\"o" + std::to_string(i) +
         "\",\"pad\":\"" + std::string(200, 'x') + "\"}\n";
}

TEST_CASE("a full sink stops TCP reads until it has room, and loses nothing", "[ingest][tcp]") {
  asio::io_context io;
  GatedSink sink;
  Metrics metrics;
  TcpListener listener(io, &sink, TcpListenerOptions{}, &metrics, SystemClock::Default());
  auto ep = listener.Listen("127.0.0.1", 0);
  REQUIRE(ep.ok());
  listener.Start();
  std::thread io_thread([&] { io.run(); });

  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(ep->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);

  // Send until the kernel refuses more: possible only because spard stopped reading.
  std::string all;
  int n = 0;
  size_t sent = 0;
  const size_t kLimit =
      512ull << 20;  // far above any socket buffer: reaching it means no push back
  bool blocked = false;
  std::string pending;
  while (sent < kLimit) {
    if (pending.empty()) {
      pending = Line(n++);
      all += pending;
    }
    ssize_t w = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Buffers are full. A receiver that still read would make the socket writable again
      // soon; one that stopped never does. Wait for writability (up to a second).
      REQUIRE(sink.WaitForAttempt());
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 1000) == 0) {
        blocked = true;
        break;
      }
      continue;
    }
    if (w > 0) {
      sent += static_cast<size_t>(w);
      pending.erase(0, static_cast<size_t>(w));
    }
  }
  CHECK(blocked);
  CHECK(sent < 64ull << 20);
  CHECK(sink.events() == 0);

  // Room again: everything sent arrives, the partial last line included once the client is done.
  sink.Open();
  ::fcntl(fd, F_SETFL, 0);
  if (!pending.empty()) REQUIRE(::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL) > 0);
  ::shutdown(fd, SHUT_WR);
  CHECK(sink.WaitForEvents(static_cast<size_t>(n)));
  CHECK(sink.events() == static_cast<size_t>(n));
  ::close(fd);
  // Stop() belongs to the io thread, like every other listener call once it runs.
  asio::post(io, [&] {
    listener.Stop();
    io.stop();
  });
  io_thread.join();
}

TEST_CASE("UDP datagrams that find the sink full are counted as dropped", "[ingest][udp]") {
  asio::io_context io;
  GatedSink sink;
  Metrics metrics;
  UdpListener listener(io, &sink, UdpListenerOptions{}, &metrics, SystemClock::Default());
  auto ep = listener.Listen("127.0.0.1", 0);
  REQUIRE(ep.ok());
  listener.Start();
  std::thread io_thread([&] { io.run(); });
  Counter* dropped = metrics.GetCounter("spard_ingest_dropped_total", "", {{"listener", "udp"}});

  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(ep->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string msg = Line(1);
  for (int i = 0; i < 20; ++i) {
    ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  REQUIRE(sink.WaitForAttempt());
  // Every datagram is either dropped (counted) or, once the sink opens, delivered.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (dropped->value() < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  CHECK(dropped->value() == 20);
  sink.Open();
  for (int i = 0; i < 5; ++i) {
    ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  CHECK(sink.WaitForEvents(5));
  ::close(fd);
  // Stop() belongs to the io thread, like every other listener call once it runs.
  asio::post(io, [&] {
    listener.Stop();
    io.stop();
  });
  io_thread.join();
}

}  // namespace
}  // namespace spard
