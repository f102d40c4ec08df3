// Counters shared by the receivers (TCP, UDP, HTTP): what came in, per listener and format, and
// what could not be taken. Label values are fixed strings, never message content.
//
// Thread-safety: the counters are atomics; create once at start-up.

#pragma once

#include <array>
#include <string_view>

#include "common/event.h"
#include "common/event_sink.h"
#include "common/metrics.h"

namespace spard {

// What one decoded batch holds, taken before the batch is handed to the sink.
struct BatchTally {
  std::array<uint64_t, 6> by_format{};  // events by Format
  uint64_t quarantined = 0;
  uint64_t truncated = 0;
  uint64_t messages() const;
};

class ReceiverStats {
 public:
  ReceiverStats(Metrics* metrics, Listener listener);

  static BatchTally Tally(const IngestBatch& batch);
  // Counts a batch the sink accepted.
  void Add(const BatchTally& tally);
  void AddBytes(size_t n) { bytes_->Inc(n); }
  void AddDropped(size_t n) { dropped_->Inc(n); }
  void ConnectionOpened() { connections_total_->Inc(); }
  void ConnectionRefused() { refused_->Inc(); }

 private:
  std::array<Counter*, 6> messages_{};  // by Format
  Counter* quarantined_;
  Counter* truncated_;
  Counter* bytes_;
  Counter* dropped_;
  Counter* connections_total_;
  Counter* refused_;
};

}  // namespace spard
