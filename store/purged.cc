#include "store/purged.h"

#include <algorithm>

#include "common/coding.h"
#include "store/chunk_codec.h"
#include "store/db.h"
#include "store/key_codec.h"

namespace spard {

bool PurgedRanges::Contains(uint64_t id) const {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), id,
                             [](uint64_t v, const auto& r) { return v < r.first; });
  if (it == ranges.begin()) return false;
  --it;
  return id <= it->second;
}

PurgedRanges PurgedRanges::With(uint64_t first, uint64_t last, int64_t ts) const {
  PurgedRanges out;
  out.max_ts = std::max(max_ts, ts);
  out.count = count + (last - first + 1);
  out.ranges = ranges;
  out.ranges.emplace_back(first, last);
  std::sort(out.ranges.begin(), out.ranges.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& r : out.ranges) {
    if (!merged.empty() && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  out.ranges = std::move(merged);
  return out;
}

std::string PurgedKey(uint64_t first) {
  std::string k(kPurgedPrefix);
  PutFixed64BE(&k, first);
  return k;
}

std::string EncodePurged(uint64_t last, int64_t max_ts) {
  std::string v;
  v.push_back(0x01);
  PutVarint64(&v, last);
  PutVarint64(&v, ZigZagEncode(max_ts));
  return v;
}

Result<PurgedRanges> LoadPurgedRanges(const Database& db, const rocksdb::ReadOptions& read) {
  PurgedRanges out;
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(read, db.meta()));
  const rocksdb::Slice prefix(kPurgedPrefix.data(), kPurgedPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view k(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    std::string_view v(it->value().data(), it->value().size());
    uint64_t first, last, ts;
    if (!GetFixed64BE(&k, &first) || v.empty() || v[0] != 0x01) {
      return Status::Corruption("meta: a purged range does not decode");
    }
    v.remove_prefix(1);
    if (!GetVarint64(&v, &last) || !GetVarint64(&v, &ts) || last < first) {
      return Status::Corruption("meta: a purged range does not decode");
    }
    out = out.With(first, last, ZigZagDecode(ts));
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading purged ranges"));
  return out;
}

std::shared_ptr<const PurgedRanges> PurgedRangesHolder::Get() const {
  std::lock_guard lock(mu_);
  return ranges_;
}

void PurgedRangesHolder::Set(std::shared_ptr<const PurgedRanges> ranges) {
  std::lock_guard lock(mu_);
  ranges_ = std::move(ranges);
}

rocksdb::CompactionFilter::Decision PurgedEntriesFilter::FilterV2(
    int /*level*/, const rocksdb::Slice& key, ValueType type, const rocksdb::Slice& existing_value,
    std::string* new_value, std::string* /*skip_until*/) const {
  if (type != ValueType::kValue) return Decision::kKeep;
  std::shared_ptr<const PurgedRanges> purged = holder_->Get();
  if (purged->empty()) return Decision::kKeep;
  std::string_view prefix;
  IndexEntry first;
  if (!DecodeIndexKey(std::string_view(key.data(), key.size()), &prefix, &first)) {
    return Decision::kKeep;
  }
  // Purged events are old: a chunk that starts after the newest of them holds none.
  if (first.ts_us > purged->max_ts) return Decision::kKeep;
  std::vector<IndexEntry> entries;
  if (!DecodeChunk(std::string_view(existing_value.data(), existing_value.size()), first,
                   &entries)) {
    return Decision::kKeep;  // spar verify reports it; never drop what cannot be read
  }
  size_t before = entries.size();
  std::erase_if(entries, [&](const IndexEntry& e) { return purged->Contains(e.id); });
  if (entries.size() == before) return Decision::kKeep;
  if (entries.empty()) return Decision::kRemove;
  // The key stays the chunk's lower bound: its first entry may be gone, never its order.
  EncodeChunk(first, entries, new_value);
  return Decision::kChangeValue;
}

}  // namespace spard
