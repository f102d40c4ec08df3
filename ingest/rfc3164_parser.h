// RFC 3164 (BSD syslog) parser, lenient as real senders need: one framed message in, its parts
// as views out.
//
// Accepts what rsyslog, syslog-ng, network gear and libc's syslog() send: PRI optional (absent
// in lines read back from files), the BSD timestamp with the day space-padded or not, a year
// before or after the time, sub-second digits, an ISO/RFC 3339 timestamp instead, a Cisco
// "*"/"." clock mark before it and ":" after it, a Cisco IOS sequence number before it, a zone
// designator after it ("UTC", "CET"), hostname optional, "TAG:" and "TAG[pid]:", Cisco/PIX/ASA
// "%FAC-SEV-MNEMONIC:" in place of the TAG, or only a PRI before free text. The grammar, and how
// a hostname is told from a TAG, is at the top of rfc3164_parser.cc.
//
// Pure: no I/O, no logging, no exceptions, no allocation. Every view points into the parsed
// message. The timestamp is returned as wall-clock fields (CivilTime); turning it into UTC needs
// the configured zone and the receive time (LocalTimeZone::ToUtc, done by the decoder).
//
// Thread-safety: pure functions.

#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "ingest/local_time.h"

namespace spard {

struct Rfc3164Message {
  bool has_pri = false;       // false: no "<PRI>" (facility/severity then hold 1/5, user.notice)
  uint8_t facility = 1;       // PRI / 8
  uint8_t severity = 5;       // PRI % 8
  std::string_view sequence;  // Cisco IOS sequence number before the timestamp ("000123")
  // The timestamp as sent (from the month or the year to the last digit or zone designator;
  // without a Cisco "*"/"." mark and a trailing ':'), and its fields.
  std::string_view timestamp;
  bool has_timestamp = false;
  CivilTime time;
  std::string_view hostname;  // empty when absent (never recognised without a timestamp)
  std::string_view tag;       // the program name of "TAG:" / "TAG[pid]:"; empty when absent
  std::string_view pid;       // between the brackets of "TAG[pid]:"
  std::string_view mnemonic;  // "%PIX-6-302014:" -> "PIX-6-302014"; then tag is empty
  std::string_view msg;       // the rest, leading spaces removed; may be empty

  void Clear() { *this = Rfc3164Message(); }
};

// Parses `msg` (one message, no framing; trailing LF/CR/NUL already removed). Never fails on
// the lenient parts: anything that is not a recognisable header field becomes MSG. Fails only
// for a malformed PRI ("expected '>' to end PRI (1-3 digits) at byte N", "PRI 192 out of range
// 0-191 at byte 1") and for a timestamp whose shape is right but whose values are not ("bad
// TIMESTAMP at byte N": "Feb 30 ...", "Oct 11 25:14:15"), as InvalidArgument. On failure `out`
// is unspecified.
Status ParseRfc3164(std::string_view msg, Rfc3164Message* out);

}  // namespace spard
