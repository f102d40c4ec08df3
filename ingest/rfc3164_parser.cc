// RFC 3164 as senders write it (RFC 3164 §4.1 as the base; our leniencies in brackets):
//
//   MESSAGE    = [PRI] *SP [SEQUENCE] [STAMP] [HOSTNAME] [TAG-PART] *SP MSG
//   PRI        = "<" 1*3DIGIT ">"                       ; 0..191
//   SEQUENCE   = 1*10DIGIT ":" 1*SP                     ; [Cisco IOS; only before a STAMP]
//   STAMP      = ["*" / "."] TIMESTAMP [":"] (1*SP / end) ; [Cisco clock mark and colon]
//   TIMESTAMP  = BSD-TIME / ISO-TIME
//   BSD-TIME   = MONTH 1*SP DAY 1*SP [YEAR 1*SP] CLOCK [1*SP YEAR] [SP ZONE]
//   MONTH      = "Jan" / ... / "Dec"                    ; [any letter case]
//   DAY        = 1*2DIGIT                               ; ["Feb  5", "Feb 5", "Feb 05"]
//   YEAR       = 4DIGIT                                 ; [after the time: 19xx/20xx only]
//   CLOCK      = 2DIGIT ":" 2DIGIT ":" 2DIGIT ["." *DIGIT]  ; [any number of fraction digits]
//   ZONE       = "UTC" / "GMT" / "CET" / numeric offset / ...  ; [see ParseZoneDesignator]
//   ISO-TIME   = FULL-DATE ("T" / "t" / SP) CLOCK [ "Z" / offset ]   ; [offset optional: local]
//   HOSTNAME   = ("Message forwarded from " NAME ":" / NAME) 1*SP   ; [only after a STAMP]
//   NAME       = (ALNUM / UTF8) *(ALNUM / UTF8 / "." / "-" / "_" / ":")   ; 1..255 bytes
//   TAG-PART   = ("%" MNEMONIC / TAG ["[" PID "]"]) ":" (SP / end)
//   TAG        = 1*128(%d33-126 / UTF8 except ":" "[" "]")
//
// Telling a hostname from a TAG, after a timestamp: the next token (up to SP) is the TAG, and
// there is no hostname, when it has the TAG shape (ends in ":" or "[pid]:" followed by SP or
// the end) or starts with "%" (a Cisco mnemonic); it is MSG when it starts "@cee:" or "CEF:";
// otherwise it is the hostname if every byte is a hostname byte (so "'su", "user=anna" or
// "{...}" are MSG). A single word after the timestamp is therefore a hostname, as in rsyslog
// and syslog-ng: "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!" has host 10.0.0.99, no TAG
// ("Use" has no ':') and MSG "Use the BFG!". Without a timestamp there is no hostname (RFC 3164
// §4.3.3: a relay that finds no TIMESTAMP takes everything after PRI as CONTENT); a TAG is
// still recognised ("<15>openvpn[2499]: PTHREAD ..." from libc's syslog() to a socket).

#include "ingest/rfc3164_parser.h"

#include <fmt/format.h>

namespace spard {

namespace {

constexpr size_t kMaxTag = 128;
constexpr size_t kMaxPid = 128;
constexpr size_t kMaxHostname = 255;
constexpr size_t kMaxSequence = 10;
constexpr std::string_view kAixForward = "Message forwarded from ";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool IsHostnameByte(char c) {
  return IsAlnum(c) || IsHigh(c) || c == '.' || c == '-' || c == '_' || c == ':';
}
bool IsTagByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != ':' && c != '[' && c != ']';
}
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Status Error(std::string_view what, size_t offset) {
  return Status::InvalidArgument(fmt::format("{} at byte {}", what, offset));
}

class Parser {
 public:
  Parser(std::string_view msg, Rfc3164Message* out) : s_(msg), out_(out) {}

  Status Run() {
    if (!AtEnd() && s_[0] == '<') SPARD_RETURN_IF_ERROR(ParsePri());
    SkipSpaces();
    SPARD_RETURN_IF_ERROR(ParseStamp());
    if (out_->has_timestamp) ParseHostname();
    ParseTagPart();
    SkipSpaces();
    out_->msg = s_.substr(pos_);
    return Status::Ok();
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  bool AtEndOrSpace(size_t p) const { return p >= s_.size() || s_[p] == ' '; }
  void SkipSpaces() {
    while (!AtEnd() && s_[pos_] == ' ') ++pos_;
  }
  size_t SkipSpacesFrom(size_t p) const {
    while (p < s_.size() && s_[p] == ' ') ++p;
    return p;
  }
  // End of the token (run of non-SP bytes) starting at p.
  size_t TokenEnd(size_t p) const {
    while (p < s_.size() && s_[p] != ' ') ++p;
    return p;
  }

  Status ParsePri() {
    pos_ = 1;
    unsigned prival = 0;
    size_t digits = 0;
    while (!AtEnd() && IsDigit(s_[pos_]) && digits < 3) {
      prival = prival * 10 + static_cast<unsigned>(s_[pos_] - '0');
      ++digits;
      ++pos_;
    }
    if (digits == 0) return Error("PRI has no digits", pos_);
    if (AtEnd() || s_[pos_] != '>') return Error("expected '>' to end PRI (1-3 digits)", pos_);
    if (prival > 191) return Error(fmt::format("PRI {} out of range 0-191", prival), 1);
    ++pos_;
    out_->has_pri = true;
    out_->facility = static_cast<uint8_t>(prival / 8);
    out_->severity = static_cast<uint8_t>(prival % 8);
    return Status::Ok();
  }

  // [SEQUENCE] STAMP at pos_; leaves pos_ after the STAMP's spaces, or unchanged if there is no
  // timestamp.
  Status ParseStamp() {
    size_t p = pos_;
    std::string_view sequence;
    if (p < s_.size() && IsDigit(s_[p])) {
      size_t q = p;
      while (q < s_.size() && IsDigit(s_[q]) && q - p < kMaxSequence) ++q;
      if (q + 1 < s_.size() && s_[q] == ':' && s_[q + 1] == ' ') {
        sequence = s_.substr(p, q - p);
        p = SkipSpacesFrom(q + 1);
      }
    }
    size_t end = 0;
    SPARD_RETURN_IF_ERROR(ParseTimestampAt(p, &end));
    // Digits and ": " without a timestamp after them are not a sequence number but MSG (and
    // cannot start a timestamp themselves).
    if (end == 0) return Status::Ok();
    out_->sequence = sequence;
    pos_ = SkipSpacesFrom(end);
    return Status::Ok();
  }

  // A STAMP at p: on success *end is the offset after it (after the optional ':'), else 0.
  Status ParseTimestampAt(size_t p, size_t* end) {
    *end = 0;
    if (p < s_.size() && (s_[p] == '*' || s_[p] == '.')) ++p;  // Cisco: clock not in sync
    const size_t start = p;
    CivilTime t;
    bool bad = false;
    size_t q = 0;
    if (p < s_.size() && IsDigit(s_[p])) {
      const size_t n = ParseIsoCivilTime(s_.substr(p), &t, &bad);
      q = n == 0 ? 0 : p + n;
    } else {
      q = ParseBsd(p, &t, &bad);
    }
    if (bad) return Error("bad TIMESTAMP", start);
    if (q == 0) return Status::Ok();
    const size_t text_end = q;
    if (q < s_.size() && s_[q] == ':') ++q;     // Cisco: "21:28:13: %PIX-..."
    if (!AtEndOrSpace(q)) return Status::Ok();  // "22:14:15x": not a timestamp
    out_->has_timestamp = true;
    out_->time = t;
    out_->timestamp = s_.substr(start, text_end - start);
    *end = q;
    return Status::Ok();
  }

  // BSD-TIME at p; returns the offset after it or 0.
  size_t ParseBsd(size_t p, CivilTime* t, bool* bad) {
    const int month = MonthFromAbbreviation(s_.substr(p, 3));
    if (month == 0) return 0;
    p += 3;
    if (p >= s_.size() || s_[p] != ' ') return 0;
    p = SkipSpacesFrom(p);
    int day = 0;
    const size_t day_start = p;
    while (p < s_.size() && IsDigit(s_[p]) && p - day_start < 2) day = day * 10 + (s_[p++] - '0');
    if (p == day_start || p >= s_.size() || s_[p] != ' ') return 0;
    p = SkipSpacesFrom(p);
    int year = 0;
    if (p + 4 < s_.size() && IsDigit(s_[p]) && IsDigit(s_[p + 1]) && IsDigit(s_[p + 2]) &&
        IsDigit(s_[p + 3]) && s_[p + 4] == ' ') {
      year = (s_[p] - '0') * 1000 + (s_[p + 1] - '0') * 100 + (s_[p + 2] - '0') * 10 +
             (s_[p + 3] - '0');
      p = SkipSpacesFrom(p + 4);
    }
    const size_t clock = ParseClockTime(s_.substr(p), t, bad);
    if (clock == 0) return 0;
    p += clock;
    if (year == 0) {
      // "Apr 15 21:28:13 2007 linksys ...": a year after the time.
      const size_t y = SkipSpacesFrom(p);
      if (y > p && y + 4 <= s_.size() && AtEndOrSpace(y + 4) && (s_[y] == '1' || s_[y] == '2') &&
          (s_[y + 1] == '9' || s_[y + 1] == '0') && IsDigit(s_[y + 2]) && IsDigit(s_[y + 3])) {
        year = (s_[y] - '0') * 1000 + (s_[y + 1] - '0') * 100 + (s_[y + 2] - '0') * 10 +
               (s_[y + 3] - '0');
        if (year < 1970 || year > 2099) {
          year = 0;
        } else {
          p = y + 4;
        }
      }
    }
    if (p < s_.size() && s_[p] == ' ') {
      // "Mar  1 18:48:50.483 UTC: %SYS-5-..." : a zone designator ends at SP, ':' or the end.
      size_t z = p + 1;
      while (z < s_.size() && s_[z] != ' ' && s_[z] != ':' && z - p <= 10) ++z;
      int32_t offset = 0;
      if (z > p + 1 && ParseZoneDesignator(s_.substr(p + 1, z - p - 1), &offset)) {
        t->has_offset = true;
        t->offset_seconds = offset;
        p = z;
      }
    }
    t->year = year;
    t->month = static_cast<uint8_t>(month);
    t->day = static_cast<uint8_t>(day);
    if (!CivilTimeValid(*t)) {
      *bad = true;
      return 0;
    }
    return p;
  }

  // HOSTNAME at pos_ (after a timestamp), per the rules at the top of the file.
  void ParseHostname() {
    if (AtEnd()) return;
    const std::string_view rest = s_.substr(pos_);
    if (StartsWith(rest, kAixForward)) {
      const size_t start = pos_ + kAixForward.size();
      size_t q = start;
      while (q < s_.size() && IsHostnameByte(s_[q]) && s_[q] != ':' && q - start < kMaxHostname) {
        ++q;
      }
      if (q > start && q < s_.size() && s_[q] == ':') {
        out_->hostname = s_.substr(start, q - start);
        pos_ = SkipSpacesFrom(q + 1);
      }
      return;
    }
    const char c = s_[pos_];
    if (!(IsAlnum(c) || IsHigh(c)) || IsPayloadStart(rest)) return;
    if (MatchTag(pos_, nullptr, nullptr) != 0) return;
    const size_t end = TokenEnd(pos_);
    if (end - pos_ > kMaxHostname) return;
    for (size_t i = pos_; i < end; ++i) {
      if (!IsHostnameByte(s_[i])) return;
    }
    out_->hostname = s_.substr(pos_, end - pos_);
    pos_ = SkipSpacesFrom(end);
    // Cisco ASA with a device id: "asa01 : %ASA-6-302013: ...".
    if (pos_ + 1 < s_.size() && s_[pos_] == ':' && s_[pos_ + 1] == ' ') {
      pos_ = SkipSpacesFrom(pos_ + 1);
    }
  }

  // A Cisco mnemonic or a TAG at pos_.
  void ParseTagPart() {
    if (AtEnd() || IsPayloadStart(s_.substr(pos_))) return;
    if (s_[pos_] == '%') {
      size_t q = pos_ + 1;
      while (q < s_.size() && IsTagByte(s_[q]) && q - pos_ <= kMaxTag) ++q;
      if (q > pos_ + 1 && q < s_.size() && s_[q] == ':' && AtEndOrSpace(q + 1)) {
        out_->mnemonic = s_.substr(pos_ + 1, q - pos_ - 1);
        pos_ = q + 1;
      }
      return;
    }
    const size_t end = MatchTag(pos_, &out_->tag, &out_->pid);
    if (end != 0) pos_ = end;
  }

  // TAG ["[" PID "]"] ":" followed by SP or the end, at p: the offset after the ':' or 0.
  size_t MatchTag(size_t p, std::string_view* tag, std::string_view* pid) const {
    size_t q = p;
    while (q < s_.size() && IsTagByte(s_[q]) && q - p < kMaxTag) ++q;
    if (q == p || q >= s_.size()) return 0;
    size_t r = q;
    std::string_view pid_text;
    if (s_[q] == '[') {
      r = q + 1;
      while (r < s_.size() && s_[r] != ']' && s_[r] != ' ' && r - q <= kMaxPid) ++r;
      if (r >= s_.size() || s_[r] != ']') return 0;
      pid_text = s_.substr(q + 1, r - q - 1);
      ++r;
    }
    if (r >= s_.size() || s_[r] != ':' || !AtEndOrSpace(r + 1)) return 0;
    if (tag != nullptr) *tag = s_.substr(p, q - p);
    if (pid != nullptr) *pid = pid_text;
    return r + 1;
  }

  // MSG payloads that look like a TAG or hostname but are not one.
  static bool IsPayloadStart(std::string_view rest) {
    return StartsWith(rest, "@cee:") || StartsWith(rest, "CEF:");
  }

  std::string_view s_;
  Rfc3164Message* out_;
  size_t pos_ = 0;
};

}  // namespace

Status ParseRfc3164(std::string_view msg, Rfc3164Message* out) {
  out->Clear();
  return Parser(msg, out).Run();
}

}  // namespace spard
