#include "common/personnummer.h"

#include <date/date.h>

#include <chrono>

namespace spard {

namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Luhn over the ten digits YYMMDDNNNC: weights 2,1,2,1,... on the first nine.
bool LuhnOk(std::string_view ten) {
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    int d = ten[i] - '0';
    if (i < 9 && i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

bool DateOk(int year, int month, int day) {
  if (day > 60) day -= 60;  // samordningsnummer
  date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                           date::day{static_cast<unsigned>(day)}};
  return month >= 1 && month <= 12 && day >= 1 && ymd.ok();
}

}  // namespace

bool NormalizePersonnummer(std::string_view s, int64_t ref_us, std::string* out) {
  std::string digits;
  char sep = 0;
  if (s.size() == 13 || s.size() == 11) {  // with separator
    sep = s[s.size() - 5];
    if (sep != '-' && sep != '+') return false;
    digits.assign(s.substr(0, s.size() - 5));
    digits.append(s.substr(s.size() - 4));
  } else if (s.size() == 12 || s.size() == 10) {
    digits.assign(s);
  } else {
    return false;
  }
  if (!AllDigits(digits)) return false;

  int year;
  std::string_view ten;
  if (digits.size() == 12) {
    year = Num(std::string_view(digits).substr(0, 4));
    ten = std::string_view(digits).substr(2);
  } else {
    ten = digits;
    // Reference year: the century is chosen so that the person is younger than 100 on the
    // reference date, or at least 100 with '+'.
    auto ref_days = date::floor<date::days>(
        std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(ref_us)));
    date::year_month_day ref{ref_days};
    int ref_year = static_cast<int>(ref.year());
    int ref_md = static_cast<int>(static_cast<unsigned>(ref.month())) * 100 +
                 static_cast<int>(static_cast<unsigned>(ref.day()));
    int yy = Num(ten.substr(0, 2));
    int day = Num(ten.substr(4, 2));
    if (day > 60) day -= 60;  // samordningsnummer
    int md = Num(ten.substr(2, 2)) * 100 + day;
    // Latest birth year ending in yy that is not after the reference date.
    year = ref_year - ((ref_year - yy) % 100 + 100) % 100;
    if (year == ref_year && md > ref_md) year -= 100;
    if (sep == '+') year -= 100;
  }
  if (!DateOk(year, Num(ten.substr(2, 2)), Num(ten.substr(4, 2)))) return false;
  if (!LuhnOk(ten)) return false;
  out->clear();
  out->reserve(12);
  if (year < 1000 || year > 9999) return false;
  out->append(std::to_string(year));
  out->append(ten.substr(2));
  return true;
}

std::string NormalizeSubject(std::string_view s, int64_t ref_us) {
  std::string out;
  if (NormalizePersonnummer(s, ref_us, &out)) return out;
  return std::string(s);
}

}  // namespace spard
