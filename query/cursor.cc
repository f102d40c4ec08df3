#include "query/cursor.h"

#include <sodium.h>

#include "common/coding.h"

namespace spard {

namespace {

constexpr char kVersion = 0x01;

std::string QueryHash(const EventFilter& filter) {
  std::string canonical = filter.Canonical();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()),
                     canonical.size());
  return std::string(reinterpret_cast<const char*>(digest), 8);
}

}  // namespace

std::string EncodeCursor(const IndexEntry& position, bool descending, const EventFilter& filter) {
  std::string bin;
  bin.push_back(kVersion);
  PutVarint64(&bin, ZigZagEncode(position.ts_us));
  PutVarint64(&bin, position.id);
  bin.push_back(descending ? 1 : 0);
  bin += QueryHash(filter);
  std::string out(sodium_base64_encoded_len(bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Status DecodeCursor(std::string_view cursor, bool descending, const EventFilter& filter,
                    IndexEntry* position) {
  const Status bad = Status::InvalidArgument("cursor: malformed; pass next_cursor unchanged");
  if (cursor.size() > 64) return bad;
  unsigned char bin[64];
  size_t len = 0;
  if (sodium_base642bin(bin, sizeof bin, cursor.data(), cursor.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return bad;
  }
  std::string_view in(reinterpret_cast<const char*>(bin), len);
  uint64_t ts, id;
  if (in.empty() || in[0] != kVersion) return bad;
  in.remove_prefix(1);
  if (!GetVarint64(&in, &ts) || !GetVarint64(&in, &id) || in.size() != 9) return bad;
  if ((in[0] != 0) != descending || in.substr(1) != QueryHash(filter)) {
    return Status::InvalidArgument(
        "cursor: belongs to a query with other filters or order; repeat the original query");
  }
  position->ts_us = ZigZagDecode(ts);
  position->id = id;
  return Status::Ok();
}

}  // namespace spard
