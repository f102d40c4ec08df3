#include "store/index_reader.h"

#include <algorithm>
#include <queue>

#include "store/chunk_codec.h"

namespace spard {

namespace {

constexpr size_t kMaxCopiedBucketBytes = 8 << 20;

// The smallest string greater than every string starting with `prefix` ("" for none).
std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char c = static_cast<unsigned char>(s.back());
    if (c != 0xff) {
      s.back() = static_cast<char>(c + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

// Effective [lo, hi) of a query once the cursor is applied at timestamp granularity; entries
// equal in ts to the cursor are sorted out by EntryAfter.
void Bounds(const TimeRange& range, bool descending, const std::optional<IndexEntry>& after,
            int64_t* lo, int64_t* hi) {
  *lo = range.from;
  *hi = range.to;
  if (after) {
    if (descending) {
      if (after->ts_us < INT64_MAX) *hi = std::min(*hi, after->ts_us + 1);
    } else {
      *lo = std::max(*lo, after->ts_us);
    }
  }
}

bool Wanted(const IndexEntry& e, int64_t lo, int64_t hi, bool descending,
            const std::optional<IndexEntry>& after) {
  if (e.ts_us < lo || e.ts_us >= hi) return false;
  if (after) return descending ? e < *after : *after < e;
  return true;
}

// One term's chunks on disk, bucket by bucket (see IndexLayout for why buckets).
class DiskTermStream final : public EntryStream {
 public:
  DiskTermStream(const Database* db, IndexKind kind, const IndexLayout& layout, std::string prefix,
                 const IndexQuery& q, uint64_t exclude_from_id,
                 std::shared_ptr<const PurgedRanges> purged)
      : purged_(std::move(purged)),
        db_(db),
        kind_(kind),
        layout_(layout),
        prefix_(std::move(prefix)),
        upper_(PrefixSuccessor(prefix_)),
        descending_(q.descending),
        after_(q.after),
        exclude_from_id_(exclude_from_id) {
    Bounds(q.range, q.descending, q.after, &lo_, &hi_);
    next_lo_ = lo_;
    next_hi_ = hi_;
    lower_slice_ = rocksdb::Slice(prefix_);
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro;
    if (!prefix_.empty()) {
      ro.iterate_lower_bound = &lower_slice_;
      if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
      ro.prefix_same_as_start = true;
    }
    it_.reset(db_->db()->NewIterator(ro, db_->index(kind_)));
  }

  bool Next(IndexEntry* out) override {
    while (true) {
      if (!status_.ok()) return false;
      OpenReadyChunks();
      if (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), HeapLessFn());
        Cursor& c = heap_.back();
        *out = c.entries[c.pos++];
        if (c.pos < c.entries.size()) {
          std::push_heap(heap_.begin(), heap_.end(), HeapLessFn());
        } else {
          heap_.pop_back();
        }
        return true;
      }
      if (next_ref_ < refs_.size()) continue;  // open more (heap was empty)
      if (!LoadNextBucket()) return false;
    }
  }

  Status status() const override { return status_; }

 private:
  struct ChunkRef {
    IndexEntry key;
    int64_t max_ts;
    std::string value;  // empty: fetch on open (the bucket was too big to copy)
  };
  struct Cursor {
    std::vector<IndexEntry> entries;  // filtered, in stream order
    size_t pos = 0;
  };
  // std heap functions build a max-heap: for ascending order the "largest" is the smallest entry.
  struct HeapLess {
    bool descending = false;
    bool operator()(const Cursor& a, const Cursor& b) const {
      return descending ? a.entries[a.pos] < b.entries[b.pos] : b.entries[b.pos] < a.entries[a.pos];
    }
  };
  HeapLess HeapLessFn() const { return HeapLess{descending_}; }

  void OpenReadyChunks() {
    HeapLess less = HeapLessFn();
    while (next_ref_ < refs_.size()) {
      const ChunkRef& r = refs_[next_ref_];
      if (!heap_.empty()) {
        const Cursor& top = heap_.front();
        const IndexEntry& t = top.entries[top.pos];
        // Ascending: a chunk whose lower bound is above the top cannot hold anything before it.
        // Descending: a chunk whose newest entry is older than the top cannot either.
        if (!descending_ && t < r.key) break;
        if (descending_ && r.max_ts < t.ts_us) break;
      }
      ++next_ref_;
      Cursor c;
      if (!Decode(r, &c.entries)) return;
      if (c.entries.empty()) continue;
      if (descending_) std::reverse(c.entries.begin(), c.entries.end());
      heap_.push_back(std::move(c));
      std::push_heap(heap_.begin(), heap_.end(), less);
    }
  }

  bool Decode(const ChunkRef& r, std::vector<IndexEntry>* out) {
    std::string fetched;
    std::string_view value = r.value;
    if (value.empty()) {
      rocksdb::Status s = db_->db()->Get(rocksdb::ReadOptions(), db_->index(kind_),
                                         IndexKey(prefix_, r.key), &fetched);
      if (!s.ok()) {
        status_ = FromRocks(s, "reading index chunk");
        return false;
      }
      value = fetched;
    }
    scratch_.clear();
    if (!DecodeChunk(value, r.key, &scratch_)) {
      status_ = Status::Corruption("index " + std::string(IndexKindName(kind_)) +
                                   ": bad chunk at ts " + std::to_string(r.key.ts_us));
      return false;
    }
    for (const IndexEntry& e : scratch_) {
      if (Wanted(e, lo_, hi_, descending_, after_) && !purged_->Contains(e.id)) out->push_back(e);
    }
    return true;
  }

  // Reads the chunk headers of the next bucket that has any, in stream order.
  bool LoadNextBucket() {
    refs_.clear();
    next_ref_ = 0;
    while (true) {
      std::string seek;
      int64_t bucket;
      if (!descending_) {
        if (next_lo_ >= hi_) return false;
        AppendIndexKey(&seek, prefix_,
                       IndexEntry{layout_.BucketStart(kind_, layout_.Bucket(kind_, next_lo_)), 0});
        it_->Seek(seek);
        if (!CheckIterator()) return false;
        IndexEntry k;
        if (!KeyEntry(&k)) return false;
        if (k.ts_us >= hi_) return false;
        bucket = layout_.Bucket(kind_, k.ts_us);
      } else {
        if (next_hi_ <= lo_) return false;
        AppendIndexKey(&seek, prefix_, IndexEntry{next_hi_ - 1, UINT64_MAX});
        it_->SeekForPrev(seek);
        if (!CheckIterator()) return false;
        IndexEntry k;
        if (!KeyEntry(&k)) return false;
        bucket = layout_.Bucket(kind_, k.ts_us);
        // Chunks of an older bucket end before it starts: nothing they hold is >= lo.
        if (layout_.BucketStart(kind_, bucket + 1) <= lo_) return false;
        seek.clear();
        AppendIndexKey(&seek, prefix_, IndexEntry{layout_.BucketStart(kind_, bucket), 0});
        it_->Seek(seek);
      }
      const int64_t bucket_end = layout_.BucketStart(kind_, bucket + 1);
      size_t copied = 0;
      for (; it_->Valid(); it_->Next()) {
        IndexEntry k;
        if (!KeyEntry(&k)) return false;
        if (k.ts_us >= bucket_end || k.ts_us >= hi_) break;
        if (k.id >= exclude_from_id_) continue;  // that segment is still read from memory
        ChunkHeader h;
        rocksdb::Slice v = it_->value();
        if (!DecodeChunkHeader(std::string_view(v.data(), v.size()), k, &h)) {
          status_ = Status::Corruption("index " + std::string(IndexKindName(kind_)) +
                                       ": bad chunk header");
          return false;
        }
        if (h.max_ts_us < lo_) continue;
        ChunkRef r{k, h.max_ts_us, {}};
        if (copied + v.size() <= kMaxCopiedBucketBytes) {
          r.value.assign(v.data(), v.size());
          copied += v.size();
        }
        refs_.push_back(std::move(r));
      }
      if (!CheckIterator()) return false;
      if (descending_) {
        next_hi_ = layout_.BucketStart(kind_, bucket);
        std::stable_sort(refs_.begin(), refs_.end(),
                         [](const ChunkRef& a, const ChunkRef& b) { return a.max_ts > b.max_ts; });
      } else {
        next_lo_ = bucket_end;
      }
      if (!refs_.empty()) return true;
    }
  }

  bool KeyEntry(IndexEntry* e) {
    if (!it_->Valid()) return false;
    rocksdb::Slice k = it_->key();
    std::string_view prefix;
    if (!DecodeIndexKey(std::string_view(k.data(), k.size()), &prefix, e) || prefix != prefix_) {
      // Another term (an object prefix shared by several systems) or a malformed key.
      return false;
    }
    return true;
  }

  bool CheckIterator() {
    if (!it_->status().ok()) {
      status_ = FromRocks(it_->status(), "reading index");
      return false;
    }
    return true;
  }

  const std::shared_ptr<const PurgedRanges> purged_;
  const Database* db_;
  const IndexKind kind_;
  const IndexLayout layout_;  // a copy: the reader that opened the stream may be gone
  const std::string prefix_;
  const std::string upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  const bool descending_;
  const std::optional<IndexEntry> after_;
  const uint64_t exclude_from_id_;
  int64_t lo_, hi_;
  int64_t next_lo_, next_hi_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::vector<ChunkRef> refs_;
  size_t next_ref_ = 0;
  std::vector<Cursor> heap_;
  std::vector<IndexEntry> scratch_;
  Status status_;
};

// One term in one in-memory segment, fetched in growing batches.
class MemoryTermStream final : public EntryStream {
 public:
  MemoryTermStream(std::shared_ptr<const MemorySegment> segment, IndexKind kind, std::string prefix,
                   const IndexQuery& q, std::shared_ptr<const PurgedRanges> purged)
      : purged_(std::move(purged)),
        segment_(std::move(segment)),
        kind_(kind),
        prefix_(std::move(prefix)),
        range_(q.range),
        descending_(q.descending),
        after_(q.after) {}

  bool Next(IndexEntry* out) override {
    while (true) {
      if (pos_ == buf_.size()) {
        if (done_) return false;
        buf_.clear();
        pos_ = 0;
        size_t n = segment_->Collect(kind_, prefix_, range_, descending_,
                                     after_ ? &*after_ : nullptr, batch_, &buf_);
        if (n < batch_) done_ = true;
        batch_ = std::min<size_t>(batch_ * 4, 16384);
        if (n == 0) return false;
        after_ = buf_.back();
      }
      *out = buf_[pos_++];
      if (!purged_->Contains(out->id)) return true;  // purged: gone, whatever the index says
    }
  }

 private:
  const std::shared_ptr<const PurgedRanges> purged_;
  std::shared_ptr<const MemorySegment> segment_;
  const IndexKind kind_;
  const std::string prefix_;
  const TimeRange range_;
  const bool descending_;
  std::optional<IndexEntry> after_;
  std::vector<IndexEntry> buf_;
  size_t pos_ = 0;
  size_t batch_ = 128;
  bool done_ = false;
};

class MergeStream final : public EntryStream {
 public:
  MergeStream(std::vector<std::unique_ptr<EntryStream>> children, bool descending)
      : children_(std::move(children)), descending_(descending) {
    for (size_t i = 0; i < children_.size(); ++i) Advance(i);
  }

  bool Next(IndexEntry* out) override {
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), Less());
    auto [entry, child] = heap_.back();
    heap_.pop_back();
    *out = entry;
    Advance(child);
    return true;
  }

  Status status() const override {
    for (const auto& c : children_) {
      if (!c->status().ok()) return c->status();
    }
    return Status::Ok();
  }

 private:
  using Item = std::pair<IndexEntry, size_t>;
  struct ItemLess {
    bool descending;
    bool operator()(const Item& a, const Item& b) const {
      return descending ? a.first < b.first : b.first < a.first;
    }
  };
  ItemLess Less() const { return ItemLess{descending_}; }
  void Advance(size_t i) {
    IndexEntry e;
    if (children_[i]->Next(&e)) {
      heap_.emplace_back(e, i);
      std::push_heap(heap_.begin(), heap_.end(), Less());
    }
  }

  std::vector<std::unique_ptr<EntryStream>> children_;
  const bool descending_;
  std::vector<Item> heap_;
};

class EmptyStream final : public EntryStream {
 public:
  explicit EmptyStream(Status s = Status::Ok()) : status_(std::move(s)) {}
  bool Next(IndexEntry*) override { return false; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

std::unique_ptr<EntryStream> MergeStreams(std::vector<std::unique_ptr<EntryStream>> children,
                                          bool descending) {
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergeStream>(std::move(children), descending);
}

IndexReader::IndexReader(const Database* db, const IndexLayout& layout,
                         std::shared_ptr<const IndexSnapshot> snapshot)
    : db_(db), layout_(layout), snapshot_(std::move(snapshot)) {}

std::vector<std::string> IndexReader::TermPrefixes(const IndexQuery& q) const {
  switch (q.kind) {
    case IndexKind::kTime:
      return {std::string()};
    case IndexKind::kObject:
      if (q.has_system) return {ObjectTermPrefix(q.term, q.system)};
      break;
    case IndexKind::kSubject:
      // Without the key (a read-only open that lacks subject.key) nothing can be found: the
      // empty term's prefix, which no stored subject has.
      if (db_->subject_key() == nullptr) return {TermPrefix("")};
      return {TermPrefix(db_->subject_key()->Term(q.term))};
    default:
      return {TermPrefix(q.term)};
  }
  // An object in any system: the systems under "escaped(object) 0x00", on disk and in memory.
  const std::string object_prefix = ObjectPrefix(q.term);
  std::vector<std::string> prefixes;
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator(ro, db_->index(IndexKind::kObject)));
  it->Seek(object_prefix);
  while (it->Valid()) {
    std::string_view key(it->key().data(), it->key().size());
    std::string_view prefix;
    IndexEntry e;
    if (!key.starts_with(object_prefix) || !DecodeIndexKey(key, &prefix, &e)) break;
    prefixes.emplace_back(prefix);
    // Skip the rest of this system: its keys all continue with 0x00 after the system.
    std::string next(prefix);
    next.back() = '\x01';
    it->Seek(next);
  }
  for (const auto& seg : snapshot_->segments) {
    for (std::string& p : seg->ObjectTermPrefixes(object_prefix)) prefixes.push_back(std::move(p));
  }
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  return prefixes;
}

std::unique_ptr<EntryStream> IndexReader::Open(const IndexQuery& q) const {
  std::vector<std::unique_ptr<EntryStream>> streams;
  for (const std::string& prefix : TermPrefixes(q)) {
    streams.push_back(std::make_unique<DiskTermStream>(
        db_, q.kind, layout_, prefix, q, snapshot_->first_memory_id, snapshot_->purged));
    for (const auto& seg : snapshot_->segments) {
      streams.push_back(
          std::make_unique<MemoryTermStream>(seg, q.kind, prefix, q, snapshot_->purged));
    }
  }
  if (streams.empty()) return std::make_unique<EmptyStream>();
  return MergeStreams(std::move(streams), q.descending);
}

Result<uint64_t> IndexReader::Count(const IndexQuery& q) const {
  int64_t lo, hi;
  Bounds(q.range, false, std::nullopt, &lo, &hi);
  uint64_t total = 0;
  std::vector<IndexEntry> scratch;
  const PurgedRanges& purged = *snapshot_->purged;
  for (const std::string& prefix : TermPrefixes(q)) {
    for (const auto& seg : snapshot_->segments) {
      if (purged.empty() || purged.ranges.back().second < seg->first_id()) {
        total += seg->Count(q.kind, prefix, q.range);
        continue;
      }
      // Some of this segment's events were purged: count what is left, entry by entry.
      std::vector<IndexEntry> entries;
      seg->Collect(q.kind, prefix, q.range, false, nullptr, SIZE_MAX, &entries);
      for (const IndexEntry& e : entries) total += purged.Contains(e.id) ? 0 : 1;
    }
    if (lo >= hi) continue;
    std::string lower(prefix), upper = PrefixSuccessor(prefix);
    rocksdb::Slice lower_slice(lower), upper_slice(upper);
    rocksdb::ReadOptions ro;
    if (!prefix.empty()) {
      ro.iterate_lower_bound = &lower_slice;
      if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
      ro.prefix_same_as_start = true;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator(ro, db_->index(q.kind)));
    std::string seek;
    AppendIndexKey(&seek, prefix,
                   IndexEntry{layout_.BucketStart(q.kind, layout_.Bucket(q.kind, lo)), 0});
    for (it->Seek(seek); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      std::string_view key_prefix;
      IndexEntry k;
      if (!DecodeIndexKey(key, &key_prefix, &k) || key_prefix != prefix) break;
      if (k.ts_us >= hi) break;
      if (k.id >= snapshot_->first_memory_id) continue;
      std::string_view value(it->value().data(), it->value().size());
      ChunkHeader h;
      if (!DecodeChunkHeader(value, k, &h)) {
        return Status::Corruption("index " + std::string(IndexKindName(q.kind)) +
                                  ": bad chunk header");
      }
      if (h.max_ts_us < lo) continue;
      // A chunk newer than every purged event cannot hold one.
      const bool maybe_purged = !purged.empty() && k.ts_us <= purged.max_ts;
      if (k.ts_us >= lo && h.max_ts_us < hi && !maybe_purged) {
        total += h.count;  // the whole chunk is inside: no need to decode it
        continue;
      }
      scratch.clear();
      if (!DecodeChunk(value, k, &scratch)) {
        return Status::Corruption("index " + std::string(IndexKindName(q.kind)) + ": bad chunk");
      }
      for (const IndexEntry& e : scratch) {
        total += (e.ts_us >= lo && e.ts_us < hi && !purged.Contains(e.id)) ? 1 : 0;
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "counting");
  }
  return total;
}

}  // namespace spard
