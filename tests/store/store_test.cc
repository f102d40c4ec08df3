// The store end to end: group commit, ids, durability callbacks, and every index answer checked
// against a brute-force scan of a model, with segments on disk, in memory, and after reopening.
#include "store/store.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <random>

#include "common/personnummer.h"
#include "tests/test_util.h"

namespace Catch {
template <>
struct StringMaker<spard::IndexEntry> {
  static std::string convert(const spard::IndexEntry& e) {
    return "(" + std::to_string(e.ts_us) + "," + std::to_string(e.id) + ")";
  }
};
}  // namespace Catch

namespace spard {
namespace {

struct ModelEvent {
  uint64_t id;
  int64_t ts;
  std::string user, object, system, subject;
};

Event MakeEvent(const ModelEvent& m) {
  std::string raw = "user=" + m.user + " object=" + m.object + " system=" + m.system;
  Event e(raw);
  e.ts_us = m.ts;
  e.has_ts = true;
  e.received_us = m.ts + 1000;
  e.format = Format::kJson;
  e.listener = Listener::kTcp;
  e.peer = "127.0.0.1:1";
  // user and object as slices of raw, system copied, subject only when present.
  e.set_field(Field::kUser, e.raw().substr(5, m.user.size()));
  e.set_field(Field::kObject, e.raw().substr(5 + m.user.size() + 8, m.object.size()));
  e.set_field(Field::kSystem, m.system);
  if (!m.subject.empty()) e.set_field(Field::kSubject, m.subject);
  return e;
}

// Submits events in batches of `batch` and waits until all are durable; returns first ids.
std::vector<uint64_t> SubmitAll(Store* store, const std::vector<ModelEvent>& events, size_t batch) {
  std::vector<std::future<CommitResult>> pending;
  for (size_t i = 0; i < events.size(); i += batch) {
    IngestBatch b;
    for (size_t j = i; j < std::min(events.size(), i + batch); ++j) {
      b.events.push_back(MakeEvent(events[j]));
    }
    auto promise = std::make_shared<std::promise<CommitResult>>();
    pending.push_back(promise->get_future());
    b.on_durable = [promise](const CommitResult& r) { promise->set_value(r); };
    REQUIRE(store->writer()->Submit(&b) == SubmitResult::kAccepted);
  }
  std::vector<uint64_t> first_ids;
  for (auto& f : pending) {
    CommitResult r = f.get();
    REQUIRE(r.status.ok());
    first_ids.push_back(r.first_event_id);
  }
  return first_ids;
}

// Personnummer in several written forms for one person, and plain subjects.
const std::vector<std::string> kSubjects = {"19650412-1234",  "196504121234",  "650412-1234",
                                            "6504121234",     "20121212-1212", "121212-1212",
                                            "case-subject-a", "case-subject-b"};

std::vector<ModelEvent> Generate(std::mt19937_64& rng, size_t n, uint64_t first_id, bool shuffled) {
  std::vector<ModelEvent> out;
  const int64_t t0 = 1760000000000000;  // Oct 2025
  for (size_t i = 0; i < n; ++i) {
    ModelEvent m;
    m.id = first_id + i;
    // Time-ordered with jitter, or uniformly random over three days.
    m.ts = shuffled
               ? t0 + static_cast<int64_t>(rng() % 259200000000ull)
               : t0 + static_cast<int64_t>(i) * 60000000 + static_cast<int64_t>(rng() % 120000000);
    m.user = "u" + std::to_string(rng() % 7);
    m.object = "o" + std::to_string(rng() % 23);
    m.system = "s" + std::to_string(rng() % 3);
    if (rng() % 4 != 0) m.subject = kSubjects[rng() % kSubjects.size()];
    out.push_back(m);
  }
  return out;
}

struct Query {
  IndexQuery q;
  size_t page;
};

bool Matches(const ModelEvent& m, const IndexQuery& q) {
  if (!q.range.Contains(m.ts)) return false;
  switch (q.kind) {
    case IndexKind::kUser:
      return m.user == q.term;
    case IndexKind::kObject:
      return m.object == q.term && (!q.has_system || m.system == q.system);
    case IndexKind::kSubject:
      return !m.subject.empty() && NormalizeSubject(m.subject, m.ts) == q.term;
    case IndexKind::kSystem:
      return m.system == q.term;
    case IndexKind::kTime:
      return true;
  }
  return false;
}

Query RandomQuery(std::mt19937_64& rng, const std::vector<ModelEvent>& model) {
  Query r;
  IndexQuery& q = r.q;
  q.kind = static_cast<IndexKind>(rng() % kIndexKindCount);
  const ModelEvent& pick = model[rng() % model.size()];
  switch (q.kind) {
    case IndexKind::kUser:
      q.term = pick.user;
      break;
    case IndexKind::kObject:
      q.term = pick.object;
      q.has_system = rng() % 2;
      q.system = pick.system;
      break;
    case IndexKind::kSubject:
      q.term = pick.subject.empty() ? "196504121234" : NormalizeSubject(pick.subject, pick.ts);
      break;
    case IndexKind::kSystem:
      q.term = pick.system;
      break;
    case IndexKind::kTime:
      break;
  }
  if (rng() % 3 != 0) {
    int64_t a = model[rng() % model.size()].ts, b = model[rng() % model.size()].ts;
    q.range = TimeRange{std::min(a, b), std::max(a, b) + static_cast<int64_t>(rng() % 2)};
  }
  q.descending = rng() % 2;
  r.page = 1 + rng() % 40;
  return r;
}

// Pages through the query with a cursor and checks every page and the count against the model.
void CheckQuery(const Store& store, const std::vector<ModelEvent>& model, const Query& query) {
  std::vector<IndexEntry> expected;
  for (const ModelEvent& m : model) {
    if (Matches(m, query.q)) expected.push_back({m.ts, m.id});
  }
  std::sort(expected.begin(), expected.end());
  if (query.q.descending) std::reverse(expected.begin(), expected.end());

  std::vector<IndexEntry> got;
  IndexQuery q = query.q;
  while (true) {
    IndexReader reader = store.Reader();
    auto stream = reader.Open(q);
    size_t n = 0;
    IndexEntry e;
    while (n < query.page && stream->Next(&e)) {
      got.push_back(e);
      ++n;
    }
    REQUIRE(stream->status().ok());
    if (n < query.page) break;
    q.after = got.back();
  }
  INFO("kind=" << IndexKindName(q.kind) << " term=" << q.term << " desc=" << q.descending
               << " page=" << query.page << " from=" << q.range.from << " to=" << q.range.to);
  CHECK(got == expected);
  auto count = store.Reader().Count(query.q);
  REQUIRE(count.ok());
  CHECK(*count == expected.size());
}

TEST_CASE("store: index answers equal a brute-force scan", "[store]") {
  auto shuffled = GENERATE(false, true);
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 8 << 20;
  options.segment_max_events = 97;  // many segments: on disk, being built, in memory
  std::mt19937_64 rng(shuffled ? 11 : 12);
  std::vector<ModelEvent> model = Generate(rng, 1500, 1, shuffled);

  {
    auto store = Store::Open(options, &metrics);
    REQUIRE(store.ok());
    std::vector<uint64_t> first_ids = SubmitAll(store->get(), model, 50);
    for (size_t i = 0; i < first_ids.size(); ++i) CHECK(first_ids[i] == 1 + 50 * i);
    CHECK((*store)->last_event_id() == model.size());
    for (int i = 0; i < 150; ++i) CheckQuery(**store, model, RandomQuery(rng, model));
  }

  SECTION("after reopening, with the tail re-indexed from the events") {
    auto store = Store::Open(options, &metrics);
    REQUIRE(store.ok());
    for (int i = 0; i < 100; ++i) CheckQuery(**store, model, RandomQuery(rng, model));
    // New events continue the id sequence.
    std::vector<ModelEvent> more = Generate(rng, 300, model.size() + 1, shuffled);
    SubmitAll(store->get(), more, 64);
    model.insert(model.end(), more.begin(), more.end());
    for (int i = 0; i < 100; ++i) CheckQuery(**store, model, RandomQuery(rng, model));
  }

  SECTION("with every segment written to disk and compacted") {
    auto store = Store::Open(options, &metrics);
    REQUIRE(store.ok());
    REQUIRE((*store)->FlushAndCompact().ok());
    CHECK((*store)->index()->indexed_through() == model.size());
    for (int i = 0; i < 150; ++i) CheckQuery(**store, model, RandomQuery(rng, model));
  }
}

TEST_CASE("store: every written form of a personnummer finds the same person", "[store]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  std::vector<ModelEvent> events;
  const int64_t ts = 1760000000000000;
  uint64_t id = 1;
  for (const char* form : {"19650412-1234", "196504121234", "650412-1234", "6504121234"}) {
    events.push_back({id++, ts + static_cast<int64_t>(id), "u1", "o1", "s1", form});
  }
  events.push_back({id++, ts, "u1", "o1", "s1", "650412-1235"});  // bad check digit: as given
  SubmitAll(store->get(), events, 10);
  IndexQuery q;
  q.kind = IndexKind::kSubject;
  q.term = "196504121234";
  auto count = (*store)->Reader().Count(q);
  REQUIRE(count.ok());
  CHECK(*count == 4);
  q.term = "650412-1235";
  count = (*store)->Reader().Count(q);
  REQUIRE(count.ok());
  CHECK(*count == 1);
}

TEST_CASE("store: events read back exactly as written", "[store]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  std::vector<ModelEvent> events = {
      {1, 1760000000123456, "anna", "procapita:000123", "procapita", "19650412-1234"}};
  SubmitAll(store->get(), events, 1);
  std::string storage;
  auto view = (*store)->GetEvent(1, &storage);
  REQUIRE(view.ok());
  REQUIRE(view->has_value());
  const EventView& v = **view;
  CHECK(v.ts_us == 1760000000123456);
  CHECK(v.field(Field::kUser) == "anna");
  CHECK(v.field(Field::kObject) == "procapita:000123");
  CHECK(v.field(Field::kSystem) == "procapita");
  CHECK(v.field(Field::kSubject) == "19650412-1234");  // the raw form stays in the event
  CHECK(v.raw == "user=anna object=procapita:000123 system=procapita");
  auto missing = (*store)->GetEvent(2, &storage);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("store: quarantine records get their own ids and read back", "[store]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  IngestBatch b;
  QuarantineRecord q;
  q.raw = std::string("<13>garbage\xff", 12);
  q.reason = "unsupported format";
  q.received_us = 5;
  q.listener = Listener::kUdp;
  q.peer = "10.0.0.1:514";
  b.quarantined.push_back(q);
  b.quarantined.push_back(q);
  std::promise<CommitResult> done;
  b.on_durable = [&](const CommitResult& r) { done.set_value(r); };
  REQUIRE((*store)->writer()->Submit(&b) == SubmitResult::kAccepted);
  CommitResult r = done.get_future().get();
  CHECK(r.first_quarantine_id == 1);
  CHECK(r.quarantined == 2);
  CHECK(r.first_event_id == 0);
  std::vector<QuarantineRecord> out;
  REQUIRE((*store)->ListQuarantine(0, 10, &out).ok());
  REQUIRE(out.size() == 2);
  CHECK(out[0].raw == q.raw);
  CHECK(out[1].id == 2);
  CHECK(out[0].reason == q.reason);
  CHECK(out[0].listener == Listener::kUdp);
}

TEST_CASE("store: a second process cannot open the same data directory", "[store]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  auto first = Store::Open(options, &metrics);
  REQUIRE(first.ok());
  auto second = Store::Open(options, &metrics);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message().find("in use") != std::string::npos);
}

}  // namespace
}  // namespace spard
