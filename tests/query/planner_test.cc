#include "query/planner.h"

#include <catch2/catch.hpp>

#include "common/time_format.h"

namespace spard {
namespace {

int64_t Now() {
  int64_t us;
  ParseDateOrRfc3339("2026-11-23", &us);
  return us;
}

TEST_CASE("the planner picks the most selective index", "[query][planner]") {
  EventFilter f;
  f.user = "anna";
  f.system = "procapita";
  f.subject = "650412-1234";
  f.object = "procapita:1";
  CHECK(MakePlan(f, false, Now()).index.kind == IndexKind::kObject);
  f.object.reset();
  CHECK(MakePlan(f, false, Now()).index.kind == IndexKind::kSubject);
  f.subject.reset();
  CHECK(MakePlan(f, false, Now()).index.kind == IndexKind::kUser);
  f.user.reset();
  CHECK(MakePlan(f, false, Now()).index.kind == IndexKind::kSystem);
  f.system.reset();
  f.action = "print";
  Plan p = MakePlan(f, true, Now());
  CHECK(p.index.kind == IndexKind::kTime);
  CHECK(p.index.descending);
  CHECK(p.has_residual);
}

TEST_CASE("filters the index answers are not checked again; the others are", "[query][planner]") {
  EventFilter f;
  f.object = "procapita:1";
  f.system = "procapita";
  Plan p = MakePlan(f, false, Now());
  CHECK(p.index.has_system);
  CHECK(p.index.system == "procapita");
  CHECK_FALSE(p.has_residual);  // object + system are both in the key

  f.user = "anna";
  p = MakePlan(f, false, Now());
  CHECK(p.has_residual);
  CHECK(p.residual[static_cast<size_t>(Field::kUser)]);
  CHECK_FALSE(p.residual[static_cast<size_t>(Field::kObject)]);
}

TEST_CASE("a personnummer filter searches the normal form", "[query][planner]") {
  EventFilter f;
  f.subject = "650412-1234";
  Plan p = MakePlan(f, false, Now());
  CHECK(p.index.term == "196504121234");
  CHECK(p.subject_normal == "196504121234");
}

TEST_CASE("residual filters compare decoded events", "[query][planner]") {
  EventFilter f;
  f.user = "anna";
  f.subject = "196504121234";
  f.action = "read";
  Plan p = MakePlan(f, false, Now());
  REQUIRE(p.index.kind == IndexKind::kSubject);
  EventView e;
  e.ts_us = Now();
  e.fields[static_cast<size_t>(Field::kUser)] = "anna";
  e.fields[static_cast<size_t>(Field::kSubject)] = "650412-1234";
  e.fields[static_cast<size_t>(Field::kAction)] = "read";
  CHECK(MatchesResidual(p, f, e));
  e.fields[static_cast<size_t>(Field::kAction)] = "print";
  CHECK_FALSE(MatchesResidual(p, f, e));
}

}  // namespace
}  // namespace spard
