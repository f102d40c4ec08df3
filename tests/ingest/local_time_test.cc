#include "ingest/local_time.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "common/time_format.h"

namespace spard {
namespace {

int64_t Us(std::string_view rfc3339) {
  int64_t us = 0;
  INFO(rfc3339);
  REQUIRE(ParseRfc3339(rfc3339, &us));
  return us;
}

std::unique_ptr<LocalTimeZone> Zone(std::string_view name) {
  auto z = LocalTimeZone::Load(name);
  INFO(name << ": " << z.status().message());
  REQUIRE(z.ok());
  return std::move(z).value();
}

CivilTime Civil(int year, int month, int day, int hour, int minute, int second, int micros = 0) {
  CivilTime t;
  t.year = year;
  t.month = static_cast<uint8_t>(month);
  t.day = static_cast<uint8_t>(day);
  t.hour = static_cast<uint8_t>(hour);
  t.minute = static_cast<uint8_t>(minute);
  t.second = static_cast<uint8_t>(second);
  t.micros = micros;
  return t;
}

// `t` converted in `zone`, received at `received` (RFC 3339), as RFC 3339 UTC.
std::string Convert(LocalTimeZone* zone, const CivilTime& t, std::string_view received) {
  int64_t us = 0;
  REQUIRE(zone->ToUtc(t, Us(received), &us));
  return FormatRfc3339(us);
}

TEST_CASE("local time: month abbreviations and zone designators", "[ingest]") {
  CHECK(MonthFromAbbreviation("Jan") == 1);
  CHECK(MonthFromAbbreviation("DEC") == 12);
  CHECK(MonthFromAbbreviation("sEp") == 9);
  CHECK(MonthFromAbbreviation("Ja") == 0);
  CHECK(MonthFromAbbreviation("Janu") == 0);
  CHECK(MonthFromAbbreviation("J@n") == 0);
  CHECK(MonthFromAbbreviation("\xca\xc1\xce") == 0);

  int32_t off = 1;
  CHECK(ParseZoneDesignator("UTC", &off));
  CHECK(off == 0);
  CHECK(ParseZoneDesignator("CEST", &off));
  CHECK(off == 7200);
  CHECK(ParseZoneDesignator("PST", &off));
  CHECK(off == -28800);
  CHECK(ParseZoneDesignator("+05:30", &off));
  CHECK(off == 19800);
  CHECK(ParseZoneDesignator("-0800", &off));
  CHECK(off == -28800);
  CHECK(ParseZoneDesignator("+01", &off));
  CHECK(off == 3600);
  CHECK(ParseZoneDesignator("GMT-03:00", &off));
  CHECK(off == -10800);
  for (std::string_view bad : {"", "utc", "XYZ", "+1", "+24:00", "+01:60", "+01:00x", "GMT+",
                               "Europe/Stockholm", "UTC+1"}) {
    INFO(bad);
    CHECK_FALSE(ParseZoneDesignator(bad, &off));
  }
}

TEST_CASE("local time: validity", "[ingest]") {
  CHECK(CivilTimeValid(Civil(0, 2, 29, 0, 0, 0)));  // no year: Feb 29 may be valid
  CHECK(CivilTimeValid(Civil(2024, 2, 29, 0, 0, 0)));
  CHECK_FALSE(CivilTimeValid(Civil(2026, 2, 29, 0, 0, 0)));
  CHECK_FALSE(CivilTimeValid(Civil(1900, 2, 29, 0, 0, 0)));
  CHECK(CivilTimeValid(Civil(2000, 2, 29, 0, 0, 0)));
  CHECK_FALSE(CivilTimeValid(Civil(2026, 4, 31, 0, 0, 0)));
  CHECK_FALSE(CivilTimeValid(Civil(2026, 13, 1, 0, 0, 0)));
  CHECK(CivilTimeValid(Civil(2026, 12, 31, 23, 59, 60)));
  CHECK_FALSE(CivilTimeValid(Civil(2026, 12, 31, 23, 59, 61)));
  CHECK_FALSE(CivilTimeValid(Civil(2026, 12, 31, 24, 0, 0)));
}

TEST_CASE("local time: ISO and clock parsing", "[ingest]") {
  CivilTime t;
  bool bad = false;
  CHECK(ParseIsoCivilTime("2026-02-10T10:00:01.5+01:00 rest", &t, &bad) == 27);
  CHECK(t.micros == 500000);
  CHECK(t.offset_seconds == 3600);
  CHECK(ParseIsoCivilTime("2026-02-10t10:00:01z", &t, &bad) == 20);
  CHECK(t.has_offset);
  CHECK(ParseIsoCivilTime("2026-02-10 10:00:01", &t, &bad) == 19);
  CHECK_FALSE(t.has_offset);
  CHECK(ParseIsoCivilTime("2026-02-10T10:00:01+1", &t, &bad) == 19);  // "+1" is not an offset
  CHECK_FALSE(bad);
  CHECK(ParseIsoCivilTime("2026-02-10", &t, &bad) == 0);
  CHECK_FALSE(bad);
  CHECK(ParseIsoCivilTime("2026-02-30T10:00:01Z", &t, &bad) == 0);
  CHECK(bad);
  bad = false;
  CHECK(ParseClockTime("10:61:00", &t, &bad) == 0);
  CHECK(bad);
  bad = false;
  CHECK(ParseClockTime("1:00:00", &t, &bad) == 0);
  CHECK_FALSE(bad);
}

TEST_CASE("local time: Load resolves IANA names and the host's zone", "[ingest]") {
  CHECK(Zone("Europe/Stockholm")->name() == "Europe/Stockholm");
  CHECK_FALSE(Zone("")->name().empty());
  auto missing = LocalTimeZone::Load("Mars/Olympus_Mons");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().IsNotFound());
  CHECK(missing.status().message().find("Mars/Olympus_Mons") != std::string::npos);
  CHECK_FALSE(LocalTimeZone::Load("../../etc/passwd").ok());
  CHECK(LocalTimeZone::Utc()->name() == "UTC");
}

TEST_CASE("local time: an explicit offset wins over the zone", "[ingest]") {
  auto z = Zone("Europe/Stockholm");
  CivilTime t = Civil(2026, 7, 1, 12, 0, 0, 250000);
  t.has_offset = true;
  t.offset_seconds = -5 * 3600;
  CHECK(Convert(z.get(), t, "2026-07-01T00:00:00Z") == "2026-07-01T17:00:00.250Z");
  t.year = 0;  // the year still comes from the receive time
  CHECK(Convert(z.get(), t, "2030-03-01T00:00:00Z") == "2030-07-01T17:00:00.250Z");
}

TEST_CASE("local time: the year nearest the receive time", "[ingest]") {
  auto z = Zone("Europe/Stockholm");
  // Dec 31 received just after midnight on Jan 1 (local): the old year.
  CHECK(Convert(z.get(), Civil(0, 12, 31, 23, 59, 59), "2026-12-31T23:00:05Z") ==
        "2026-12-31T22:59:59Z");
  // Jan 1 received just before midnight on Dec 31: the new year.
  CHECK(Convert(z.get(), Civil(0, 1, 1, 0, 0, 1), "2026-12-31T22:59:58Z") ==
        "2026-12-31T23:00:01Z");
  // Four months ahead is this year, eight months ahead is last year.
  CHECK(Convert(z.get(), Civil(0, 6, 10, 12, 0, 0), "2026-02-10T12:00:00Z") ==
        "2026-06-10T10:00:00Z");
  CHECK(Convert(z.get(), Civil(0, 10, 10, 12, 0, 0), "2026-02-10T12:00:00Z") ==
        "2025-10-10T10:00:00Z");
  // Feb 29: the nearest leap year.
  CHECK(Convert(z.get(), Civil(0, 2, 29, 12, 0, 0), "2026-02-10T12:00:00Z") ==
        "2024-02-29T11:00:00Z");
  CHECK(Convert(z.get(), Civil(0, 2, 29, 12, 0, 0), "2027-10-10T12:00:00Z") ==
        "2028-02-29T11:00:00Z");
  CHECK(Convert(z.get(), Civil(0, 2, 29, 12, 0, 0), "2100-03-01T00:00:00Z") ==
        "2104-02-29T11:00:00Z");  // 2100 is no leap year; 2104 is a day nearer than 2096
  // A leap second is the next second.
  CHECK(Convert(z.get(), Civil(2016, 12, 31, 23, 59, 60), "2017-01-01T00:00:00Z") ==
        "2016-12-31T23:00:00Z");
}

TEST_CASE("local time: DST in Europe/Stockholm", "[ingest]") {
  auto z = Zone("Europe/Stockholm");
  // 2026-03-29: 02:00 CET -> 03:00 CEST. 02:30 does not exist: the offset before the jump.
  CHECK(Convert(z.get(), Civil(2026, 3, 29, 1, 59, 59), "2026-03-29T02:00:00Z") ==
        "2026-03-29T00:59:59Z");
  CHECK(Convert(z.get(), Civil(2026, 3, 29, 2, 0, 0), "2026-03-29T02:00:00Z") ==
        "2026-03-29T01:00:00Z");
  CHECK(Convert(z.get(), Civil(2026, 3, 29, 2, 30, 0, 5), "2026-03-29T02:00:00Z") ==
        "2026-03-29T01:30:00.000005Z");
  CHECK(Convert(z.get(), Civil(2026, 3, 29, 3, 0, 0), "2026-03-29T02:00:00Z") ==
        "2026-03-29T01:00:00Z");
  // 2026-10-25: 03:00 CEST -> 02:00 CET. 02:30 happens at 00:30Z and 01:30Z: nearest wins.
  const CivilTime twice = Civil(2026, 10, 25, 2, 30, 0);
  CHECK(Convert(z.get(), twice, "2026-10-25T00:30:02Z") == "2026-10-25T00:30:00Z");
  CHECK(Convert(z.get(), twice, "2026-10-25T01:30:02Z") == "2026-10-25T01:30:00Z");
  CHECK(Convert(z.get(), twice, "2026-10-25T01:00:00Z") == "2026-10-25T00:30:00Z");  // a tie
  CHECK(Convert(z.get(), twice, "2030-01-01T00:00:00Z") == "2026-10-25T01:30:00Z");
  CHECK(Convert(z.get(), twice, "2020-01-01T00:00:00Z") == "2026-10-25T00:30:00Z");
  CHECK(Convert(z.get(), Civil(2026, 10, 25, 1, 59, 59), "2026-10-25T02:00:00Z") ==
        "2026-10-24T23:59:59Z");
  CHECK(Convert(z.get(), Civil(2026, 10, 25, 3, 0, 0), "2026-10-25T02:00:00Z") ==
        "2026-10-25T02:00:00Z");
}

TEST_CASE("local time: UTC fallback and the host zone convert without surprises", "[ingest]") {
  auto utc = LocalTimeZone::Utc();
  CHECK(Convert(utc.get(), Civil(0, 10, 11, 22, 14, 15), "2025-12-01T00:00:00Z") ==
        "2025-10-11T22:14:15Z");
  auto etc_utc = Zone("Etc/UTC");
  CHECK(Convert(etc_utc.get(), Civil(2025, 10, 11, 22, 14, 15), "2025-12-01T00:00:00Z") ==
        "2025-10-11T22:14:15Z");
}

TEST_CASE("local time: the offset cache never changes a result", "[ingest]") {
  // Two years of local times, 37 minutes apart, through four DST changes, in two zones: one
  // long-lived LocalTimeZone (its cache warm, then crossing transitions) against a fresh one.
  for (std::string_view name : {"Europe/Stockholm", "America/Sao_Paulo"}) {
    auto cached = Zone(name);
    int minute_of_day = 0;
    for (int y = 2025; y <= 2026; ++y) {
      for (int mo = 1; mo <= 12; ++mo) {
        for (int d = 1; d <= 31; ++d) {
          if (!CivilTimeValid(Civil(y, mo, d, 0, 0, 0))) continue;
          for (; minute_of_day < 24 * 60; minute_of_day += 37) {
            const CivilTime t = Civil(y, mo, d, minute_of_day / 60, minute_of_day % 60, 0);
            int64_t received = 0;
            REQUIRE(CivilToMicros(y, mo, d, t.hour, t.minute, 0, 0, &received));
            int64_t a = 0;
            int64_t b = 0;
            REQUIRE(cached->ToUtc(t, received, &a));
            REQUIRE(Zone(name)->ToUtc(t, received, &b));
            INFO(name << " " << y << "-" << mo << "-" << d << " minute " << minute_of_day);
            REQUIRE(a == b);
          }
          minute_of_day -= 24 * 60;
        }
      }
    }
  }
}

}  // namespace
}  // namespace spard
