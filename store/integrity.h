// Signed tree heads (STH): spard's statement, with its Ed25519 key, that its log of events had
// `tree_size` events with Merkle root `root` at `timestamp` (RFC 9162 §4.10, simplified).
//
// The signing key is created at first start in <data_dir>/integrity.key (mode 0600) and never
// leaves the machine; the public key is exported (GET /v1/integrity/public-key). Each STH is
// stored (meta "sth/<timestamp>"), appended as one JSON line to <data_dir>/sth.log for
// operators to archive elsewhere, and, when a witness is configured, sent there as a syslog
// message: a store rewritten and re-signed afterwards then no longer matches what left the
// machine.
//
//   signed bytes := "spard-sth-v1\n" tree_size:u64be root:32 timestamp_us:u64be
//   stored value := 0x01 tree_size:varint64 root:32 timestamp_us:zigzag-varint64 signature:64
//
// Thread-safety: all methods may be called from any thread.

#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/merkle.h"
#include "store/store.h"

namespace spard {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

struct SignedTreeHead {
  uint64_t tree_size = 0;
  Hash root{};
  int64_t timestamp_us = 0;
  Signature signature{};

  // The bytes the signature covers.
  std::string SignedBytes() const;
  bool Verify(const PublicKey& key) const;
  // {"tree_size":..,"root":"hex","timestamp":"RFC 3339","timestamp_us":..,"signature":"base64"}
  std::string ToJson() const;
};

std::string Base64(std::string_view bytes);

class Integrity {
 public:
  // Loads or creates the signing key. `witness`: "" or "udp://HOST:PORT" / "tcp://HOST:PORT".
  static Result<std::unique_ptr<Integrity>> Open(Store* store, const std::string& data_dir,
                                                 const std::string& witness);

  const PublicKey& public_key() const { return public_key_; }
  std::string key_id() const;  // first 8 bytes of SHA-256(public key), hex

  // Signs the current tree head unless the last STH already has this size (or `force`),
  // stores it, appends sth.log and notifies the witness. Returns the new STH, if any.
  Result<std::optional<SignedTreeHead>> SignIfChanged(int64_t now_us, bool force = false);

  Result<std::optional<SignedTreeHead>> Latest() const;
  // STHs with timestamp > after_us, oldest first.
  Result<std::vector<SignedTreeHead>> List(int64_t after_us, size_t limit) const;
  // The earliest STH whose tree covers `leaf_count` leaves.
  Result<std::optional<SignedTreeHead>> FirstCovering(uint64_t leaf_count) const;

  // Signs any record (a purge record): base64 of the Ed25519 signature over "spard-record-v1\n"
  // followed by the record's bytes.
  std::string SignRecord(std::string_view record) const;
  bool VerifyRecord(std::string_view record, std::string_view signature_base64) const;

  static std::string EncodeSth(const SignedTreeHead& sth);
  static bool DecodeSth(std::string_view in, SignedTreeHead* out);

 private:
  Integrity(Store* store, std::string data_dir, std::string witness)
      : store_(store), data_dir_(std::move(data_dir)), witness_(std::move(witness)) {}
  void SendToWitness(const SignedTreeHead& sth);

  Store* const store_;
  const std::string data_dir_;
  const std::string witness_;
  PublicKey public_key_{};
  std::array<uint8_t, 64> secret_key_{};
  std::mutex mu_;  // one signer at a time
};

}  // namespace spard
