#include "store/writer.h"

#include <pthread.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "store/event_codec.h"
#include "store/event_tree.h"
#include "store/key_codec.h"

namespace spard {

Writer::Writer(Database* db, Index* index, const WriterOptions& options, Metrics* metrics)
    : db_(db), index_(index), options_(options) {
  events_total_ = metrics->GetCounter("spard_store_events_total", "Events durably stored");
  quarantined_total_ =
      metrics->GetCounter("spard_store_quarantined_total", "Quarantine records durably stored");
  batches_total_ = metrics->GetCounter("spard_store_commits_total", "Synced group commits");
  bytes_total_ = metrics->GetCounter("spard_store_bytes_total", "Encoded bytes written");
  write_errors_ = metrics->GetCounter("spard_store_write_errors_total",
                                      "Failed commits (retried; ingest pauses meanwhile)");
  paused_ = metrics->GetGauge("spard_ingest_paused",
                              "1 while the store cannot write and ingest is paused");
  commit_seconds_ =
      metrics->GetHistogram("spard_store_commit_seconds", "Time to write and sync one group commit",
                            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
  group_events_ = metrics->GetHistogram("spard_store_commit_events", "Events per group commit",
                                        {1, 10, 100, 1000, 4096, 16384, 65536});
  metrics->AddCallbackGauge("spard_queue_bytes", "Bytes of parsed events waiting for the writer",
                            [this] { return static_cast<double>(queued_bytes()); });
}

Writer::~Writer() { Close(); }

Status Writer::Start() {
  auto last_key = [&](rocksdb::ColumnFamilyHandle* cf, uint64_t* next) -> Status {
    std::unique_ptr<rocksdb::Iterator> it(db_->db()->NewIterator(rocksdb::ReadOptions(), cf));
    it->SeekToLast();
    SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading last id"));
    *next = 1;
    if (it->Valid()) {
      uint64_t id;
      if (!DecodeEventKey(std::string_view(it->key().data(), it->key().size()), &id)) {
        return Status::Corruption("bad id key");
      }
      *next = id + 1;
    }
    return Status::Ok();
  };
  SPARD_RETURN_IF_ERROR(last_key(db_->events(), &next_event_id_));
  SPARD_RETURN_IF_ERROR(last_key(db_->quarantine(), &next_quarantine_id_));
  if (options_.hash_tree) SPARD_RETURN_IF_ERROR(LoadTree());
  {
    std::lock_guard lock(mu_);
    last_event_id_ = next_event_id_ - 1;
    head_ = TreeHead{tree_.size(), tree_.Root()};
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "spard-writer");  // for top -H, perf and benchmarks
    Run();
  });
  return Status::Ok();
}

Status Writer::LoadTree() {
  std::string state;
  rocksdb::Status s = db_->db()->Get(rocksdb::ReadOptions(), db_->meta(), kTreeStateKey, &state);
  if (s.ok()) {
    if (!CompactRange::Decode(state, &tree_)) {
      return Status::Corruption("meta tree_state does not decode");
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the tree state");
  }
  const uint64_t events = next_event_id_ - 1;
  if (tree_.size() > events) {
    return Status::Corruption("the hash tree covers " + std::to_string(tree_.size()) +
                              " events but the last event id is " + std::to_string(events) +
                              ": events were removed behind spard's back (run spar verify)");
  }
  if (tree_.size() == events) return Status::Ok();
  // A store written before the tree existed: extend it over the events it lacks, once.
  spdlog::info("store: building the hash tree over events {}..{}", tree_.size() + 1, events);
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(rocksdb::ReadOptions(), db_->events()));
  for (it->Seek(EventKey(tree_.size() + 1)); it->Valid(); it->Next()) {
    uint64_t id;
    if (!DecodeEventKey(std::string_view(it->key().data(), it->key().size()), &id) ||
        id != tree_.size() + 1) {
      return Status::Corruption("events are not numbered 1, 2, 3, ... near id " +
                                std::to_string(tree_.size() + 1));
    }
    AppendLeaf(EventLeafHash(id, std::string_view(it->value().data(), it->value().size())), &tree_,
               &wb);
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
  wb.Put(db_->meta(), kTreeStateKey, tree_.Encode()).PermitUncheckedError();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->db()->Write(wo, &wb), "writing the hash tree");
}

void Writer::AppendLeaf(const Hash& leaf, CompactRange* tree, rocksdb::WriteBatch* wb) {
  tree->Append(leaf, [&](int level, uint64_t index, const Hash& h) {
    if (level >= kStoredTreeLevel) {
      wb->Put(db_->tree(), TreeKey(level, index),
              rocksdb::Slice(reinterpret_cast<const char*>(h.data()), h.size()))
          .PermitUncheckedError();
    }
  });
}

Writer::TreeHead Writer::tree_head() const {
  std::lock_guard lock(mu_);
  return head_;
}

SubmitResult Writer::TrySubmit(IngestBatch* batch) {
  size_t bytes = batch->MemoryUsage();
  {
    std::lock_guard lock(mu_);
    if (closed_) return SubmitResult::kClosed;
    if (!queue_.empty() && queued_bytes_ + bytes > options_.queue_max_bytes) {
      return SubmitResult::kFull;
    }
    queue_.push_back(Queued{std::move(*batch), bytes});
    queued_bytes_ += bytes;
  }
  *batch = IngestBatch();
  work_cv_.notify_one();
  return SubmitResult::kAccepted;
}

SubmitResult Writer::Submit(IngestBatch* batch) {
  size_t bytes = batch->MemoryUsage();
  {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] {
      return closed_ || queue_.empty() || queued_bytes_ + bytes <= options_.queue_max_bytes;
    });
    if (closed_) return SubmitResult::kClosed;
    queue_.push_back(Queued{std::move(*batch), bytes});
    queued_bytes_ += bytes;
  }
  *batch = IngestBatch();
  work_cv_.notify_one();
  return SubmitResult::kAccepted;
}

void Writer::NotifyWhenReady(std::function<void()> ready) {
  {
    std::lock_guard lock(mu_);
    // Anything queued means a commit is coming, and WakeWaiters() runs after it.
    if (!closed_ && !queue_.empty()) {
      waiters_.push_back(std::move(ready));
      return;
    }
  }
  ready();
}

void Writer::WakeWaiters() {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    // Wake receivers once the queue has drained to half: a burst of tiny wake-ups would
    // thrash between reading and waiting.
    if (!closed_ && !queue_.empty() && queued_bytes_ >= options_.queue_max_bytes / 2) return;
    ready.swap(waiters_);
  }
  space_cv_.notify_all();
  for (auto& r : ready) r();
}

void Writer::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_ && !thread_.joinable()) return;
    closed_ = true;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  WakeWaiters();
}

uint64_t Writer::last_event_id() const {
  std::lock_guard lock(mu_);
  return last_event_id_;
}

size_t Writer::queued_bytes() const {
  std::lock_guard lock(mu_);
  return queued_bytes_;
}

void Writer::Run() {
  std::vector<Queued> group;
  while (true) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closed and drained
      // Everything queued, up to max_batch_events (at least one batch, however large).
      size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front().batch.events.size() +
                                                          queue_.front().batch.quarantined.size() <=
                                                      options_.max_batch_events)) {
        events += queue_.front().batch.events.size() + queue_.front().batch.quarantined.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Status s = CommitGroup(group);
    size_t bytes = 0;
    for (Queued& q : group) {
      bytes += q.bytes;
    }
    {
      std::lock_guard lock(mu_);
      queued_bytes_ -= bytes;
    }
    WakeWaiters();
    group.clear();
  }
}

Status Writer::CommitGroup(std::vector<Queued>& group) {
  rocksdb::WriteBatch wb;
  std::string key;
  CompactRange tree;
  std::vector<CommitResult> results(group.size());
  size_t event_count = 0, quarantine_count = 0;
  int attempt = 0;
  bool logged_pause = false;
  Status status;
  while (true) {
    // Ids are assigned here, at commit, and only advanced once the batch is durable, so a
    // retried group gets the same ids and ids never have gaps.
    wb.Clear();
    uint64_t event_id = next_event_id_, quarantine_id = next_quarantine_id_;
    tree = tree_;
    event_count = quarantine_count = 0;
    size_t bytes = 0;
    for (size_t i = 0; i < group.size(); ++i) {
      IngestBatch& b = group[i].batch;
      results[i] = CommitResult{};
      results[i].events = b.events.size();
      results[i].quarantined = b.quarantined.size();
      if (!b.events.empty()) results[i].first_event_id = event_id;
      if (!b.quarantined.empty()) results[i].first_quarantine_id = quarantine_id;
      for (Event& e : b.events) {
        e.id = event_id++;
        key.clear();
        AppendEventKey(&key, e.id);
        value_.clear();
        EncodeEvent(e, &value_);
        bytes += key.size() + value_.size();
        wb.Put(db_->events(), key, value_).PermitUncheckedError();
        if (options_.hash_tree) AppendLeaf(HashLeaf2(key, value_), &tree, &wb);
      }
      for (QuarantineRecord& q : b.quarantined) {
        q.id = quarantine_id++;
        key.clear();
        AppendEventKey(&key, q.id);
        value_.clear();
        EncodeQuarantine(q, &value_);
        bytes += key.size() + value_.size();
        wb.Put(db_->quarantine(), key, value_).PermitUncheckedError();
      }
      for (uint64_t id : b.quarantine_deletes) {
        wb.Delete(db_->quarantine(), EventKey(id)).PermitUncheckedError();
      }
      for (const auto& [meta_key, meta_value] : b.meta_puts) {
        wb.Put(db_->meta(), meta_key, meta_value).PermitUncheckedError();
      }
      event_count += b.events.size();
      quarantine_count += b.quarantined.size();
    }
    if (event_count > 0 && options_.hash_tree) {
      wb.Put(db_->meta(), kTreeStateKey, tree.Encode()).PermitUncheckedError();
    }
    auto start = std::chrono::steady_clock::now();
    rocksdb::WriteOptions wo;
    wo.sync = !options_.disable_wal;
    wo.disableWAL = options_.disable_wal;
    status = FromRocks(db_->db()->Write(wo, &wb), "writing events");
    if (status.ok()) {
      commit_seconds_->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      next_event_id_ = event_id;
      next_quarantine_id_ = quarantine_id;
      tree_ = tree;
      bytes_total_->Inc(bytes);
      if (logged_pause) spdlog::warn("store: writes succeed again; ingest resumed");
      paused_->Set(0);
      break;
    }
    write_errors_->Inc();
    paused_->Set(1);
    ++attempt;
    if (!logged_pause) {
      spdlog::error("store: cannot write ({}); ingest paused, retrying", status.ToString());
      logged_pause = true;
    }
    bool closing;
    {
      std::lock_guard lock(mu_);
      closing = closed_;
    }
    if (closing && attempt >= 50) {
      spdlog::critical(
          "store: giving up at shutdown after {} attempts: {} events and {} "
          "quarantine records were NOT stored",
          attempt, event_count, quarantine_count);
      for (size_t i = 0; i < group.size(); ++i) {
        results[i].status = status;
        if (group[i].batch.on_durable) group[i].batch.on_durable(results[i]);
      }
      return status;
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::min(50 << std::min(attempt, 6), 2000)));
    db_->db()->Resume().PermitUncheckedError();
  }

  // Durable. Index, then acknowledge.
  std::vector<IndexedFields> fields;
  fields.reserve(event_count);
  for (Queued& q : group) {
    for (const Event& e : q.batch.events) {
      IndexedFields f;
      f.id = e.id;
      f.ts_us = e.ts_us;
      f.user = e.field(Field::kUser);
      f.object = e.field(Field::kObject);
      f.system = e.field(Field::kSystem);
      f.subject = e.field(Field::kSubject);
      fields.push_back(f);
    }
  }
  index_->AddBatch(fields);
  {
    std::lock_guard lock(mu_);
    last_event_id_ = next_event_id_ - 1;
    head_ = TreeHead{tree_.size(), tree_.Root()};
  }
  events_total_->Inc(event_count);
  quarantined_total_->Inc(quarantine_count);
  batches_total_->Inc();
  group_events_->Observe(static_cast<double>(event_count + quarantine_count));
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i].batch.on_durable) group[i].batch.on_durable(results[i]);
  }
  return Status::Ok();
}

}  // namespace spard
