#include "query/event_scan.h"

#include <algorithm>

namespace spard {

namespace {
constexpr size_t kFetchBatch = 256;
}  // namespace

EventScan::EventScan(const Store& store, const EventFilter& filter, bool descending,
                     std::optional<IndexEntry> after, int64_t now_us)
    : store_(store), filter_(filter), plan_(MakePlan(filter, descending, now_us)) {
  plan_.index.after = after;
  stream_ = store_.Reader().Open(plan_.index);
}

bool EventScan::Refill() {
  pending_.clear();
  pending_pos_ = 0;
  IndexEntry e;
  while (pending_.size() < kFetchBatch && stream_->Next(&e)) {
    if (filter_.max_id == 0 || e.id <= filter_.max_id) pending_.push_back(e);
  }
  if (!stream_->status().ok()) {
    status_ = stream_->status();
    return false;
  }
  if (pending_.size() < kFetchBatch) exhausted_ = true;
  return !pending_.empty();
}

bool EventScan::Next(size_t max, EventBatch* out) {
  out->clear();
  std::vector<uint64_t> ids;
  std::vector<std::string> values;
  std::vector<Status> statuses;
  while (out->events.size() < max && status_.ok()) {
    if (pending_pos_ == pending_.size()) {
      if (exhausted_ || !Refill()) break;
    }
    size_t n = std::min(pending_.size() - pending_pos_, max - out->events.size());
    ids.clear();
    for (size_t i = 0; i < n; ++i) ids.push_back(pending_[pending_pos_ + i].id);
    store_.MultiGetEvents(ids, &values, &statuses);
    for (size_t i = 0; i < n; ++i) {
      const IndexEntry& entry = pending_[pending_pos_ + i];
      if (statuses[i].IsNotFound()) {
        ++dangling_;
        continue;
      }
      if (!statuses[i].ok()) {
        status_ = statuses[i];
        return false;
      }
      EventView view;
      if (!DecodeEvent(values[i], &view)) {
        status_ = Status::Corruption("event " + std::to_string(entry.id) + " does not decode");
        return false;
      }
      view.id = entry.id;
      last_ = entry;
      if (!MatchesResidual(plan_, filter_, view)) continue;
      out->values.push_back(std::move(values[i]));
      out->events.push_back(std::move(view));
    }
    pending_pos_ += n;
  }
  // Views into out->values are made last: growing the vector may move short strings.
  for (size_t i = 0; i < out->events.size(); ++i) {
    uint64_t id = out->events[i].id;
    DecodeEvent(out->values[i], &out->events[i]);
    out->events[i].id = id;
  }
  return !out->events.empty();
}

Result<uint64_t> EventScan::Count(const Store& store, const EventFilter& filter, int64_t now_us) {
  Plan plan = MakePlan(filter, false, now_us);
  if (!plan.has_residual) return store.Reader().Count(plan.index);
  EventScan scan(store, filter, false, std::nullopt, now_us);
  EventBatch batch;
  uint64_t n = 0;
  while (scan.Next(4096, &batch)) n += batch.events.size();
  if (!scan.status().ok()) return scan.status();
  return n;
}

}  // namespace spard
