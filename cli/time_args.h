// Time arguments as people type them (--from, --to, --since, --interval) turned into what the
// API takes, and event times shown in local time.
//
// Dates and date-times without an offset are local time — the zone of $TZ, else the system's —
// because that is how an investigator reads "from the first of October". They go to the API as
// RFC 3339 with the zone's offset at that instant ("2026-10-01T00:00:00+02:00"), so the server
// needs no knowledge of the caller's zone. Across a DST change:
//   - a local time that does not exist (clocks jump 02:00 -> 03:00) means the instant the clocks
//     jumped: 2026-03-29T02:30 in Europe/Stockholm is 2026-03-29T03:00:00+02:00;
//   - a local time that occurs twice (03:00 -> 02:00) means its first occurrence: 2026-10-25T02:30
//     is 2026-10-25T02:30:00+02:00.
// Values with "Z" or an offset are taken as given.
//
// Thread-safety: pure functions over the read-only zone database; LocalTimeFormatter is a value
// with a cache (one per thread).

#pragma once

#include <date/tz.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spard::cli {

// The zone for local times: $TZ when it names a zone of the system database (":Europe/Stockholm"
// too), else the system's (/etc/localtime); nullptr, meaning UTC, when neither can be loaded.
const date::time_zone* LocalZone();

// Accepts:
//   2026-10-01                                  local midnight starting that day
//   2026-10-01T08:00, 2026-10-01 08:00:30.5     local date-time ('T' or a space)
//   2026-10-01T08:00:00Z, ...+02:00             as given (seconds may be left out)
//   today, yesterday                            local midnight
// Returns RFC 3339 with an offset. InvalidArgument naming `option` (e.g. "--from") otherwise.
Result<std::string> ResolveTimeArg(std::string_view option, std::string_view value,
                                   const date::time_zone* zone, int64_t now_us);

// "500ms", "90s", "30m", "24h", "7d", "2w": a positive duration. InvalidArgument naming `option`.
Result<std::chrono::milliseconds> ParseDuration(std::string_view option, std::string_view value);

// An instant as RFC 3339 with the zone's offset at that instant: "2026-10-01T00:00:00+02:00"
// (fraction only when non-zero, like the server's).
std::string FormatWithOffset(int64_t us, const date::time_zone* zone);

// Event times for tables: "2026-10-05 10:15:00" in the zone, to the second.
class LocalTimeFormatter {
 public:
  explicit LocalTimeFormatter(const date::time_zone* zone) : zone_(zone) {}
  std::string Format(int64_t us);

 private:
  const date::time_zone* zone_;
  // The zone's offset is constant between transitions; remember the last interval.
  int64_t begin_s_ = 1, end_s_ = 0, offset_s_ = 0;
};

}  // namespace spard::cli
