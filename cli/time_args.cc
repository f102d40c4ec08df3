#include "cli/time_args.h"

#include <cstdlib>
#include <exception>
#include <limits>

#include "common/time_format.h"

namespace spard::cli {

namespace {

using std::chrono::microseconds;
constexpr int64_t kMicrosPerSecond = 1'000'000;

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

enum class Suffix { kNone, kZulu, kOffset };

// "YYYY-MM-DD[(T|t| )HH:MM[:SS[.frac]]][Z|±HH:MM|±HHMM]". Out: the civil time as µs "as if UTC"
// and the offset. False when it is not that shape or a field is out of range.
bool ParseTimeText(std::string_view s, int64_t* civil_us, Suffix* suffix, int* offset_s) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day)) {
    return false;
  }
  size_t pos = 10;
  int64_t micros = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    if (!Digits(s, pos + 1, 2, &hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &minute)) {
      return false;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &second)) return false;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        size_t start = ++pos;
        int64_t scale = 100000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (pos - start >= 9) return false;
          micros += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return false;
      }
    }
  }
  *suffix = Suffix::kNone;
  *offset_s = 0;
  std::string_view rest = s.substr(pos);
  if (rest == "Z" || rest == "z") {
    *suffix = Suffix::kZulu;
  } else if (!rest.empty()) {
    int oh, om;
    bool colon = rest.size() == 6 && rest[3] == ':';
    if ((rest[0] != '+' && rest[0] != '-') || (rest.size() != 5 && !colon) ||
        !Digits(rest, 1, 2, &oh) || !Digits(rest, colon ? 4 : 3, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    *suffix = Suffix::kOffset;
    *offset_s = (oh * 60 + om) * 60 * (rest[0] == '-' ? -1 : 1);
  }
  return CivilToMicros(year, month, day, hour, minute, second, micros, civil_us);
}

// The civil time of `us` shifted by offset_s, formatted as RFC 3339 with that offset.
std::string FormatAtOffset(int64_t us, int offset_s) {
  std::string s;
  AppendRfc3339(&s, us + int64_t{offset_s} * kMicrosPerSecond);  // "...Z"
  s.pop_back();
  int a = std::abs(offset_s) / 60;
  char buf[24];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 60, a % 60);
  s += buf;
  return s;
}

int OffsetAt(int64_t us, const date::time_zone* zone) {
  if (zone == nullptr) return 0;
  date::sys_seconds t{std::chrono::seconds{FloorDiv(us, kMicrosPerSecond)}};
  return static_cast<int>(zone->get_info(t).offset.count());
}

// Local civil µs -> UTC µs with the DST rules in the header.
int64_t LocalToUtc(int64_t civil_us, const date::time_zone* zone) {
  if (zone == nullptr) return civil_us;
  date::local_time<microseconds> local{microseconds{civil_us}};
  return zone->to_sys(local, date::choose::earliest).time_since_epoch().count();
}

}  // namespace

const date::time_zone* LocalZone() {
  static const date::time_zone* const zone = []() -> const date::time_zone* {
    if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
      std::string name(tz[0] == ':' ? tz + 1 : tz);
      if (size_t p = name.find("zoneinfo/"); p != std::string::npos) name.erase(0, p + 9);
      try {
        return date::locate_zone(name);
      } catch (const std::exception&) {
        // A POSIX rule string ("CET-1CEST") or an unknown name: use the system's zone.
      }
    }
    try {
      return date::current_zone();
    } catch (const std::exception&) {
      return nullptr;
    }
  }();
  return zone;
}

Result<std::string> ResolveTimeArg(std::string_view option, std::string_view value,
                                   const date::time_zone* zone, int64_t now_us) {
  if (value == "today" || value == "yesterday") {
    int64_t local_us = now_us + int64_t{OffsetAt(now_us, zone)} * kMicrosPerSecond;
    int64_t day_us = 86400 * kMicrosPerSecond;
    int64_t midnight = FloorDiv(local_us, day_us) * day_us - (value == "yesterday" ? day_us : 0);
    return FormatWithOffset(LocalToUtc(midnight, zone), zone);
  }
  int64_t civil_us;
  Suffix suffix;
  int offset_s;
  if (!ParseTimeText(value, &civil_us, &suffix, &offset_s)) {
    return Status::InvalidArgument(
        std::string(option) + ": '" + std::string(value) +
        "' is not a time; use a date (2026-10-01), a local date-time (2026-10-01T08:00), one "
        "with an offset (2026-10-01T08:00:00+02:00, ...Z), today or yesterday");
  }
  switch (suffix) {
    case Suffix::kZulu:
      return FormatRfc3339(civil_us);
    case Suffix::kOffset:
      return FormatAtOffset(civil_us - int64_t{offset_s} * kMicrosPerSecond, offset_s);
    case Suffix::kNone:
      break;
  }
  return FormatWithOffset(LocalToUtc(civil_us, zone), zone);
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view option, std::string_view value) {
  size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
  std::string_view unit = value.substr(digits);
  int64_t per_unit = 0;
  if (unit == "ms") {
    per_unit = 1;
  } else if (unit == "s") {
    per_unit = 1000;
  } else if (unit == "m") {
    per_unit = 60'000;
  } else if (unit == "h") {
    per_unit = 3'600'000;
  } else if (unit == "d") {
    per_unit = 86'400'000;
  } else if (unit == "w") {
    per_unit = 604'800'000;
  }
  int64_t n = 0;
  bool ok = digits > 0 && digits <= 9 && per_unit > 0;
  for (size_t i = 0; ok && i < digits; ++i) n = n * 10 + (value[i] - '0');
  if (!ok || n == 0) {
    return Status::InvalidArgument(std::string(option) + ": '" + std::string(value) +
                                   "' is not a duration; use a number and a unit: 90s, 30m, 24h, "
                                   "7d, 2w (or 500ms)");
  }
  return std::chrono::milliseconds{n * per_unit};
}

std::string FormatWithOffset(int64_t us, const date::time_zone* zone) {
  if (zone == nullptr) return FormatRfc3339(us);
  return FormatAtOffset(us, OffsetAt(us, zone));
}

std::string LocalTimeFormatter::Format(int64_t us) {
  int64_t secs = FloorDiv(us, kMicrosPerSecond);
  if (zone_ != nullptr && (secs < begin_s_ || secs >= end_s_)) {
    date::sys_info info = zone_->get_info(date::sys_seconds{std::chrono::seconds{secs}});
    begin_s_ = info.begin.time_since_epoch().count();
    end_s_ = info.end.time_since_epoch().count();
    offset_s_ = info.offset.count();
  }
  int64_t local = secs + (zone_ != nullptr ? offset_s_ : 0);
  int64_t days = FloorDiv(local, 86400);
  int64_t sod = local - days * 86400;
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

}  // namespace spard::cli
