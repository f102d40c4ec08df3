#include "query/filter.h"

#include <catch2/catch.hpp>

#include "common/time_format.h"
#include "query/cursor.h"

namespace spard {
namespace {

std::string ErrorOf(const ParamList& params) {
  EventsRequest r;
  Status s = ParseEventsRequest(params, &r);
  return s.ok() ? "" : s.message();
}

TEST_CASE("events parameters parse with SPEC defaults", "[query][filter]") {
  EventsRequest r;
  REQUIRE(ParseEventsRequest({{"user", "anna"},
                              {"from", "2026-10-01"},
                              {"to", "2026-10-02T00:00:00+02:00"},
                              {"order", "desc"},
                              {"limit", "250"},
                              {"format", "csv"}},
                             &r)
              .ok());
  CHECK(*r.filter.user == "anna");
  CHECK(FormatRfc3339(r.filter.range.from) == "2026-10-01T00:00:00Z");
  CHECK(FormatRfc3339(r.filter.range.to) == "2026-10-01T22:00:00Z");
  CHECK(r.descending);
  CHECK(r.limit == 250);
  CHECK(r.format == OutputFormat::kCsv);
  EventsRequest d;
  REQUIRE(ParseEventsRequest({}, &d).ok());
  CHECK(d.limit == 100);
  CHECK_FALSE(d.descending);
  CHECK(d.format == OutputFormat::kJson);
}

TEST_CASE("an offset whose '+' was not URL-encoded still parses", "[query][filter]") {
  EventsRequest r;
  REQUIRE(ParseEventsRequest({{"from", "2026-10-01T10:00:00 02:00"}}, &r).ok());
  CHECK(FormatRfc3339(r.filter.range.from) == "2026-10-01T08:00:00Z");
}

TEST_CASE("bad parameters are errors naming the parameter", "[query][filter]") {
  CHECK(ErrorOf({{"limit", "0"}}).starts_with("limit:"));
  CHECK(ErrorOf({{"limit", "10001"}}).starts_with("limit:"));
  CHECK(ErrorOf({{"limit", "5x"}}).starts_with("limit:"));
  CHECK(ErrorOf({{"order", "ASC"}}).starts_with("order:"));
  CHECK(ErrorOf({{"format", "xml"}}).starts_with("format:"));
  CHECK(ErrorOf({{"from", "2026-10-01 08:00"}}).starts_with("from:"));
  CHECK(ErrorOf({{"to", "soon"}}).starts_with("to:"));
  CHECK(ErrorOf({{"from", "2026-10-02"}, {"to", "2026-10-01"}}).starts_with("from:"));
  CHECK(ErrorOf({{"subject", ""}}).starts_with("subject:"));
  CHECK(ErrorOf({{"user", "a"}, {"user", "b"}}).starts_with("user:"));
  CHECK(ErrorOf({{"userr", "a"}}).starts_with("userr:"));
  EventFilter f;
  CHECK(ParseCountRequest({{"limit", "5"}}, &f).message().starts_with("limit:"));
}

TEST_CASE("cursors round-trip and are refused for another query", "[query][cursor]") {
  EventFilter f;
  f.user = "anna";
  std::string c = EncodeCursor(IndexEntry{1759652100000000, 42}, false, f);
  IndexEntry pos;
  REQUIRE(DecodeCursor(c, false, f, &pos).ok());
  CHECK(pos == IndexEntry{1759652100000000, 42});
  CHECK_FALSE(DecodeCursor(c, true, f, &pos).ok());
  EventFilter other = f;
  other.user = "bo";
  CHECK(DecodeCursor(c, false, other, &pos).message().starts_with("cursor:"));
  CHECK_FALSE(DecodeCursor("AAAA", false, f, &pos).ok());
  CHECK_FALSE(DecodeCursor(c.substr(1), false, f, &pos).ok());
}

}  // namespace
}  // namespace spard
