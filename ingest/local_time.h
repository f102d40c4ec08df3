// Local (wall-clock) timestamps as syslog senders write them, and their conversion to UTC.
//
// RFC 3164 ("Oct 11 22:14:15"), CEF ("Oct 11 2026 22:14:15.123 CET") and ISO timestamps without
// an offset carry the sender's wall-clock time and often no year. The format parsers turn the
// text into a CivilTime (pure, no time-zone data); a LocalTimeZone, resolved once from
// `ingest.rfc3164_timezone`, turns a CivilTime into µs since the epoch:
//
//   - an explicit offset (ISO "+02:00"/"Z", or a known abbreviation such as "UTC" or "CET")
//     is used as is;
//   - otherwise the configured IANA zone applies, with its DST rules (Howard Hinnant's
//     date/tz.h over the system tzdata, the same database config validation uses);
//   - no year: the year (of the receive year and the ones before and after it) that puts the
//     time nearest the receive time, compared on the zone's local timeline. So "Dec 31
//     23:59:59" received on Jan 1 at 00:00:05 is in the old year, and "Jan 1 00:00:01"
//     received on Dec 31 at 23:59:58 in the new one. Feb 29 takes the nearest leap year;
//   - a local time that does not exist (skipped by the spring-forward jump, e.g. 02:30 on the
//     last Sunday of March in Europe/Stockholm) is read with the offset in force before the
//     jump (02:30 CET = 01:30 UTC, the same instant as 03:30 CEST), as glibc's mktime and
//     Python's fold=0 do: the sender's clock has simply not jumped yet;
//   - a local time that occurs twice (the autumn fall-back hour, e.g. 02:30 on the last
//     Sunday of October) is the occurrence nearest the receive time (the earlier on a tie),
//     which is the right one for live traffic in both passes of the hour.
//
// Limitation of the date library (3.0.1) with the OS database: DST rules after the last
// transition listed in the TZif file (2037 with Debian's "fat" files) are not applied.
//
// Thread-safety: the free functions are pure. A LocalTimeZone caches the offset period of its
// last conversion, so it is not safe for concurrent use: one per Decoder.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spard {

// A wall-clock date-time as written in a message. Fields are range-checked by the parsers
// (month 1-12, day valid for the month — Feb 29 allowed when the year is unknown —, hour 0-23,
// minute 0-59, second 0-60; a leap second 60 is read as the next second).
struct CivilTime {
  int32_t year = 0;  // 0 when the text carries no year
  uint8_t month = 1;
  uint8_t day = 1;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  int32_t micros = 0;          // sub-second part, truncated to µs
  bool has_offset = false;     // the text says which offset it is in
  int32_t offset_seconds = 0;  // east of UTC, when has_offset
};

// "Jan".."Dec" in any letter case: 1..12; anything else (including other lengths): 0.
int MonthFromAbbreviation(std::string_view text);

// A time-zone designation written after a timestamp: "Z", "UTC", "UT", "GMT", a numeric offset
// ("+01:00", "+0100", "+01", also after "UTC"/"GMT": "GMT+01:00"), or one of the abbreviations
// whose meaning is not disputed in practice (CET CEST EET EEST WET WEST MET MEST, and the US
// zones EST EDT CST CDT MST MDT PST PDT as Java reads them). False for anything else.
bool ParseZoneDesignator(std::string_view text, int32_t* offset_seconds);

// True when the fields are in range (see CivilTime); a day is checked against its month, and
// against the year when there is one.
bool CivilTimeValid(const CivilTime& t);

// Parses "YYYY-MM-DD(T|t| )hh:mm:ss[.frac][Z|z|±hh:mm|±hhmm|±hh]" at the start of `text`,
// any number of fraction digits (truncated to µs; "22:14:15." counts as no fraction).
// Returns the bytes consumed and fills *out, or 0 if the text does not start with one; sets
// *bad when the shape is there but a field is out of range (then 0 is returned).
size_t ParseIsoCivilTime(std::string_view text, CivilTime* out, bool* bad);

// Parses "hh:mm:ss[.frac]" at the start of `text` into out's time fields (fraction as above).
// Returns the bytes consumed or 0; *bad as for ParseIsoCivilTime.
size_t ParseClockTime(std::string_view text, CivilTime* out, bool* bad);

class LocalTimeZone {
 public:
  // Resolves `name` (an IANA name; "" = the host's zone, /etc/localtime) in the system tz
  // database. Reads the database on first use: call it where a short stall is fine (start-up,
  // connection set-up). NotFound for an unknown name or an unreadable database.
  static Result<std::unique_ptr<LocalTimeZone>> Load(std::string_view name);
  // UTC, for when the configured zone cannot be loaded.
  static std::unique_ptr<LocalTimeZone> Utc();

  ~LocalTimeZone();
  LocalTimeZone(const LocalTimeZone&) = delete;
  LocalTimeZone& operator=(const LocalTimeZone&) = delete;

  // The zone's IANA name ("Europe/Stockholm", "Etc/UTC").
  const std::string& name() const;

  // `t` in µs since the epoch (UTC) by the rules above; `received_us` is the receive time.
  // False only if no year near the receive time makes the date valid (cannot happen for
  // fields that passed CivilTimeValid) or the result is out of range.
  bool ToUtc(const CivilTime& t, int64_t received_us, int64_t* out_us);

 private:
  struct Impl;
  explicit LocalTimeZone(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spard
