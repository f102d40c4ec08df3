// Reading the indexes: ordered streams of (ts, id) for one term in a time range, merged over
// the tables on disk and the segments still in memory, and counts that avoid decoding where
// they can.
//
// Thread-safety: an IndexSnapshot is immutable and shareable; a stream is used by one thread.

#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/db.h"
#include "store/key_codec.h"
#include "store/memory_segment.h"
#include "store/purged.h"
#include "store/segment_builder.h"

namespace spard {

// What a reader sees: the in-memory segments at one moment, and the id from which entries are
// taken from them rather than from disk (so an entry is never seen twice while a segment is
// being ingested).
struct IndexSnapshot {
  std::vector<std::shared_ptr<const MemorySegment>> segments;  // oldest first
  uint64_t first_memory_id = UINT64_MAX;
  // Events removed by gallring: their entries may linger in tables until compaction.
  std::shared_ptr<const PurgedRanges> purged = std::make_shared<PurgedRanges>();
};

class EntryStream {
 public:
  virtual ~EntryStream() = default;
  // Next entry in the stream's order; false at the end or on error (then see status()).
  virtual bool Next(IndexEntry* out) = 0;
  virtual Status status() const { return Status::Ok(); }
};

struct IndexQuery {
  IndexKind kind = IndexKind::kTime;
  std::string term;    // user, object, normalised subject, system; unused for kTime
  std::string system;  // kObject only: restrict to this system when has_system
  bool has_system = false;
  TimeRange range;
  bool descending = false;
  std::optional<IndexEntry> after;  // resume strictly after this entry (in stream order)
};

class IndexReader {
 public:
  IndexReader(const Database* db, const IndexLayout& layout,
              std::shared_ptr<const IndexSnapshot> snapshot);

  std::unique_ptr<EntryStream> Open(const IndexQuery& query) const;
  Result<uint64_t> Count(const IndexQuery& query) const;

 private:
  // The full term prefixes a query covers (several for an object without a system).
  std::vector<std::string> TermPrefixes(const IndexQuery& query) const;

  const Database* db_;
  IndexLayout layout_;
  std::shared_ptr<const IndexSnapshot> snapshot_;
};

// Merges ordered streams into one (exposed for tests).
std::unique_ptr<EntryStream> MergeStreams(std::vector<std::unique_ptr<EntryStream>> children,
                                          bool descending);

}  // namespace spard
