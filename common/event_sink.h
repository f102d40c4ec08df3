// EventSink: the seam between the receivers (ingest/) and the store's group-commit writer.
//
// Receivers submit batches of parsed events and quarantined messages. The sink is bounded: when
// it is full, TrySubmit refuses and the receiver stops reading from its peer (TCP) or counts a
// drop (UDP) until NotifyWhenReady fires. on_durable runs once the batch is synced to disk, or
// with a non-OK status if it never will be (shutdown with the store failing).
//
// Thread-safety: all methods may be called from any thread.

#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/event.h"
#include "common/status.h"

namespace spard {

struct CommitResult {
  Status status;
  uint64_t first_event_id = 0;       // id of events[0]; ids are consecutive within a batch
  uint64_t first_quarantine_id = 0;  // id of quarantined[0]
  size_t events = 0;
  size_t quarantined = 0;
};

// Runs on the writer thread after the batch is durable; must not block.
using CommitCallback = std::function<void(const CommitResult&)>;

struct IngestBatch {
  std::vector<Event> events;
  std::vector<QuarantineRecord> quarantined;
  // Quarantine records to delete in the same atomic write (re-processing: the events decoded
  // from them appear and the records disappear together, so nothing is processed twice).
  std::vector<uint64_t> quarantine_deletes;
  // Rows for the store's `meta` column family, put in the same atomic write as the events (an
  // import's progress marker: the marker and the events it counts are stored together or not at
  // all). Applied in order after the events; a later put of the same key wins.
  std::vector<std::pair<std::string, std::string>> meta_puts;
  CommitCallback on_durable;  // optional

  bool empty() const {
    return events.empty() && quarantined.empty() && quarantine_deletes.empty() && meta_puts.empty();
  }
  // Approximate heap footprint, what the sink's bound counts.
  size_t MemoryUsage() const;
};

enum class SubmitResult {
  kAccepted,  // the sink owns the batch now
  kFull,      // no room; the batch is untouched. Wait for NotifyWhenReady.
  kClosed,    // shutting down; the batch is untouched
};

class EventSink {
 public:
  virtual ~EventSink() = default;

  // Never blocks. A batch is always accepted into an empty queue, however large, so one
  // oversized batch cannot wedge a receiver.
  virtual SubmitResult TrySubmit(IngestBatch* batch) = 0;

  // Calls `ready` once, from any thread, when a TrySubmit may succeed again or the sink
  // closed. If there is room already, calls it promptly.
  virtual void NotifyWhenReady(std::function<void()> ready) = 0;
};

}  // namespace spard
