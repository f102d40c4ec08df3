#include "store/key_codec.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

namespace spard {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 4);  // mostly 0x00..0x02 and 0xff: the edge cases
  std::string s(len(rng), '\0');
  const char alphabet[] = {'\x00', '\x01', '\x02', 'a', '\xff'};
  for (char& c : s) c = alphabet[byte(rng)];
  return s;
}

TEST_CASE("escaped terms round-trip and never contain NUL", "[store][key_codec]") {
  std::mt19937 rng(1);
  for (int i = 0; i < 2000; ++i) {
    std::string term = RandomBytes(rng, 8);
    std::string escaped;
    AppendEscapedTerm(&escaped, term);
    CHECK(escaped.find('\0') == std::string::npos);
    std::string back;
    REQUIRE(UnescapeTerm(escaped, &back));
    CHECK(back == term);
  }
}

TEST_CASE("escaping preserves the byte order of terms", "[store][key_codec]") {
  std::mt19937 rng(2);
  for (int i = 0; i < 5000; ++i) {
    std::string a = RandomBytes(rng, 5), b = RandomBytes(rng, 5);
    std::string ea, eb;
    AppendEscapedTerm(&ea, a);
    AppendEscapedTerm(&eb, b);
    INFO("a=" << a.size() << " b=" << b.size());
    CHECK((a < b) == (ea < eb));
  }
}

TEST_CASE("a term's prefix is not a prefix of another term's keys", "[store][key_codec]") {
  // "ab" and "ab\0x" must not collide: the 0x00 terminator is escaped inside terms.
  std::string p1 = TermPrefix(std::string("ab", 2));
  std::string p2 = TermPrefix(std::string("ab\0x", 4));
  std::string k2 = IndexKey(p2, IndexEntry{1, 1});
  CHECK_FALSE(k2.starts_with(p1));
}

TEST_CASE("index keys of one term sort by (ts, id), before 1970 too", "[store][key_codec]") {
  std::vector<IndexEntry> entries = {{-5000000, 3},         {-1, 9},       {0, 1}, {0, 2}, {1, 0},
                                     {1700000000000000, 7}, {INT64_MAX, 1}};
  std::string prefix = TermPrefix("u1");
  std::vector<std::string> keys;
  for (const auto& e : entries) keys.push_back(IndexKey(prefix, e));
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string_view p;
    IndexEntry back;
    REQUIRE(DecodeIndexKey(keys[i], &p, &back));
    CHECK(p == prefix);
    CHECK(back == entries[i]);
  }
}

TEST_CASE("object keys group an object's systems under one prefix", "[store][key_codec]") {
  std::string any = ObjectPrefix("case:1");
  CHECK(ObjectTermPrefix("case:1", "procapita").starts_with(any));
  CHECK(ObjectTermPrefix("case:1", "treserva").starts_with(any));
  CHECK_FALSE(ObjectTermPrefix("case:10", "procapita").starts_with(any));
}

TEST_CASE("event keys are big-endian ids", "[store][key_codec]") {
  CHECK(EventKey(1) < EventKey(2));
  CHECK(EventKey(255) < EventKey(256));
  uint64_t id;
  REQUIRE(DecodeEventKey(EventKey(0x0102030405060708ull), &id));
  CHECK(id == 0x0102030405060708ull);
  CHECK_FALSE(DecodeEventKey("short", &id));
}

}  // namespace
}  // namespace spard
