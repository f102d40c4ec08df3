// The keyed subject index: what a copy of the index tables reveals (nothing of the subjects),
// the key file's life cycle, and the store format marker that guards it.
#include "store/subject_key.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "store/store.h"
#include "tests/test_util.h"

namespace spard {
namespace {

void SubmitSubjects(Store* store, const std::vector<std::string>& subjects) {
  IngestBatch b;
  int64_t ts = 1760000000000000;
  for (const std::string& s : subjects) {
    Event e("access " + s);
    e.ts_us = ts++;
    e.has_ts = true;
    e.set_field(Field::kUser, "anna");
    e.set_field(Field::kObject, "rec:1");
    e.set_field(Field::kSystem, "procapita");
    e.set_field(Field::kSubject, s);
    b.events.push_back(std::move(e));
  }
  std::promise<void> done;
  b.on_durable = [&](const CommitResult&) { done.set_value(); };
  REQUIRE(store->writer()->Submit(&b) == SubmitResult::kAccepted);
  done.get_future().wait();
}

uint64_t CountSubject(const Store& store, const std::string& normalised) {
  IndexQuery q;
  q.kind = IndexKind::kSubject;
  q.term = normalised;
  auto n = store.Reader().Count(q);
  REQUIRE(n.ok());
  return *n;
}

TEST_CASE("subject key: terms are keyed, fixed-size and stable", "[store][subject_key]") {
  SubjectKey a(std::string(32, 'a')), b(std::string(32, 'b'));
  CHECK(a.Term("196504121234").size() == SubjectKey::kTermBytes);
  CHECK(a.Term("196504121234") == a.Term("196504121234"));
  CHECK(a.Term("196504121234") != a.Term("196504121235"));
  CHECK(a.Term("196504121234") != b.Term("196504121234"));  // another installation, other keys
}

TEST_CASE("subject key: created once with mode 0600, read back the same", "[store][subject_key]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/subject.key";
  CHECK(SubjectKey::LoadOrCreate(path, false).status().IsNotFound());
  auto created = SubjectKey::LoadOrCreate(path, true);
  REQUIRE(created.ok());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = SubjectKey::LoadOrCreate(path, true);
  REQUIRE(loaded.ok());
  CHECK(loaded->Term("x") == created->Term("x"));

  std::ofstream(path, std::ios::trunc) << "spard-subject-key-v1 0011\n";
  CHECK(SubjectKey::LoadOrCreate(path, true).status().IsCorruption());
}

TEST_CASE("subject index: its tables hold no personnummer, and every form finds the person",
          "[store][subject_key]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  options.segment_max_events = 4;  // seal segments: the entries go to the index tables
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  SubmitSubjects(store->get(), {"19650412-1234", "650412-1234", "6504121234", "196504121234",
                                "850709-9805", "not-a-pnr-x"});
  REQUIRE((*store)->FlushAndCompact().ok());

  size_t rows = 0;
  std::unique_ptr<rocksdb::Iterator> it((*store)->database()->db()->NewIterator(
      rocksdb::ReadOptions(), (*store)->database()->index(IndexKind::kSubject)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++rows;
    const std::string key = it->key().ToString();
    for (const char* clear :
         {"196504121234", "6504121234", "650412", "198507099805", "850709", "not-a-pnr-x"}) {
      CHECK(key.find(clear) == std::string::npos);
    }
  }
  it.reset();  // before the store closes
  CHECK(rows >= 3);
  CHECK(CountSubject(**store, "196504121234") == 4);
  CHECK(CountSubject(**store, "198507099805") == 1);
  CHECK(CountSubject(**store, "not-a-pnr-x") == 1);

  // Reopened with the same key file: the same answers.
  (*store)->Close();
  store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  CHECK(CountSubject(**store, "196504121234") == 4);
}

TEST_CASE("store: refuses to open without its subject key or in another format",
          "[store][subject_key]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  {
    auto store = Store::Open(options, &metrics);
    REQUIRE(store.ok());
    SubmitSubjects(store->get(), {"196504121234"});
  }
  std::filesystem::rename(dir.path() + "/subject.key", dir.path() + "/subject.key.bak");
  auto without = Store::Open(options, &metrics);
  REQUIRE_FALSE(without.ok());
  CHECK(without.status().IsNotFound());
  CHECK(without.status().message().find("subject.key") != std::string::npos);
  std::filesystem::rename(dir.path() + "/subject.key.bak", dir.path() + "/subject.key");

  {  // A store of format 1 has events and no marker.
    auto store = Store::Open(options, &metrics);
    REQUIRE(store.ok());
    Database* db = (*store)->database();
    REQUIRE(db->db()->Delete(rocksdb::WriteOptions(), db->meta(), "store_format").ok());
  }
  auto old = Store::Open(options, &metrics);
  REQUIRE_FALSE(old.ok());
  CHECK(old.status().message().find("store format 1") != std::string::npos);
}

TEST_CASE("store: another store's subject key is refused, not used", "[store][subject_key]") {
  testing::TempDir dir, other;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  StoreOptions other_options;
  other_options.data_dir = other.path();
  {
    auto a = Store::Open(options, &metrics);
    REQUIRE(a.ok());
    SubmitSubjects(a->get(), {"196504121234"});
    auto b = Store::Open(other_options, &metrics);
    REQUIRE(b.ok());
  }
  // The wrong backup restored: the other store's key file.
  std::filesystem::copy_file(other.path() + "/subject.key", dir.path() + "/subject.key",
                             std::filesystem::copy_options::overwrite_existing);
  auto wrong = Store::Open(options, &metrics);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message().find("is not this store's subject key") != std::string::npos);
}

}  // namespace
}  // namespace spard
