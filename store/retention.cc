#include "store/retention.h"

#include <rocksdb/write_batch.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <future>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "store/event_tree.h"
#include "store/purged.h"

namespace spard {

namespace {
constexpr int64_t kDayUs = 86400LL * 1000000;
constexpr uint64_t kBlock = uint64_t{1} << kStoredTreeLevel;
}  // namespace

int64_t RetentionPolicy::DaysFor(std::string_view system) const {
  auto it = system_days.find(std::string(system));
  return it == system_days.end() ? default_days : it->second;
}

int64_t RetentionPolicy::MinDays() const {
  int64_t m = default_days;
  for (const auto& [s, d] : system_days) m = std::min(m, d);
  return m;
}

std::string RetentionPolicy::Describe() const {
  std::string s = "default " + std::to_string(default_days) + " days";
  for (const auto& [sys, d] : system_days) s += "; " + sys + " " + std::to_string(d) + " days";
  return s;
}

Result<PurgeReport> Purge(Store* store, Integrity* integrity, const RetentionPolicy& policy,
                          const std::vector<Hold>& holds, const PurgeOptions& options) {
  PurgeReport report;
  Database* db = store->database();
  const int64_t newest_candidate = options.now_us - policy.MinDays() * kDayUs;

  // 1. Candidates from the time index, and spard's own events from the system index (they are
  //    in no other, store/memory_segment.cc); decisions from the events themselves.
  std::vector<std::pair<uint64_t, int64_t>> doomed;  // (id, ts)
  for (bool own : {false, true}) {
    IndexQuery q;
    q.kind = own ? IndexKind::kSystem : IndexKind::kTime;
    if (own) q.term = "spard";
    q.range = TimeRange{INT64_MIN, newest_candidate};
    std::unique_ptr<EntryStream> stream = store->Reader().Open(q);
    std::vector<uint64_t> ids;
    std::vector<std::string> values;
    std::vector<Status> statuses;
    EventView view;
    bool more = true;
    while (more) {
      ids.clear();
      IndexEntry e;
      while (ids.size() < 4096 && (more = stream->Next(&e))) ids.push_back(e.id);
      SPARD_RETURN_IF_ERROR(stream->status());
      if (ids.empty()) break;
      store->MultiGetEvents(ids, &values, &statuses);
      for (size_t i = 0; i < ids.size(); ++i) {
        if (statuses[i].IsNotFound()) continue;  // already purged; entry not yet compacted
        SPARD_RETURN_IF_ERROR(statuses[i]);
        if (!DecodeEvent(values[i], &view)) {
          return Status::Corruption("event " + std::to_string(ids[i]) + " does not decode");
        }
        ++report.examined;
        std::string_view system = view.field(Field::kSystem);
        if (view.ts_us >= options.now_us - policy.DaysFor(system) * kDayUs) continue;
        bool held =
            std::any_of(holds.begin(), holds.end(), [&](const Hold& h) { return h.Covers(view); });
        if (held) {
          ++report.held;
          continue;
        }
        doomed.emplace_back(ids[i], view.ts_us);
        ++report.purged_by_system[std::string(system)];
      }
    }
  }
  std::sort(doomed.begin(), doomed.end());
  report.purged = doomed.size();
  for (size_t i = 0; i < doomed.size(); ++i) {
    if (report.ranges.empty() || doomed[i].first != report.ranges.back().second + 1) {
      report.ranges.emplace_back(doomed[i].first, doomed[i].first);
    } else {
      report.ranges.back().second = doomed[i].first;
    }
  }
  if (options.dry_run || doomed.empty()) return report;

  // 2. Remove them, range by range, each range one atomic batch with what keeps the tree
  //    verifiable: the leaf hashes of purged events in blocks that keep other events.
  const uint64_t tree_size = store->writer()->tree_head().size;
  std::shared_ptr<const PurgedRanges> purged = db->purged()->Get();
  auto fully_purged_block = [&](const PurgedRanges& p, uint64_t block) {
    // Block `block` covers ids [block*kBlock + 1, (block+1)*kBlock] and must be complete.
    const uint64_t first = block * kBlock + 1, last = (block + 1) * kBlock;
    if (last > tree_size) return false;
    for (const auto& r : p.ranges) {
      if (r.first <= first && last <= r.second) return true;
    }
    return false;
  };
  size_t next = 0;
  std::string value;
  size_t ranges_done = 0;
  const char* crash_env = std::getenv("SPARD_TEST_CRASH_AFTER_PURGE_RANGES");
  const size_t crash_after = crash_env ? std::strtoull(crash_env, nullptr, 10) : 0;
  for (const auto& [first, last] : report.ranges) {
    int64_t max_ts = INT64_MIN;
    rocksdb::WriteBatch wb;
    PurgedRanges after = purged->With(first, last, INT64_MIN);
    for (; next < doomed.size() && doomed[next].first <= last; ++next) {
      const auto [id, ts] = doomed[next];
      max_ts = std::max(max_ts, ts);
      if (fully_purged_block(after, (id - 1) / kBlock)) continue;
      rocksdb::Status s = db->db()->Get(rocksdb::ReadOptions(), db->events(), EventKey(id), &value);
      if (!s.ok()) return FromRocks(s, "reading an event to purge");
      Hash leaf = EventLeafHash(id, value);
      wb.Put(db->tree(), TreeKey(0, id - 1),
             rocksdb::Slice(reinterpret_cast<const char*>(leaf.data()), leaf.size()))
          .PermitUncheckedError();
      ++report.kept_leaves;
    }
    // Leaves kept earlier in blocks this range completes are no longer needed.
    for (uint64_t block = (first - 1) / kBlock; block <= (last - 1) / kBlock; ++block) {
      if (fully_purged_block(after, block) && !fully_purged_block(*purged, block)) {
        wb.DeleteRange(db->tree(), TreeKey(0, block * kBlock), TreeKey(0, (block + 1) * kBlock))
            .PermitUncheckedError();
      }
    }
    wb.DeleteRange(db->events(), EventKey(first), EventKey(last + 1)).PermitUncheckedError();
    wb.Put(db->meta(), PurgedKey(first), EncodePurged(last, max_ts)).PermitUncheckedError();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    SPARD_RETURN_IF_ERROR(FromRocks(db->db()->Write(wo, &wb), "purging"));
    purged = std::make_shared<PurgedRanges>(purged->With(first, last, max_ts));
    db->purged()->Set(purged);
    ++ranges_done;
    // Fault injection for the crash-during-purge test: die as kill -9 would, mid-purge.
    if (crash_after > 0 && ranges_done == crash_after) std::abort();
  }

  // 3. The signed purge record, itself an event of the log.
  std::string record;
  JsonWriter w(&record);
  w.StartObject();
  w.Key("type");
  w.String("spard.purge");
  w.Key("at");
  w.String(FormatRfc3339(options.now_us));
  w.Key("rule");
  w.String(policy.Describe());
  w.Key("requested_by");
  w.String(options.requested_by);
  w.Key("purged");
  w.Uint(report.purged);
  w.Key("held");
  w.Uint(report.held);
  w.Key("by_system");
  w.StartObject();
  for (const auto& [s, n] : report.purged_by_system) {
    w.Key(s);
    w.Uint(n);
  }
  w.EndObject();
  w.Key("ranges");
  w.StartArray();
  for (const auto& [a, b] : report.ranges) {
    w.StartArray();
    w.Uint(a);
    w.Uint(b);
    w.EndArray();
  }
  w.EndArray();
  w.Key("leaf_hashes_kept");
  w.Uint(report.kept_leaves);
  w.Key("tree_size");
  w.Uint(tree_size);
  w.EndObject();
  std::string signature = integrity->SignRecord(record);

  Event e(record);
  e.ts_us = options.now_us;
  e.has_ts = true;
  e.received_us = options.now_us;
  e.format = Format::kInternal;
  e.listener = Listener::kInternal;
  e.set_field(Field::kSystem, "spard");
  e.set_field(Field::kUser, options.requested_by);
  e.set_field(Field::kAction, "purge");
  e.set_field(Field::kObject, "gallring");
  e.set_field(Field::kOutcome, "success");
  e.add_attr("purged", std::to_string(report.purged));
  e.add_attr("held", std::to_string(report.held));
  e.add_attr("rule", policy.Describe());
  e.add_attr("signature", signature);
  e.add_attr("key_id", integrity->key_id());
  IngestBatch batch;
  batch.events.push_back(std::move(e));
  std::promise<CommitResult> done;
  batch.on_durable = [&done](const CommitResult& r) { done.set_value(r); };
  if (store->writer()->Submit(&batch) != SubmitResult::kAccepted) {
    return Status::Unavailable("the store closed before the purge record was written");
  }
  CommitResult r = done.get_future().get();
  SPARD_RETURN_IF_ERROR(r.status);
  report.record_id = r.first_event_id;
  spdlog::info("gallring: purged {} events in {} ranges ({} held back by holds); record event {}",
               report.purged, report.ranges.size(), report.held, report.record_id);
  return report;
}

}  // namespace spard
