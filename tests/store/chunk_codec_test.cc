#include "store/chunk_codec.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

namespace spard {
namespace {

TEST_CASE("a single entry equal to its key costs one byte", "[store][chunk]") {
  IndexEntry e{1700000000000000, 42};
  std::string v;
  EncodeChunk(e, std::span(&e, 1), &v);
  CHECK(v.size() == 1);
  std::vector<IndexEntry> out;
  REQUIRE(DecodeChunk(v, e, &out));
  CHECK(out == std::vector<IndexEntry>{e});
  ChunkHeader h;
  REQUIRE(DecodeChunkHeader(v, e, &h));
  CHECK(h.count == 1);
  CHECK(h.max_ts_us == e.ts_us);
}

TEST_CASE("chunks round-trip sorted entries with ids in any order", "[store][chunk]") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 500; ++round) {
    size_t n = 1 + rng() % 300;
    std::vector<IndexEntry> entries;
    int64_t base = static_cast<int64_t>(rng() % (1ull << 52)) - (1ll << 51);
    for (size_t i = 0; i < n; ++i) {
      entries.push_back({base + static_cast<int64_t>(rng() % 86400000000ull), rng() % 1000000});
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    std::string v;
    EncodeChunk(entries[0], entries, &v);
    std::vector<IndexEntry> out;
    REQUIRE(DecodeChunk(v, entries[0], &out));
    CHECK(out == entries);
    ChunkHeader h;
    REQUIRE(DecodeChunkHeader(v, entries[0], &h));
    CHECK(h.count == entries.size());
    CHECK(h.max_ts_us == entries.back().ts_us);
  }
}

TEST_CASE("malformed chunks are rejected, never over-read", "[store][chunk]") {
  IndexEntry key{1000, 5};
  std::vector<IndexEntry> entries = {{1000, 5}, {1001, 3}, {2000, 9}};
  std::string v;
  EncodeChunk(key, entries, &v);
  std::vector<IndexEntry> out;
  for (size_t cut = 0; cut < v.size(); ++cut) {
    out.clear();
    CHECK_FALSE(DecodeChunk(std::string_view(v).substr(0, cut), key, &out));
  }
  std::string bad_kind = v;
  bad_kind[0] = 0x7f;
  CHECK_FALSE(DecodeChunk(bad_kind, key, &out));
  // A huge count with few bytes must not allocate or loop: rejected up front.
  std::string huge = "\x02\xff\xff\xff\xff\x0f\x00\x00\x00";
  CHECK_FALSE(DecodeChunk(huge, key, &out));
}

}  // namespace
}  // namespace spard
