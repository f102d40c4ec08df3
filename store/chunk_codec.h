// Index chunks: the value stored under an index key. A chunk holds the entries (ts, id) of one
// term, written by one index segment, inside one time bucket, in ascending order; the key's
// (ts, id) is a lower bound of all of them. Grammar in chunk_codec.cc.
//
// Thread-safety: pure functions.

#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/key_codec.h"

namespace spard {

struct ChunkHeader {
  uint32_t count = 0;
  int64_t max_ts_us = 0;  // ts of the last entry
};

// Encodes `entries` (ascending, non-empty, all >= key) into `*out` (cleared first).
void EncodeChunk(const IndexEntry& key, std::span<const IndexEntry> entries, std::string* out);

// Reads count and max ts without decoding entries. False on malformed input.
bool DecodeChunkHeader(std::string_view value, const IndexEntry& key, ChunkHeader* header);

// Appends the chunk's entries to `*out`. False on malformed input.
bool DecodeChunk(std::string_view value, const IndexEntry& key, std::vector<IndexEntry>* out);

}  // namespace spard
