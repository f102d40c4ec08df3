// Merkle tree math of RFC 9162 (Certificate Transparency v2), §2.1: hashing, the proofs and
// their verification, as small pure functions over leaf indexes and hashes (after Go's
// golang.org/x/mod/sumdb/tlog). Where the hashes of subtrees come from is the caller's
// business (SubtreeSource); this file only knows the recursion.
//
// Thread-safety: pure functions; CompactRange is a value.

#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spard {

using Hash = std::array<uint8_t, 32>;

// §2.1.1: the hash of a leaf, SHA-256(0x00 || data); of an inner node, SHA-256(0x01 || l || r);
// of the empty tree, SHA-256("").
Hash HashLeaf(std::string_view data);
// The same, when the leaf data comes in two parts (spard: the event id, then its value).
Hash HashLeaf2(std::string_view a, std::string_view b);
Hash HashChildren(const Hash& left, const Hash& right);
Hash EmptyRoot();

std::string HexOf(const Hash& h);
bool HashFromHex(std::string_view hex, Hash* out);

// The largest power of two smaller than n (n >= 2): where §2.1.1 splits D[n].
uint64_t SplitPoint(uint64_t n);

// MTH(D[begin:end]) for 0 <= begin < end <= tree size, with the ranges this file asks for:
// always either an aligned complete subtree or a right edge made of them.
using SubtreeSource = std::function<Result<Hash>(uint64_t begin, uint64_t end)>;

// MTH(D[begin:end]) by the §2.1.1 recursion over aligned complete subtrees that `complete`
// returns: complete(begin, level) = MTH of the 2^level leaves from begin.
Result<Hash> RangeHash(uint64_t begin, uint64_t end,
                       const std::function<Result<Hash>(uint64_t, int)>& complete);

// §2.1.3.1: the inclusion proof PATH(index, D[size]).
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                         const SubtreeSource& source);
// §2.1.4.1: the consistency proof PROOF(first, D[second]), 0 < first <= second.
Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const SubtreeSource& source);

// §2.1.3.2 and §2.1.4.2.
bool VerifyInclusion(const Hash& leaf, uint64_t index, uint64_t size,
                     const std::vector<Hash>& proof, const Hash& root);
bool VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                       const Hash& second_root, const std::vector<Hash>& proof);

// The frontier of an append-only tree: the roots of its complete subtrees, largest first (one
// per set bit of the size). Appending is O(log n) and reports every subtree it completes, so
// the caller can store the ones it keeps.
class CompactRange {
 public:
  uint64_t size() const { return size_; }
  // Adds a leaf; calls on_complete(level, index, hash) for each subtree completed, smallest
  // first (level 0 is the leaf itself).
  void Append(const Hash& leaf,
              const std::function<void(int level, uint64_t index, const Hash&)>& on_complete);
  // Adds a whole complete subtree of 2^level leaves at once (size must be a multiple of
  // 2^level): what a verifier does for a block whose events were all purged.
  void AppendSubtree(int level, const Hash& root);
  Hash Root() const;
  // The complete subtrees' roots, largest first: roots()[i] covers the i-th set bit of size().
  const std::vector<Hash>& roots() const { return roots_; }

  // Stored form: 0x01 size:varint64 hash{popcount(size)}.
  std::string Encode() const;
  static bool Decode(std::string_view in, CompactRange* out);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> roots_;  // largest subtree first
};

}  // namespace spard
