// The query planner: which index answers an EventFilter, and which filters remain to be
// checked on the decoded events.
//
// The most selective index among the given filters wins: object (with its system when given),
// then subject, then user, then system, else the time index over the window. Typical
// cardinalities make this order right without statistics: an object is touched a few times, a
// person's records a few hundred, a user thousands, a system millions.
//
// Thread-safety: pure functions.

#pragma once

#include <array>
#include <string>

#include "query/filter.h"
#include "store/event_codec.h"
#include "store/index_reader.h"

namespace spard {

struct Plan {
  IndexQuery index;
  // Fields that the chosen index does not guarantee; checked on each decoded event.
  std::array<bool, kFieldCount> residual{};
  bool scope_residual = false;  // the caller's system scope must be checked on each event
  bool has_residual = false;
  std::string subject_normal;  // the filter's subject in normal form, when filtered on
};

// `now_us` is the reference date for a 10-digit personnummer in the filter.
Plan MakePlan(const EventFilter& filter, bool descending, int64_t now_us);

// True when a decoded event satisfies the plan's residual filters.
bool MatchesResidual(const Plan& plan, const EventFilter& filter, const EventView& event);

}  // namespace spard
