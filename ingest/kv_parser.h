// Key=value pairs in free text: `user=u1 object="a b" action=read`.
//
// Many applications put their access fields in the syslog MSG this way. The parser is lenient:
// it takes every whitespace-separated token that looks like a pair and skips everything else,
// so a sentence around the pairs costs nothing. A key is [A-Za-z_][A-Za-z0-9_.-]*; a value is
// either bare (up to the next whitespace, possibly empty) or double-quoted, with the escapes
// \" and \\ (other backslashes are literal). A quote left open runs to the end of the text.
//
// Pure: no I/O, no logging, no exceptions; views point into the input.
// Thread-safety: pure functions.

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spard {

struct KvPair {
  std::string_view key;
  std::string_view value;  // bare, or between the quotes with escapes still in
  bool quoted = false;
  bool needs_unescape = false;  // value holds \" or \\ (UnescapeKvValue gives the text)
};

// Appends the pairs found in `text`, in order, to *out (which it does not clear).
void ParseKeyValues(std::string_view text, std::vector<KvPair>* out);

// Replaces *out with a quoted value's text: \" and \\ become " and \; other bytes are kept.
void UnescapeKvValue(std::string_view raw, std::string* out);

}  // namespace spard
