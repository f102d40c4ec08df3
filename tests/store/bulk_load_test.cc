// Bulk-load mode (StoreOptions::bulk_load, used by spar import) and the meta rows a batch carries
// (IngestBatch::meta_puts). What a crash in the middle keeps is checked end to end by
// tests/integration/test_import.py, which kills a real `spar import` with SIGKILL.
#include <catch2/catch.hpp>

#include <future>

#include "store/store.h"
#include "tests/test_util.h"

namespace spard {
namespace {

Event MakeEvent(uint64_t n) {
  const std::string user = "user" + std::to_string(n % 7);
  Event e("user=" + user + " object=o" + std::to_string(n));
  e.ts_us = 1760000000000000 + static_cast<int64_t>(n) * 1000;
  e.has_ts = true;
  e.received_us = e.ts_us;
  e.format = Format::kJson;
  e.listener = Listener::kImport;
  e.peer = "file.log";
  e.set_field(Field::kUser, e.raw().substr(5, user.size()));
  e.set_field(Field::kObject, e.raw().substr(5 + user.size() + 8));
  e.set_field(Field::kSystem, "sys");
  return e;
}

// Submits `batches` batches of `per_batch` events, batch b carrying meta "test/progress" = b+1,
// and waits for them all.
void Load(Store* store, uint64_t first, int batches, int per_batch) {
  std::vector<std::future<Status>> done;
  for (int b = 0; b < batches; ++b) {
    IngestBatch batch;
    for (int i = 0; i < per_batch; ++i) {
      batch.events.push_back(MakeEvent(first + static_cast<uint64_t>(b * per_batch + i)));
    }
    batch.meta_puts.emplace_back("test/progress", std::to_string(b + 1));
    auto promise = std::make_shared<std::promise<Status>>();
    done.push_back(promise->get_future());
    batch.on_durable = [promise](const CommitResult& r) { promise->set_value(r.status); };
    REQUIRE(store->writer()->Submit(&batch) == SubmitResult::kAccepted);
  }
  for (auto& f : done) REQUIRE(f.get().ok());
}

uint64_t CountUser(Store* store, const std::string& user) {
  IndexQuery q;
  q.kind = IndexKind::kUser;
  q.term = user;
  auto n = store->Reader().Count(q);
  REQUIRE(n.ok());
  return *n;
}

TEST_CASE("bulk load: a batch's meta rows are stored with its events", "[store][bulk_load]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions o;
  o.data_dir = dir.path();
  o.bulk_load = true;
  o.segment_max_events = 1000;
  {
    auto store = Store::Open(o, &metrics);
    REQUIRE(store.ok());
    Load(store->get(), 0, 12, 250);
    auto v = (*store)->GetMeta("test/progress");
    REQUIRE(v.ok());
    CHECK(**v == "12");
    REQUIRE((*store)->Persist().ok());
    CHECK((*store)->index()->indexed_through() == 3000);
    (*store)->Close();
  }
  // Reopened as spard opens it: everything is on disk, indexed, and the hash tree covers it.
  o.bulk_load = false;
  auto store = Store::Open(o, &metrics);
  REQUIRE(store.ok());
  CHECK((*store)->last_event_id() == 3000);
  CHECK((*store)->writer()->tree_head().size == 3000);
  CHECK((*store)->index()->indexed_through() == 3000);
  CHECK(**(*store)->GetMeta("test/progress") == "12");
  uint64_t total = 0;
  for (int u = 0; u < 7; ++u) total += CountUser(store->get(), "user" + std::to_string(u));
  CHECK(total == 3000);
  // And live ingest goes on after a bulk load, ids continuing.
  Load(store->get(), 3000, 1, 10);
  CHECK((*store)->last_event_id() == 3010);
}

TEST_CASE("bulk load: closing without Persist still writes everything out", "[store][bulk_load]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions o;
  o.data_dir = dir.path();
  o.bulk_load = true;
  o.segment_max_events = 700;
  {
    auto store = Store::Open(o, &metrics);
    REQUIRE(store.ok());
    Load(store->get(), 0, 5, 300);
    (*store)->Close();
  }
  o.bulk_load = false;
  auto store = Store::Open(o, &metrics);
  REQUIRE(store.ok());
  CHECK((*store)->last_event_id() == 1500);
  CHECK(**(*store)->GetMeta("test/progress") == "5");
  // The segments still in memory at close were rebuilt from the events on open.
  uint64_t total = 0;
  for (int u = 0; u < 7; ++u) total += CountUser(store->get(), "user" + std::to_string(u));
  CHECK(total == 1500);
}

}  // namespace
}  // namespace spard
