// JsonWriter: streaming JSON output into a std::string, on RapidJSON's Writer.
//
// What spard adds: strings are checked for UTF-8 first, and bytes that are not valid UTF-8 are
// shown as the text "\xNN" (so a JSON answer never breaks and the bad byte stays visible; the
// byte-exact original is in the stored raw message).
//
// Thread-safety: one writer per thread.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spard {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  void Key(std::string_view k);
  void String(std::string_view v);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Double(double v);
  void Bool(bool v);
  void Null();

  // Starts a fresh document into `out` (appending to it).
  void Reset(std::string* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when s is valid UTF-8.
bool IsValidUtf8(std::string_view s);
// s with each byte that is not part of a valid UTF-8 sequence replaced by the text "\xNN".
std::string EscapeInvalidUtf8(std::string_view s);

}  // namespace spard
