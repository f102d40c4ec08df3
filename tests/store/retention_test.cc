// Gallring through the store: events past retention are gone from every query and index, those
// under a hold stay, proofs for the rest still verify against heads signed before the purge,
// and the signed purge record is in the log.
#include "store/retention.h"

#include <catch2/catch.hpp>

#include <future>

#include "store/event_tree.h"
#include "store/verify.h"
#include "tests/test_util.h"

namespace spard {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kNow = 1795000000000000;  // 2026-11-18

Event Make(const std::string& system, int64_t ts, int i, const std::string& subject) {
  Event e("access " + system + " " + std::to_string(i));
  e.ts_us = ts;
  e.has_ts = true;
  e.set_field(Field::kSystem, system);
  e.set_field(Field::kUser, "u" + std::to_string(i % 4));
  e.set_field(Field::kObject, system + ":" + std::to_string(i));
  e.set_field(Field::kSubject, subject);
  return e;
}

void Submit(Store* store, std::vector<Event> events) {
  IngestBatch b;
  b.events = std::move(events);
  std::promise<void> done;
  b.on_durable = [&](const CommitResult&) { done.set_value(); };
  REQUIRE(store->writer()->Submit(&b) == SubmitResult::kAccepted);
  done.get_future().wait();
}

uint64_t Count(Store* store, IndexKind kind, const std::string& term) {
  IndexQuery q;
  q.kind = kind;
  q.term = term;
  auto n = store->Reader().Count(q);
  REQUIRE(n.ok());
  return *n;
}

std::vector<uint64_t> Ids(Store* store, IndexKind kind, const std::string& term) {
  IndexQuery q;
  q.kind = kind;
  q.term = term;
  auto s = store->Reader().Open(q);
  std::vector<uint64_t> ids;
  IndexEntry e;
  while (s->Next(&e)) ids.push_back(e.id);
  return ids;
}

TEST_CASE("gallring purges what is past retention, keeps holds, and stays verifiable",
          "[store][retention]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  options.segment_max_events = 500;
  auto opened = Store::Open(options, &metrics);
  REQUIRE(opened.ok());
  Store* store = opened->get();
  auto integ = Integrity::Open(store, dir.path(), "");
  REQUIRE(integ.ok());
  Integrity* integrity = integ->get();

  // ids 1..1100: "kort" (30 days) from 40 days ago; every 50th about the held person.
  std::vector<Event> batch;
  for (int i = 0; i < 1100; ++i) {
    batch.push_back(Make("kort", kNow - 40 * kDay + i, i, i % 50 == 0 ? "196504121234" : "x"));
  }
  Submit(store, std::move(batch));
  // ids 1101..1300: "lang" (default retention) from 60 days ago; 1301..1400: kort, 5 days old.
  batch.clear();
  for (int i = 0; i < 200; ++i) batch.push_back(Make("lang", kNow - 60 * kDay + i, i, "y"));
  for (int i = 0; i < 100; ++i) batch.push_back(Make("kort", kNow - 5 * kDay + i, 2000 + i, "z"));
  Submit(store, std::move(batch));
  REQUIRE(integrity->SignIfChanged(kNow).ok());
  auto sth = integrity->Latest();
  REQUIRE(sth.ok());
  REQUIRE(sth->has_value());
  CHECK((*sth)->tree_size == 1400);

  RetentionPolicy policy;
  policy.system_days["kort"] = 30;
  HoldStore holds(store);
  Hold hold;
  hold.scope = HoldScope::kSubject;
  hold.value = "650412-1234";  // any written form
  hold.reason = "complaint";
  hold.case_number = "KS-2026-117";
  REQUIRE(holds.Create(hold, kNow).ok());
  auto all_holds = holds.List();
  REQUIRE(all_holds.ok());

  PurgeOptions po;
  po.now_us = kNow;
  po.dry_run = true;
  auto dry = Purge(store, integrity, policy, *all_holds, po);
  REQUIRE(dry.ok());
  CHECK(dry->purged == 1100 - 22);
  CHECK(dry->held == 22);
  CHECK(Count(store, IndexKind::kSystem, "kort") == 1200);  // nothing removed by a dry run

  po.dry_run = false;
  po.requested_by = "admin";
  auto report = Purge(store, integrity, policy, *all_holds, po);
  REQUIRE(report.ok());
  CHECK(report->purged == 1078);
  CHECK(report->purged_by_system["kort"] == 1078);
  CHECK(report->ranges.size() == 22);  // held events split the purged ids into runs
  CHECK(report->record_id == 1401);

  // Gone from every index and count; held, long-retention and recent events remain.
  CHECK(Count(store, IndexKind::kSystem, "kort") == 22 + 100);
  CHECK(Count(store, IndexKind::kSystem, "lang") == 200);
  CHECK(Count(store, IndexKind::kSubject, "196504121234") == 22);
  CHECK(Count(store, IndexKind::kObject, "kort:1") == 0);
  CHECK(Ids(store, IndexKind::kObject, "kort:50") == std::vector<uint64_t>{51});
  // The purge record (system spard) is in the system index only.
  CHECK(Count(store, IndexKind::kTime, "") == 1400 - 1078);
  CHECK(Count(store, IndexKind::kSystem, "spard") == 1);
  std::string storage;
  auto gone = store->GetEvent(2, &storage);
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());

  // The purge record is an event of the log, and its signature verifies.
  auto record = store->GetEvent(report->record_id, &storage);
  REQUIRE(record.ok());
  REQUIRE(record->has_value());
  const EventView& r = **record;
  CHECK(r.field(Field::kSystem) == "spard");
  CHECK(r.field(Field::kAction) == "purge");
  std::string signature;
  for (const auto& [k, v] : r.attrs) {
    if (k == "signature") signature = v;
  }
  CHECK(integrity->VerifyRecord(r.raw, signature));
  CHECK_FALSE(integrity->VerifyRecord(std::string(r.raw) + " ", signature));

  // Everything still verifies: the tree (with kept leaves and the purged block's stored hash),
  // the head signed before the purge, and proofs for the remaining events against it.
  auto verified = VerifyStore(*store->database(), VerifyOptions{});
  REQUIRE(verified.ok());
  INFO((verified->problems.empty() ? "" : verified->problems[0]));
  CHECK(verified->ok());
  CHECK(verified->purged == 1078);
  TreeReader tree(store->database());
  for (uint64_t id : {uint64_t{51}, uint64_t{1101}, uint64_t{1400}}) {
    auto leaf = tree.Leaf(id - 1);
    REQUIRE(leaf.ok());
    auto proof = InclusionProof(id - 1, 1400, tree.Source());
    REQUIRE(proof.ok());
    CHECK(VerifyInclusion(*leaf, id - 1, 1400, *proof, (*sth)->root));
  }

  // A second run finds nothing more to purge.
  auto again = Purge(store, integrity, policy, *all_holds, po);
  REQUIRE(again.ok());
  CHECK(again->purged == 0);

  // Compaction drops the purged entries from the index tables themselves.
  REQUIRE(store->FlushAndCompact().ok());
  uint64_t rows = 0;
  std::unique_ptr<rocksdb::Iterator> it(store->database()->db()->NewIterator(
      rocksdb::ReadOptions(), store->database()->index(IndexKind::kObject)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++rows;
  CHECK(rows == 1400 - 1078);
  CHECK(VerifyStore(*store->database(), VerifyOptions{})->ok());
}

TEST_CASE("gallring reaches spard's own events, which only the system index holds",
          "[store][retention]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  auto opened = Store::Open(options, &metrics);
  REQUIRE(opened.ok());
  Store* store = opened->get();
  auto integ = Integrity::Open(store, dir.path(), "");
  REQUIRE(integ.ok());

  std::vector<Event> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Make("spard", kNow - 40 * kDay + i, i, ""));
  for (int i = 0; i < 5; ++i) batch.push_back(Make("other", kNow - 40 * kDay + i, i, "x"));
  Submit(store, std::move(batch));
  CHECK(Count(store, IndexKind::kTime, "") == 5);
  CHECK(Count(store, IndexKind::kUser, "u1") == 1);  // other's; spard's are not in it
  CHECK(Count(store, IndexKind::kSystem, "spard") == 5);

  RetentionPolicy policy;
  policy.system_days["spard"] = 30;
  PurgeOptions po;
  po.now_us = kNow;
  auto report = Purge(store, integ->get(), policy, {}, po);
  REQUIRE(report.ok());
  CHECK(report->purged == 5);
  CHECK(report->purged_by_system["spard"] == 5);
  CHECK(Count(store, IndexKind::kSystem, "spard") == 1);  // the purge record itself
  CHECK(Count(store, IndexKind::kSystem, "other") == 5);
}

}  // namespace
}  // namespace spard
