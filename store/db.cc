#include "store/db.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <filesystem>

namespace spard {

namespace {

constexpr const char* kEventsCf = "events";
constexpr const char* kQuarantineCf = "quarantine";
constexpr const char* kMetaCf = "meta";
constexpr const char* kTreeCf = "tree";
constexpr std::array<const char*, kIndexKindCount> kIndexCfs = {
    "index_user", "index_object", "index_subject", "index_system", "index_time"};

// The term prefix of an index key: everything up to and including the first 0x00. For the
// object index that is the object alone, so one prefix bloom filter serves lookups with and
// without a system. Keys without 0x00 (none are written) are outside the domain.
class TermPrefixTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "spard.TermPrefix.v1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* nul = memchr(key.data(), 0, key.size());
    size_t n = static_cast<const char*>(nul) - key.data() + 1;
    return rocksdb::Slice(key.data(), n);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return memchr(key.data(), 0, key.size()) != nullptr;
  }
};

rocksdb::BlockBasedTableOptions TableOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                             bool bloom) {
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.block_size = 16 * 1024;  // better compression of small values; a get decompresses one block
  t.cache_index_and_filter_blocks = true;  // memory bounded by the cache, not by data size
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  return t;
}

void CommonCfOptions(rocksdb::ColumnFamilyOptions* cf) {
  // ZSTD on every level, flushes included. The events CF is written in key order, so its
  // flushed files never overlap and are moved down the levels without being rewritten: the
  // compression chosen at flush is the one they keep for their whole life.
  cf->compression = rocksdb::kZSTD;
  cf->level_compaction_dynamic_level_bytes = true;
  cf->target_file_size_base = 64ull << 20;
}

constexpr std::string_view kFormatKey = "store_format";
constexpr std::string_view kKeyCheckKey = "subject_key_check";

// A value only the store's own subject key yields: a key file from another store (the wrong
// backup restored) is refused instead of answering "no accesses" for every person.
std::string KeyCheck(const SubjectKey& key) { return key.Term("spard subject key check v1"); }

// The store format version in meta (docs/storage_format.md). A new store gets the current one
// and its subject key; an existing one must have both, and the key must be its own. A
// read-only open (spar verify --data-dir) goes on without the key file: the subject index is
// then unreadable (subject_key() is null) and verify says so.
Status OpenFormat(Database* db, const std::string& key_path, bool read_only) {
  rocksdb::DB* rdb = db->db();
  std::string value;
  rocksdb::Status s = rdb->Get(rocksdb::ReadOptions(), db->meta(), kFormatKey, &value);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the store format");
  const std::string data_dir = std::filesystem::path(key_path).parent_path().string();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(rdb->NewIterator(rocksdb::ReadOptions(), db->events()));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status::Corruption(
          "the store in " + data_dir + " has store format 1 (written before spard 0.2): " +
          "its subject index is not keyed; re-import its events into a new data directory");
    }
    if (read_only) return Status::Ok();  // an empty store, read as such
    auto key = SubjectKey::LoadOrCreate(key_path, /*create=*/true);
    if (!key.ok()) return key.status();
    rocksdb::WriteBatch batch;
    batch.Put(db->meta(), kFormatKey, std::to_string(kStoreFormatVersion));
    batch.Put(db->meta(), kKeyCheckKey, KeyCheck(*key));
    SPARD_RETURN_IF_ERROR(FromRocks(rdb->Write(wo, &batch), "writing the store format"));
    db->set_subject_key(std::make_unique<SubjectKey>(std::move(key).value()));
    return Status::Ok();
  }
  if (value != std::to_string(kStoreFormatVersion)) {
    return Status::Corruption("the store in " + data_dir + " has store format " + value +
                              "; this spard reads format " + std::to_string(kStoreFormatVersion));
  }
  auto key = SubjectKey::LoadOrCreate(key_path, /*create=*/false);
  if (!key.ok()) {
    if (read_only && key.status().IsNotFound()) return Status::Ok();
    return key.status();
  }
  std::string check;
  s = rdb->Get(rocksdb::ReadOptions(), db->meta(), kKeyCheckKey, &check);
  if (s.ok() && check != KeyCheck(*key)) {
    return Status::Corruption(key_path +
                              " is not this store's subject key (its check value differs): "
                              "restore the subject.key that was backed up with this store");
  }
  if (s.IsNotFound() && !read_only) {
    SPARD_RETURN_IF_ERROR(
        FromRocks(rdb->Put(wo, db->meta(), kKeyCheckKey, KeyCheck(*key)), "writing the key check"));
  } else if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "reading the key check");
  }
  db->set_subject_key(std::make_unique<SubjectKey>(std::move(key).value()));
  return Status::Ok();
}

}  // namespace

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg(what);
  msg += ": ";
  msg += s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsNoSpace()) return Status::ResourceExhausted(msg);
  return Status::IOError(msg);
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  std::unique_ptr<Database> d(new Database());
  d->path_ = options.path;
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Status::IOError("cannot create " + options.path + ": " + ec.message());

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes, -1, false, 0.2);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.max_background_jobs = 3;  // one flush, two compactions: this is a 2-core target
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_total_wal_size = 512ull << 20;  // rarely written CFs must not pin old WALs
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_bytes, cache);
  db_options.keep_log_file_num = 5;
  db_options.max_manifest_file_size = 64ull << 20;
  db_options.atomic_flush = options.bulk_load;

  // events: sequential appends, read by point lookups of ids found in an index.
  rocksdb::ColumnFamilyOptions events_cf;
  CommonCfOptions(&events_cf);
  events_cf.write_buffer_size = std::max<uint64_t>(options.write_buffer_bytes / 2, 4 << 20);
  events_cf.max_write_buffer_number = 3;
  // Small values of one shape (a syslog line and its references): a dictionary built per file
  // from sampled blocks lets each 16 KiB block share the common structure (90 -> 72 bytes per
  // event). ZSTD's full trainer saves 2.7 more bytes per event for 1.4 us of CPU per event on
  // the flush thread; its cheaper finalizer is the better trade for a 2-core machine.
  events_cf.compression_opts.max_dict_bytes = 16 * 1024;
  events_cf.compression_opts.zstd_max_train_bytes = 100 * 16 * 1024;
  events_cf.compression_opts.use_zstd_dict_trainer = false;
  events_cf.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(TableOptions(cache, /*bloom=*/false)));

  // index CFs: filled by table ingestion only; the memtable stays empty.
  d->purged_filter_ = std::make_unique<PurgedEntriesFilter>(d->purged_);
  std::array<rocksdb::ColumnFamilyOptions, kIndexKindCount> index_cfs;
  for (int k = 0; k < kIndexKindCount; ++k) {
    rocksdb::ColumnFamilyOptions& cf = index_cfs[k];
    CommonCfOptions(&cf);
    cf.write_buffer_size = 4 << 20;
    // Ingested tables of term-keyed indexes overlap all earlier ones and land in L0; merge them
    // a few at a time rather than one by one.
    cf.level0_file_num_compaction_trigger = options.bulk_load ? 16 : 4;
    cf.level0_slowdown_writes_trigger = options.bulk_load ? 64 : 40;
    cf.level0_stop_writes_trigger = options.bulk_load ? 96 : 64;
    // Entries of purged events are dropped when a file is rewritten; rewrite every file at
    // least weekly so that gallring reaches the index tables too (store/purged.h).
    cf.compaction_filter = d->purged_filter_.get();
    cf.periodic_compaction_seconds = 7 * 24 * 3600;
    bool term_keyed = static_cast<IndexKind>(k) != IndexKind::kTime;
    if (term_keyed) cf.prefix_extractor = std::make_shared<TermPrefixTransform>();
    auto t = TableOptions(cache, /*bloom=*/term_keyed);
    t.whole_key_filtering = false;  // lookups are by term prefix, never by whole key
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  }

  rocksdb::ColumnFamilyOptions small_cf;
  small_cf.compression = rocksdb::kLZ4Compression;
  small_cf.write_buffer_size = 4 << 20;
  small_cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(cache, false)));

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, small_cf);
  cfs.emplace_back(kEventsCf, events_cf);
  cfs.emplace_back(kQuarantineCf, small_cf);
  cfs.emplace_back(kMetaCf, small_cf);
  for (int k = 0; k < kIndexKindCount; ++k) cfs.emplace_back(kIndexCfs[k], index_cfs[k]);
  // tree: 32-byte hashes keyed by position, appended in order; incompressible.
  rocksdb::ColumnFamilyOptions tree_cf = small_cf;
  tree_cf.compression = rocksdb::kNoCompression;
  cfs.emplace_back(kTreeCf, tree_cf);

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_options, options.path, cfs, &d->handles_, &raw);
  } else {
    s = rocksdb::DB::Open(db_options, options.path, cfs, &d->handles_, &raw);
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status::Unavailable("the store " + options.path +
                                 " is in use by another process (RocksDB LOCK): " + s.ToString());
    }
    return FromRocks(s, "opening " + options.path);
  }
  d->db_.reset(raw);
  d->events_ = d->handles_[1];
  d->quarantine_ = d->handles_[2];
  d->meta_ = d->handles_[3];
  for (int k = 0; k < kIndexKindCount; ++k) {
    d->index_[k] = d->handles_[4 + k];
    d->index_options_[k] = rocksdb::Options(db_options, index_cfs[k]);
  }
  d->meta_options_ = rocksdb::Options(db_options, small_cf);
  d->tree_ = d->handles_[4 + kIndexKindCount];
  auto purged = LoadPurgedRanges(*d);
  if (!purged.ok()) return purged.status();
  d->purged_->Set(std::make_shared<PurgedRanges>(std::move(purged).value()));
  std::string key_path = options.subject_key_path;
  if (key_path.empty()) {
    key_path = (std::filesystem::path(options.path).parent_path() / "subject.key").string();
  }
  SPARD_RETURN_IF_ERROR(OpenFormat(d.get(), key_path, options.read_only));
  return d;
}

Database::~Database() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_->Close().PermitUncheckedError();
  }
}

Status Database::CompactAll() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* h : handles_) {
    SPARD_RETURN_IF_ERROR(FromRocks(db_->CompactRange(o, h, nullptr, nullptr), "compaction"));
  }
  return Status::Ok();
}

Status Database::FlushMemtables() {
  rocksdb::FlushOptions o;
  o.wait = true;
  o.allow_write_stall = true;
  return FromRocks(db_->Flush(o, handles_), "flushing memtables");
}

uint64_t Database::DiskBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".sst") || name.ends_with(".log") || name.starts_with("MANIFEST")) {
      total += entry.file_size(ec);
    }
  }
  return total;
}

}  // namespace spard
