// ArcSight Common Event Format (CEF) parser: "CEF:0|Vendor|Product|Version|SignatureID|Name|
// Severity|Extension", as sent alone or as the MSG of an RFC 3164/5424 message.
//
// Header fields keep their escapes (\| and \\) and extension values theirs (\= \\ \n \r, and
// \| as some senders write it); the Unescape functions give the text. An extension value runs
// up to the next " key=" (so values may hold spaces and even unescaped '='), trailing spaces
// removed. The grammar is at the top of cef_parser.cc.
//
// Pure: no I/O, no logging, no exceptions; allocates only when `out` grows its extension vector
// (reuse one CefMessage per connection). Views point into the parsed text.
//
// Thread-safety: pure functions.

#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/local_time.h"

namespace spard {

// The seven header fields, in order.
enum class CefHeader : uint8_t {
  kVersion = 0,
  kDeviceVendor,
  kDeviceProduct,
  kDeviceVersion,
  kDeviceEventClassId,
  kName,
  kSeverity,
};
inline constexpr size_t kCefHeaderCount = 7;

// The ArcSight dictionary's name of a header field: "cefVersion", "deviceVendor",
// "deviceProduct", "deviceVersion", "deviceEventClassId", "name", "severity". Used as the
// mapping's source name and as the attribute key.
std::string_view CefHeaderName(CefHeader h);

struct CefExtension {
  std::string_view key;
  std::string_view value;       // escapes still in; may be empty
  bool needs_unescape = false;  // value holds a backslash
};

struct CefMessage {
  std::array<std::string_view, kCefHeaderCount> header;  // indexed by CefHeader; escapes in
  uint8_t header_escaped = 0;  // bit i set: header[i] holds \| or \\ (UnescapeCefHeader)
  std::string_view extension;  // the extension text as sent
  std::vector<CefExtension> extensions;

  std::string_view field(CefHeader h) const { return header[static_cast<size_t>(h)]; }
  bool field_escaped(CefHeader h) const {
    return (header_escaped >> static_cast<unsigned>(h)) & 1u;
  }
  // Resets every field; keeps the vector's capacity.
  void Clear();
};

// Parses `text`, which starts with "CEF:". Fails (InvalidArgument "<what> at byte N", N counted
// from the start of `text`) when it does not start with "CEF:" and a numeric version, or when
// the header has fewer than seven fields (the '|' after Severity may be missing when there is
// no extension). Text before the first "key=" of the extension is skipped.
Status ParseCef(std::string_view text, CefMessage* out);

// \| and \\ become | and \; any other backslash is kept.
void UnescapeCefHeader(std::string_view raw, std::string* out);
// \= \\ \| \n \r become = \ | LF CR; any other backslash is kept with the byte after it.
void UnescapeCefValue(std::string_view raw, std::string* out);

// A CEF date ("rt", "start", "end", ...) in one of the forms of the CEF standard:
//   MMM dd yyyy HH:mm:ss[.SSS][ zzz]   or   MMM dd HH:mm:ss[.SSS][ zzz]
// (day 1 or 2 digits, month in any letter case, zzz per ParseZoneDesignator). Epoch
// milliseconds are not handled here (the decoder reads numbers itself). False if `text` is not
// exactly one of these (surrounding spaces allowed) or a field is out of range.
bool ParseCefTime(std::string_view text, CivilTime* out);

}  // namespace spard
