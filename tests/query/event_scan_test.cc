// EventScan over a real store: plans, residual filters and batching, with the readers it
// opens going out of scope while the scan lives on (as in the API handlers).
#include "query/event_scan.h"

#include <catch2/catch.hpp>

#include <future>

#include "common/time_format.h"
#include "tests/test_util.h"

namespace spard {
namespace {

void Submit(Store* store, std::vector<Event> events) {
  IngestBatch b;
  b.events = std::move(events);
  std::promise<void> done;
  b.on_durable = [&](const CommitResult& r) {
    REQUIRE(r.status.ok());
    done.set_value();
  };
  REQUIRE(store->writer()->Submit(&b) == SubmitResult::kAccepted);
  done.get_future().wait();
}

Event Make(int i) {
  std::string raw = "event " + std::to_string(i);
  Event e(raw);
  e.ts_us = 1760000000000000 + int64_t{i} * 1000000;
  e.has_ts = true;
  e.set_field(Field::kUser, i % 2 ? "anna" : "bo");
  e.set_field(Field::kObject, "rec:" + std::to_string(i % 5));
  e.set_field(Field::kSystem, "procapita");
  e.set_field(Field::kAction, i % 3 ? "read" : "print");
  e.set_field(Field::kSubject, "650412-1234");
  return e;
}

TEST_CASE("event scans page through matches in order, across disk and memory", "[query][scan]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  options.segment_max_events = 7;  // most entries on disk, some in memory
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  std::vector<Event> events;
  for (int i = 0; i < 100; ++i) events.push_back(Make(i));
  Submit(store->get(), std::move(events));
  REQUIRE((*store)->index()->Flush().ok());
  Submit(store->get(), {Make(100), Make(101)});

  EventFilter f;
  f.user = "anna";
  f.action = "print";  // residual: checked on the decoded events
  EventScan scan(**store, f, /*descending=*/true, std::nullopt, 1760000000000000);
  std::vector<uint64_t> ids;
  EventBatch batch;
  while (scan.Next(4, &batch)) {
    for (const EventView& e : batch.events) {
      CHECK(e.field(Field::kUser) == "anna");
      CHECK(e.field(Field::kAction) == "print");
      ids.push_back(e.id);
    }
  }
  REQUIRE(scan.status().ok());
  std::vector<uint64_t> expected;
  for (int i = 101; i >= 0; --i) {
    if (i % 2 && i % 3 == 0) expected.push_back(static_cast<uint64_t>(i) + 1);
  }
  CHECK(ids == expected);

  auto count = EventScan::Count(**store, f, 1760000000000000);
  REQUIRE(count.ok());
  CHECK(*count == expected.size());
  EventFilter by_subject;
  by_subject.subject = "196504121234";
  count = EventScan::Count(**store, by_subject, 1760000000000000);
  REQUIRE(count.ok());
  CHECK(*count == 102);
}

}  // namespace
}  // namespace spard

namespace spard {
namespace {

Event MakeIn(int i, std::string_view system) {
  Event e = Make(i);
  e.set_field(Field::kSystem, system);
  return e;
}

std::vector<uint64_t> ScanIds(const Store& store, const EventFilter& f) {
  EventScan scan(store, f, false, std::nullopt, 1760000000000000);
  std::vector<uint64_t> ids;
  EventBatch batch;
  while (scan.Next(3, &batch)) {
    for (const EventView& e : batch.events) ids.push_back(e.id);
  }
  REQUIRE(scan.status().ok());
  return ids;
}

TEST_CASE("a caller's system scope hides other systems on every index path", "[query][scan]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  options.segment_max_events = 5;
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  std::vector<Event> events;
  // ids 1..30: procapita on even i, treserva on odd i, spard (audit) every 7th.
  for (int i = 0; i < 30; ++i) {
    events.push_back(MakeIn(i, i % 7 == 0 ? "spard" : i % 2 ? "treserva" : "procapita"));
  }
  Submit(store->get(), std::move(events));
  REQUIRE((*store)->index()->Flush().ok());

  std::vector<uint64_t> procapita_ids, non_spard_ids;
  for (int i = 0; i < 30; ++i) {
    if (i % 7 == 0) continue;
    non_spard_ids.push_back(static_cast<uint64_t>(i) + 1);
    if (i % 2 == 0) procapita_ids.push_back(static_cast<uint64_t>(i) + 1);
  }
  auto only = [](std::vector<uint64_t> ids, auto keep) {
    std::vector<uint64_t> out;
    for (uint64_t id : ids) {
      if (keep(static_cast<int>(id) - 1)) out.push_back(id);
    }
    return out;
  };

  EventFilter scoped;
  scoped.scope_systems = {"procapita"};
  SECTION("time index") { CHECK(ScanIds(**store, scoped) == procapita_ids); }
  SECTION("user index") {
    scoped.user = "anna";
    CHECK(ScanIds(**store, scoped) == only(procapita_ids, [](int i) { return i % 2 == 1; }));
    auto n = EventScan::Count(**store, scoped, 1760000000000000);
    REQUIRE(n.ok());
    CHECK(*n == 0);  // anna is on odd i: treserva or spard only
  }
  SECTION("object index") {
    scoped.object = "rec:2";
    CHECK(ScanIds(**store, scoped) == only(procapita_ids, [](int i) { return i % 5 == 2; }));
  }
  SECTION("subject index") {
    scoped.subject = "196504121234";
    CHECK(ScanIds(**store, scoped) == procapita_ids);
    auto n = EventScan::Count(**store, scoped, 1760000000000000);
    REQUIRE(n.ok());
    CHECK(*n == procapita_ids.size());
  }
  SECTION("unscoped: spard's own events are in no index but the system index") {
    EventFilter f;
    CHECK(ScanIds(**store, f) == non_spard_ids);
    f.user = "bo";
    CHECK(ScanIds(**store, f) == only(non_spard_ids, [](int i) { return i % 2 == 0; }));
  }
  SECTION("spard's own events: by system, and not through the object or subject index") {
    EventFilter f;
    f.system = "spard";
    CHECK(ScanIds(**store, f) == std::vector<uint64_t>{1, 8, 15, 22, 29});
    EventFilter by_subject;
    by_subject.subject = "196504121234";
    CHECK(ScanIds(**store, by_subject) == non_spard_ids);
  }
  SECTION("max_id fixes the answer to what was committed") {
    EventFilter f;
    f.max_id = 10;
    Submit(store->get(), {MakeIn(40, "procapita")});
    auto ids = ScanIds(**store, f);
    CHECK(ids == only(non_spard_ids, [](int i) { return i < 10; }));
  }
}

}  // namespace
}  // namespace spard
