#include "query/output.h"

#include <catch2/catch.hpp>

#include "query/http_server.h"

namespace spard {
namespace {

TEST_CASE("CSV rows quote what needs quoting and keep invalid UTF-8 visible", "[query][output]") {
  EventView e;
  e.id = 7;
  e.ts_us = 0;
  e.received_us = 1000;
  e.fields[static_cast<size_t>(Field::kUser)] = "anna, \"the\" admin";
  e.fields[static_cast<size_t>(Field::kReason)] = "line1\nline2";
  std::string bad("x\xff", 2);
  e.fields[static_cast<size_t>(Field::kObject)] = bad;
  std::string out;
  AppendEventCsv(&out, e);
  CHECK(out ==
        "7,1970-01-01T00:00:00Z,1970-01-01T00:00:00.001Z,,\"anna, \"\"the\"\" admin\",,x\\xFF,,,,,"
        "\"line1\nline2\",{}\r\n");
}

TEST_CASE("query strings are percent-decoded", "[query][http]") {
  ParamList p;
  REQUIRE(ParseQueryString(
      "user=kommun%5Canna&subject=19650412-1234&from=2026-10-01T10%3A00%3A00%2B02%3A00&x=a+b&flag",
      &p));
  REQUIRE(p.size() == 5);
  CHECK(p[0] == std::pair<std::string, std::string>("user", "kommun\\anna"));
  CHECK(p[2].second == "2026-10-01T10:00:00+02:00");
  CHECK(p[3].second == "a b");
  CHECK(p[4] == std::pair<std::string, std::string>("flag", ""));
  ParamList bad;
  CHECK_FALSE(ParseQueryString("a=%zz", &bad));
  CHECK_FALSE(ParseQueryString("a=%4", &bad));
}

}  // namespace
}  // namespace spard
