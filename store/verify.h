// Verification of a store (`spar verify`, POST /v1/integrity/verify): everything the log
// claims, recomputed from what is on disk.
//
//  1. Every event is read in id order and hashed into the Merkle tree: ids must run 1, 2, 3...
//     (a purged id needs its kept leaf hash), every stored subtree hash must equal the one
//     recomputed, and the final frontier must equal meta `tree_state`.
//  2. Every signed tree head: its signature under the store's public key, its root against
//     the tree recomputed at its size, sizes and times never going back. (Consistency between
//     consecutive heads follows: both roots come from the one sequence of leaves.)
//  3. The indexes hold exactly the entries the events call for (store/memory_segment.h
//     ForEachIndexTerm), for the events whose index segments were ingested: compared as
//     multisets with a keyed 128-bit set hash (one pass, constant memory), and on a mismatch
//     located by a second pass that names the first bad entry or unindexed event.
//
// The first problem of each kind is reported with the event id or STH it concerns.
// Thread-safety: reads through one RocksDB snapshot; safe beside a running writer.

#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/db.h"
#include "store/integrity.h"

namespace spard {

struct VerifyOptions {
  bool check_indexes = true;
  // The key signed tree heads must verify under. Unset: the one the store names (meta
  // integrity_public_key) — which whoever rewrote the store could have replaced too, so pin
  // the key kept elsewhere (`spar verify --public-key`) to detect that.
  std::optional<PublicKey> public_key;
  // Called now and then with (events done, events in all).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct VerifyReport {
  uint64_t events = 0;        // events read
  uint64_t purged = 0;        // ids covered by a kept leaf hash only
  uint64_t bytes_hashed = 0;  // event bytes fed to SHA-256
  uint64_t subtrees_checked = 0;
  uint64_t sths_checked = 0;
  uint64_t sths_inside_purged = 0;  // sizes inside a fully purged block: root not rebuilt
  uint64_t index_entries = 0;       // index entries compared
  uint64_t tree_size = 0;
  std::vector<std::string> problems;  // empty: all holds
  bool ok() const { return problems.empty(); }
};

Result<VerifyReport> VerifyStore(const Database& db, const VerifyOptions& options);

// The report as POST /v1/integrity/verify and `spar verify --format json` give it:
// {"ok","problems","events","purged","tree_size","subtrees_checked","sths_checked",
//  "index_entries","bytes_hashed","seconds"}.
std::string VerifyReportJson(const VerifyReport& report, double seconds);

}  // namespace spard
