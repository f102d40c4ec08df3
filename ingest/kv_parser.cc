#include "ingest/kv_parser.h"

namespace spard {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsKeyStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsKeyChar(char c) { return IsKeyStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

}  // namespace

void ParseKeyValues(std::string_view text, std::vector<KvPair>* out) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && IsSpace(text[i])) ++i;
    if (i == n) break;
    // A token starts here; it is a pair only if it begins with key '='.
    const size_t key_start = i;
    if (IsKeyStart(text[i])) {
      ++i;
      while (i < n && IsKeyChar(text[i])) ++i;
    }
    if (i == key_start || i == n || text[i] != '=') {
      while (i < n && !IsSpace(text[i])) ++i;  // not a pair: skip the token
      continue;
    }
    KvPair pair;
    pair.key = text.substr(key_start, i - key_start);
    ++i;  // '='
    if (i < n && text[i] == '"') {
      pair.quoted = true;
      const size_t value_start = ++i;
      while (i < n && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < n && (text[i + 1] == '"' || text[i + 1] == '\\')) {
          pair.needs_unescape = true;
          ++i;
        }
        ++i;
      }
      pair.value = text.substr(value_start, i - value_start);
      if (i < n) ++i;  // closing '"'
    } else {
      const size_t value_start = i;
      while (i < n && !IsSpace(text[i])) ++i;
      pair.value = text.substr(value_start, i - value_start);
    }
    out->push_back(pair);
  }
}

void UnescapeKvValue(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) {
      ++i;
    }
    out->push_back(raw[i]);
  }
}

}  // namespace spard
