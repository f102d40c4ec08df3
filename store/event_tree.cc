#include "store/event_tree.h"

#include <cstring>
#include <memory>
#include <vector>

#include "common/coding.h"
#include "store/key_codec.h"

namespace spard {

std::string TreeKey(int level, uint64_t index) {
  std::string k;
  k.push_back(static_cast<char>(level));
  PutFixed64BE(&k, index);
  return k;
}

Hash EventLeafHash(uint64_t id, std::string_view value) {
  std::string key = EventKey(id);
  return HashLeaf2(key, value);
}

namespace {

Result<Hash> StoredHash(const Database* db, int level, uint64_t index) {
  std::string value;
  rocksdb::Status s =
      db->db()->Get(rocksdb::ReadOptions(), db->tree(), TreeKey(level, index), &value);
  if (s.IsNotFound()) {
    return Status::NotFound("tree: no hash at level " + std::to_string(level) + " index " +
                            std::to_string(index));
  }
  if (!s.ok()) return FromRocks(s, "reading the tree");
  if (value.size() != 32) return Status::Corruption("tree: a stored hash is not 32 bytes");
  Hash h;
  std::memcpy(h.data(), value.data(), 32);
  return h;
}

}  // namespace

Result<Hash> TreeReader::Leaf(uint64_t index) const {
  std::string value;
  rocksdb::Status s =
      db_->db()->Get(rocksdb::ReadOptions(), db_->events(), EventKey(index + 1), &value);
  if (s.ok()) return EventLeafHash(index + 1, value);
  if (!s.IsNotFound()) return FromRocks(s, "reading an event");
  return StoredHash(db_, 0, index);  // purged: its leaf hash was kept
}

Result<Hash> TreeReader::Complete(uint64_t begin, int level) const {
  if (level >= kStoredTreeLevel) return StoredHash(db_, level, begin >> level);
  // Recompute from the leaves: one pass over the events of the range.
  const uint64_t n = uint64_t{1} << level;
  std::vector<Hash> hashes;
  hashes.reserve(n);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db()->NewIterator(rocksdb::ReadOptions(), db_->events()));
  it->Seek(EventKey(begin + 1));
  for (uint64_t i = begin; i < begin + n; ++i) {
    uint64_t id = 0;
    if (it->Valid()) {
      DecodeEventKey(std::string_view(it->key().data(), it->key().size()), &id);
    }
    if (id == i + 1) {
      hashes.push_back(EventLeafHash(id, std::string_view(it->value().data(), it->value().size())));
      it->Next();
    } else {
      auto kept = StoredHash(db_, 0, i);
      if (!kept.ok()) {
        return Status::Corruption("tree: event " + std::to_string(i + 1) +
                                  " is missing and no leaf hash was kept for it");
      }
      hashes.push_back(*kept);
    }
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
  while (hashes.size() > 1) {
    for (size_t i = 0; i < hashes.size() / 2; ++i) {
      hashes[i] = HashChildren(hashes[2 * i], hashes[2 * i + 1]);
    }
    hashes.resize(hashes.size() / 2);
  }
  return hashes[0];
}

Result<Hash> TreeReader::Range(uint64_t begin, uint64_t end) const {
  return RangeHash(begin, end, [this](uint64_t b, int level) { return Complete(b, level); });
}

}  // namespace spard
