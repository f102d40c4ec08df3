// EventScan: runs a plan. Pulls (ts, id) from the chosen index in order, fetches the events in
// batches with MultiGet, checks the residual filters, and hands out batches of matching events
// so that callers can stream arbitrarily long answers in bounded memory.
//
// Thread-safety: one scan per thread.

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/filter.h"
#include "query/planner.h"
#include "store/store.h"

namespace spard {

// Events of one batch: views into `values`, valid until the next Next() or clear().
struct EventBatch {
  std::vector<std::string> values;
  std::vector<EventView> events;
  void clear() {
    values.clear();
    events.clear();
  }
};

class EventScan {
 public:
  EventScan(const Store& store, const EventFilter& filter, bool descending,
            std::optional<IndexEntry> after, int64_t now_us);

  // Replaces *out with up to `max` further matching events. False when there are none left
  // (check status()).
  bool Next(size_t max, EventBatch* out);
  const Status& status() const { return status_; }
  // Position of the last event handed out, for a cursor.
  const std::optional<IndexEntry>& last() const { return last_; }
  // Index entries whose event was missing (a store inconsistency that spar verify reports).
  uint64_t dangling() const { return dangling_; }

  // The number of matching events, from the index alone when no residual filter applies.
  static Result<uint64_t> Count(const Store& store, const EventFilter& filter, int64_t now_us);

 private:
  bool Refill();

  const Store& store_;
  EventFilter filter_;
  Plan plan_;
  std::unique_ptr<EntryStream> stream_;
  std::vector<IndexEntry> pending_;  // fetched from the index, not yet checked
  size_t pending_pos_ = 0;
  bool exhausted_ = false;
  std::optional<IndexEntry> last_;
  uint64_t dangling_ = 0;
  Status status_;
};

}  // namespace spard
