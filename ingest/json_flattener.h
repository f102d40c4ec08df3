// JsonFlattener: one JSON object in, a flat list of (dotted key, value) pairs out.
//
// Nested objects are flattened with '.', so ECS written nested ({"user":{"name":"u1"}}) and
// dotted ({"user.name":"u1"}) give the same key, "user.name". Values:
//   string          the unescaped text. Without escapes it is a view into the input (so an
//                   Event built on that input keeps it as a slice of raw() at no cost); with
//                   escapes it is unescaped into the FlatJson's own arena.
//   number/bool/null the JSON text as written ("1.5e3", "true", "null").
//   array           its JSON text as written, e.g. ["a", 1] (elements are validated).
// Keys are views into the input when they are top-level and unescaped, else arena copies.
// An empty nested object yields no pair. Duplicate keys are all kept, in document order.
//
// The input must be followed by at least kJsonPadding readable bytes (simdjson reads ahead);
// an Event's raw() is built that way: Flatten(ev.raw(), ev.raw_capacity(), &flat).
//
// Errors (InvalidArgument): malformed JSON, a top level that is not an object, content after
// it, nesting deeper than kMaxJsonDepth, flattened keys larger than a bound proportional to the
// input (so a crafted message cannot multiply its size in memory).
//
// Thread-safety: a JsonFlattener holds simdjson parser state: one per thread. A FlatJson is a
// value; reuse one per thread to keep its buffers' capacity.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spard {

inline constexpr size_t kJsonPadding = 64;  // == SIMDJSON_PADDING
inline constexpr int kMaxJsonDepth = 32;

enum class JsonKind : uint8_t { kString, kNumber, kBool, kNull, kArray };

// The result of a Flatten: pairs whose views point into the input or into this object. Valid
// until the next Flatten or Clear, and while the input is.
class FlatJson {
 public:
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string_view key(size_t i) const { return View(entries_[i].key); }
  std::string_view value(size_t i) const { return View(entries_[i].value); }
  JsonKind kind(size_t i) const { return entries_[i].kind; }
  // Offset of the value in the input, or -1 when it is an arena copy (an unescaped string).
  int64_t value_offset(size_t i) const {
    const Span& v = entries_[i].value;
    return v.in_input ? static_cast<int64_t>(v.offset) : -1;
  }

  // Forgets all pairs; keeps capacity.
  void Clear();

 private:
  friend class JsonFlattener;
  struct Span {
    uint32_t offset = 0;
    uint32_t size = 0;
    bool in_input = false;
  };
  struct Entry {
    Span key;
    Span value;
    JsonKind kind = JsonKind::kString;
  };
  std::string_view View(const Span& s) const {
    return std::string_view(s.in_input ? input_ : std::string_view(arena_))
        .substr(s.offset, s.size);
  }

  std::string_view input_;
  std::string arena_;  // unescaped strings and composed keys; addressed by offset, so it may grow
  std::vector<Entry> entries_;
};

class JsonFlattener {
 public:
  JsonFlattener();
  ~JsonFlattener();
  JsonFlattener(const JsonFlattener&) = delete;
  JsonFlattener& operator=(const JsonFlattener&) = delete;

  // Flattens the JSON object in `json`; `readable` is how many bytes starting at json.data() may
  // be read (>= json.size() + kJsonPadding, else InvalidArgument). On error, *out is cleared and
  // the message names the problem and, where known, its byte offset.
  Status Flatten(std::string_view json, size_t readable, FlatJson* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spard
