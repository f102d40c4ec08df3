#include "ingest/import_progress.h"

#include <openssl/sha.h>

#include <cstring>

#include "common/coding.h"

namespace spard {

namespace {
constexpr uint8_t kVersion = 1;
constexpr uint8_t kFlagComplete = 1;
}  // namespace

// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP; they are what lets
// a context be copied cheaply (Digest() of a running hash), and store/merkle.cc uses them too.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static_assert(sizeof(SHA256_CTX) <= 128, "Sha256::ctx_ too small");

Sha256::Sha256() { SHA256_Init(reinterpret_cast<SHA256_CTX*>(ctx_)); }

void Sha256::Update(std::string_view data) {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(ctx_), data.data(), data.size());
}

Sha256Digest Sha256::Digest() const {
  SHA256_CTX copy;
  std::memcpy(&copy, ctx_, sizeof(copy));
  Sha256Digest d;
  SHA256_Final(d.data(), &copy);
  return d;
}
#pragma GCC diagnostic pop

Sha256Digest Sha256::Of(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Digest();
}

std::string HexDigest(const Sha256Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * d.size());
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string ImportMetaKey(std::string_view head) {
  return std::string(kImportMetaPrefix) + HexDigest(Sha256::Of(head.substr(0, kImportHeadBytes)));
}

std::string ImportProgress::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(complete ? kFlagComplete : 0));
  PutVarint64(&out, offset);
  out.append(reinterpret_cast<const char*>(prefix_sha256.data()), prefix_sha256.size());
  PutVarint64(&out, messages);
  PutVarint64(&out, events);
  PutVarint64(&out, quarantined);
  PutVarint64(&out, ZigZagEncode(started_us));
  PutVarint64(&out, ZigZagEncode(updated_us));
  PutLengthPrefixed(&out, name);
  return out;
}

bool ImportProgress::Decode(std::string_view in, ImportProgress* out) {
  if (in.size() < 2 || static_cast<uint8_t>(in[0]) != kVersion) return false;
  const uint8_t flags = static_cast<uint8_t>(in[1]);
  if ((flags & ~kFlagComplete) != 0) return false;
  in.remove_prefix(2);
  ImportProgress p;
  p.complete = (flags & kFlagComplete) != 0;
  if (!GetVarint64(&in, &p.offset) || in.size() < p.prefix_sha256.size()) return false;
  std::memcpy(p.prefix_sha256.data(), in.data(), p.prefix_sha256.size());
  in.remove_prefix(p.prefix_sha256.size());
  uint64_t started = 0, updated = 0;
  std::string_view name;
  if (!GetVarint64(&in, &p.messages) || !GetVarint64(&in, &p.events) ||
      !GetVarint64(&in, &p.quarantined) || !GetVarint64(&in, &started) ||
      !GetVarint64(&in, &updated) || !GetLengthPrefixed(&in, &name) || !in.empty()) {
    return false;
  }
  p.started_us = ZigZagDecode(started);
  p.updated_us = ZigZagDecode(updated);
  p.name = std::string(name);
  *out = std::move(p);
  return true;
}

}  // namespace spard
