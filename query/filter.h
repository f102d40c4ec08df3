// EventFilter: the question of GET /v1/events and /v1/events/count (SPEC §4), parsed from query
// parameters with errors that name the parameter.
//
// Thread-safety: values.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/event.h"
#include "common/status.h"
#include "store/memory_segment.h"  // TimeRange

namespace spard {

using ParamList = std::vector<std::pair<std::string, std::string>>;

struct EventFilter {
  std::optional<std::string> user, object, subject, system, action, outcome;
  TimeRange range;  // on the event's ts: from inclusive, to exclusive

  // The caller's access scope, not query parameters (and not part of Canonical()): events of
  // systems outside it are invisible.
  std::vector<std::string> scope_systems;  // empty: every system
  uint64_t max_id = 0;  // nonzero: events committed after this id are invisible (a stable answer)
  bool InScope(std::string_view system) const;

  const std::optional<std::string>& field(Field f) const;
  // A stable text form of the filter, for binding cursors to the query that made them.
  std::string Canonical() const;
};

enum class OutputFormat { kJson, kNdjson, kCsv };

struct EventsRequest {
  EventFilter filter;
  size_t limit = 100;
  bool descending = false;
  std::string cursor;  // opaque, as given
  OutputFormat format = OutputFormat::kJson;
};

inline constexpr size_t kDefaultLimit = 100;
inline constexpr size_t kMaxLimit = 10000;

// Parses the parameters of GET /v1/events. Unknown, repeated or empty parameters are errors: a
// typo must not silently widen an investigation.
Status ParseEventsRequest(const ParamList& params, EventsRequest* out);
// Parses the parameters of GET /v1/events/count (filters only).
Status ParseCountRequest(const ParamList& params, EventFilter* out);

}  // namespace spard
