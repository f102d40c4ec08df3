// RFC 9162 / RFC 6962 Merkle math against the published Certificate Transparency vectors, then
// every proof of every tree up to 40 leaves round-tripped through the verifiers.
#include "store/merkle.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

const std::vector<std::string> kLeaves = {
    "",
    std::string("\x00", 1),
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};

const char* const kRoots[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                              "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                              "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                              "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                              "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                              "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                              "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                              "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

// A tree held in memory: every subtree hash computed from the leaf hashes.
struct MemoryTree {
  std::vector<Hash> leaves;
  Result<Hash> Range(uint64_t begin, uint64_t end) const {
    return RangeHash(begin, end, [&](uint64_t b, int level) -> Result<Hash> {
      if (level == 0) return leaves[b];
      uint64_t half = uint64_t{1} << (level - 1);
      return HashChildren(*Range(b, b + half), *Range(b + half, b + 2 * half));
    });
  }
  SubtreeSource Source() const {
    return [this](uint64_t b, uint64_t e) { return Range(b, e); };
  }
};

std::vector<std::string> Hexes(const std::vector<Hash>& hs) {
  std::vector<std::string> out;
  for (const Hash& h : hs) out.push_back(HexOf(h));
  return out;
}

TEST_CASE("merkle: roots match the RFC 6962 reference vectors", "[store][merkle]") {
  CHECK(HexOf(EmptyRoot()) == kRoots[0]);
  MemoryTree t;
  CompactRange range;
  for (size_t n = 1; n <= kLeaves.size(); ++n) {
    t.leaves.push_back(HashLeaf(kLeaves[n - 1]));
    range.Append(t.leaves.back(), nullptr);
    CHECK(HexOf(*t.Range(0, n)) == kRoots[n]);
    CHECK(HexOf(range.Root()) == kRoots[n]);
    CompactRange back;
    REQUIRE(CompactRange::Decode(range.Encode(), &back));
    CHECK(back.Root() == range.Root());
  }
}

TEST_CASE("merkle: proofs match the reference vectors", "[store][merkle]") {
  MemoryTree t;
  for (const auto& l : kLeaves) t.leaves.push_back(HashLeaf(l));
  CHECK(
      Hexes(*InclusionProof(0, 8, t.Source())) ==
      std::vector<std::string>{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(
      Hexes(*InclusionProof(5, 8, t.Source())) ==
      std::vector<std::string>{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  CHECK(Hexes(*ConsistencyProof(1, 1, t.Source())).empty());
  CHECK(
      Hexes(*ConsistencyProof(1, 8, t.Source())) ==
      std::vector<std::string>{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(
      Hexes(*ConsistencyProof(6, 8, t.Source())) ==
      std::vector<std::string>{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  CHECK(
      Hexes(*ConsistencyProof(2, 5, t.Source())) ==
      std::vector<std::string>{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
}

TEST_CASE("merkle: every proof of every tree verifies, and a tampered one does not",
          "[store][merkle]") {
  MemoryTree t;
  for (int i = 0; i < 40; ++i) t.leaves.push_back(HashLeaf(std::string(1, static_cast<char>(i))));
  for (uint64_t n = 1; n <= 40; ++n) {
    const Hash root = *t.Range(0, n);
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(i, n, t.Source());
      REQUIRE(proof.ok());
      CHECK(VerifyInclusion(t.leaves[i], i, n, *proof, root));
      CHECK_FALSE(VerifyInclusion(t.leaves[(i + 1) % 40], i, n, *proof, root));
      if (!proof->empty()) {
        auto bad = *proof;
        bad[0][0] ^= 1;
        CHECK_FALSE(VerifyInclusion(t.leaves[i], i, n, bad, root));
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = ConsistencyProof(m, n, t.Source());
      REQUIRE(proof.ok());
      const Hash old_root = *t.Range(0, m);
      CHECK(VerifyConsistency(m, n, old_root, root, *proof));
      Hash wrong = old_root;
      wrong[5] ^= 0x40;
      CHECK_FALSE(VerifyConsistency(m, n, wrong, root, *proof));
    }
  }
}

TEST_CASE("merkle: appending a whole subtree equals appending its leaves", "[store][merkle]") {
  MemoryTree t;
  for (int i = 0; i < 64; ++i) t.leaves.push_back(HashLeaf(std::to_string(i)));
  CompactRange by_leaf, by_block;
  for (int i = 0; i < 64; ++i) by_leaf.Append(t.leaves[i], nullptr);
  for (int i = 0; i < 8; ++i) by_block.Append(t.leaves[i], nullptr);  // 8 leaves, then
  by_block.AppendSubtree(3, *t.Range(8, 16));                         // a block of 8,
  by_block.AppendSubtree(4, *t.Range(16, 32));                        // of 16,
  for (int i = 32; i < 48; ++i) by_block.Append(t.leaves[i], nullptr);
  by_block.AppendSubtree(4, *t.Range(48, 64));
  CHECK(by_block.size() == 64);
  CHECK(by_block.Root() == by_leaf.Root());
}

TEST_CASE("merkle: the compact range reports every subtree it completes", "[store][merkle]") {
  CompactRange range;
  std::vector<std::tuple<int, uint64_t>> completed;
  for (int i = 0; i < 8; ++i) {
    range.Append(HashLeaf(std::to_string(i)), [&](int level, uint64_t index, const Hash&) {
      if (level > 0) completed.emplace_back(level, index);
    });
  }
  CHECK(completed == std::vector<std::tuple<int, uint64_t>>{
                         {1, 0}, {1, 1}, {2, 0}, {1, 2}, {1, 3}, {2, 1}, {3, 0}});
}

}  // namespace
}  // namespace spard
