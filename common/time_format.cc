#include "common/time_format.h"

#include <date/date.h>

#include <chrono>

namespace spard {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Parses "YYYY-MM-DD?HH:MM:SS[.frac]" at the start of s; returns bytes consumed or 0.
size_t ParseCivil(std::string_view s, int64_t* out_us) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return 0;
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start >= 9) return 0;  // more than nanoseconds
      micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return 0;
  }
  // RFC 3339 allows second 60 (leap second); fold it into the next second as most systems do.
  int64_t extra = 0;
  if (second == 60) {
    second = 59;
    extra = 1000000;
  }
  if (!CivilToMicros(year, month, day, hour, minute, second, micros, out_us)) return 0;
  *out_us += extra;
  return pos;
}

}  // namespace

bool CivilToMicros(int year, int month, int day, int hour, int minute, int second, int64_t micros,
                   int64_t* out_us) {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || micros < 0 ||
      micros > 999999) {
    return false;
  }
  date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                           date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  int64_t days = date::sys_days{ymd}.time_since_epoch().count();
  *out_us = ((days * 24 + hour) * 60 + minute) * 60 * int64_t{1000000} + int64_t{second} * 1000000 +
            micros;
  return true;
}

bool ParseLocalDateTime(std::string_view s, int64_t* out_us) {
  size_t n = ParseCivil(s, out_us);
  return n != 0 && n == s.size();
}

bool ParseRfc3339(std::string_view s, int64_t* out_us) {
  int64_t local;
  size_t pos = ParseCivil(s, &local);
  if (pos == 0 || pos >= s.size()) return false;
  char c = s[pos];
  if ((c == 'Z' || c == 'z') && pos + 1 == s.size()) {
    *out_us = local;
    return true;
  }
  if ((c != '+' && c != '-') || pos + 6 != s.size() || s[pos + 3] != ':') return false;
  int oh, om;
  if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
    return false;
  }
  int64_t offset_us = (int64_t{oh} * 60 + om) * 60 * 1000000;
  *out_us = c == '+' ? local - offset_us : local + offset_us;
  return true;
}

bool ParseDateOrRfc3339(std::string_view s, int64_t* out_us) {
  if (s.size() == 10) {
    int year, month, day;
    if (!Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &month) || s[7] != '-' ||
        !Digits(s, 8, 2, &day)) {
      return false;
    }
    return CivilToMicros(year, month, day, 0, 0, 0, 0, out_us);
  }
  return ParseRfc3339(s, out_us);
}

void AppendRfc3339(std::string* dst, int64_t us) {
  using namespace std::chrono;
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  int64_t frac = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - days * 86400;
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[40];
  int n = snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                   static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                   static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                   static_cast<int>(sod % 60));
  dst->append(buf, n);
  if (frac != 0) {
    if (frac % 1000 == 0) {
      n = snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac / 1000));
    } else {
      n = snprintf(buf, sizeof buf, ".%06d", static_cast<int>(frac));
    }
    dst->append(buf, n);
  }
  dst->push_back('Z');
}

std::string FormatRfc3339(int64_t us) {
  std::string s;
  AppendRfc3339(&s, us);
  return s;
}

}  // namespace spard
