// Re-processing the quarantine: after a mapping fix (a new or changed `[[mapping]]`, which
// `options.mappings` carries) or a new parser, quarantined messages are decoded again with
// `options`, and those that now make an event move into the store — the event written and
// the quarantine record deleted in one atomic batch, so each moves once. The event keeps the
// receive time, listener and peer of the original message.
//
// Thread-safety: one re-processing at a time (the caller serialises); concurrent ingest is fine.

#pragma once

#include <cstdint>
#include <string>

#include "common/async.h"
#include "common/status.h"
#include "ingest/decoder.h"
#include "store/store.h"

namespace spard {

struct ReprocessFilter {
  std::string reason_prefix;    // only records whose reason starts with this ("" = all)
  uint64_t after_id = 0;        // only records with a larger id
  uint64_t limit = UINT64_MAX;  // examine at most this many records
};

struct ReprocessResult {
  Status status;
  uint64_t examined = 0;     // records that matched the filter
  uint64_t reprocessed = 0;  // moved into the store as events
  uint64_t remaining = 0;    // still not an event
  uint64_t last_id = 0;      // last record examined (resume with after_id)
};

asio::awaitable<ReprocessResult> ReprocessQuarantine(Store* store, const DecoderOptions& options,
                                                     ReprocessFilter filter);

}  // namespace spard
