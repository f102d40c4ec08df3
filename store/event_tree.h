// The event log as a Merkle tree (RFC 9162, store/merkle.h): leaf i is the event with id i + 1,
// and its data is the event's 8-byte key followed by its stored value, so any change to a
// stored event, its removal, insertion or reordering changes the tree.
//
// What is stored (CF `tree`, keys `level:u8 index:u64be` -> 32-byte hash):
//   - the root of every complete subtree of 2^kStoredTreeLevel (1,024) leaves or more, written
//     in the same WriteBatch as the event that completes it;
//   - the leaf hashes (level 0) of purged events whose 1,024-leaf subtree keeps other events,
//     so proofs for those still verify.
// Smaller subtrees are recomputed from the events when a proof needs them (at most 1,023
// events read). The frontier (store/merkle.h CompactRange) is kept in meta `tree_state`, also
// in the event's batch: the tree never disagrees with the events it covers.
//
// Cost: 64 bytes per 1,024 events on disk, one SHA-256 of each event's bytes on ingest.
//
// Thread-safety: TreeReader is safe for concurrent use.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/db.h"
#include "store/merkle.h"

namespace spard {

inline constexpr int kStoredTreeLevel = 10;
inline constexpr std::string_view kTreeStateKey = "tree_state";

std::string TreeKey(int level, uint64_t index);
// The leaf hash of the event with `id` whose stored value is `value`.
Hash EventLeafHash(uint64_t id, std::string_view value);

class TreeReader {
 public:
  explicit TreeReader(const Database* db) : db_(db) {}

  // MTH of leaves [begin, end); end must not exceed the tree's size.
  Result<Hash> Range(uint64_t begin, uint64_t end) const;
  // MTH of the 2^level leaves from `begin` (aligned).
  Result<Hash> Complete(uint64_t begin, int level) const;
  SubtreeSource Source() const {
    return [this](uint64_t b, uint64_t e) { return Range(b, e); };
  }
  // The leaf hash at `index`: from the event, or the kept hash of a purged one.
  Result<Hash> Leaf(uint64_t index) const;

 private:
  const Database* db_;
};

}  // namespace spard
