#include "store/index.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "common/coding.h"
#include "store/event_codec.h"

namespace spard {

namespace {
constexpr std::string_view kLayoutKey = "index_layout";
}  // namespace

Index::Index(Database* db, const IndexOptions& options, Metrics* metrics)
    : db_(db), options_(options) {
  segments_ingested_ =
      metrics->GetCounter("spard_index_segments_total", "Index segments written to disk");
  segment_bytes_ = metrics->GetCounter("spard_index_segment_bytes_total",
                                       "Bytes of index tables written by segment builds");
  segment_errors_ = metrics->GetCounter("spard_index_segment_errors_total",
                                        "Failed index segment builds (retried)");
  writer_waits_ = metrics->GetCounter(
      "spard_index_writer_waits_total",
      "Times the store writer waited for the index builder (memory bound reached)");
  build_seconds_ = metrics->GetHistogram("spard_index_segment_build_seconds",
                                         "Time to build and ingest one index segment",
                                         {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
}

Result<std::unique_ptr<Index>> Index::Open(Database* db, const IndexOptions& options,
                                           Metrics* metrics) {
  std::unique_ptr<Index> index(new Index(db, options, metrics));
  SPARD_RETURN_IF_ERROR(index->LoadLayout());
  // The builder runs during re-indexing: a long tail of un-indexed events is sealed and written
  // out as it is read, within the same memory bound as live ingest.
  index->builder_ = std::thread([p = index.get()] {
    pthread_setname_np(pthread_self(), "spard-index");  // for top -H, perf and benchmarks
    p->BuilderLoop();
  });
  SPARD_RETURN_IF_ERROR(index->Reindex());
  return index;
}

Index::~Index() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  builder_cv_.notify_all();
  space_cv_.notify_all();
  if (builder_.joinable()) builder_.join();
}

Result<uint64_t> ReadIndexedThrough(const Database& db, const rocksdb::ReadOptions& read) {
  // The last ingested segment: the greatest "segment/<last id>" key.
  std::unique_ptr<rocksdb::Iterator> it(db.db()->NewIterator(read, db.meta()));
  std::string after_segments(kSegmentMetaPrefix);
  after_segments.back() += 1;  // "segment0": just past every "segment/..." key
  it->SeekForPrev(after_segments);
  uint64_t through = 0;
  if (it->Valid() &&
      it->key().starts_with(rocksdb::Slice(kSegmentMetaPrefix.data(), kSegmentMetaPrefix.size()))) {
    std::string_view k(it->key().data() + kSegmentMetaPrefix.size(),
                       it->key().size() - kSegmentMetaPrefix.size());
    if (!GetFixed64BE(&k, &through)) return Status::Corruption("meta: bad segment key");
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading meta"));
  return through;
}

Result<IndexLayout> ReadIndexLayout(const Database& db) {
  std::string value;
  rocksdb::Status s = db.db()->Get(rocksdb::ReadOptions(), db.meta(), kLayoutKey, &value);
  if (!s.ok()) return FromRocks(s, "reading index layout");
  IndexLayout layout;
  if (!IndexLayout::Decode(value, &layout)) {
    return Status::Corruption("meta index_layout: unknown version or malformed");
  }
  return layout;
}

Status Index::LoadLayout() {
  rocksdb::DB* rdb = db_->db();
  // The layout is part of the format: written once, honoured forever after.
  std::string value;
  rocksdb::Status s = rdb->Get(rocksdb::ReadOptions(), db_->meta(), kLayoutKey, &value);
  if (s.IsNotFound()) {
    layout_ = IndexLayout::Default();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    SPARD_RETURN_IF_ERROR(
        FromRocks(rdb->Put(wo, db_->meta(), kLayoutKey, layout_.Encode()), "writing layout"));
  } else if (!s.ok()) {
    return FromRocks(s, "reading index layout");
  } else if (!IndexLayout::Decode(value, &layout_)) {
    return Status::Corruption("meta index_layout: unknown version or malformed");
  }

  auto through = ReadIndexedThrough(*db_);
  if (!through.ok()) return through.status();
  indexed_through_ = *through;
  segments_.push_back(std::make_shared<MemorySegment>(indexed_through_ + 1, db_->subject_key()));
  return Status::Ok();
}

Status Index::Reindex() {
  rocksdb::DB* rdb = db_->db();
  const uint64_t indexed_through = this->indexed_through();
  std::unique_ptr<rocksdb::Iterator> ev(rdb->NewIterator(rocksdb::ReadOptions(), db_->events()));
  uint64_t recovered = 0;
  std::vector<IndexedFields> batch;
  std::vector<std::string> values;  // keeps the views of `batch` alive
  EventView view;
  for (ev->Seek(EventKey(indexed_through + 1)); ev->Valid(); ev->Next()) {
    uint64_t id;
    if (!DecodeEventKey(std::string_view(ev->key().data(), ev->key().size()), &id)) {
      return Status::Corruption("events: bad key");
    }
    values.emplace_back(ev->value().data(), ev->value().size());
    if (!DecodeEvent(values.back(), &view)) {
      return Status::Corruption("events: cannot decode event " + std::to_string(id));
    }
    IndexedFields f;
    f.id = id;
    f.ts_us = view.ts_us;
    f.user = view.field(Field::kUser);
    f.object = view.field(Field::kObject);
    f.system = view.field(Field::kSystem);
    f.subject = view.field(Field::kSubject);
    batch.push_back(f);
    if (batch.size() == 4096) {
      AddBatch(batch);
      recovered += batch.size();
      batch.clear();
      values.clear();
    }
  }
  SPARD_RETURN_IF_ERROR(FromRocks(ev->status(), "reading events"));
  AddBatch(batch);
  recovered += batch.size();
  if (recovered > 0) {
    spdlog::info("index: re-added {} events after the last indexed segment (through id {})",
                 recovered, indexed_through);
  }
  return Status::Ok();
}

void Index::SealTailLocked() {
  std::shared_ptr<MemorySegment>& tail = segments_.back();
  tail->Seal();
  uint64_t next = tail->last_id() + 1;
  segments_.push_back(std::make_shared<MemorySegment>(next, db_->subject_key()));
  builder_cv_.notify_one();
}

void Index::AddBatch(std::span<const IndexedFields> batch) {
  std::lock_guard writer_lock(writer_mu_);
  for (const IndexedFields& f : batch) {
    MemorySegment* tail;
    {
      std::unique_lock lock(mu_);
      if (segments_.back()->size() >= options_.segment_max_events) {
        SealTailLocked();
        // Bound memory: wait while too many sealed segments are not yet on disk.
        if (segments_.size() - 1 > options_.max_sealed_segments) {
          writer_waits_->Inc();
          space_cv_.wait(
              lock, [&] { return stop_ || segments_.size() - 1 <= options_.max_sealed_segments; });
        }
      }
      tail = segments_.back().get();
    }
    tail->Add(f);
  }
}

std::shared_ptr<const IndexSnapshot> Index::Snapshot() const {
  auto snap = std::make_shared<IndexSnapshot>();
  std::lock_guard lock(mu_);
  snap->segments.assign(segments_.begin(), segments_.end());
  snap->first_memory_id = segments_.front()->first_id();
  snap->purged = db_->purged()->Get();
  return snap;
}

Status Index::Flush() {
  {
    std::lock_guard writer_lock(writer_mu_);
    std::lock_guard lock(mu_);
    if (segments_.back()->size() > 0) SealTailLocked();
  }
  std::unique_lock lock(mu_);
  space_cv_.wait(lock, [&] { return stop_ || segments_.size() == 1 || !builder_status_.ok(); });
  return builder_status_;
}

uint64_t Index::indexed_through() const {
  std::lock_guard lock(mu_);
  return indexed_through_;
}

uint64_t Index::memory_events() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->size();
  return n;
}

size_t Index::memory_bytes() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& s : segments_) n += s->ApproximateMemoryUsage();
  return n;
}

void Index::BuilderLoop() {
  int failures = 0;
  while (true) {
    std::shared_ptr<MemorySegment> segment;
    {
      std::unique_lock lock(mu_);
      builder_cv_.wait(lock, [&] { return stop_ || segments_.size() > 1; });
      if (stop_) return;
      segment = segments_.front();
    }
    auto start = std::chrono::steady_clock::now();
    SegmentTables tables;
    Status s = BuildSegmentTables(*segment, *db_, layout_, options_.tmp_dir, &tables);
    // The segment's events were written before it was sealed, so this flush puts them on disk.
    if (s.ok() && options_.flush_before_ingest) s = db_->FlushMemtables();
    if (s.ok()) {
      s = FromRocks(db_->db()->IngestExternalFiles(tables.args), "ingesting index segment");
    }
    std::error_code ec;
    for (const std::string& f : tables.files) std::filesystem::remove(f, ec);
    if (!s.ok()) {
      segment_errors_->Inc();
      ++failures;
      spdlog::error("index: building segment {}..{} failed (attempt {}): {}", segment->first_id(),
                    segment->last_id(), failures, s.ToString());
      std::unique_lock lock(mu_);
      builder_status_ = s;
      space_cv_.notify_all();
      builder_cv_.wait_for(lock,
                           std::chrono::milliseconds(std::min(100 << std::min(failures, 6), 5000)),
                           [&] { return stop_; });
      if (stop_) return;
      continue;
    }
    failures = 0;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    build_seconds_->Observe(seconds);
    segments_ingested_->Inc();
    segment_bytes_->Inc(tables.bytes);
    spdlog::debug("index: segment {}..{} ({} chunks, {} bytes) on disk in {:.3f}s",
                  segment->first_id(), segment->last_id(), tables.chunks, tables.bytes, seconds);
    {
      std::lock_guard lock(mu_);
      segments_.erase(segments_.begin());
      indexed_through_ = segment->last_id();
      builder_status_ = Status::Ok();
    }
    space_cv_.notify_all();
  }
}

}  // namespace spard
