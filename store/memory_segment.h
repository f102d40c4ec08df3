// MemorySegment: the index entries of a contiguous range of event ids, held in memory until
// the segment is sealed and written out as sorted tables (segment_builder.h).
//
// Why: inserting four or five random keys per event into RocksDB memtables costs ~3 µs each in
// cache misses (docs/storage_format.md has the measurements). Appending to a hash map of
// postings costs a fraction of that, and a sealed segment is written sequentially, sorted,
// straight into table files. The events themselves are durable in the events CF before they
// are added here, so a crash loses nothing: recovery re-adds the events after the last ingested
// segment (Index::Open).
//
// Thread-safety: Add() from one thread (the store writer) while any number of readers call the
// const methods; a shared mutex guards the maps. After Seal(), the segment is immutable.

#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/key_codec.h"
#include "store/subject_key.h"

namespace spard {

// What the indexes need of one event.
struct IndexedFields {
  uint64_t id = 0;
  int64_t ts_us = 0;
  std::string_view user;
  std::string_view object;
  std::string_view system;
  std::string_view subject;  // as received; normalised and keyed here
};

// Calls fn(kind, term prefix) for every index entry an event has (store/key_codec.h): the one
// definition of what is indexed, shared by the write path and `spar verify`. The subject's
// term is subject_key->Term(normalised subject); no subject term when subject_key is null.
void ForEachIndexTerm(const IndexedFields& fields, const SubjectKey* subject_key,
                      std::string* scratch,
                      const std::function<void(IndexKind, std::string_view)>& fn);

// [from, to) on the event time.
struct TimeRange {
  int64_t from = INT64_MIN;
  int64_t to = INT64_MAX;
  bool Contains(int64_t ts) const { return ts >= from && ts < to; }
};

class MemorySegment {
 public:
  MemorySegment(uint64_t first_id, const SubjectKey* subject_key);
  MemorySegment(const MemorySegment&) = delete;
  MemorySegment& operator=(const MemorySegment&) = delete;

  // Adds one event. Ids must ascend, starting at first_id or later.
  void Add(const IndexedFields& fields);
  // No more Add() after this.
  void Seal();

  uint64_t first_id() const { return first_id_; }
  // Last id added, or first_id - 1 when empty.
  uint64_t last_id() const { return last_id_.load(std::memory_order_acquire); }
  uint64_t size() const { return count_.load(std::memory_order_acquire); }
  bool sealed() const { return sealed_.load(std::memory_order_acquire); }
  // Heap bytes held: tables, key arenas and entries.
  size_t ApproximateMemoryUsage() const;

  // Appends to *out up to `max` entries of the term with key prefix `term_prefix` inside
  // `range`, in ascending (or descending) order, strictly after `*after` in that order when
  // `after` is given. Returns the number appended.
  size_t Collect(IndexKind kind, std::string_view term_prefix, const TimeRange& range,
                 bool descending, const IndexEntry* after, size_t max,
                 std::vector<IndexEntry>* out) const;

  // Number of entries of the term inside range.
  uint64_t Count(IndexKind kind, std::string_view term_prefix, const TimeRange& range) const;

  // The object index's full term prefixes (object and system) for an object prefix.
  std::vector<std::string> ObjectTermPrefixes(std::string_view object_prefix) const;

  // For the builder (sealed segments only): visits every term of `kind` in key order with its
  // entries sorted by (ts, id), as fn(std::string_view prefix, std::span<const IndexEntry>).
  template <typename Fn>
  void ForEachSortedTerm(IndexKind kind, Fn&& fn) const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  // One term's entries. The first entry is kept inline: most objects and subjects occur once
  // per segment and then cost no allocation at all.
  struct Posting {
    IndexEntry single{};           // the entry while count == 1
    std::vector<IndexEntry> many;  // every entry once count >= 2, in arrival order
    uint32_t count = 0;
    uint32_t next_same_object = kNone;  // object index: next term of the same object
    bool sorted = true;                 // entries ascend
    std::span<const IndexEntry> entries() const {
      return count <= 1 ? std::span<const IndexEntry>(&single, count)
                        : std::span<const IndexEntry>(many);
    }
  };

  // Open-addressing hash map from a byte string (kept in one arena) to a value: no allocation
  // per key, 4 bytes per slot, keys contiguous for the sort at seal time.
  template <typename V>
  class FlatMap {
   public:
    struct Item {
      uint32_t key_offset;
      uint32_t key_len;
      uint32_t hash;
      V value;
    };
    uint32_t Find(std::string_view key, uint32_t hash) const;
    uint32_t FindOrAdd(std::string_view key, uint32_t hash, bool* created);
    std::string_view key(const Item& item) const {
      return std::string_view(keys_).substr(item.key_offset, item.key_len);
    }
    Item& item(uint32_t i) { return items_[i]; }
    const Item& item(uint32_t i) const { return items_[i]; }
    const std::vector<Item>& items() const { return items_; }
    size_t MemoryUsage() const {
      return slots_.capacity() * sizeof(uint32_t) + items_.capacity() * sizeof(Item) +
             keys_.capacity();
    }

   private:
    void Grow();
    std::vector<uint32_t> slots_;  // item index + 1; 0 is empty; size a power of two
    std::vector<Item> items_;
    std::string keys_;
  };

  static uint32_t Hash(std::string_view s) {
    return static_cast<uint32_t>(std::hash<std::string_view>{}(s));
  }
  void AddEntry(IndexKind kind, std::string_view term_prefix, const IndexEntry& e);
  // Sorted entries of a posting: the posting itself or a sorted copy in *scratch.
  static std::span<const IndexEntry> Sorted(const Posting& p, std::vector<IndexEntry>* scratch);

  const uint64_t first_id_;
  const SubjectKey* const subject_key_;
  std::atomic<uint64_t> last_id_;
  std::atomic<uint64_t> count_{0};
  std::atomic<bool> sealed_{false};
  std::atomic<size_t> entry_bytes_{0};  // heap of Posting::many, summed

  mutable std::shared_mutex mu_;
  FlatMap<Posting> terms_[kIndexKindCount];  // GUARDED_BY(mu_); kTime unused (time_)
  Posting time_;                             // GUARDED_BY(mu_); the time index's one term
  FlatMap<uint32_t> objects_;  // GUARDED_BY(mu_); object prefix -> first term of that object
  std::string scratch_;        // writer thread only: builds term prefixes without allocating
};

template <typename Fn>
void MemorySegment::ForEachSortedTerm(IndexKind kind, Fn&& fn) const {
  std::vector<IndexEntry> scratch;
  if (kind == IndexKind::kTime) {
    if (time_.count > 0) fn(std::string_view(), Sorted(time_, &scratch));
    return;
  }
  const FlatMap<Posting>& map = terms_[static_cast<size_t>(kind)];
  std::vector<uint32_t> order(map.items().size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return map.key(map.item(a)) < map.key(map.item(b)); });
  for (uint32_t i : order) {
    const auto& item = map.item(i);
    fn(map.key(item), Sorted(item.value, &scratch));
  }
}

}  // namespace spard
