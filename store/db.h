// Database: spard's RocksDB instance, its column families and their options.
//
// The options are chosen for this workload and explained in docs/storage_format.md:
// the events CF takes appends in id order (sequential keys: cheap memtable inserts, flushes that
// never overlap, trivial moves down the levels); the index CFs are never written through the
// memtable but receive sorted tables built per index segment (see index.h); LZ4 on upper
// levels, ZSTD on the bottom one; a shared, bounded block cache that also holds index and
// filter blocks, so memory does not grow with the data.
//
// Thread-safety: as rocksdb::DB (safe for concurrent use after Open).

#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <array>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/key_codec.h"
#include "store/purged.h"
#include "store/subject_key.h"

namespace spard {

// The on-disk format (docs/storage_format.md), kept in meta "store_format". 2: keyed subject
// index (store/subject_key.h).
inline constexpr int kStoreFormatVersion = 2;

struct DatabaseOptions {
  std::string path;  // the RocksDB directory (<data_dir>/db)
  uint64_t block_cache_bytes = 256ull << 20;
  uint64_t write_buffer_bytes = 32ull << 20;  // cap on all memtables together
  bool create_if_missing = true;
  bool read_only = false;  // for offline tools on a store nobody else holds
  // The subject index's key file; created with a new store (not when read_only).
  std::string subject_key_path;  // "": <path>/../subject.key, i.e. <data_dir>/subject.key
  // Bulk load (StoreOptions::bulk_load), two changes:
  // - all column families flush together, committed to the MANIFEST as one group (RocksDB's
  //   atomic_flush). Needed when writes skip the WAL: the rows one WriteBatch puts in several
  //   column families then reach disk together or not at all, so a crash leaves a prefix of the
  //   batches. Without the WAL, RocksDB promises prefix recovery only with atomic flush;
  // - the index CFs compact L0 after 16 ingested tables instead of 4. Every ingested table of a
  //   term index overlaps all of the level below, so each L0 compaction rewrites that level:
  //   merging 16 at a time rewrites it a quarter as often (-19 % CPU for a 5M-event import).
  //   The tables left in L0 at the end are merged by spard's first compaction.
  bool bulk_load = false;
};

class Database {
 public:
  // Opens or creates the store. Fails with a clear message when another process holds it.
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* events() const { return events_; }
  rocksdb::ColumnFamilyHandle* quarantine() const { return quarantine_; }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }
  rocksdb::ColumnFamilyHandle* tree() const { return tree_; }
  rocksdb::ColumnFamilyHandle* index(IndexKind kind) const {
    return index_[static_cast<size_t>(kind)];
  }
  // The options an index CF was opened with: SstFileWriter must build tables with them.
  const rocksdb::Options& index_options(IndexKind kind) const {
    return index_options_[static_cast<size_t>(kind)];
  }
  const rocksdb::Options& meta_options() const { return meta_options_; }
  const std::string& path() const { return path_; }

  // The key of the subject index (store/subject_key.h), set when the store is opened. Null only
  // in a read-only open without the key file: the subject index cannot be read then.
  const SubjectKey* subject_key() const { return subject_key_.get(); }
  void set_subject_key(std::unique_ptr<SubjectKey> key) { subject_key_ = std::move(key); }

  // The purged id ranges as last published (readers and the index compaction filter use it).
  PurgedRangesHolder* purged() const { return purged_.get(); }

  // Compacts every column family to the bottom level (for benchmarks and after bulk loads).
  Status CompactAll();
  // Writes every column family's memtables to tables and waits; one atomic group when opened
  // with atomic_flush. After it returns OK, every write made before the call is on disk, WAL or
  // not.
  Status FlushMemtables();
  // Live SST + WAL bytes on disk.
  uint64_t DiskBytes() const;

 private:
  Database() = default;

  std::string path_;
  // Declared before db_: the index CFs' options point at the filter until the DB closes.
  std::shared_ptr<PurgedRangesHolder> purged_ = std::make_shared<PurgedRangesHolder>();
  std::unique_ptr<SubjectKey> subject_key_;
  std::unique_ptr<PurgedEntriesFilter> purged_filter_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* quarantine_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* tree_ = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kIndexKindCount> index_{};
  std::array<rocksdb::Options, kIndexKindCount> index_options_;
  rocksdb::Options meta_options_;
};

// RocksDB status -> spard Status, keeping the message.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

}  // namespace spard
