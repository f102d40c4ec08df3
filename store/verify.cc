#include "store/verify.h"

#include <sodium.h>

#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "common/coding.h"
#include "common/json_writer.h"
#include "store/chunk_codec.h"
#include "store/event_codec.h"
#include "store/event_tree.h"
#include "store/index.h"
#include "store/key_codec.h"
#include "store/memory_segment.h"
#include "store/purged.h"

namespace spard {

namespace {

constexpr size_t kMaxProblems = 20;

// Events handed from the thread that hashes them to the one that derives their index entries:
// batches of (id, stored value), at most kMaxBatches waiting (memory stays bounded: a few MiB).
class EventBatches {
 public:
  // The values back to back in one buffer: no allocation per event.
  struct Batch {
    std::string bytes;
    std::vector<std::tuple<uint64_t, size_t, size_t>> items;  // id, offset, length
    void Add(uint64_t id, std::string_view value) {
      items.emplace_back(id, bytes.size(), value.size());
      bytes.append(value);
    }
    std::string_view value(size_t i) const {
      return std::string_view(bytes).substr(std::get<1>(items[i]), std::get<2>(items[i]));
    }
  };
  static constexpr size_t kBatchEvents = 512;
  static constexpr size_t kMaxBatches = 16;

  void Push(Batch batch) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < kMaxBatches || closed_; });
    if (closed_) return;
    queue_.push_back(std::move(batch));
    not_empty_.notify_one();
  }
  // False once closed and drained.
  bool Pop(Batch* batch) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    *batch = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Batch> queue_;  // GUARDED_BY(mu_)
  bool closed_ = false;      // GUARDED_BY(mu_)
};

// A multiset hash of index entries: the sum (as two 64-bit lanes) of a keyed 128-bit hash of
// each entry. Equal sums mean equal multisets except with probability ~2^-64 per lane, and the
// key is drawn per run, so no one can prepare entries that cancel out.
class SetHash {
 public:
  explicit SetHash(const std::array<unsigned char, 16>& key) : key_(key) {}
  void Add(IndexKind kind, std::string_view term_prefix, const IndexEntry& e) {
    buf_.clear();
    buf_.push_back(static_cast<char>(kind));
    AppendIndexKey(&buf_, term_prefix, e);
    // One SipHash-2-4 with a 128-bit output (libsodium's siphashx24) gives both lanes: half
    // the cost of two 64-bit SipHashes under two keys, with the same 128 bits of key.
    uint64_t h[2];
    crypto_shorthash_siphashx24(reinterpret_cast<unsigned char*>(h),
                                reinterpret_cast<const unsigned char*>(buf_.data()), buf_.size(),
                                key_.data());
    sum1_ += h[0];
    sum2_ += h[1];
    ++count_;
  }
  bool operator==(const SetHash& o) const {
    return sum1_ == o.sum1_ && sum2_ == o.sum2_ && count_ == o.count_;
  }
  uint64_t count() const { return count_; }

 private:
  std::array<unsigned char, 16> key_;
  uint64_t sum1_ = 0, sum2_ = 0, count_ = 0;
  std::string buf_;
};

struct Context {
  const Database& db;
  const rocksdb::Snapshot* snapshot;
  VerifyReport* report;
  rocksdb::ReadOptions Read() const {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.fill_cache = false;  // a full scan must not evict the investigators' working set
    ro.readahead_size = 2 << 20;
    return ro;
  }
  void Problem(std::string p) {
    if (report->problems.size() < kMaxProblems) report->problems.push_back(std::move(p));
  }
};

Result<std::optional<Hash>> StoredTreeHash(const Context& c, int level, uint64_t index) {
  std::string v;
  rocksdb::Status s = c.db.db()->Get(c.Read(), c.db.tree(), TreeKey(level, index), &v);
  if (s.IsNotFound()) return std::optional<Hash>();
  if (!s.ok()) return FromRocks(s, "reading the tree");
  if (v.size() != 32) return Status::Corruption("a stored tree hash is not 32 bytes");
  Hash h;
  std::memcpy(h.data(), v.data(), 32);
  return std::optional<Hash>(h);
}

// All signed tree heads, oldest first.
Result<std::vector<SignedTreeHead>> LoadSths(const Context& c) {
  std::vector<SignedTreeHead> out;
  std::unique_ptr<rocksdb::Iterator> it(c.db.db()->NewIterator(c.Read(), c.db.meta()));
  const rocksdb::Slice prefix("sth/", 4);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    SignedTreeHead sth;
    if (!Integrity::DecodeSth(std::string_view(it->value().data(), it->value().size()), &sth)) {
      return Status::Corruption("a stored STH does not decode");
    }
    out.push_back(sth);
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading STHs"));
  return out;
}

// The first index entry that does not match its event, or else the first event the index
// lacks. Only run when the set hashes disagree.
std::string LocateIndexProblem(const Context& c, IndexKind kind, uint64_t indexed_through,
                               const PurgedRanges& purged) {
  std::vector<bool> seen(indexed_through + 1, false);
  std::vector<IndexEntry> entries;
  std::string value, scratch;
  EventView view;
  std::unique_ptr<rocksdb::Iterator> ix(c.db.db()->NewIterator(c.Read(), c.db.index(kind)));
  for (ix->SeekToFirst(); ix->Valid(); ix->Next()) {
    std::string_view prefix;
    IndexEntry first;
    entries.clear();
    if (!DecodeIndexKey(std::string_view(ix->key().data(), ix->key().size()), &prefix, &first) ||
        !DecodeChunk(std::string_view(ix->value().data(), ix->value().size()), first, &entries)) {
      continue;
    }
    for (const IndexEntry& e : entries) {
      if (e.id > indexed_through || purged.Contains(e.id)) continue;
      if (seen[e.id]) return "event " + std::to_string(e.id) + " is indexed twice";
      seen[e.id] = true;
      rocksdb::Status s = c.db.db()->Get(c.Read(), c.db.events(), EventKey(e.id), &value);
      if (!s.ok() || !DecodeEvent(value, &view)) {
        return "an entry points to event " + std::to_string(e.id) + ", which is not there";
      }
      bool match = false;
      IndexedFields f{e.id,
                      view.ts_us,
                      view.field(Field::kUser),
                      view.field(Field::kObject),
                      view.field(Field::kSystem),
                      view.field(Field::kSubject)};
      ForEachIndexTerm(f, c.db.subject_key(), &scratch, [&](IndexKind k, std::string_view p) {
        if (k == kind && p == prefix && view.ts_us == e.ts_us) match = true;
      });
      if (!match) {
        return "the entry for event " + std::to_string(e.id) +
               " does not match the event's value or time";
      }
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(c.db.db()->NewIterator(c.Read(), c.db.events()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t id;
    if (!DecodeEventKey(std::string_view(it->key().data(), it->key().size()), &id) ||
        id > indexed_through) {
      break;
    }
    if (seen[id] || !DecodeEvent(std::string_view(it->value().data(), it->value().size()), &view)) {
      continue;
    }
    bool wanted = false;
    IndexedFields f{id,
                    view.ts_us,
                    view.field(Field::kUser),
                    view.field(Field::kObject),
                    view.field(Field::kSystem),
                    view.field(Field::kSubject)};
    ForEachIndexTerm(f, c.db.subject_key(), &scratch,
                     [&](IndexKind k, std::string_view) { wanted |= k == kind; });
    if (wanted) return "event " + std::to_string(id) + " is not in this index";
  }
  return "an entry was removed, added or altered";
}

}  // namespace

Result<VerifyReport> VerifyStore(const Database& db, const VerifyOptions& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  VerifyReport report;
  const rocksdb::Snapshot* snapshot = db.db()->GetSnapshot();
  struct Release {
    const Database& db;
    const rocksdb::Snapshot* s;
    ~Release() { db.db()->ReleaseSnapshot(s); }
  } release{db, snapshot};
  Context c{db, snapshot, &report};

  // What the store claims.
  CompactRange claimed;
  {
    std::string state;
    rocksdb::Status s = db.db()->Get(c.Read(), db.meta(), kTreeStateKey, &state);
    if (s.ok()) {
      if (!CompactRange::Decode(state, &claimed)) c.Problem("meta tree_state does not decode");
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "reading tree_state");
    }
  }
  report.tree_size = claimed.size();
  PublicKey key{};
  bool have_key = false;
  {
    std::string k;
    if (db.db()->Get(c.Read(), db.meta(), "integrity_public_key", &k).ok() && k.size() == 32) {
      std::memcpy(key.data(), k.data(), 32);
      have_key = true;
    }
    if (options.public_key) {
      if (have_key && key != *options.public_key) {
        c.Problem(
            "the store's signing key is not the expected public key: its signed tree "
            "heads are checked against the expected one");
      }
      key = *options.public_key;
      have_key = true;
    }
  }
  auto sths = LoadSths(c);
  if (!sths.ok()) return sths.status();
  std::map<uint64_t, Hash> roots_wanted;  // tree size -> recomputed root
  for (const SignedTreeHead& sth : *sths) roots_wanted[sth.tree_size] = Hash{};
  uint64_t indexed_through = 0;
  if (options.check_indexes) {
    auto t = ReadIndexedThrough(db, c.Read());  // as of the snapshot, like everything else
    if (!t.ok()) return t.status();
    indexed_through = *t;
  }

  // 1. The events, in id order, into the tree (and the index entries they call for).
  std::array<unsigned char, 16> set_key;  // per run: no one can prepare entries that cancel
  randombytes_buf(set_key.data(), set_key.size());
  std::array<SetHash, kIndexKindCount> expected = {
      SetHash(set_key), SetHash(set_key), SetHash(set_key), SetHash(set_key), SetHash(set_key)};
  std::array<SetHash, kIndexKindCount> actual = expected;

  // 3a. Beside this thread, which reads and hashes the events: one thread reads the index
  //     tables, another derives the entries the events call for. They share nothing but the
  //     snapshot and the handed-over values; on two cores the work spreads over both.
  std::optional<PurgedRanges> purged;
  std::vector<std::string> index_problems;
  Status index_status;
  std::jthread index_reader;
  // The entries the events call for, derived on another thread from the values this one reads
  // (decoding and keyed hashing would otherwise double the cost of the pass over the events).
  EventBatches to_expect;
  std::vector<std::string> expect_problems;
  std::jthread expecter;
  if (options.check_indexes) {
    expecter = std::jthread([&] {
      EventBatches::Batch batch;
      EventView event;
      std::string terms;
      while (to_expect.Pop(&batch)) {
        for (size_t i = 0; i < batch.items.size(); ++i) {
          const uint64_t id = std::get<0>(batch.items[i]);
          if (!DecodeEvent(batch.value(i), &event)) {
            if (expect_problems.size() < kMaxProblems) {
              expect_problems.push_back("event " + std::to_string(id) + " does not decode");
            }
            continue;
          }
          IndexedFields f{id,
                          event.ts_us,
                          event.field(Field::kUser),
                          event.field(Field::kObject),
                          event.field(Field::kSystem),
                          event.field(Field::kSubject)};
          ForEachIndexTerm(
              f, db.subject_key(), &terms, [&](IndexKind kind, std::string_view prefix) {
                expected[static_cast<size_t>(kind)].Add(kind, prefix, IndexEntry{event.ts_us, id});
              });
        }
      }
    });
  }
  // Closed on every way out of this function, before the threads above are joined.
  struct CloseOnExit {
    EventBatches* q;
    ~CloseOnExit() { q->Close(); }
  } close_on_exit{&to_expect};
  EventBatches::Batch pending;
  if (options.check_indexes) {
    auto purged_ranges = LoadPurgedRanges(db, c.Read());
    if (!purged_ranges.ok()) return purged_ranges.status();
    purged = std::move(purged_ranges).value();
    auto layout = ReadIndexLayout(db);
    if (!layout.ok()) return layout.status();
    index_reader = std::jthread([&] {
      std::vector<IndexEntry> entries;
      for (int k = 0; k < kIndexKindCount; ++k) {
        const IndexKind kind = static_cast<IndexKind>(k);
        if (kind == IndexKind::kSubject && db.subject_key() == nullptr) continue;
        std::unique_ptr<rocksdb::Iterator> ix(db.db()->NewIterator(c.Read(), db.index(kind)));
        bool bad = false;
        for (ix->SeekToFirst(); ix->Valid(); ix->Next()) {
          std::string_view prefix;
          IndexEntry first;
          std::string_view key_bytes(ix->key().data(), ix->key().size());
          entries.clear();
          if (!DecodeIndexKey(key_bytes, &prefix, &first) ||
              !DecodeChunk(std::string_view(ix->value().data(), ix->value().size()), first,
                           &entries)) {
            if (!bad) {
              index_problems.push_back("index " + std::string(IndexKindName(kind)) +
                                       ": an entry does not decode");
            }
            bad = true;
            continue;
          }
          for (const IndexEntry& e : entries) {
            if (e.id > indexed_through) continue;  // a segment ingested after the snapshot's meta
            if (purged->Contains(e.id)) continue;  // gallring: gone until compaction drops it
            actual[k].Add(kind, prefix, e);
          }
        }
        if (index_status.ok()) index_status = FromRocks(ix->status(), "reading an index");
      }
    });
  }
  CompactRange tree;
  uint64_t next_id = 1;
  uint64_t first_bad_block = UINT64_MAX;
  auto on_complete = [&](int level, uint64_t index, const Hash& h) {
    if (level < kStoredTreeLevel) return;
    auto stored = StoredTreeHash(c, level, index);
    ++report.subtrees_checked;
    if (!stored.ok() || !stored->has_value() || **stored != h) {
      const uint64_t width = uint64_t{1} << level;
      if (level == kStoredTreeLevel && index * width < first_bad_block) {
        first_bad_block = index * width;
        c.Problem("events " + std::to_string(index * width + 1) + ".." +
                  std::to_string((index + 1) * width) +
                  (stored.ok() && stored->has_value()
                       ? ": their hashes do not match the stored tree (an event there was "
                         "altered, removed, added or moved)"
                       : ": the stored tree has no hash for them"));
      }
    }
  };
  std::set<uint64_t> roots_seen;
  auto note_size = [&] {
    auto wanted = roots_wanted.find(tree.size());
    if (wanted != roots_wanted.end()) {
      wanted->second = tree.Root();
      roots_seen.insert(tree.size());
    }
  };
  auto add_leaf = [&](const Hash& leaf) {
    tree.Append(leaf, on_complete);
    note_size();
  };
  // Purged events up to (not including) `until`: kept leaf hashes, or for a block of 1,024
  // purged entirely, its stored subtree hash.
  auto fill_gap = [&](uint64_t until) -> Status {
    constexpr uint64_t kBlock = uint64_t{1} << kStoredTreeLevel;
    while (next_id < until) {
      const uint64_t index = next_id - 1;
      if (index % kBlock == 0 && until - next_id >= kBlock) {
        auto kept = StoredTreeHash(c, 0, index);
        if (!kept.ok()) return kept.status();
        if (!kept->has_value()) {
          auto block = StoredTreeHash(c, kStoredTreeLevel, index / kBlock);
          if (!block.ok()) return block.status();
          if (block->has_value()) {
            tree.AppendSubtree(kStoredTreeLevel, **block);
            note_size();
            report.purged += kBlock;
            next_id += kBlock;
            continue;
          }
        }
      }
      auto kept = StoredTreeHash(c, 0, index);
      if (!kept.ok()) return kept.status();
      if (!kept->has_value()) {
        c.Problem("event " + std::to_string(next_id) + " is missing (and was not purged)");
        add_leaf(Hash{});
      } else {
        ++report.purged;
        add_leaf(**kept);
      }
      ++next_id;
    }
    return Status::Ok();
  };
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(c.Read(), db.events()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t id;
    std::string_view key_bytes(it->key().data(), it->key().size());
    std::string_view value(it->value().data(), it->value().size());
    if (!DecodeEventKey(key_bytes, &id)) {
      c.Problem("events: a key that is not an event id");
      continue;
    }
    // Ids skipped over are purged events: their kept leaf hashes stand in for them.
    SPARD_RETURN_IF_ERROR(fill_gap(id));
    if (id < next_id) {
      c.Problem("event " + std::to_string(id) + " appears twice");
      continue;
    }
    add_leaf(EventLeafHash(id, value));
    report.bytes_hashed += key_bytes.size() + value.size();
    ++report.events;
    next_id = id + 1;
    if (options.check_indexes && id <= indexed_through) {
      pending.Add(id, value);
      if (pending.items.size() == EventBatches::kBatchEvents) {
        to_expect.Push(std::move(pending));
        pending = EventBatches::Batch();
      }
    }
    if (options.progress && (report.events & 0xffff) == 0) {
      options.progress(report.events, claimed.size());
    }
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
  // Purged ids at the end of the log.
  SPARD_RETURN_IF_ERROR(fill_gap(claimed.size() + 1));
  if (tree.size() != claimed.size() || tree.Root() != claimed.Root()) {
    c.Problem("the tree state in meta (" + std::to_string(claimed.size()) +
              " events) does not match the events (" + std::to_string(tree.size()) + ")");
    if (tree.size() == claimed.size()) {
      // Name the first complete subtree of the frontier that differs: the events at the end
      // of the log that no stored block hash covers yet.
      uint64_t start = 0;
      size_t i = 0;
      for (int bit = 63; bit >= 0; --bit) {
        const uint64_t width = uint64_t{1} << bit;
        if ((tree.size() & width) == 0) continue;
        // Only the subtrees past the last complete block: stored block hashes cover the rest
        // (and named any change there above).
        const uint64_t block = uint64_t{1} << kStoredTreeLevel;
        const uint64_t covered = tree.size() / block * block;
        if (tree.roots()[i] != claimed.roots()[i] && start >= covered) {
          c.Problem("events " + std::to_string(start + 1) + ".." + std::to_string(start + width) +
                    ": their hashes do not match the tree state (an event there was altered, "
                    "removed, added or moved)");
          break;
        }
        start += width;
        ++i;
      }
    }
  }

  // 2. Signed tree heads.
  uint64_t last_size = 0;
  int64_t last_ts = INT64_MIN;
  for (const SignedTreeHead& sth : *sths) {
    ++report.sths_checked;
    const std::string name = "signed tree head of " + std::to_string(sth.tree_size) +
                             " events at " + std::to_string(sth.timestamp_us);
    if (!have_key || !sth.Verify(key)) {
      c.Problem(name + ": the signature does not verify under the store's public key");
    }
    if (sth.tree_size < last_size || sth.timestamp_us <= last_ts) {
      c.Problem(name + ": goes back in size or time from the one before");
    }
    last_size = sth.tree_size;
    last_ts = sth.timestamp_us;
    if (sth.tree_size > tree.size()) {
      c.Problem(name + ": covers more events than the store has (" + std::to_string(tree.size()) +
                "): events were removed");
    } else if (sth.tree_size > 0 && !roots_seen.contains(sth.tree_size)) {
      ++report.sths_inside_purged;  // its size falls inside a purged block: root not rebuilt
    } else if (sth.tree_size > 0 && roots_wanted[sth.tree_size] != sth.root) {
      c.Problem(name +
                ": its root does not match the events (the log was changed after it "
                "was signed)");
    }
  }

  // 3b. Indexes against the events they were built from.
  if (options.check_indexes) {
    if (!pending.items.empty()) to_expect.Push(std::move(pending));
    to_expect.Close();
    expecter.join();
    for (std::string& p : expect_problems) c.Problem(std::move(p));
    index_reader.join();
    SPARD_RETURN_IF_ERROR(index_status);
    for (std::string& p : index_problems) c.Problem(std::move(p));
    for (int k = 0; k < kIndexKindCount; ++k) {
      const IndexKind kind = static_cast<IndexKind>(k);
      if (kind == IndexKind::kSubject && db.subject_key() == nullptr) {
        c.Problem(
            "index subject: not checked: subject.key is missing (put the key file backed up "
            "with this store next to db/, or verify with --no-indexes)");
        continue;
      }
      report.index_entries += actual[k].count();
      if (!(actual[k] == expected[k])) {
        c.Problem("index " + std::string(IndexKindName(kind)) + ": " +
                  std::to_string(actual[k].count()) + " entries where the events call for " +
                  std::to_string(expected[k].count()) +
                  (actual[k].count() == expected[k].count() ? " (but not the same ones)" : "") +
                  "; " + LocateIndexProblem(c, kind, indexed_through, *purged));
      }
    }
  }
  if (options.progress) options.progress(report.events, claimed.size());
  return report;
}

std::string VerifyReportJson(const VerifyReport& r, double seconds) {
  std::string body;
  JsonWriter w(&body);
  w.StartObject();
  w.Key("ok");
  w.Bool(r.ok());
  w.Key("problems");
  w.StartArray();
  for (const std::string& p : r.problems) w.String(p);
  w.EndArray();
  w.Key("events");
  w.Uint(r.events);
  w.Key("purged");
  w.Uint(r.purged);
  w.Key("tree_size");
  w.Uint(r.tree_size);
  w.Key("subtrees_checked");
  w.Uint(r.subtrees_checked);
  w.Key("sths_checked");
  w.Uint(r.sths_checked);
  w.Key("index_entries");
  w.Uint(r.index_entries);
  w.Key("bytes_hashed");
  w.Uint(r.bytes_hashed);
  w.Key("seconds");
  w.Double(seconds);
  w.EndObject();
  return body;
}

}  // namespace spard
