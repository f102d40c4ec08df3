// CEF, per "Implementing ArcSight Common Event Format (CEF)" v25 (our leniencies in brackets):
//
//   CEF        = "CEF:" VERSION "|" VENDOR "|" PRODUCT "|" DVERSION "|" CLASS-ID "|" NAME "|"
//                SEVERITY ["|" EXTENSION]        ; [the last '|' may be missing if no EXTENSION]
//   VERSION    = 1*DIGIT
//   header fields: any bytes except an unescaped '|'; escapes "\|" and "\\" [other '\' literal]
//   EXTENSION  = [junk] [PAIR *(1*SP PAIR)] *SP   ; [text before the first PAIR is skipped]
//   PAIR       = KEY "=" VALUE
//   KEY        = 1*(ALPHA / DIGIT / "_" / "." / "[" / "]")   ; [ad.* keys, "key[0]"]
//   VALUE      = *BYTE, up to the SP before the next KEY "=" ; trailing SPs dropped
//                escapes "\=" "\\" "\n" "\r" [and "\|"]; an unescaped '=' not preceded by
//                " KEY" is part of the value ["url=/a?b=c" keeps "/a?b=c"]

#include "ingest/cef_parser.h"

#include <fmt/format.h>

#include <cstring>

namespace spard {

namespace {

constexpr std::string_view kPrefix = "CEF:";
constexpr std::array<std::string_view, kCefHeaderCount> kHeaderNames = {
    "cefVersion",         "deviceVendor", "deviceProduct", "deviceVersion",
    "deviceEventClassId", "name",         "severity"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsKeyByte(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
         c == '[' || c == ']';
}

Status Error(std::string_view what, size_t offset) {
  return Status::InvalidArgument(fmt::format("{} at byte {}", what, offset));
}

// Extension scanning over `s` (the extension text).
class ExtensionScanner {
 public:
  explicit ExtensionScanner(std::string_view s) : s_(s) {}

  // The start of the next KEY "=" at or after `from` that is preceded by a SP at or after
  // `from`, or npos. Each '=' is looked at once and the walk back over key bytes stops at the
  // previous '=', so a whole scan is linear.
  size_t NextKey(size_t from) const {
    const char* const base = s_.data();
    size_t search = from;
    while (search < s_.size()) {
      const auto* eq =
          static_cast<const char*>(std::memchr(base + search, '=', s_.size() - search));
      if (eq == nullptr) return std::string_view::npos;
      const size_t e = static_cast<size_t>(eq - base);
      size_t k = e;
      while (k > from && IsKeyByte(s_[k - 1])) --k;
      if (k < e && k > from && s_[k - 1] == ' ') return k;
      search = e + 1;
    }
    return std::string_view::npos;
  }

  // KEY "=" at exactly p: the offset of the '=', or npos.
  size_t KeyAt(size_t p) const {
    size_t q = p;
    while (q < s_.size() && IsKeyByte(s_[q])) ++q;
    return q > p && q < s_.size() && s_[q] == '=' ? q : std::string_view::npos;
  }

 private:
  std::string_view s_;
};

void ParseExtension(std::string_view s, std::vector<CefExtension>* out) {
  const ExtensionScanner scan(s);
  size_t p = 0;
  while (p < s.size() && s[p] == ' ') ++p;
  if (p < s.size() && scan.KeyAt(p) == std::string_view::npos) {
    p = scan.NextKey(p);  // skip text before the first pair
  }
  while (p < s.size()) {
    const size_t eq = scan.KeyAt(p);
    if (eq == std::string_view::npos) break;  // cannot happen: p is always at a KEY "="
    CefExtension ext;
    ext.key = s.substr(p, eq - p);
    const size_t value_start = eq + 1;
    const size_t next = scan.NextKey(value_start);
    size_t value_end = next == std::string_view::npos ? s.size() : next;
    while (value_end > value_start && s[value_end - 1] == ' ') --value_end;
    ext.value = s.substr(value_start, value_end - value_start);
    ext.needs_unescape = std::memchr(ext.value.data(), '\\', ext.value.size()) != nullptr;
    out->push_back(ext);
    p = next == std::string_view::npos ? s.size() : next;
  }
}

}  // namespace

std::string_view CefHeaderName(CefHeader h) { return kHeaderNames[static_cast<size_t>(h)]; }

void CefMessage::Clear() {
  header.fill({});
  header_escaped = 0;
  extension = {};
  extensions.clear();
}

Status ParseCef(std::string_view text, CefMessage* out) {
  out->Clear();
  if (text.substr(0, kPrefix.size()) != kPrefix) return Error("expected \"CEF:\"", 0);
  size_t pos = kPrefix.size();
  for (size_t i = 0; i < kCefHeaderCount; ++i) {
    const size_t start = pos;
    // Fast path: the next '|' with no backslash before it.
    const auto* pipe =
        static_cast<const char*>(std::memchr(text.data() + pos, '|', text.size() - pos));
    pos = pipe == nullptr ? text.size() : static_cast<size_t>(pipe - text.data());
    if (std::memchr(text.data() + start, '\\', pos - start) != nullptr) {
      pos = start;
      while (pos < text.size() && text[pos] != '|') {
        if (text[pos] == '\\' && pos + 1 < text.size() &&
            (text[pos + 1] == '|' || text[pos + 1] == '\\')) {
          out->header_escaped |= static_cast<uint8_t>(1u << i);
          ++pos;
        }
        ++pos;
      }
    }
    out->header[i] = text.substr(start, pos - start);
    if (i == 0) {
      const std::string_view v = out->header[0];
      if (v.empty() || v.size() > 3 || out->header_escaped != 0) {
        return Error("bad CEF version", start);
      }
      for (char c : v) {
        if (!IsDigit(c)) return Error("bad CEF version", start);
      }
    }
    if (pos == text.size()) {
      if (i + 1 == kCefHeaderCount) return Status::Ok();  // no extension, no trailing '|'
      return Error(fmt::format("header ends after {} of 7 fields", i + 1), pos);
    }
    ++pos;  // '|'
  }
  out->extension = text.substr(pos);
  ParseExtension(out->extension, &out->extensions);
  return Status::Ok();
}

void UnescapeCefHeader(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '|' || raw[i + 1] == '\\')) ++i;
    out->push_back(raw[i]);
  }
}

void UnescapeCefValue(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out->push_back(c);
      continue;
    }
    const char next = raw[i + 1];
    switch (next) {
      case '=':
      case '\\':
      case '|':
        out->push_back(next);
        ++i;
        break;
      case 'n':
        out->push_back('\n');
        ++i;
        break;
      case 'r':
        out->push_back('\r');
        ++i;
        break;
      default:
        out->push_back(c);  // not an escape: the backslash is text
        break;
    }
  }
}

bool ParseCefTime(std::string_view text, CivilTime* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  CivilTime t;
  const int month = MonthFromAbbreviation(text.substr(0, 3));
  if (month == 0 || text.size() < 4 || text[3] != ' ') return false;
  size_t p = 4;
  while (p < text.size() && text[p] == ' ') ++p;
  int day = 0;
  const size_t day_start = p;
  while (p < text.size() && IsDigit(text[p]) && p - day_start < 2)
    day = day * 10 + (text[p++] - '0');
  if (p == day_start || p >= text.size() || text[p] != ' ') return false;
  while (p < text.size() && text[p] == ' ') ++p;
  if (p + 4 < text.size() && IsDigit(text[p]) && IsDigit(text[p + 1]) && IsDigit(text[p + 2]) &&
      IsDigit(text[p + 3]) && text[p + 4] == ' ') {
    t.year = (text[p] - '0') * 1000 + (text[p + 1] - '0') * 100 + (text[p + 2] - '0') * 10 +
             (text[p + 3] - '0');
    p += 5;
    while (p < text.size() && text[p] == ' ') ++p;
  }
  bool bad = false;
  const size_t clock = ParseClockTime(text.substr(p), &t, &bad);
  if (clock == 0) return false;
  p += clock;
  if (p < text.size()) {
    if (text[p] != ' ') return false;
    while (p < text.size() && text[p] == ' ') ++p;
    if (!ParseZoneDesignator(text.substr(p), &t.offset_seconds)) return false;
    t.has_offset = true;
  }
  t.month = static_cast<uint8_t>(month);
  t.day = static_cast<uint8_t>(day);
  if (!CivilTimeValid(t)) return false;
  *out = t;
  return true;
}

}  // namespace spard
