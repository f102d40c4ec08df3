#include "store/store.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace spard {

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options, Metrics* metrics) {
  std::unique_ptr<Store> store(new Store());
  DatabaseOptions db_options;
  db_options.path = options.data_dir + "/db";
  db_options.block_cache_bytes = options.block_cache_bytes;
  db_options.write_buffer_bytes = options.write_buffer_bytes;
  db_options.bulk_load = options.bulk_load;
  store->bulk_load_ = options.bulk_load;
  auto db = Database::Open(db_options);
  if (!db.ok()) return db.status();
  store->db_ = std::move(db).value();

  IndexOptions index_options;
  index_options.segment_max_events = options.segment_max_events;
  index_options.tmp_dir = options.data_dir + "/tmp";
  index_options.flush_before_ingest = options.bulk_load;
  std::error_code ec;
  std::filesystem::remove_all(index_options.tmp_dir, ec);  // leftovers of a crash mid-build
  auto index = Index::Open(store->db_.get(), index_options, metrics);
  if (!index.ok()) return index.status();
  store->index_ = std::move(index).value();

  WriterOptions writer_options = options.writer;
  writer_options.disable_wal = options.bulk_load;
  store->writer_ =
      std::make_unique<Writer>(store->db_.get(), store->index_.get(), writer_options, metrics);
  SPARD_RETURN_IF_ERROR(store->writer_->Start());

  Database* raw_db = store->db_.get();
  Index* raw_index = store->index_.get();
  metrics->AddCallbackGauge(
      "spard_index_memory_events", "Events whose index entries are still in memory",
      [raw_index] { return static_cast<double>(raw_index->memory_events()); });
  metrics->AddCallbackGauge("spard_index_memory_bytes", "Approximate memory of in-memory index",
                            [raw_index] { return static_cast<double>(raw_index->memory_bytes()); });
  metrics->AddCallbackGauge("spard_store_disk_bytes", "Bytes of the store on disk",
                            [raw_db] { return static_cast<double>(raw_db->DiskBytes()); });
  auto cf_gauges = [&](rocksdb::ColumnFamilyHandle* cf) {
    const std::string name = cf->GetName();
    metrics->AddCallbackGauge("spard_store_sst_bytes", "Bytes of SST files, by column family",
                              [raw_db, cf] {
                                uint64_t v = 0;
                                raw_db->db()->GetIntProperty(cf, "rocksdb.total-sst-files-size",
                                                             &v);
                                return static_cast<double>(v);
                              },
                              {{"cf", name}});
    metrics->AddCallbackGauge("spard_store_memtable_bytes", "Bytes of memtables, by column family",
                              [raw_db, cf] {
                                uint64_t v = 0;
                                raw_db->db()->GetIntProperty(cf, "rocksdb.size-all-mem-tables", &v);
                                return static_cast<double>(v);
                              },
                              {{"cf", name}});
    metrics->AddCallbackGauge(
        "spard_store_compaction_pending_bytes", "Estimated bytes compaction still has to rewrite",
        [raw_db, cf] {
          uint64_t v = 0;
          raw_db->db()->GetIntProperty(cf, "rocksdb.estimate-pending-compaction-bytes", &v);
          return static_cast<double>(v);
        },
        {{"cf", name}});
  };
  cf_gauges(raw_db->events());
  cf_gauges(raw_db->quarantine());
  cf_gauges(raw_db->meta());
  for (int k = 0; k < kIndexKindCount; ++k) cf_gauges(raw_db->index(static_cast<IndexKind>(k)));
  return store;
}

Store::~Store() { Close(); }

void Store::Close() {
  if (closed_) return;
  closed_ = true;
  if (writer_) writer_->Close();
  index_.reset();  // stops the builder; in-memory segments are rebuilt on the next open
  writer_.reset();
  if (bulk_load_ && db_) {
    // RocksDB would flush unlogged writes at close too; doing it here makes it explicit and
    // lets a failure be told.
    Status s = db_->FlushMemtables();
    if (!s.ok()) spdlog::error("store: flushing at close failed: {}", s.ToString());
  }
  db_.reset();
}

void Store::MultiGetEvents(std::span<const uint64_t> ids, std::vector<std::string>* values,
                           std::vector<Status>* statuses) const {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (uint64_t id : ids) keys.push_back(EventKey(id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(ids.size(), db_->events());
  std::vector<rocksdb::Status> s = db_->db()->MultiGet(rocksdb::ReadOptions(), cfs, slices, values);
  statuses->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    statuses->push_back(FromRocks(s[i], "event " + std::to_string(ids[i])));
  }
}

Result<std::optional<EventView>> Store::GetEvent(uint64_t id, std::string* storage) const {
  rocksdb::Status s = db_->db()->Get(rocksdb::ReadOptions(), db_->events(), EventKey(id), storage);
  if (s.IsNotFound()) return std::optional<EventView>();
  if (!s.ok()) return FromRocks(s, "reading event");
  EventView view;
  if (!DecodeEvent(*storage, &view)) {
    return Status::Corruption("event " + std::to_string(id) + " does not decode");
  }
  view.id = id;
  return std::optional<EventView>(std::move(view));
}

std::vector<size_t> Store::RecentRawHashes(size_t n) const {
  std::vector<size_t> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(rocksdb::ReadOptions(), db_->events()));
  EventView view;
  for (it->SeekToLast(); it->Valid() && out.size() < n; it->Prev()) {
    if (DecodeEvent(std::string_view(it->value().data(), it->value().size()), &view)) {
      out.push_back(std::hash<std::string_view>{}(view.raw));
    }
  }
  return out;
}

Status Store::ListQuarantine(uint64_t after_id, size_t limit,
                             std::vector<QuarantineRecord>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(rocksdb::ReadOptions(), db_->quarantine()));
  for (it->Seek(EventKey(after_id + 1)); it->Valid() && out->size() < limit; it->Next()) {
    QuarantineRecord r;
    if (!DecodeEventKey(std::string_view(it->key().data(), it->key().size()), &r.id) ||
        !DecodeQuarantine(std::string_view(it->value().data(), it->value().size()), &r)) {
      return Status::Corruption("quarantine record does not decode");
    }
    out->push_back(std::move(r));
  }
  return FromRocks(it->status(), "reading quarantine");
}

Result<std::optional<std::string>> Store::GetMeta(std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->db()->Get(rocksdb::ReadOptions(), db_->meta(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading meta");
  return std::optional<std::string>(std::move(value));
}

Status Store::PutMeta(std::string_view key, std::string_view value) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->db()->Put(wo, db_->meta(), key, value), "writing meta");
}

Status Store::Persist() {
  SPARD_RETURN_IF_ERROR(index_->Flush());
  return db_->FlushMemtables();
}

Status Store::FlushAndCompact() {
  SPARD_RETURN_IF_ERROR(index_->Flush());
  return db_->CompactAll();
}

}  // namespace spard
