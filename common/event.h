// The canonical access event: who (user) did what (action) to which record (object, about
// which person: subject), when (ts), in which system — plus where it came from and the
// original bytes, kept byte-exact.
//
// An Event owns two buffers: `raw_`, the message exactly as received (never modified after
// construction), and `extra_`, values that do not occur verbatim in raw (unescaped strings,
// values from static mappings). A field is a slice of one of the two, so a parser that points
// into raw() costs no copy, and the store can encode such fields as (offset, length) into the
// raw bytes instead of repeating them.
//
// Thread-safety: a value type; not safe for concurrent mutation.

#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spard {

// The canonical fields of SPEC §3. Order is part of the storage format (store/event_codec.cc).
enum class Field : uint8_t {
  kSystem = 0,
  kUser,
  kAction,
  kObject,
  kSubject,
  kOutcome,
  kClientIp,
  kHost,
  kReason,
};
inline constexpr size_t kFieldCount = 9;
inline constexpr std::array<Field, kFieldCount> kAllFields = {
    Field::kSystem,  Field::kUser,     Field::kAction, Field::kObject, Field::kSubject,
    Field::kOutcome, Field::kClientIp, Field::kHost,   Field::kReason};

// "system", "user", ... as in the API and the SPEC.
std::string_view FieldName(Field f);
// The inverse of FieldName; false for an unknown name.
bool FieldFromName(std::string_view name, Field* out);

// Which parser produced the event. Stored; values are part of the format.
enum class Format : uint8_t {
  kUnknown = 0,
  kJson = 1,
  kRfc5424 = 2,
  kRfc3164 = 3,
  kCef = 4,
  kInternal = 5,  // produced by spard itself (audit events)
};
std::string_view FormatName(Format f);

// Which listener received the bytes. Stored; values are part of the format.
enum class Listener : uint8_t {
  kUnknown = 0,
  kTcp = 1,
  kUdp = 2,
  kHttp = 3,
  kTls = 4,
  kRelp = 5,
  kImport = 6,
  kInternal = 7,
};
std::string_view ListenerName(Listener l);

// Event::flags bits. Stored.
inline constexpr uint8_t kEventFlagTruncated = 1;  // raw was cut at ingest.max_message_bytes

class Event {
 public:
  Event() = default;
  // Holds a copy of `raw`. The buffer is over-allocated by kRawPadding bytes so that simdjson
  // can parse raw() in place.
  explicit Event(std::string_view raw);
  Event(Event&&) noexcept = default;
  Event& operator=(Event&&) noexcept = default;
  Event(const Event&) = default;
  Event& operator=(const Event&) = default;

  static constexpr size_t kRawPadding = 64;

  std::string_view raw() const { return raw_; }
  // Capacity of the raw buffer, >= raw().size() + kRawPadding.
  size_t raw_capacity() const { return raw_.capacity(); }

  bool has(Field f) const { return (present_ >> static_cast<unsigned>(f)) & 1u; }
  std::string_view field(Field f) const;
  // Sets a field. A value that lies inside raw() is kept as a slice of it; anything else is
  // copied. An empty value clears the field.
  void set_field(Field f, std::string_view value);
  void clear_field(Field f);
  // True when field f is a slice of raw() (and so can be stored as a reference).
  bool field_in_raw(Field f) const { return has(f) && fields_[Index(f)].in_raw; }
  // Offset of field f inside raw(); only meaningful when field_in_raw(f).
  uint32_t field_offset(Field f) const { return fields_[Index(f)].offset; }

  // Attributes: other key/value pairs of the message, in arrival order. Same slice rules.
  size_t attr_count() const { return attrs_.size(); }
  std::string_view attr_key(size_t i) const { return View(attrs_[i].key); }
  std::string_view attr_value(size_t i) const { return View(attrs_[i].value); }
  bool attr_key_in_raw(size_t i) const { return attrs_[i].key.in_raw; }
  bool attr_value_in_raw(size_t i) const { return attrs_[i].value.in_raw; }
  uint32_t attr_key_offset(size_t i) const { return attrs_[i].key.offset; }
  uint32_t attr_value_offset(size_t i) const { return attrs_[i].value.offset; }
  void add_attr(std::string_view key, std::string_view value);
  // Value of the first attribute named `key`, or empty.
  std::string_view attr(std::string_view key) const;

  // Metadata, set by the receiver and the store.
  uint64_t id = 0;    // assigned by the store at commit; 0 before
  int64_t ts_us = 0;  // event time, microseconds since the Unix epoch (UTC)
  bool has_ts = false;
  int64_t received_us = 0;  // when spard read the message
  Format format = Format::kUnknown;
  Listener listener = Listener::kUnknown;
  uint8_t flags = 0;
  std::string peer;  // "10.0.0.7:51234", or a file name for imports

  // Approximate heap footprint, for queue accounting.
  size_t MemoryUsage() const;

 private:
  struct Slice {
    uint32_t offset = 0;
    uint32_t size = 0;
    bool in_raw = false;
  };
  static unsigned Index(Field f) { return static_cast<unsigned>(f); }
  Slice Store(std::string_view value);
  std::string_view View(const Slice& s) const {
    return std::string_view(s.in_raw ? raw_ : extra_).substr(s.offset, s.size);
  }

  std::string raw_;
  std::string extra_;
  std::array<Slice, kFieldCount> fields_{};
  uint16_t present_ = 0;
  struct Attr {
    Slice key;
    Slice value;
  };
  std::vector<Attr> attrs_;
};

// A message spard could not turn into an event: kept byte-exact with why, never dropped.
struct QuarantineRecord {
  uint64_t id = 0;  // assigned by the store at commit (own sequence)
  std::string raw;
  std::string reason;  // "missing field: user", "rfc5424: bad timestamp at byte 12", ...
  int64_t received_us = 0;
  Listener listener = Listener::kUnknown;
  uint8_t flags = 0;  // kEventFlagTruncated
  std::string peer;

  size_t MemoryUsage() const {
    return sizeof(*this) + raw.capacity() + reason.capacity() + peer.capacity();
  }
};

}  // namespace spard
