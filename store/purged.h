// Purged id ranges: which events gallring removed. Events go with range deletions in the
// events CF; their index entries stay in the index tables until compaction rewrites them, so
// readers skip purged ids (IndexReader) and a compaction filter drops their entries as files
// are rewritten (index CFs also compact periodically, so that happens within days).
//
//   meta "purged/<first id u64be>" -> 0x01 last_id:varint64 max_ts:zigzag-varint64
//
// Thread-safety: PurgedRanges is immutable once published; PurgedRangesHolder is safe for
// concurrent use.

#pragma once

#include <rocksdb/compaction_filter.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/options.h>

#include "common/status.h"

namespace spard {

class Database;

struct PurgedRanges {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // sorted, disjoint, inclusive
  int64_t max_ts = INT64_MIN;                         // the newest event time of any purged event
  uint64_t count = 0;                                 // purged events

  bool empty() const { return ranges.empty(); }
  bool Contains(uint64_t id) const;
  // A copy with [first, last] added (merged with neighbours).
  PurgedRanges With(uint64_t first, uint64_t last, int64_t max_ts) const;
};

std::string PurgedKey(uint64_t first);
std::string EncodePurged(uint64_t last, int64_t max_ts);
inline constexpr std::string_view kPurgedPrefix = "purged/";

// Reads every purged range from meta.
Result<PurgedRanges> LoadPurgedRanges(const Database& db,
                                      const rocksdb::ReadOptions& read = rocksdb::ReadOptions());

// The current PurgedRanges, published by the purge and read by readers and compactions.
class PurgedRangesHolder {
 public:
  std::shared_ptr<const PurgedRanges> Get() const;
  void Set(std::shared_ptr<const PurgedRanges> ranges);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const PurgedRanges> ranges_ = std::make_shared<PurgedRanges>();
};

// Drops index entries of purged events when compaction rewrites a chunk.
class PurgedEntriesFilter final : public rocksdb::CompactionFilter {
 public:
  explicit PurgedEntriesFilter(std::shared_ptr<PurgedRangesHolder> holder)
      : holder_(std::move(holder)) {}
  const char* Name() const override { return "spard.PurgedEntriesFilter"; }
  Decision FilterV2(int level, const rocksdb::Slice& key, ValueType type,
                    const rocksdb::Slice& existing_value, std::string* new_value,
                    std::string* skip_until) const override;

 private:
  std::shared_ptr<PurgedRangesHolder> holder_;
};

}  // namespace spard
