#include "common/time_format.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

TEST_CASE("RFC 3339 timestamps parse to UTC microseconds", "[common][time]") {
  int64_t us = 0;
  REQUIRE(ParseRfc3339("1970-01-01T00:00:00Z", &us));
  CHECK(us == 0);
  REQUIRE(ParseRfc3339("2003-10-11T22:14:15.003Z", &us));
  CHECK(us == 1065910455003000);
  REQUIRE(ParseRfc3339("2003-10-11T22:14:15.000003Z", &us));
  CHECK(us == 1065910455000003);
  REQUIRE(ParseRfc3339("2003-10-12T00:14:15+02:00", &us));
  CHECK(us == 1065910455000000);
  REQUIRE(ParseRfc3339("2003-10-11T17:14:15.003-05:00", &us));
  CHECK(us == 1065910455003000);
  REQUIRE(ParseRfc3339("2003-10-11t22:14:15z", &us));
  CHECK(us == 1065910455000000);
  REQUIRE(ParseRfc3339("1969-12-31T23:59:59.5Z", &us));
  CHECK(us == -500000);
  REQUIRE(ParseRfc3339("2003-10-11T22:14:15.123456789Z", &us));  // nanoseconds truncated
  CHECK(us == 1065910455123456);
}

TEST_CASE("malformed timestamps are rejected", "[common][time]") {
  int64_t us;
  for (const char* bad :
       {"", "2003-10-11", "2003-10-11T22:14:15", "2003-13-11T22:14:15Z", "2003-02-30T00:00:00Z",
        "2003-10-11T24:00:00Z", "2003-10-11T22:14:15.Z", "2003-10-11T22:14:15+2:00",
        "2003-10-11T22:14:15.1234567890Z", "2003-10-11T22:14:15Zjunk", "20031011T221415Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad, &us));
  }
}

TEST_CASE("a bare date is midnight UTC", "[common][time]") {
  int64_t us;
  REQUIRE(ParseDateOrRfc3339("2026-10-01", &us));
  CHECK(FormatRfc3339(us) == "2026-10-01T00:00:00Z");
  CHECK_FALSE(ParseDateOrRfc3339("2026-10-32", &us));
}

TEST_CASE("formatting is UTC with the shortest exact fraction", "[common][time]") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(1065910455003000) == "2003-10-11T22:14:15.003Z");
  CHECK(FormatRfc3339(1065910455000003) == "2003-10-11T22:14:15.000003Z");
  CHECK(FormatRfc3339(-500000) == "1969-12-31T23:59:59.500Z");
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1700000000123456},
                     int64_t{-62135596800000000}}) {
    int64_t back;
    REQUIRE(ParseRfc3339(FormatRfc3339(us), &back));
    CHECK(back == us);
  }
}

}  // namespace
}  // namespace spard
