// The hash tree over a real store: the writer's head, the stored subtrees and the proofs agree
// with a tree recomputed from the stored events, across a reopen.
#include "store/event_tree.h"

#include <catch2/catch.hpp>

#include <future>

#include "store/store.h"
#include "tests/test_util.h"

namespace spard {
namespace {

void SubmitN(Store* store, int first, int n) {
  IngestBatch b;
  for (int i = first; i < first + n; ++i) {
    Event e("event " + std::to_string(i));
    e.ts_us = 1760000000000000 + i;
    e.has_ts = true;
    e.set_field(Field::kUser, "u" + std::to_string(i % 5));
    e.set_field(Field::kObject, "o" + std::to_string(i));
    b.events.push_back(std::move(e));
  }
  std::promise<void> done;
  b.on_durable = [&](const CommitResult& r) {
    REQUIRE(r.status.ok());
    done.set_value();
  };
  REQUIRE(store->writer()->Submit(&b) == SubmitResult::kAccepted);
  done.get_future().wait();
}

// Leaf hashes recomputed from the events as stored.
std::vector<Hash> Leaves(Store* store, uint64_t n) {
  std::vector<Hash> leaves;
  std::string value;
  for (uint64_t id = 1; id <= n; ++id) {
    rocksdb::Status s = store->database()->db()->Get(
        rocksdb::ReadOptions(), store->database()->events(), EventKey(id), &value);
    REQUIRE(s.ok());
    leaves.push_back(EventLeafHash(id, value));
  }
  return leaves;
}

Hash Root(const std::vector<Hash>& leaves, uint64_t n) {
  CompactRange r;
  for (uint64_t i = 0; i < n; ++i) r.Append(leaves[i], nullptr);
  return r.Root();
}

TEST_CASE("event tree: head, stored subtrees and proofs agree with the events", "[store][tree]") {
  testing::TempDir dir;
  Metrics metrics;
  StoreOptions options;
  options.data_dir = dir.path();
  {
    auto store = Store::Open(options, &metrics);
    REQUIRE(store.ok());
    SubmitN(store->get(), 0, 1500);
    SubmitN(store->get(), 1500, 1700);  // 3200 events: three stored 1024-subtrees
    auto head = (*store)->writer()->tree_head();
    CHECK(head.size == 3200);
    auto leaves = Leaves(store->get(), 3200);
    CHECK(head.root == Root(leaves, 3200));
  }
  auto store = Store::Open(options, &metrics);
  REQUIRE(store.ok());
  SubmitN(store->get(), 3200, 900);  // completes a fourth 1024-subtree: the 2048 at level 11
  const uint64_t n = 4100;
  auto leaves = Leaves(store->get(), n);
  auto head = (*store)->writer()->tree_head();
  CHECK(head.size == n);
  CHECK(head.root == Root(leaves, n));

  TreeReader reader((*store)->database());
  for (uint64_t size : {uint64_t{1}, uint64_t{1023}, uint64_t{1024}, uint64_t{1025}, uint64_t{2048},
                        uint64_t{3000}, n}) {
    INFO("size " << size);
    auto root = reader.Range(0, size);
    REQUIRE(root.ok());
    CHECK(*root == Root(leaves, size));
    for (uint64_t index : {uint64_t{0}, size / 2, size - 1}) {
      auto proof = InclusionProof(index, size, reader.Source());
      REQUIRE(proof.ok());
      CHECK(VerifyInclusion(leaves[index], index, size, *proof, *root));
    }
    auto consistency = ConsistencyProof(size, n, reader.Source());
    REQUIRE(consistency.ok());
    CHECK(VerifyConsistency(size, n, *root, head.root, *consistency));
  }
}

}  // namespace
}  // namespace spard
