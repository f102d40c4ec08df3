#include "cli/time_args.h"

#include <catch2/catch.hpp>

#include "common/time_format.h"

namespace spard::cli {
namespace {

const date::time_zone* Stockholm() { return date::locate_zone("Europe/Stockholm"); }

int64_t Utc(std::string_view rfc3339) {
  int64_t us = 0;
  REQUIRE(ParseRfc3339(rfc3339, &us));
  return us;
}

std::string Resolve(std::string_view value, int64_t now_us = 0) {
  auto r = ResolveTimeArg("--from", value, Stockholm(), now_us);
  REQUIRE(r.ok());
  return *r;
}

std::string ErrorOf(std::string_view value) {
  auto r = ResolveTimeArg("--from", value, Stockholm(), 0);
  return r.ok() ? "" : r.status().message();
}

TEST_CASE("a date is local midnight, with the offset of that day", "[cli][time_args]") {
  CHECK(Resolve("2026-10-01") == "2026-10-01T00:00:00+02:00");  // CEST
  CHECK(Resolve("2026-12-01") == "2026-12-01T00:00:00+01:00");  // CET
  // The days of the DST changes start before the change.
  CHECK(Resolve("2026-03-29") == "2026-03-29T00:00:00+01:00");
  CHECK(Resolve("2026-03-30") == "2026-03-30T00:00:00+02:00");
  CHECK(Resolve("2026-10-25") == "2026-10-25T00:00:00+02:00");
  CHECK(Resolve("2026-10-26") == "2026-10-26T00:00:00+01:00");
}

TEST_CASE("the day of the autumn change is 25 hours long in local dates", "[cli][time_args]") {
  int64_t from = Utc(Resolve("2026-10-25"));
  int64_t to = Utc(Resolve("2026-10-26"));
  CHECK(to - from == int64_t{25} * 3600 * 1000000);
  int64_t spring_from = Utc(Resolve("2026-03-29"));
  int64_t spring_to = Utc(Resolve("2026-03-30"));
  CHECK(spring_to - spring_from == int64_t{23} * 3600 * 1000000);
}

TEST_CASE("local date-times take 'T' or a space, seconds and fractions optional",
          "[cli][time_args]") {
  CHECK(Resolve("2026-10-01T08:00") == "2026-10-01T08:00:00+02:00");
  CHECK(Resolve("2026-10-01 08:00:30") == "2026-10-01T08:00:30+02:00");
  CHECK(Resolve("2026-10-01T08:00:30.5") == "2026-10-01T08:00:30.500+02:00");
  CHECK(Resolve("2026-01-15T17:45") == "2026-01-15T17:45:00+01:00");
}

TEST_CASE("a local time skipped by spring-forward means the moment the clocks jumped",
          "[cli][time_args]") {
  // 2026-03-29: 02:00 CET -> 03:00 CEST; 02:30 does not exist.
  CHECK(Resolve("2026-03-29T02:30") == "2026-03-29T03:00:00+02:00");
  CHECK(Resolve("2026-03-29T02:00") == "2026-03-29T03:00:00+02:00");
  CHECK(Resolve("2026-03-29T01:59:59") == "2026-03-29T01:59:59+01:00");
  CHECK(Resolve("2026-03-29T03:00") == "2026-03-29T03:00:00+02:00");
}

TEST_CASE("a local time repeated by fall-back means its first occurrence", "[cli][time_args]") {
  // 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 happens twice.
  CHECK(Resolve("2026-10-25T02:30") == "2026-10-25T02:30:00+02:00");
  CHECK(Resolve("2026-10-25T03:00") == "2026-10-25T03:00:00+01:00");
  CHECK(Resolve("2026-10-25T01:59") == "2026-10-25T01:59:00+02:00");
}

TEST_CASE("times with Z or an offset are taken as given", "[cli][time_args]") {
  CHECK(Resolve("2026-10-01T08:00:00Z") == "2026-10-01T08:00:00Z");
  CHECK(Resolve("2026-10-01T08:00Z") == "2026-10-01T08:00:00Z");
  CHECK(Resolve("2026-10-01T08:00:00+05:30") == "2026-10-01T08:00:00+05:30");
  CHECK(Resolve("2026-10-01T08:00-0400") == "2026-10-01T08:00:00-04:00");
  CHECK(Resolve("2026-10-01T08:00:00.123456z") == "2026-10-01T08:00:00.123456Z");
}

TEST_CASE("today and yesterday are local midnights", "[cli][time_args]") {
  // 2026-10-05T23:30:00Z is already 2026-10-06 in Stockholm.
  int64_t now = Utc("2026-10-05T23:30:00Z");
  CHECK(Resolve("today", now) == "2026-10-06T00:00:00+02:00");
  CHECK(Resolve("yesterday", now) == "2026-10-05T00:00:00+02:00");
  // The Monday after the autumn change: yesterday was 25 hours long and started at +02:00.
  now = Utc("2026-10-26T10:00:00Z");
  CHECK(Resolve("today", now) == "2026-10-26T00:00:00+01:00");
  CHECK(Resolve("yesterday", now) == "2026-10-25T00:00:00+02:00");
}

TEST_CASE("bad times are usage errors naming the option", "[cli][time_args]") {
  for (std::string_view bad :
       {"2026-13-01", "2026-02-30", "2026-10-01T25:00", "2026-10-1", "01/10/2026", "tomorrow", "",
        "2026-10-01T08:00+2", "2026-10-01T08:00:00+24:00", "2026-10-01Tjunk"}) {
    INFO(bad);
    CHECK(ErrorOf(bad).starts_with("--from: '"));
  }
  auto r = ResolveTimeArg("--to", "nope", Stockholm(), 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsInvalidArgument());
  CHECK(r.status().message().starts_with("--to:"));
}

TEST_CASE("UTC when no zone could be loaded", "[cli][time_args]") {
  auto r = ResolveTimeArg("--from", "2026-10-01T08:00", nullptr, 0);
  REQUIRE(r.ok());
  CHECK(*r == "2026-10-01T08:00:00Z");
}

TEST_CASE("durations for --since and --interval", "[cli][time_args]") {
  using std::chrono::milliseconds;
  auto ms = [](std::string_view v) {
    auto r = ParseDuration("--since", v);
    REQUIRE(r.ok());
    return r->count();
  };
  CHECK(ms("7d") == 7 * 86400 * 1000LL);
  CHECK(ms("24h") == 24 * 3600 * 1000LL);
  CHECK(ms("30m") == 30 * 60 * 1000LL);
  CHECK(ms("2w") == 14 * 86400 * 1000LL);
  CHECK(ms("90s") == 90 * 1000LL);
  CHECK(ms("500ms") == 500);
  for (std::string_view bad :
       {"", "7", "d", "0d", "-1d", "1.5h", "7 d", "7D", "1y", "9999999999d"}) {
    INFO(bad);
    auto r = ParseDuration("--since", bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().starts_with("--since: '"));
  }
}

TEST_CASE("since resolves against now, in local time", "[cli][time_args]") {
  int64_t now = Utc("2026-10-08T10:00:00Z");
  auto d = ParseDuration("--since", "7d");
  REQUIRE(d.ok());
  CHECK(FormatWithOffset(now - d->count() * 1000, Stockholm()) == "2026-10-01T12:00:00+02:00");
  // Across the change the offset is the one at the resulting instant.
  now = Utc("2026-10-26T10:00:00Z");
  CHECK(FormatWithOffset(now - d->count() * 1000, Stockholm()) == "2026-10-19T12:00:00+02:00");
}

TEST_CASE("event times in tables are local, to the second", "[cli][time_args]") {
  LocalTimeFormatter f(Stockholm());
  CHECK(f.Format(Utc("2026-07-01T12:00:00.999Z")) == "2026-07-01 14:00:00");
  CHECK(f.Format(Utc("2026-01-01T12:00:00Z")) == "2026-01-01 13:00:00");
  // The repeated hour: the same wall time twice, an hour apart.
  CHECK(f.Format(Utc("2026-10-25T00:30:00Z")) == "2026-10-25 02:30:00");
  CHECK(f.Format(Utc("2026-10-25T01:30:00Z")) == "2026-10-25 02:30:00");
  // Back and forth across a transition (the cached interval must not stick).
  CHECK(f.Format(Utc("2026-07-01T00:00:00Z")) == "2026-07-01 02:00:00");
  CHECK(f.Format(Utc("1969-12-31T23:59:59.5Z")) == "1970-01-01 00:59:59");
  LocalTimeFormatter utc(nullptr);
  CHECK(utc.Format(Utc("2026-07-01T12:00:00Z")) == "2026-07-01 12:00:00");
}

}  // namespace
}  // namespace spard::cli
