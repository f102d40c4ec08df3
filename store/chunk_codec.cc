// Index chunk values (format version 1).
//
//   chunk  := 0x01                                   one entry, equal to the key
//           | 0x02 count:varint32 span:varint64 entry{count}
//   entry  := dts:varint64 did:varint64
//
//   span   = ts of the last entry - ts of the key; lets a reader skip or count a whole chunk
//            from its first bytes.
//   dts    = ts - ts of the previous entry (>= 0: entries ascend); the first entry's previous
//            is the key.
//   did    = zigzag(id - id of the previous entry); ids are not monotonic in ts order.
//
// Kind bytes other than 0x01 and 0x02 are reserved for later versions; a reader rejects them.
// The common case of a term seen once in a segment (most objects and subjects) costs one byte.

#include "store/chunk_codec.h"

#include "common/coding.h"

namespace spard {

namespace {
constexpr char kSingle = 0x01;
constexpr char kList = 0x02;
}  // namespace

void EncodeChunk(const IndexEntry& key, std::span<const IndexEntry> entries, std::string* out) {
  out->clear();
  if (entries.size() == 1 && entries[0] == key) {
    out->push_back(kSingle);
    return;
  }
  out->push_back(kList);
  PutVarint32(out, static_cast<uint32_t>(entries.size()));
  PutVarint64(out, static_cast<uint64_t>(entries.back().ts_us - key.ts_us));
  IndexEntry prev = key;
  for (const IndexEntry& e : entries) {
    PutVarint64(out, static_cast<uint64_t>(e.ts_us - prev.ts_us));
    PutVarint64(out, ZigZagEncode(static_cast<int64_t>(e.id - prev.id)));
    prev = e;
  }
}

bool DecodeChunkHeader(std::string_view value, const IndexEntry& key, ChunkHeader* header) {
  if (value.empty()) return false;
  if (value[0] == kSingle) {
    header->count = 1;
    header->max_ts_us = key.ts_us;
    return value.size() == 1;
  }
  if (value[0] != kList) return false;
  value.remove_prefix(1);
  uint64_t span;
  if (!GetVarint32(&value, &header->count) || !GetVarint64(&value, &span) || header->count == 0) {
    return false;
  }
  header->max_ts_us = key.ts_us + static_cast<int64_t>(span);
  return true;
}

bool DecodeChunk(std::string_view value, const IndexEntry& key, std::vector<IndexEntry>* out) {
  if (value.empty()) return false;
  if (value[0] == kSingle) {
    if (value.size() != 1) return false;
    out->push_back(key);
    return true;
  }
  if (value[0] != kList) return false;
  value.remove_prefix(1);
  uint32_t count;
  uint64_t span;
  if (!GetVarint32(&value, &count) || !GetVarint64(&value, &span) || count == 0) return false;
  // Each entry takes at least two bytes: a count larger than that is corrupt, not a huge alloc.
  if (count > value.size() / 2) return false;
  out->reserve(out->size() + count);
  IndexEntry prev = key;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t dts, did;
    if (!GetVarint64(&value, &dts) || !GetVarint64(&value, &did)) return false;
    IndexEntry e{prev.ts_us + static_cast<int64_t>(dts),
                 prev.id + static_cast<uint64_t>(ZigZagDecode(did))};
    out->push_back(e);
    prev = e;
  }
  return value.empty();
}

}  // namespace spard
