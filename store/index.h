// Index: the user, object, subject, system and time indexes of the event store.
//
// Write path (docs/storage_format.md explains the choice and the measurements): the store
// writer commits events to the events CF, then adds their index entries to the tail
// MemorySegment. A tail that reaches segment_max_events is sealed and a background builder
// writes it as sorted tables, ingested atomically into the index CFs together with a meta
// record "indexed through id N". Until then readers see its entries in memory.
//
// Recovery: a crash loses the in-memory segments, never their events. Open() re-adds every
// event after the last ingested segment, so each durable event is indexed before the first
// query is answered.
//
// Memory is bounded: at most max_sealed_segments wait for the builder; beyond that Add() blocks
// the writer, whose queue then fills and pushes back on the receivers.
//
// Thread-safety: AddBatch() from one writer thread; Snapshot() and Flush() from any thread.

#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "store/db.h"
#include "store/index_reader.h"
#include "store/memory_segment.h"
#include "store/segment_builder.h"

namespace spard {

struct IndexOptions {
  uint64_t segment_max_events = 131072;
  size_t max_sealed_segments = 2;
  std::string tmp_dir;  // where segment tables are built; same filesystem as the store
  // Bulk load (writes without the WAL): flush the memtables before a segment's tables are
  // ingested. Ingested tables are durable at once, so without this a crash could keep index
  // entries (and the "segment/" record) for events that were still only in a memtable.
  bool flush_before_ingest = false;
};

// The last event id whose index entries were ingested (0 if none), from meta.
Result<uint64_t> ReadIndexedThrough(const Database& db,
                                    const rocksdb::ReadOptions& read = rocksdb::ReadOptions());
// The index layout recorded at creation.
Result<IndexLayout> ReadIndexLayout(const Database& db);

class Index {
 public:
  // Reads or creates the layout, re-adds the events not yet in an ingested segment, and starts
  // the builder thread.
  static Result<std::unique_ptr<Index>> Open(Database* db, const IndexOptions& options,
                                             Metrics* metrics);
  // Stops the builder. Segments still in memory are rebuilt by the next Open().
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Adds durable events, ids ascending. May block while too many sealed segments wait.
  void AddBatch(std::span<const IndexedFields> batch);

  // What readers see now.
  std::shared_ptr<const IndexSnapshot> Snapshot() const;
  IndexReader Reader() const { return IndexReader(db_, layout_, Snapshot()); }
  const IndexLayout& layout() const { return layout_; }

  // Seals the tail and waits until every segment is ingested (benchmarks, compaction, tests).
  Status Flush();

  // The last event id whose index entries are on disk.
  uint64_t indexed_through() const;
  uint64_t memory_events() const;
  size_t memory_bytes() const;

 private:
  Index(Database* db, const IndexOptions& options, Metrics* metrics);
  Status LoadLayout();
  Status Reindex();       // re-adds the events after the last ingested segment
  void SealTailLocked();  // REQUIRES(mu_)
  void BuilderLoop();

  Database* const db_;
  const IndexOptions options_;
  IndexLayout layout_;

  std::mutex writer_mu_;  // serialises AddBatch and Flush's seal
  mutable std::mutex mu_;
  std::condition_variable builder_cv_;  // work for the builder, or stop
  std::condition_variable space_cv_;    // a sealed segment was ingested
  std::vector<std::shared_ptr<MemorySegment>>
      segments_;                  // GUARDED_BY(mu_); oldest first, tail last
  uint64_t indexed_through_ = 0;  // GUARDED_BY(mu_)
  Status builder_status_;         // GUARDED_BY(mu_)
  bool stop_ = false;             // GUARDED_BY(mu_)
  std::thread builder_;

  Counter* segments_ingested_ = nullptr;
  Counter* segment_bytes_ = nullptr;
  Counter* segment_errors_ = nullptr;
  Counter* writer_waits_ = nullptr;
  Histogram* build_seconds_ = nullptr;
};

}  // namespace spard
