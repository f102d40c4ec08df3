#include "cli/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

namespace spard::cli {

namespace {

std::atomic<bool> g_interrupted{false};
// Self-pipe: the handler writes a byte so that a poll() in SleepFor wakes without a race
// between checking the flag and starting to sleep.
int g_wake_fds[2] = {-1, -1};

static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");

void OnSignal(int) {
  g_interrupted.store(true);
  if (g_wake_fds[1] >= 0) {
    char b = 1;
    ssize_t ignored = ::write(g_wake_fds[1], &b, 1);
    (void)ignored;
  }
}

}  // namespace

void InstallInterruptHandler() {
  if (g_wake_fds[0] < 0 && ::pipe2(g_wake_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_wake_fds[0] = g_wake_fds[1] = -1;
  }
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // no SA_RESTART: blocking reads return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool Interrupted() { return g_interrupted.load(); }

bool SleepFor(std::chrono::milliseconds d) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (!Interrupted()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    if (g_wake_fds[0] < 0) {
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
      continue;
    }
    pollfd p = {g_wake_fds[0], POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
  return false;
}

}  // namespace spard::cli
