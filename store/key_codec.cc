// Key layout of spard's RocksDB column families (format version 1).
//
//   id            := uint64, big-endian, 8 bytes. Event ids start at 1 and grow by one per
//                    committed event; quarantine ids are a separate sequence.
//   ts            := uint64 big-endian of (microseconds since 1970-01-01T00:00:00Z XOR 2^63),
//                    so that byte order is time order, before 1970 included.
//   term          := the indexed value with 0x00 -> 0x01 0x01 and 0x01 -> 0x01 0x02.
//                    It never contains 0x00 and sorts like the unescaped bytes.
//
//   events        : id                                  -> event value      (event_codec.cc)
//   quarantine    : id                                  -> quarantine value (event_codec.cc)
//   index_user    : term(user) 0x00 ts id               -> chunk            (chunk_codec.cc)
//   index_subject : term(normalised subject) 0x00 ts id -> chunk
//   index_system  : term(system) 0x00 ts id             -> chunk
//   index_object  : term(object) 0x00 term(system) 0x00 ts id -> chunk
//   index_time    : ts id                               -> chunk
//   meta          : ASCII name                          -> versioned value  (meta_keys.h)
//
// In an index key, (ts, id) is a lower bound of every entry in the chunk stored under it (when
// written: its first entry). See chunk_codec.cc for the chunk and docs/storage_format.md for why.

#include "store/key_codec.h"

#include "common/coding.h"

namespace spard {

std::string_view IndexKindName(IndexKind kind) {
  switch (kind) {
    case IndexKind::kUser:
      return "user";
    case IndexKind::kObject:
      return "object";
    case IndexKind::kSubject:
      return "subject";
    case IndexKind::kSystem:
      return "system";
    case IndexKind::kTime:
      return "time";
  }
  return "unknown";
}

void AppendEventKey(std::string* dst, uint64_t id) { PutFixed64BE(dst, id); }

std::string EventKey(uint64_t id) {
  std::string k;
  k.reserve(8);
  PutFixed64BE(&k, id);
  return k;
}

bool DecodeEventKey(std::string_view key, uint64_t* id) {
  return key.size() == 8 && GetFixed64BE(&key, id);
}

void AppendEscapedTerm(std::string* dst, std::string_view term) {
  for (char c : term) {
    if (c == '\x00') {
      dst->append("\x01\x01", 2);
    } else if (c == '\x01') {
      dst->append("\x01\x02", 2);
    } else {
      dst->push_back(c);
    }
  }
}

bool UnescapeTerm(std::string_view escaped, std::string* out) {
  out->clear();
  for (size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c == '\x00') return false;
    if (c != '\x01') {
      out->push_back(c);
      continue;
    }
    if (++i == escaped.size()) return false;
    if (escaped[i] == '\x01') {
      out->push_back('\x00');
    } else if (escaped[i] == '\x02') {
      out->push_back('\x01');
    } else {
      return false;
    }
  }
  return true;
}

std::string TermPrefix(std::string_view term) {
  std::string p;
  p.reserve(term.size() + 1);
  AppendEscapedTerm(&p, term);
  p.push_back('\x00');
  return p;
}

std::string ObjectPrefix(std::string_view object) { return TermPrefix(object); }

std::string ObjectTermPrefix(std::string_view object, std::string_view system) {
  std::string p = TermPrefix(object);
  AppendEscapedTerm(&p, system);
  p.push_back('\x00');
  return p;
}

void AppendTimestamp(std::string* dst, int64_t ts_us) {
  PutFixed64BE(dst, OrderedFromSigned(ts_us));
}

void AppendIndexKey(std::string* dst, std::string_view term_prefix, const IndexEntry& entry) {
  dst->append(term_prefix);
  AppendTimestamp(dst, entry.ts_us);
  PutFixed64BE(dst, entry.id);
}

std::string IndexKey(std::string_view term_prefix, const IndexEntry& entry) {
  std::string k;
  k.reserve(term_prefix.size() + 16);
  AppendIndexKey(&k, term_prefix, entry);
  return k;
}

bool DecodeIndexKey(std::string_view key, std::string_view* term_prefix, IndexEntry* entry) {
  if (key.size() < 16) return false;
  *term_prefix = key.substr(0, key.size() - 16);
  const char* p = key.data() + key.size() - 16;
  entry->ts_us = SignedFromOrdered(DecodeFixed64BE(p));
  entry->id = DecodeFixed64BE(p + 8);
  return true;
}

}  // namespace spard
