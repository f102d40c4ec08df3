// spard_tamper: changes a stopped store the way an attacker with disk access would, for the
// tests of `spar verify` (tests/integration/test_verify.py). Not installed; never for real data.
//
//   spard_tamper DATA_DIR flip ID OFFSET     flips one byte of event ID's stored value
//   spard_tamper DATA_DIR delete ID          deletes event ID
//   spard_tamper DATA_DIR swap ID1 ID2       swaps the values of two events
//   spard_tamper DATA_DIR delete-index-row   deletes the first row of the user index

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "store/db.h"
#include "store/key_codec.h"

int main(int argc, char** argv) {
  using namespace spard;
  if (argc < 3) {
    std::fprintf(stderr, "usage: spard_tamper DATA_DIR flip|delete|swap|delete-index-row ...\n");
    return 2;
  }
  DatabaseOptions o;
  o.path = std::string(argv[1]) + "/db";
  o.create_if_missing = false;
  auto opened = Database::Open(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "spard_tamper: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  Database& db = **opened;
  rocksdb::DB* rdb = db.db();
  const std::string op = argv[2];
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s;
  if (op == "flip" && argc == 5) {
    const std::string key = EventKey(std::strtoull(argv[3], nullptr, 10));
    std::string value;
    s = rdb->Get(rocksdb::ReadOptions(), db.events(), key, &value);
    if (s.ok() && value.empty()) s = rocksdb::Status::InvalidArgument("the event is empty");
    if (s.ok()) {
      value[std::strtoull(argv[4], nullptr, 10) % value.size()] ^= 0x01;
      s = rdb->Put(wo, db.events(), key, value);
    }
  } else if (op == "delete" && argc == 4) {
    s = rdb->Delete(wo, db.events(), EventKey(std::strtoull(argv[3], nullptr, 10)));
  } else if (op == "swap" && argc == 5) {
    const std::string k1 = EventKey(std::strtoull(argv[3], nullptr, 10));
    const std::string k2 = EventKey(std::strtoull(argv[4], nullptr, 10));
    std::string v1, v2;
    s = rdb->Get(rocksdb::ReadOptions(), db.events(), k1, &v1);
    if (s.ok()) s = rdb->Get(rocksdb::ReadOptions(), db.events(), k2, &v2);
    if (s.ok()) s = rdb->Put(wo, db.events(), k1, v2);
    if (s.ok()) s = rdb->Put(wo, db.events(), k2, v1);
  } else if (op == "delete-index-row" && argc == 3) {
    std::unique_ptr<rocksdb::Iterator> it(
        rdb->NewIterator(rocksdb::ReadOptions(), db.index(IndexKind::kUser)));
    it->SeekToFirst();
    if (!it->Valid()) {
      std::fprintf(stderr, "spard_tamper: the user index is empty\n");
      return 1;
    }
    s = rdb->Delete(wo, db.index(IndexKind::kUser), it->key());
  } else {
    std::fprintf(stderr, "spard_tamper: bad arguments\n");
    return 2;
  }
  if (!s.ok()) {
    std::fprintf(stderr, "spard_tamper: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
