#include "ingest/local_time.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <limits>

#include "common/time_format.h"

namespace spard {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// n digits at s[pos..]; false if there are fewer.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && (year == 0 || IsLeapYear(year))) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

// "+hh", "+hhmm", "+hh:mm" (hh <= 23, mm <= 59) at the start of s; bytes consumed or 0.
size_t ParseNumericOffset(std::string_view s, int32_t* offset_seconds) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return 0;
  int hh = 0;
  int mm = 0;
  if (!Digits(s, 1, 2, &hh) || hh > 23) return 0;
  size_t n = 3;
  if (s.size() >= 6 && s[3] == ':' && Digits(s, 4, 2, &mm)) {
    n = 6;
  } else if (s.size() >= 5 && Digits(s, 3, 2, &mm)) {
    n = 5;
  }
  if (mm > 59) return 0;
  const int32_t v = (hh * 60 + mm) * 60;
  *offset_seconds = s[0] == '-' ? -v : v;
  return n;
}

struct NamedOffset {
  std::string_view name;
  int32_t offset_seconds;
};

constexpr std::array<NamedOffset, 20> kZoneAbbreviations = {{
    {"Z", 0},        {"UT", 0},       {"UTC", 0},      {"GMT", 0},      {"WET", 0},
    {"WEST", 3600},  {"CET", 3600},   {"CEST", 7200},  {"MET", 3600},   {"MEST", 7200},
    {"EET", 7200},   {"EEST", 10800}, {"EST", -18000}, {"EDT", -14400}, {"CST", -21600},
    {"CDT", -18000}, {"MST", -25200}, {"MDT", -21600}, {"PST", -28800}, {"PDT", -25200},
}};

}  // namespace

int MonthFromAbbreviation(std::string_view text) {
  if (text.size() != 3) return 0;
  // c | 0x20 lowercases ASCII letters and maps no other byte onto a lowercase letter.
  const char a = static_cast<char>(text[0] | 0x20);
  const char b = static_cast<char>(text[1] | 0x20);
  const char c = static_cast<char>(text[2] | 0x20);
  static constexpr std::string_view kNames = "janfebmaraprmayjunjulaugsepoctnovdec";
  for (size_t i = 0; i < 12; ++i) {
    if (kNames[3 * i] == a && kNames[3 * i + 1] == b && kNames[3 * i + 2] == c) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

bool ParseZoneDesignator(std::string_view text, int32_t* offset_seconds) {
  if (text.empty()) return false;
  if (text[0] == '+' || text[0] == '-') {
    return ParseNumericOffset(text, offset_seconds) == text.size();
  }
  for (std::string_view prefix : {std::string_view("UTC"), std::string_view("GMT")}) {
    if (text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix) {
      const std::string_view rest = text.substr(prefix.size());
      return ParseNumericOffset(rest, offset_seconds) == rest.size();
    }
  }
  for (const NamedOffset& z : kZoneAbbreviations) {
    if (z.name == text) {
      *offset_seconds = z.offset_seconds;
      return true;
    }
  }
  return false;
}

bool CivilTimeValid(const CivilTime& t) {
  if (t.year < 0 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1) return false;
  if (t.day > DaysInMonth(t.year, t.month)) return false;
  if (t.hour > 23 || t.minute > 59 || t.second > 60) return false;
  if (t.micros < 0 || t.micros >= kMicrosPerSecond) return false;
  return !t.has_offset || std::abs(t.offset_seconds) < kSecondsPerDay;
}

size_t ParseClockTime(std::string_view s, CivilTime* out, bool* bad) {
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!Digits(s, 0, 2, &hh) || s.size() < 8 || s[2] != ':' || !Digits(s, 3, 2, &mm) ||
      s[5] != ':' || !Digits(s, 6, 2, &ss)) {
    return 0;
  }
  if (hh > 23 || mm > 59 || ss > 60) {
    *bad = true;
    return 0;
  }
  size_t pos = 8;
  int32_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int32_t scale = 100000;
    while (pos < s.size() && IsDigit(s[pos])) {
      micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  out->hour = static_cast<uint8_t>(hh);
  out->minute = static_cast<uint8_t>(mm);
  out->second = static_cast<uint8_t>(ss);
  out->micros = micros;
  return pos;
}

size_t ParseIsoCivilTime(std::string_view s, CivilTime* out, bool* bad) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (s.size() < 19 || !Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) {
    return 0;
  }
  CivilTime t;
  size_t pos = 11;
  const size_t clock = ParseClockTime(s.substr(pos), &t, bad);
  if (clock == 0) return 0;
  pos += clock;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    t.has_offset = true;
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const size_t n = ParseNumericOffset(s.substr(pos), &t.offset_seconds);
    if (n != 0) {
      t.has_offset = true;
      pos += n;
    }
  }
  t.year = year;
  t.month = static_cast<uint8_t>(month < 1 || month > 12 ? 0 : month);
  t.day = static_cast<uint8_t>(day > 31 ? 0 : day);
  if (year == 0 || !CivilTimeValid(t)) {
    *bad = true;
    return 0;
  }
  *out = t;
  return pos;
}

// --- LocalTimeZone -------------------------------------------------------------------------------

struct LocalTimeZone::Impl {
  const date::time_zone* zone = nullptr;  // nullptr: UTC without the database
  std::string name;

  // The offset period of the last sys -> offset lookup: [sys_begin, sys_end) in seconds.
  int64_t sys_begin = 1;
  int64_t sys_end = 0;
  int32_t sys_offset = 0;
  // A local-time range, well inside the last local -> sys lookup's period, where that mapping
  // is unique: [local_begin, local_end) in local seconds.
  int64_t local_begin = 1;
  int64_t local_end = 0;
  int32_t local_offset = 0;

  // Clamps a bound of a sys_info period (the last one may end at the end of time) so that
  // adding an offset or a day cannot overflow.
  static int64_t Clamp(int64_t s) {
    constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 4;
    return s > kLimit ? kLimit : s < -kLimit ? -kLimit : s;
  }

  int32_t OffsetAt(int64_t sys_s) {
    if (zone == nullptr) return 0;
    if (sys_s >= sys_begin && sys_s < sys_end) return sys_offset;
    const date::sys_info info = zone->get_info(date::sys_seconds{std::chrono::seconds{sys_s}});
    sys_begin = Clamp(info.begin.time_since_epoch().count());
    sys_end = Clamp(info.end.time_since_epoch().count());
    sys_offset = static_cast<int32_t>(info.offset.count());
    return sys_offset;
  }

  int64_t LocalToSys(int64_t local_s, int64_t received_s) {
    if (zone == nullptr) return local_s;
    if (local_s >= local_begin && local_s < local_end) return local_s - local_offset;
    const date::local_info li = zone->get_info(date::local_seconds{std::chrono::seconds{local_s}});
    const int64_t first = local_s - li.first.offset.count();
    switch (li.result) {
      case date::local_info::unique: {
        // Transitions shift local time by at most a few hours: a day's margin from either end
        // of the period keeps the cached range unambiguous.
        local_offset = static_cast<int32_t>(li.first.offset.count());
        local_begin =
            Clamp(li.first.begin.time_since_epoch().count()) + local_offset + kSecondsPerDay;
        local_end = Clamp(li.first.end.time_since_epoch().count()) + local_offset - kSecondsPerDay;
        return first;
      }
      case date::local_info::nonexistent:
        return first;  // the offset before the jump
      case date::local_info::ambiguous: {
        const int64_t second = local_s - li.second.offset.count();  // the later instant
        const int64_t d_first = first > received_s ? first - received_s : received_s - first;
        const int64_t d_second = second > received_s ? second - received_s : received_s - second;
        return d_second < d_first ? second : first;
      }
    }
    return first;
  }
};

LocalTimeZone::LocalTimeZone(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LocalTimeZone::~LocalTimeZone() = default;

Result<std::unique_ptr<LocalTimeZone>> LocalTimeZone::Load(std::string_view name) {
  auto impl = std::make_unique<Impl>();
  // The date library reports an unknown name or an unreadable database by throwing; this is
  // set-up, not the per-message path, and nothing escapes.
  try {
    impl->zone = name.empty() ? date::current_zone() : date::locate_zone(std::string(name));
  } catch (const std::exception& e) {
    return Status::NotFound(name.empty() ? std::string("host time zone: ") + e.what()
                                         : "time zone \"" + std::string(name) + "\": " + e.what());
  }
  impl->name = std::string(impl->zone->name());
  return std::unique_ptr<LocalTimeZone>(new LocalTimeZone(std::move(impl)));
}

std::unique_ptr<LocalTimeZone> LocalTimeZone::Utc() {
  auto impl = std::make_unique<Impl>();
  impl->name = "UTC";
  return std::unique_ptr<LocalTimeZone>(new LocalTimeZone(std::move(impl)));
}

const std::string& LocalTimeZone::name() const { return impl_->name; }

bool LocalTimeZone::ToUtc(const CivilTime& t, int64_t received_us, int64_t* out_us) {
  const int64_t received_s = FloorDiv(received_us, kMicrosPerSecond);
  const bool leap_second = t.second == 60;
  const int second = leap_second ? 59 : t.second;
  int64_t local_us = 0;
  if (t.year != 0) {
    if (!CivilToMicros(t.year, t.month, t.day, t.hour, t.minute, second, t.micros, &local_us)) {
      return false;
    }
  } else {
    // The year nearest the receive time, on the local timeline of the message.
    const int32_t offset = t.has_offset ? t.offset_seconds : impl_->OffsetAt(received_s);
    const int64_t received_local_us = received_us + int64_t{offset} * kMicrosPerSecond;
    const date::year_month_day today{
        date::sys_days{date::days{FloorDiv(received_local_us, kSecondsPerDay * kMicrosPerSecond)}}};
    const int receive_year = static_cast<int>(today.year());
    bool found = false;
    uint64_t best_distance = 0;
    // The three years around the receive year; only Feb 29 can need the wider search.
    for (int span : {1, 4}) {
      for (int y = receive_year - span; y <= receive_year + span; ++y) {
        if (y < 1 || y > 9999) continue;
        int64_t candidate = 0;
        if (!CivilToMicros(y, t.month, t.day, t.hour, t.minute, second, t.micros, &candidate)) {
          continue;
        }
        const uint64_t distance = candidate > received_local_us
                                      ? static_cast<uint64_t>(candidate - received_local_us)
                                      : static_cast<uint64_t>(received_local_us - candidate);
        if (!found || distance < best_distance) {
          found = true;
          best_distance = distance;
          local_us = candidate;
        }
      }
      if (found) break;
    }
    if (!found) return false;
  }
  if (leap_second) local_us += kMicrosPerSecond;
  if (t.has_offset) {
    *out_us = local_us - int64_t{t.offset_seconds} * kMicrosPerSecond;
    return true;
  }
  const int64_t local_s = FloorDiv(local_us, kMicrosPerSecond);
  const int64_t fraction = local_us - local_s * kMicrosPerSecond;
  *out_us = impl_->LocalToSys(local_s, received_s) * kMicrosPerSecond + fraction;
  return true;
}

}  // namespace spard
