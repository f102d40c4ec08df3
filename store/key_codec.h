// Keys of every column family spard writes. The grammar is at the top of key_codec.cc and in
// docs/storage_format.md; byte order of keys is the order range scans rely on.
//
// Thread-safety: pure functions.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spard {

// The secondary indexes. Values are stored in the storage format (meta "index_layout").
enum class IndexKind : uint8_t {
  kUser = 0,
  kObject = 1,
  kSubject = 2,
  kSystem = 3,
  kTime = 4,
};
inline constexpr int kIndexKindCount = 5;
std::string_view IndexKindName(IndexKind kind);  // "user", "object", ...

// One index entry: an event at a time. Entries order by (ts, id).
struct IndexEntry {
  int64_t ts_us = 0;
  uint64_t id = 0;
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
  friend auto operator<=>(const IndexEntry& a, const IndexEntry& b) {
    if (a.ts_us != b.ts_us) return a.ts_us <=> b.ts_us;
    return a.id <=> b.id;
  }
};

// events and quarantine keys: the id, 8 bytes big-endian.
std::string EventKey(uint64_t id);
void AppendEventKey(std::string* dst, uint64_t id);
bool DecodeEventKey(std::string_view key, uint64_t* id);

// The escaped form of an index term: 0x00 -> 0x01 0x01, 0x01 -> 0x01 0x02. Order-preserving,
// never contains 0x00, so a term followed by 0x00 is a prefix of no other term's keys.
void AppendEscapedTerm(std::string* dst, std::string_view term);
bool UnescapeTerm(std::string_view escaped, std::string* out);

// The bytes before (ts, id) in an index key: "escaped(term) 0x00", for the object index
// "escaped(object) 0x00 escaped(system) 0x00", for the time index nothing.
std::string TermPrefix(std::string_view term);
std::string ObjectTermPrefix(std::string_view object, std::string_view system);
// Prefix shared by an object's keys in every system: "escaped(object) 0x00".
std::string ObjectPrefix(std::string_view object);

// prefix + ts + id.
std::string IndexKey(std::string_view term_prefix, const IndexEntry& entry);
void AppendIndexKey(std::string* dst, std::string_view term_prefix, const IndexEntry& entry);
// Splits an index key into its term prefix and (ts, id). False if too short.
bool DecodeIndexKey(std::string_view key, std::string_view* term_prefix, IndexEntry* entry);

// Big-endian, sign-flipped microseconds: byte order equals time order.
void AppendTimestamp(std::string* dst, int64_t ts_us);

}  // namespace spard
