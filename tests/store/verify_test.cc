// spar verify's engine against a tampered store: every kind of change is detected and named,
// and an untouched store passes. The tampering goes straight to RocksDB, as an attacker with
// the files would.
#include "store/verify.h"

#include <catch2/catch.hpp>

#include <future>
#include <random>

#include "common/clock.h"
#include "store/event_tree.h"
#include "store/integrity.h"
#include "store/store.h"
#include "tests/test_util.h"

namespace spard {
namespace {

constexpr uint64_t kEvents = 1500;  // one stored 1,024-leaf subtree and a partial one

void Fill(const std::string& dir) {
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir;
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  IngestBatch b;
  for (uint64_t i = 1; i <= kEvents; ++i) {
    Event e("raw message " + std::to_string(i));
    e.ts_us = 1760000000000000 + static_cast<int64_t>(i) * 1000;
    e.has_ts = true;
    e.set_field(Field::kUser, "u" + std::to_string(i % 7));
    e.set_field(Field::kObject, "o" + std::to_string(i % 100));
    e.set_field(Field::kSystem, "s" + std::to_string(i % 3));
    e.set_field(Field::kSubject, i % 2 ? "19650412-1234" : "case-9");
    b.events.push_back(std::move(e));
  }
  std::promise<void> done;
  b.on_durable = [&](const CommitResult&) { done.set_value(); };
  REQUIRE((*store)->writer()->Submit(&b) == SubmitResult::kAccepted);
  done.get_future().wait();
  REQUIRE((*store)->index()->Flush().ok());
  auto integrity = Integrity::Open(store->get(), dir, "");
  REQUIRE(integrity.ok());
  REQUIRE((*integrity)->SignIfChanged(SystemClock::Default()->NowMicros()).ok());
}

std::unique_ptr<Database> OpenRaw(const std::string& dir) {
  DatabaseOptions o;
  o.path = dir + "/db";
  auto db = Database::Open(o);
  REQUIRE(db.ok());
  return std::move(db).value();
}

VerifyReport Verify(const Database& db, bool indexes = true) {
  VerifyOptions o;
  o.check_indexes = indexes;
  auto r = VerifyStore(db, o);
  REQUIRE(r.ok());
  return *r;
}

std::string Problems(const VerifyReport& r) {
  std::string s;
  for (const auto& p : r.problems) s += p + "\n";
  return s;
}

rocksdb::WriteOptions Sync() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

TEST_CASE("verify: an untouched store passes", "[store][verify]") {
  testing::TempDir dir;
  Fill(dir.path());
  auto db = OpenRaw(dir.path());
  VerifyReport r = Verify(*db);
  INFO(Problems(r));
  CHECK(r.ok());
  CHECK(r.events == kEvents);
  CHECK(r.sths_checked == 1);
  CHECK(r.subtrees_checked == 1);
  CHECK(r.index_entries == kEvents * 5);
  CHECK(r.bytes_hashed > kEvents * 20);
}

TEST_CASE("verify: 1,000 random single-byte flips in stored events are all detected",
          "[store][verify]") {
  testing::TempDir dir;
  Fill(dir.path());
  auto db = OpenRaw(dir.path());
  std::mt19937_64 rng(42);
  std::string value;
  for (int round = 0; round < 1000; ++round) {
    uint64_t id = 1 + rng() % kEvents;
    REQUIRE(db->db()->Get(rocksdb::ReadOptions(), db->events(), EventKey(id), &value).ok());
    std::string tampered = value;
    size_t at = rng() % tampered.size();
    tampered[at] = static_cast<char>(tampered[at] ^ (1 << (rng() % 8)));
    REQUIRE(db->db()->Put(rocksdb::WriteOptions(), db->events(), EventKey(id), tampered).ok());
    VerifyReport r = Verify(*db, /*indexes=*/false);
    INFO("round " << round << ": event " << id << " byte " << at);
    REQUIRE_FALSE(r.ok());
    if (id <= 1024) CHECK(r.problems[0].starts_with("events 1..1024: "));
    REQUIRE(db->db()->Put(rocksdb::WriteOptions(), db->events(), EventKey(id), value).ok());
  }
  CHECK(Verify(*db).ok());
}

TEST_CASE("verify: removed, forged, reordered events and tampered indexes are named",
          "[store][verify]") {
  testing::TempDir dir;
  Fill(dir.path());
  auto db = OpenRaw(dir.path());
  std::string v1, v2;
  REQUIRE(db->db()->Get(rocksdb::ReadOptions(), db->events(), EventKey(10), &v1).ok());
  REQUIRE(db->db()->Get(rocksdb::ReadOptions(), db->events(), EventKey(1400), &v2).ok());

  SECTION("a deleted event") {
    REQUIRE(db->db()->Delete(Sync(), db->events(), EventKey(1400)).ok());
    VerifyReport r = Verify(*db);
    CHECK(Problems(r).find("event 1400 is missing") != std::string::npos);
  }
  SECTION("a forged event appended") {
    REQUIRE(db->db()->Put(Sync(), db->events(), EventKey(kEvents + 1), v1).ok());
    VerifyReport r = Verify(*db);
    CHECK(Problems(r).find("does not match the events") != std::string::npos);
  }
  SECTION("two events reordered") {
    REQUIRE(db->db()->Put(Sync(), db->events(), EventKey(10), v2).ok());
    REQUIRE(db->db()->Put(Sync(), db->events(), EventKey(1400), v1).ok());
    VerifyReport r = Verify(*db);
    CHECK(Problems(r).find("events 1..1024: ") != std::string::npos);
  }
  SECTION("an index row deleted") {
    std::unique_ptr<rocksdb::Iterator> it(
        db->db()->NewIterator(rocksdb::ReadOptions(), db->index(IndexKind::kUser)));
    it->SeekToFirst();
    REQUIRE(it->Valid());
    REQUIRE(db->db()->Delete(Sync(), db->index(IndexKind::kUser), it->key()).ok());
    VerifyReport r = Verify(*db);
    CHECK(Problems(r).find("index user: ") != std::string::npos);
    CHECK(Problems(r).find("is not in this index") != std::string::npos);
  }
  SECTION("an index row pointing elsewhere") {
    std::string key = IndexKey(TermPrefix("u3"), IndexEntry{1760000000000000 + 5 * 1000, 5});
    REQUIRE(db->db()->Put(Sync(), db->index(IndexKind::kUser), key, "\x01").ok());
    VerifyReport r = Verify(*db);
    CHECK(Problems(r).find("index user: ") != std::string::npos);
  }
  SECTION(
      "an event altered and the whole tree rewritten to match: the signature still catches it") {
    std::string forged = v1;
    forged.back() ^= 1;
    REQUIRE(db->db()->Put(Sync(), db->events(), EventKey(10), forged).ok());
    // The attacker recomputes every stored hash and the frontier, but cannot sign.
    CompactRange tree;
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(
        db->db()->NewIterator(rocksdb::ReadOptions(), db->events()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t id;
      REQUIRE(DecodeEventKey(std::string_view(it->key().data(), it->key().size()), &id));
      tree.Append(EventLeafHash(id, std::string_view(it->value().data(), it->value().size())),
                  [&](int level, uint64_t index, const Hash& h) {
                    if (level >= kStoredTreeLevel) {
                      wb.Put(db->tree(), TreeKey(level, index),
                             rocksdb::Slice(reinterpret_cast<const char*>(h.data()), 32));
                    }
                  });
    }
    wb.Put(db->meta(), kTreeStateKey, tree.Encode());
    REQUIRE(db->db()->Write(Sync(), &wb).ok());
    VerifyReport r = Verify(*db, /*indexes=*/false);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].find("its root does not match the events") != std::string::npos);
  }
}

}  // namespace
}  // namespace spard
