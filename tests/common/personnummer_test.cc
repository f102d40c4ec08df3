#include "common/personnummer.h"

#include <catch2/catch.hpp>

#include "common/time_format.h"

namespace spard {
namespace {

int64_t Date(const char* s) {
  int64_t us = 0;
  REQUIRE(ParseDateOrRfc3339(s, &us));
  return us;
}

TEST_CASE("every written form normalises to the same 12 digits", "[common][personnummer]") {
  int64_t ref = Date("2026-11-23");
  std::string out;
  for (const char* form :
       {"19650412-1234", "196504121234", "650412-1234", "6504121234", "19650412+1234"}) {
    INFO(form);
    REQUIRE(NormalizePersonnummer(form, ref, &out));
    CHECK(out == "196504121234");
  }
}

TEST_CASE("the century makes the person younger than 100, or older with +",
          "[common][personnummer]") {
  std::string out;
  // 121212-1212 written in 2026: born 2012. With '+': born 1912.
  REQUIRE(NormalizePersonnummer("121212-1212", Date("2026-11-23"), &out));
  CHECK(out == "201212121212");
  REQUIRE(NormalizePersonnummer("121212+1212", Date("2026-11-23"), &out));
  CHECK(out == "191212121212");
  // Written in 2011, before that 2012 birthday existed: 1912.
  REQUIRE(NormalizePersonnummer("121212-1212", Date("2011-01-01"), &out));
  CHECK(out == "191212121212");
  // Born 1926-12-01, written on 2026-11-23 (still 99): 19xx; written on 2026-12-02: turned 100,
  // so the same digits without '+' would be a person born 2026.
  REQUIRE(NormalizePersonnummer("2612012381", Date("2026-11-23"), &out));
  CHECK(out == "192612012381");
}

TEST_CASE("samordningsnummer keep their day + 60", "[common][personnummer]") {
  std::string out;
  // Day 12 + 60 = 72.
  REQUIRE(NormalizePersonnummer("19650472-1231", Date("2026-01-01"), &out));
  CHECK(out == "196504721231");
  REQUIRE(NormalizePersonnummer("650472-1231", Date("2026-01-01"), &out));
  CHECK(out == "196504721231");
}

TEST_CASE("invalid numbers are not personnummer and stay as given", "[common][personnummer]") {
  std::string out;
  int64_t ref = Date("2026-01-01");
  CHECK_FALSE(NormalizePersonnummer("19650412-1235", ref, &out));  // check digit
  CHECK_FALSE(NormalizePersonnummer("19651312-1234", ref, &out));  // month 13
  CHECK_FALSE(NormalizePersonnummer("19650230-1234", ref, &out));  // 30 February
  CHECK_FALSE(NormalizePersonnummer("1965041-21234", ref, &out));  // separator misplaced
  CHECK_FALSE(NormalizePersonnummer("abcdefghijkl", ref, &out));
  CHECK_FALSE(NormalizePersonnummer("", ref, &out));
  CHECK(NormalizeSubject("case-7", ref) == "case-7");
  CHECK(NormalizeSubject("19650412-1235", ref) == "19650412-1235");
  CHECK(NormalizeSubject("650412-1234", ref) == "196504121234");
}

}  // namespace
}  // namespace spard
