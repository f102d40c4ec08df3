// Writer: the store's group commit. Receivers submit batches into a bounded queue; one thread
// takes everything queued (up to max_batch_events), assigns ids, writes one RocksDB WriteBatch
// with the WAL synced, adds the events to the index, and only then runs the batches'
// on_durable callbacks. One fsync thus serves every receiver that submitted meanwhile. (A bulk
// load skips the WAL: WriterOptions::disable_wal, StoreOptions::bulk_load.)
//
// A failing write (disk full, I/O error) is retried with backoff while the queue fills and the
// receivers are pushed back: ingest pauses and says so (log, /metrics), nothing is dropped.
//
// The WriteBatch is the extension point for per-event rows that must be atomic with the event:
// the Merkle tree's stored subtree hashes and its frontier go in it (store/event_tree.h), and
// so would review counters. See CommitGroup().
//
// Thread-safety: TrySubmit, Submit and NotifyWhenReady from any thread.

#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <rocksdb/write_batch.h>

#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "store/db.h"
#include "store/index.h"
#include "store/merkle.h"

namespace spard {

struct WriterOptions {
  size_t queue_max_bytes = 16ull << 20;
  size_t max_batch_events = 16384;
  // Maintain the Merkle tree (store/event_tree.h). Off only to measure what it costs
  // (bench/index_write_bench.cc): a store written without it cannot be verified.
  bool hash_tree = true;
  // Bulk load only (StoreOptions::bulk_load): write without the WAL and do not sync. A batch is
  // then "durable" (on_durable runs) once it is in the memtables; it reaches disk with the next
  // flush. Never for live ingest: an acknowledged event must survive kill -9.
  bool disable_wal = false;
};

class Writer final : public EventSink {
 public:
  Writer(Database* db, Index* index, const WriterOptions& options, Metrics* metrics);
  ~Writer() override;  // Close()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Finds the next ids from the store and starts the writer thread.
  Status Start();

  SubmitResult TrySubmit(IngestBatch* batch) override;
  void NotifyWhenReady(std::function<void()> ready) override;
  // Waits for room (offline import, internal events). kClosed after Close().
  SubmitResult Submit(IngestBatch* batch);

  // Stops accepting, writes everything already queued, stops the thread. Idempotent.
  void Close();

  uint64_t last_event_id() const;
  size_t queued_bytes() const;

  // The Merkle tree over every committed event (store/event_tree.h): its size and root.
  struct TreeHead {
    uint64_t size = 0;
    Hash root{};
  };
  TreeHead tree_head() const;

 private:
  struct Queued {
    IngestBatch batch;
    size_t bytes;
  };
  void Run();
  Status LoadTree();
  // Appends a leaf, putting every stored subtree it completes into the batch.
  void AppendLeaf(const Hash& leaf, CompactRange* tree, rocksdb::WriteBatch* wb);
  // Writes one group; retries until it succeeds or the writer is closing and gives up.
  Status CommitGroup(std::vector<Queued>& group);
  void WakeWaiters();

  Database* const db_;
  Index* const index_;
  const WriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  std::deque<Queued> queue_;                    // GUARDED_BY(mu_)
  size_t queued_bytes_ = 0;                     // GUARDED_BY(mu_)
  std::vector<std::function<void()>> waiters_;  // GUARDED_BY(mu_)
  bool closed_ = false;                         // GUARDED_BY(mu_)
  uint64_t last_event_id_ = 0;                  // GUARDED_BY(mu_)
  TreeHead head_;                               // GUARDED_BY(mu_)
  std::thread thread_;

  // Writer thread only.
  uint64_t next_event_id_ = 1;
  uint64_t next_quarantine_id_ = 1;
  std::string value_;
  CompactRange tree_;  // the frontier of the committed events' tree

  Counter* events_total_;
  Counter* quarantined_total_;
  Counter* batches_total_;
  Counter* bytes_total_;
  Counter* write_errors_;
  Gauge* paused_;
  Histogram* commit_seconds_;
  Histogram* group_events_;
};

}  // namespace spard
