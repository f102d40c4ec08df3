// RFC 3339 timestamps <-> microseconds since the Unix epoch.
//
// Parsing is strict about the grammar of RFC 3339 §5.6 (with "t"/"z" accepted as the RFC allows)
// and takes up to 9 fractional digits, truncating below a microsecond. Calendar arithmetic is
// Howard Hinnant's date library; only the grammar is ours. Pure functions, thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spard {

// "2026-10-05T08:15:00.123Z", "2026-10-05T10:15:00+02:00". Out: µs since epoch (UTC).
bool ParseRfc3339(std::string_view s, int64_t* out_us);

// "2026-10-05" (midnight UTC) or any ParseRfc3339 form.
bool ParseDateOrRfc3339(std::string_view s, int64_t* out_us);

// Civil date-time with no offset ("2026-10-05T08:15:00[.ffffff]"); out: µs as if UTC.
// Used with a time zone for formats that carry local time.
bool ParseLocalDateTime(std::string_view s, int64_t* out_us);

// Always UTC with a "Z"; fraction only when non-zero: 3 digits if whole milliseconds, else 6.
std::string FormatRfc3339(int64_t us);
void AppendRfc3339(std::string* dst, int64_t us);

// µs since epoch from a civil date-time in UTC; false if the fields are out of range.
bool CivilToMicros(int year, int month, int day, int hour, int minute, int second, int64_t micros,
                   int64_t* out_us);

}  // namespace spard
