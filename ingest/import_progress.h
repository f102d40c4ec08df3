// ImportProgress: how far `spar import` got with one input, kept in the store's `meta` column
// family so that importing the same input again adds nothing twice.
//
// An input is known by its content, not by its name or compression: by the SHA-256 of its first
// 64 KiB after decompression (all of it when shorter). So `log.gz`, `log.zst`, the unpacked
// `log` and `zcat log.gz | spar import -` are one input. The record says how many bytes of that
// content are stored (always up to a message boundary) and the SHA-256 of exactly those bytes;
// every batch the importer commits carries the record for the content up to its last message,
// in the same atomic write as its events (IngestBatch::meta_puts). A re-run reads the input
// again, hashes the bytes the record covers without decoding them, and goes on after them only
// if the hashes agree; a complete record whose content ends there means "already imported".
//
//   key   := "import/" hex(sha256(first 64 KiB of the content))        -- 71 ASCII bytes
//   value := 0x01 flags:u8 offset:varint64 prefix_sha256:byte{32}
//            messages:varint64 events:varint64 quarantined:varint64
//            started_us:zigzag-varint64 updated_us:zigzag-varint64 name:string
//   flags := bit 0: complete (the input was read to its end and all of it is stored)
//   string:= varint32 length, bytes
//
// offset counts decompressed bytes; messages, events and quarantined are totals over every run
// that stored part of this input; name is the path (or "-") the input was last imported as.
//
// Thread-safety: value types and pure functions; a Sha256 is per thread.

#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace spard {

inline constexpr size_t kImportHeadBytes = 64 << 10;
inline constexpr std::string_view kImportMetaPrefix = "import/";

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental SHA-256 (OpenSSL; the CPU's SHA extensions where present).
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  // The digest of everything so far; the hash can go on.
  Sha256Digest Digest() const;
  static Sha256Digest Of(std::string_view data);

 private:
  alignas(8) unsigned char ctx_[128];  // SHA256_CTX (112 bytes), opaque here
};

std::string HexDigest(const Sha256Digest& d);

// "import/" + hex of the SHA-256 of `head` (the first kImportHeadBytes of the content).
std::string ImportMetaKey(std::string_view head);

struct ImportProgress {
  bool complete = false;
  uint64_t offset = 0;
  Sha256Digest prefix_sha256{};
  uint64_t messages = 0;
  uint64_t events = 0;
  uint64_t quarantined = 0;
  int64_t started_us = 0;
  int64_t updated_us = 0;
  std::string name;

  std::string Encode() const;
  // False for an unknown version or a malformed value.
  static bool Decode(std::string_view in, ImportProgress* out);
  bool operator==(const ImportProgress&) const = default;
};

}  // namespace spard
