#include "common/json_writer.h"

#include <rapidjson/writer.h>
#include <simdjson.h>

namespace spard {

namespace {

// RapidJSON output stream appending to a std::string.
struct StringStream {
  typedef char Ch;
  std::string* s;
  void Put(char c) { s->push_back(c); }
  void Flush() {}
};

// Length of the valid UTF-8 sequence starting at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

std::string EscapeInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  static const char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

struct JsonWriter::Impl {
  StringStream stream;
  rapidjson::Writer<StringStream> writer;
  explicit Impl(std::string* out) : stream{out}, writer(stream) {}
};

JsonWriter::JsonWriter(std::string* out) : impl_(std::make_unique<Impl>(out)) {}
JsonWriter::~JsonWriter() = default;

void JsonWriter::Reset(std::string* out) {
  impl_->stream.s = out;
  impl_->writer.Reset(impl_->stream);
}

void JsonWriter::StartObject() { impl_->writer.StartObject(); }
void JsonWriter::EndObject() { impl_->writer.EndObject(); }
void JsonWriter::StartArray() { impl_->writer.StartArray(); }
void JsonWriter::EndArray() { impl_->writer.EndArray(); }

void JsonWriter::Key(std::string_view k) {
  if (IsValidUtf8(k)) {
    impl_->writer.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  } else {
    std::string e = EscapeInvalidUtf8(k);
    impl_->writer.Key(e.data(), static_cast<rapidjson::SizeType>(e.size()));
  }
}

void JsonWriter::String(std::string_view v) {
  if (IsValidUtf8(v)) {
    impl_->writer.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  } else {
    std::string e = EscapeInvalidUtf8(v);
    impl_->writer.String(e.data(), static_cast<rapidjson::SizeType>(e.size()));
  }
}

void JsonWriter::Int(int64_t v) { impl_->writer.Int64(v); }
void JsonWriter::Uint(uint64_t v) { impl_->writer.Uint64(v); }
void JsonWriter::Double(double v) { impl_->writer.Double(v); }
void JsonWriter::Bool(bool v) { impl_->writer.Bool(v); }
void JsonWriter::Null() { impl_->writer.Null(); }

}  // namespace spard
