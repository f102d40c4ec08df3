// Segment builder: turns a sealed MemorySegment into one sorted table per index column family
// (plus a one-key table for `meta` that records the segment), ready for atomic ingestion with
// rocksdb::DB::IngestExternalFiles. Chunking rules in chunk_codec.cc and below.
//
// Thread-safety: BuildSegmentTables reads a sealed (immutable) segment; call from one thread.

#pragma once

#include <rocksdb/db.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/db.h"
#include "store/memory_segment.h"

namespace spard {

// How entries are grouped into chunks. Part of the stored format: written to meta at creation
// and read back on open, so a later default cannot misread an existing store.
struct IndexLayout {
  // A chunk never spans two buckets of this width (µs, aligned to the epoch): a reader that
  // wants entries from t on starts at t's bucket and never looks further back.
  std::array<int64_t, kIndexKindCount> bucket_us;
  uint32_t max_chunk_entries;

  static IndexLayout Default();
  std::string Encode() const;
  static bool Decode(std::string_view in, IndexLayout* out);
  int64_t Bucket(IndexKind kind, int64_t ts_us) const;  // floor(ts / width)
  int64_t BucketStart(IndexKind kind, int64_t bucket) const;
};

// meta key recording an ingested segment: "segment/" + last id (8 bytes big-endian).
std::string SegmentMetaKey(uint64_t last_id);
inline constexpr std::string_view kSegmentMetaPrefix = "segment/";

struct SegmentTables {
  std::vector<rocksdb::IngestExternalFileArg> args;  // one per column family with entries
  std::vector<std::string> files;
  uint64_t bytes = 0;
  uint64_t chunks = 0;
};

// Writes the tables of `segment` into `dir`.
Status BuildSegmentTables(const MemorySegment& segment, const Database& db,
                          const IndexLayout& layout, const std::string& dir, SegmentTables* out);

}  // namespace spard
