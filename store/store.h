// Store: spard's event store — the RocksDB database, the group-commit writer and the indexes,
// opened and closed together. The public face of store/ for ingest, query and the daemon.
//
// Layout of a data directory:
//   <data_dir>/db/      RocksDB (column families in docs/storage_format.md)
//   <data_dir>/tmp/     index segment tables being built (moved into db/ on ingestion)
//
// Thread-safety: all methods are safe for concurrent use; Close() once, by the owner.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "common/status.h"
#include "store/db.h"
#include "store/event_codec.h"
#include "store/index.h"
#include "store/writer.h"

namespace spard {

struct StoreOptions {
  std::string data_dir;
  uint64_t block_cache_bytes = 256ull << 20;
  uint64_t write_buffer_bytes = 32ull << 20;
  WriterOptions writer;
  uint64_t segment_max_events = 131072;
  // Offline bulk load (`spar import`) into a store no other process has open: the writer skips
  // the WAL and fsync, RocksDB flushes all column families as one atomic group, and the index
  // flushes the memtables before it ingests a segment (and the index CFs merge their ingested
  // tables 16 at a time rather than 4: DatabaseOptions::bulk_load). A crash thus keeps a prefix
  // of the committed batches — each whole, with the meta rows it carried (the importer's progress
  // marker) — and never index entries without their events; Persist() and Close() write the
  // rest out. Live ingest never uses it: an acknowledged event must survive kill -9.
  bool bulk_load = false;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options, Metrics* metrics);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Where receivers submit events. Valid until Close().
  Writer* writer() { return writer_.get(); }

  // Drains the queue into the store, stops the writer and the index builder, closes RocksDB.
  void Close();

  // Readers.
  IndexReader Reader() const { return index_->Reader(); }
  // Encoded values for ids (a missing id yields NotFound in *statuses). values[i] stays empty
  // for a missing id.
  void MultiGetEvents(std::span<const uint64_t> ids, std::vector<std::string>* values,
                      std::vector<Status>* statuses) const;
  Result<std::optional<EventView>> GetEvent(uint64_t id, std::string* storage) const;

  // Hashes (std::hash) of the raw messages of the last `n` events, for spotting messages a
  // sender resends after a crash (RELP cannot tell stored-but-unacknowledged from lost).
  std::vector<size_t> RecentRawHashes(size_t n) const;

  // Quarantine records with id > after_id, oldest first, at most limit.
  Status ListQuarantine(uint64_t after_id, size_t limit, std::vector<QuarantineRecord>* out) const;
  uint64_t last_event_id() const { return writer_->last_event_id(); }

  // meta CF access (tokens, settings).
  Result<std::optional<std::string>> GetMeta(std::string_view key) const;
  Status PutMeta(std::string_view key, std::string_view value);

  // Seals and writes out the in-memory index, then compacts every CF (benchmarks, tests).
  Status FlushAndCompact();
  // Writes out everything committed so far: the in-memory index as tables, then every memtable.
  // What makes a bulk load's commits durable (they skip the WAL); harmless otherwise.
  Status Persist();
  uint64_t DiskBytes() const { return db_->DiskBytes(); }
  Database* database() { return db_.get(); }
  Index* index() { return index_.get(); }

 private:
  Store() = default;

  std::unique_ptr<Database> db_;
  std::unique_ptr<Index> index_;
  std::unique_ptr<Writer> writer_;
  bool closed_ = false;
  bool bulk_load_ = false;
};

}  // namespace spard
