#include "store/memory_segment.h"

#include <algorithm>
#include <mutex>

#include "common/personnummer.h"

namespace spard {

template <typename V>
uint32_t MemorySegment::FlatMap<V>::Find(std::string_view key, uint32_t hash) const {
  if (slots_.empty()) return kNone;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (s == 0) return kNone;
    const Item& item = items_[s - 1];
    if (item.hash == hash && this->key(item) == key) return s - 1;
  }
}

template <typename V>
uint32_t MemorySegment::FlatMap<V>::FindOrAdd(std::string_view key, uint32_t hash, bool* created) {
  if ((items_.size() + 1) * 2 > slots_.size()) Grow();  // load factor <= 1/2
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (s == 0) {
      items_.push_back(
          Item{static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(key.size()), hash, V{}});
      keys_.append(key);
      slots_[i] = static_cast<uint32_t>(items_.size());
      *created = true;
      return static_cast<uint32_t>(items_.size() - 1);
    }
    const Item& item = items_[s - 1];
    if (item.hash == hash && this->key(item) == key) {
      *created = false;
      return s - 1;
    }
  }
}

template <typename V>
void MemorySegment::FlatMap<V>::Grow() {
  std::vector<uint32_t> slots(std::max<size_t>(64, slots_.size() * 2), 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t n = 0; n < items_.size(); ++n) {
    size_t i = items_[n].hash & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = n + 1;
  }
  slots_.swap(slots);
}

MemorySegment::MemorySegment(uint64_t first_id, const SubjectKey* subject_key)
    : first_id_(first_id), subject_key_(subject_key), last_id_(first_id - 1) {}

namespace {

// Appends e to a posting, tracking the heap it takes.
template <typename P>
void Append(P* p, const IndexEntry& e, std::atomic<size_t>* bytes) {
  if (p->count == 0) {
    p->single = e;
  } else {
    if (p->count == 1) {
      p->many.reserve(4);
      p->many.push_back(p->single);
      bytes->fetch_add(p->many.capacity() * sizeof(IndexEntry), std::memory_order_relaxed);
    }
    if (e < p->many.back()) p->sorted = false;
    size_t before = p->many.capacity();
    p->many.push_back(e);
    if (p->many.capacity() != before) {
      bytes->fetch_add((p->many.capacity() - before) * sizeof(IndexEntry),
                       std::memory_order_relaxed);
    }
  }
  ++p->count;
}

}  // namespace

void MemorySegment::AddEntry(IndexKind kind, std::string_view term_prefix, const IndexEntry& e) {
  if (kind == IndexKind::kTime) {
    Append(&time_, e, &entry_bytes_);
    return;
  }
  FlatMap<Posting>& map = terms_[static_cast<size_t>(kind)];
  bool created;
  uint32_t t = map.FindOrAdd(term_prefix, Hash(term_prefix), &created);
  if (created && kind == IndexKind::kObject) {
    // term_prefix is escaped(object) 0x00 escaped(system) 0x00; chain the object's terms.
    std::string_view object_prefix = term_prefix.substr(0, term_prefix.find('\0') + 1);
    bool new_object;
    uint32_t o = objects_.FindOrAdd(object_prefix, Hash(object_prefix), &new_object);
    map.item(t).value.next_same_object = new_object ? kNone : objects_.item(o).value;
    objects_.item(o).value = t;
  }
  Append(&map.item(t).value, e, &entry_bytes_);
}

void ForEachIndexTerm(const IndexedFields& f, const SubjectKey* subject_key, std::string* scratch,
                      const std::function<void(IndexKind, std::string_view)>& fn) {
  // spard's own events (audit of reads, purge records) carry what was searched (a record, a
  // personnummer) in their object field. They are found through the system index only: never
  // by a record or a person, so the object and subject indexes reveal nothing of an
  // investigation and an extract never lists searches of the log; and not through the user
  // and time indexes, so a query for the systems' events never wades through (or counts) the
  // log's own audit trail. `system=spard` reads them; the planner sends it to this index.
  if (f.system == "spard") {
    scratch->clear();
    AppendEscapedTerm(scratch, f.system);
    scratch->push_back('\0');
    fn(IndexKind::kSystem, *scratch);
    return;
  }
  if (!f.user.empty()) {
    scratch->clear();
    AppendEscapedTerm(scratch, f.user);
    scratch->push_back('\0');
    fn(IndexKind::kUser, *scratch);
  }
  if (!f.object.empty()) {
    scratch->clear();
    AppendEscapedTerm(scratch, f.object);
    scratch->push_back('\0');
    AppendEscapedTerm(scratch, f.system);
    scratch->push_back('\0');
    fn(IndexKind::kObject, *scratch);
  }
  if (!f.subject.empty() && subject_key != nullptr) {
    scratch->clear();
    AppendEscapedTerm(scratch, subject_key->Term(NormalizeSubject(f.subject, f.ts_us)));
    scratch->push_back('\0');
    fn(IndexKind::kSubject, *scratch);
  }
  if (!f.system.empty()) {
    scratch->clear();
    AppendEscapedTerm(scratch, f.system);
    scratch->push_back('\0');
    fn(IndexKind::kSystem, *scratch);
  }
  fn(IndexKind::kTime, std::string_view());
}

void MemorySegment::Add(const IndexedFields& f) {
  const IndexEntry e{f.ts_us, f.id};
  {
    std::unique_lock lock(mu_);
    ForEachIndexTerm(f, subject_key_, &scratch_, [&](IndexKind kind, std::string_view term_prefix) {
      AddEntry(kind, term_prefix, e);
    });
  }
  last_id_.store(f.id, std::memory_order_release);
  count_.fetch_add(1, std::memory_order_release);
}

void MemorySegment::Seal() {
  std::unique_lock lock(mu_);
  sealed_.store(true, std::memory_order_release);
}

size_t MemorySegment::ApproximateMemoryUsage() const {
  std::shared_lock lock(mu_);
  size_t n = entry_bytes_.load(std::memory_order_relaxed) + objects_.MemoryUsage();
  for (const auto& map : terms_) n += map.MemoryUsage();
  return n;
}

std::span<const IndexEntry> MemorySegment::Sorted(const Posting& p,
                                                  std::vector<IndexEntry>* scratch) {
  if (p.sorted) return p.entries();
  scratch->assign(p.entries().begin(), p.entries().end());
  std::sort(scratch->begin(), scratch->end());
  return *scratch;
}

size_t MemorySegment::Collect(IndexKind kind, std::string_view term_prefix, const TimeRange& range,
                              bool descending, const IndexEntry* after, size_t max,
                              std::vector<IndexEntry>* out) const {
  std::shared_lock lock(mu_);
  const Posting* p = nullptr;
  if (kind == IndexKind::kTime) {
    p = &time_;
  } else {
    const FlatMap<Posting>& map = terms_[static_cast<size_t>(kind)];
    uint32_t t = map.Find(term_prefix, Hash(term_prefix));
    if (t != kNone) p = &map.item(t).value;
  }
  if (p == nullptr || p->count == 0 || max == 0) return 0;
  std::vector<IndexEntry> scratch;
  std::span<const IndexEntry> v = Sorted(*p, &scratch);
  // The entries inside range form [lo, hi); the cursor narrows it further.
  auto lo = std::lower_bound(v.begin(), v.end(), IndexEntry{range.from, 0});
  auto hi = std::lower_bound(v.begin(), v.end(), IndexEntry{range.to, 0});
  if (after != nullptr) {
    if (descending) {
      auto c = std::lower_bound(v.begin(), v.end(), *after);
      if (c < hi) hi = c;
    } else {
      auto c = std::upper_bound(v.begin(), v.end(), *after);
      if (c > lo) lo = c;
    }
  }
  if (lo >= hi) return 0;
  size_t n = std::min<size_t>(max, static_cast<size_t>(hi - lo));
  if (descending) {
    for (size_t i = 0; i < n; ++i) out->push_back(*(hi - 1 - static_cast<ptrdiff_t>(i)));
  } else {
    out->insert(out->end(), lo, lo + static_cast<ptrdiff_t>(n));
  }
  return n;
}

uint64_t MemorySegment::Count(IndexKind kind, std::string_view term_prefix,
                              const TimeRange& range) const {
  std::shared_lock lock(mu_);
  const Posting* p = nullptr;
  if (kind == IndexKind::kTime) {
    p = &time_;
  } else {
    const FlatMap<Posting>& map = terms_[static_cast<size_t>(kind)];
    uint32_t t = map.Find(term_prefix, Hash(term_prefix));
    if (t != kNone) p = &map.item(t).value;
  }
  if (p == nullptr || p->count == 0) return 0;
  std::span<const IndexEntry> v = p->entries();
  if (!p->sorted) {
    return static_cast<uint64_t>(std::count_if(
        v.begin(), v.end(), [&](const IndexEntry& e) { return range.Contains(e.ts_us); }));
  }
  auto lo = std::lower_bound(v.begin(), v.end(), IndexEntry{range.from, 0});
  auto hi = std::lower_bound(v.begin(), v.end(), IndexEntry{range.to, 0});
  return lo < hi ? static_cast<uint64_t>(hi - lo) : 0;
}

std::vector<std::string> MemorySegment::ObjectTermPrefixes(std::string_view object_prefix) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  uint32_t o = objects_.Find(object_prefix, Hash(object_prefix));
  if (o == kNone) return out;
  const FlatMap<Posting>& map = terms_[static_cast<size_t>(IndexKind::kObject)];
  for (uint32_t t = objects_.item(o).value; t != kNone; t = map.item(t).value.next_same_object) {
    out.emplace_back(map.key(map.item(t)));
  }
  return out;
}

}  // namespace spard
