// The integrity endpoints: tree heads, signed tree heads, the public key, and RFC 9162
// inclusion and consistency proofs for independent verification.
//
//   GET /v1/integrity                          state of the tree, latest STH, public key
//   GET /v1/integrity/public-key               the Ed25519 key STHs are signed with (no token)
//   GET /v1/integrity/sths?after=&limit=       STHs, oldest first (after: timestamp_us)
//   GET /v1/integrity/consistency?first=&second=
//   GET /v1/events/{id}/proof?tree_size=       inclusion of one event (default: the first
//                                              STH covering it, else the current tree)
//
// Thread-safety: as api.h.

#pragma once

#include "query/api.h"
#include "store/integrity.h"

namespace spard {

void RegisterIntegrityApi(HttpServer* server, const ApiContext& context, Integrity* integrity);

}  // namespace spard
