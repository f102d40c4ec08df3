// Gallring: events past their system's retention are purged, except those under a legal hold,
// and the log stays verifiable: every signed tree head and every proof for the remaining events
// still verify, because the leaf hashes of purged events are kept where the tree needs them
// (store/event_tree.h; a fully purged 1,024-event block is covered by its stored subtree hash).
//
// A purge finds its candidates in the time index (events older than the shortest retention),
// decides each by its system's retention and the holds, and removes them in id ranges: range
// deletions in the events CF, the kept leaf hashes and the purged range in meta, one atomic
// batch per range — a crash leaves a consistent store, and a re-run completes the purge.
// Index entries of purged events are skipped by readers and dropped by compaction
// (store/purged.h). Finally a signed purge record is stored as an event of system "spard".
//
// Thread-safety: one purge at a time (the caller serialises).

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/holds.h"
#include "store/integrity.h"
#include "store/store.h"

namespace spard {

struct RetentionPolicy {
  int64_t default_days = 1827;  // HSLF-FS 2016:40: at least five years
  std::map<std::string, int64_t> system_days;
  int64_t DaysFor(std::string_view system) const;
  int64_t MinDays() const;
  std::string Describe() const;  // "default 1827 days; procapita 730 days"
};

struct PurgeOptions {
  int64_t now_us = 0;
  bool dry_run = false;
  std::string requested_by = "spard";  // the purge record's user
};

struct PurgeReport {
  uint64_t examined = 0;  // events older than the shortest retention
  uint64_t purged = 0;
  uint64_t held = 0;  // past retention but under a hold
  uint64_t kept_leaves = 0;
  std::map<std::string, uint64_t> purged_by_system;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;  // purged id ranges, inclusive
  uint64_t record_id = 0;  // the purge record event (0 for a dry run or nothing purged)
};

Result<PurgeReport> Purge(Store* store, Integrity* integrity, const RetentionPolicy& policy,
                          const std::vector<Hold>& holds, const PurgeOptions& options);

}  // namespace spard
