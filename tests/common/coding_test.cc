#include "common/coding.h"

#include <catch2/catch.hpp>

#include <limits>

namespace spard {
namespace {

TEST_CASE("varints round-trip and reject truncation and overflow", "[common][coding]") {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300},
                     uint64_t{1} << 35, std::numeric_limits<uint64_t>::max()}) {
    std::string s;
    PutVarint64(&s, v);
    CHECK(static_cast<int>(s.size()) == VarintLength(v));
    std::string_view in = s;
    uint64_t back;
    REQUIRE(GetVarint64(&in, &back));
    CHECK(back == v);
    CHECK(in.empty());
    std::string_view cut = std::string_view(s).substr(0, s.size() - 1);
    CHECK_FALSE(GetVarint64(&cut, &back));
  }
  std::string eleven(11, '\xff');
  std::string_view in = eleven;
  uint64_t v;
  CHECK_FALSE(GetVarint64(&in, &v));
}

TEST_CASE("zigzag and ordered timestamps", "[common][coding]") {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    CHECK(ZigZagDecode(ZigZagEncode(v)) == v);
    CHECK(SignedFromOrdered(OrderedFromSigned(v)) == v);
  }
  CHECK(OrderedFromSigned(-1) < OrderedFromSigned(0));
  CHECK(OrderedFromSigned(std::numeric_limits<int64_t>::min()) == 0);
}

TEST_CASE("big-endian fixed64 sorts like the number", "[common][coding]") {
  std::string a, b;
  PutFixed64BE(&a, 255);
  PutFixed64BE(&b, 256);
  CHECK(a < b);
  std::string_view in = b;
  uint64_t v;
  REQUIRE(GetFixed64BE(&in, &v));
  CHECK(v == 256);
}

}  // namespace
}  // namespace spard
