// Byte encodings shared by the on-disk formats (LevelDB's util/coding.h): fixed-width
// big-endian integers (so that byte order equals numeric order in keys), LEB128 varints and
// zigzag for values, length-prefixed strings.
//
// Get* functions consume from the front of `*in` and return false on truncated or malformed
// input, leaving `*in` unspecified. Thread-safety: pure functions.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spard {

void PutFixed64BE(std::string* dst, uint64_t v);
bool GetFixed64BE(std::string_view* in, uint64_t* v);
uint64_t DecodeFixed64BE(const char* p);

void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
bool GetVarint32(std::string_view* in, uint32_t* v);
bool GetVarint64(std::string_view* in, uint64_t* v);
int VarintLength(uint64_t v);

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Signed timestamps as order-preserving unsigned: flips the sign bit.
inline uint64_t OrderedFromSigned(int64_t v) {
  return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
}
inline int64_t SignedFromOrdered(uint64_t v) {
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

// varint32 length followed by the bytes.
void PutLengthPrefixed(std::string* dst, std::string_view s);
bool GetLengthPrefixed(std::string_view* in, std::string_view* s);

}  // namespace spard
