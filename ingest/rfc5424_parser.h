// RFC 5424 syslog message parser: one framed message in, its parts as views out.
//
// Pure: no I/O, no logging, no exceptions; allocates only when `out` grows its SD vectors (reuse
// one Rfc5424Message per connection and it stops allocating). Every string_view in the result
// points into the parsed message, so it is valid while that buffer is.
//
// Strict where RFC 5424 is clear: PRI 0..191, VERSION 1, header fields 1*N PRINTUSASCII with the
// §6 length limits (HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32), TIMESTAMP per §6.2.3
// (uppercase "T"/"Z", TIME-SECFRAC at most 6 digits, no leap second), exactly one SP between
// fields, SD-NAME 1*32 PRINTUSASCII except '=', SP, ']' and '"'. Lenient where being strict would
// only lose data: an unescaped ']' inside a quoted PARAM-VALUE is accepted (it is unambiguous),
// an SD-ID may repeat, and PARAM-VALUE and MSG are not checked for valid UTF-8 (the raw bytes are
// kept either way).
//
// Thread-safety: pure functions.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spard {

// One SD-PARAM. `value` is the PARAM-VALUE between the quotes, escapes still in
// (RFC 5424 §6.3.3); UnescapeSdParamValue() gives the text when `needs_unescape`.
struct SdParam {
  std::string_view name;
  std::string_view value;
  bool needs_unescape = false;  // value holds \" \\ or \]
  uint32_t element = 0;         // index of its SD-ELEMENT in Rfc5424Message::sd_elements
};

// One SD-ELEMENT: its SD-ID and its params, sd_params[first_param, first_param + param_count).
struct SdElement {
  std::string_view id;
  uint32_t first_param = 0;
  uint32_t param_count = 0;
};

struct Rfc5424Message {
  uint8_t facility = 0;  // PRI / 8
  uint8_t severity = 0;  // PRI % 8
  uint16_t version = 0;  // always 1 on success
  // Header fields; an empty view means NILVALUE ("-").
  std::string_view timestamp;  // the TIMESTAMP text as sent
  std::string_view hostname;
  std::string_view app_name;
  std::string_view procid;
  std::string_view msgid;
  bool has_timestamp = false;          // false for NILVALUE
  int64_t timestamp_us = 0;            // TIMESTAMP in µs since the epoch (UTC), when has_timestamp
  std::vector<SdElement> sd_elements;  // empty for NILVALUE
  std::vector<SdParam> sd_params;      // all elements' params, in order
  // MSG without a leading UTF-8 BOM. has_msg is false when the message ends after STRUCTURED-DATA
  // (MSG absent); true with an empty view for a trailing SP.
  std::string_view msg;
  bool has_msg = false;
  bool msg_has_bom = false;  // MSG started with EF BB BF (MSG-UTF8)

  // Resets every field; keeps the vectors' capacity.
  void Clear();
};

// Parses `msg` (one complete message, no framing, no trailing LF). On failure returns
// InvalidArgument("<what> at byte <offset>"), the offset counted from the start of `msg`, and
// leaves `out` unspecified.
Status ParseRfc5424(std::string_view msg, Rfc5424Message* out);

// Replaces *out with `raw` unescaped per RFC 5424 §6.3.3: \" \\ \] become " \ ]; any other
// backslash is kept literally together with the byte after it.
void UnescapeSdParamValue(std::string_view raw, std::string* out);

}  // namespace spard
