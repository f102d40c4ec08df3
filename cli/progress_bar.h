// ProgressBar: `spar import`'s one-line progress display on a terminal (stderr), redrawn in
// place at most ten times a second by a thread of its own, and cleared before anything else is
// printed. FormatProgress is the pure part (what the line says), tested on its own.
//
//   [#########.........]  47%  512 MiB/1.1 GiB  412,345 events/s  ETA 1:32  2,031,337 events  3
//   quarantined  x.gz
//
// Without a known size (a pipe) there is no bar, percentage or ETA, only the bytes read. While a
// re-run re-reads what an earlier run stored, the line says "checking" instead of a rate.
//
// Thread-safety: Start/Stop/Clear from one thread; the drawing thread reads atomics only.

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ingest/file_importer.h"

namespace spard::cli {

// 1234567 -> "1,234,567".
std::string GroupDigits(uint64_t n);
// 1536 -> "1.5 KiB"; three significant digits, binary units.
std::string FormatBytes(uint64_t n);
// Seconds as "42s", "1:32", "1:02:03".
std::string FormatDuration(double seconds);

struct ProgressSnapshot {
  std::string name;         // the input, as given
  uint64_t done_bytes = 0;  // of the input as read (compressed when it is)
  std::optional<uint64_t> total_bytes;
  uint64_t events = 0;  // stored so far (this input)
  uint64_t quarantined = 0;
  double events_per_s = 0;      // recent rate
  std::optional<double> eta_s;  // when the size and a rate are known
  bool checking = false;        // re-reading content an earlier run stored
};

// The line, at most `width` display columns (the input's name is cut first, then the bar).
std::string FormatProgress(const ProgressSnapshot& s, size_t width);

class ProgressBar {
 public:
  // Draws on `err` (a terminal `width` columns wide).
  ProgressBar(FILE* err, size_t width);
  ~ProgressBar();  // Stop()
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Follows `live` (which must outlive Stop()) for the input `name` of `total` bytes.
  void Start(const ImportLive* live, std::string name, std::optional<uint64_t> total);
  // Stops drawing and clears the line.
  void Stop();

 private:
  void Loop();
  void Draw();  // REQUIRES(mu_)

  FILE* const err_;
  const size_t width_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;  // GUARDED_BY(mu_)
  const ImportLive* live_ = nullptr;
  std::string name_;
  std::optional<uint64_t> total_;
  std::thread thread_;
  // Rate over a sliding window: the sample of about two seconds ago.
  struct Sample {
    std::chrono::steady_clock::time_point t;
    uint64_t bytes, events;
  };
  Sample window_[20] = {};
  size_t samples_ = 0;
};

}  // namespace spard::cli
