// Event and quarantine values (format version 1).
//
//   event      := 0x01 flags:u8 format:u8 listener:u8
//                 ts:varint64 received:varint64 peer:string raw:string
//                 present:varint32 field{popcount(present)} attrs:varint32 attr{attrs}
//   ts         := zigzag(microseconds since the epoch)
//   received   := zigzag(received - ts)                  (small: seconds, not decades)
//   present    := bit i set when canonical field i is present (common/event.h Field order:
//                 system user action object subject outcome client_ip host reason)
//   field      := ref
//   attr       := key:ref value:ref
//   ref        := varint32 (len << 1 | 1) offset:varint32   a slice raw[offset, offset + len)
//               | varint32 (len << 1 | 0) byte{len}         an inline value
//   string     := len:varint32 byte{len}
//
//   quarantine := 0x01 flags:u8 listener:u8 received:varint64 peer:string reason:string raw:string
//   received   := zigzag(microseconds since the epoch)
//
// flags: bit 0 = truncated at ingest.max_message_bytes. Format and listener values are those of
// common/event.h. A reader rejects any other version byte.

#include "store/event_codec.h"

#include "common/coding.h"

namespace spard {

namespace {

constexpr char kVersion = 0x01;

void PutRef(std::string* out, std::string_view value, bool in_raw, uint32_t offset) {
  uint64_t len = value.size();
  if (in_raw) {
    PutVarint64(out, (len << 1) | 1);
    PutVarint32(out, offset);
  } else {
    PutVarint64(out, len << 1);
    out->append(value);
  }
}

bool GetRef(std::string_view* in, std::string_view raw, std::string_view* value) {
  uint64_t tag;
  if (!GetVarint64(in, &tag)) return false;
  uint64_t len = tag >> 1;
  if (tag & 1) {
    uint32_t offset;
    if (!GetVarint32(in, &offset) || offset > raw.size() || len > raw.size() - offset) {
      return false;
    }
    *value = raw.substr(offset, len);
  } else {
    if (len > in->size()) return false;
    *value = in->substr(0, len);
    in->remove_prefix(len);
  }
  return true;
}

bool GetByte(std::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

}  // namespace

void EncodeEvent(const Event& event, std::string* out) {
  out->push_back(kVersion);
  out->push_back(static_cast<char>(event.flags));
  out->push_back(static_cast<char>(event.format));
  out->push_back(static_cast<char>(event.listener));
  PutVarint64(out, ZigZagEncode(event.ts_us));
  PutVarint64(out, ZigZagEncode(event.received_us - event.ts_us));
  PutLengthPrefixed(out, event.peer);
  PutLengthPrefixed(out, event.raw());
  uint32_t present = 0;
  for (Field f : kAllFields) {
    if (event.has(f)) present |= 1u << static_cast<unsigned>(f);
  }
  PutVarint32(out, present);
  for (Field f : kAllFields) {
    if (event.has(f)) PutRef(out, event.field(f), event.field_in_raw(f), event.field_offset(f));
  }
  PutVarint32(out, static_cast<uint32_t>(event.attr_count()));
  for (size_t i = 0; i < event.attr_count(); ++i) {
    PutRef(out, event.attr_key(i), event.attr_key_in_raw(i), event.attr_key_offset(i));
    PutRef(out, event.attr_value(i), event.attr_value_in_raw(i), event.attr_value_offset(i));
  }
}

bool DecodeEvent(std::string_view in, EventView* view) {
  uint8_t version, format, listener;
  if (!GetByte(&in, &version) || version != kVersion || !GetByte(&in, &view->flags) ||
      !GetByte(&in, &format) || !GetByte(&in, &listener)) {
    return false;
  }
  view->format = static_cast<Format>(format);
  view->listener = static_cast<Listener>(listener);
  uint64_t ts, received;
  if (!GetVarint64(&in, &ts) || !GetVarint64(&in, &received)) return false;
  view->ts_us = ZigZagDecode(ts);
  view->received_us = view->ts_us + ZigZagDecode(received);
  if (!GetLengthPrefixed(&in, &view->peer) || !GetLengthPrefixed(&in, &view->raw)) return false;
  uint32_t present;
  if (!GetVarint32(&in, &present) || present >= (1u << kFieldCount)) return false;
  for (size_t i = 0; i < kFieldCount; ++i) {
    view->fields[i] = {};
    if ((present >> i) & 1u) {
      if (!GetRef(&in, view->raw, &view->fields[i])) return false;
    }
  }
  uint32_t attrs;
  if (!GetVarint32(&in, &attrs) || attrs > in.size()) return false;
  view->attrs.clear();
  view->attrs.reserve(attrs);
  for (uint32_t i = 0; i < attrs; ++i) {
    std::string_view k, v;
    if (!GetRef(&in, view->raw, &k) || !GetRef(&in, view->raw, &v)) return false;
    view->attrs.emplace_back(k, v);
  }
  return in.empty();
}

Event ToEvent(const EventView& view) {
  Event e(view.raw);
  std::string_view raw = e.raw();
  auto rebase = [&](std::string_view v) -> std::string_view {
    // Keep slices of raw as slices of the copy.
    if (!v.empty() && v.data() >= view.raw.data() &&
        v.data() + v.size() <= view.raw.data() + view.raw.size()) {
      return raw.substr(static_cast<size_t>(v.data() - view.raw.data()), v.size());
    }
    return v;
  };
  for (Field f : kAllFields) e.set_field(f, rebase(view.field(f)));
  for (const auto& [k, v] : view.attrs) e.add_attr(rebase(k), rebase(v));
  e.id = view.id;
  e.ts_us = view.ts_us;
  e.has_ts = true;
  e.received_us = view.received_us;
  e.format = view.format;
  e.listener = view.listener;
  e.flags = view.flags;
  e.peer = std::string(view.peer);
  return e;
}

void EncodeQuarantine(const QuarantineRecord& record, std::string* out) {
  out->push_back(kVersion);
  out->push_back(static_cast<char>(record.flags));
  out->push_back(static_cast<char>(record.listener));
  PutVarint64(out, ZigZagEncode(record.received_us));
  PutLengthPrefixed(out, record.peer);
  PutLengthPrefixed(out, record.reason);
  PutLengthPrefixed(out, record.raw);
}

bool DecodeQuarantine(std::string_view in, QuarantineRecord* record) {
  uint8_t version, listener;
  if (!GetByte(&in, &version) || version != kVersion || !GetByte(&in, &record->flags) ||
      !GetByte(&in, &listener)) {
    return false;
  }
  record->listener = static_cast<Listener>(listener);
  uint64_t received;
  std::string_view peer, reason, raw;
  if (!GetVarint64(&in, &received) || !GetLengthPrefixed(&in, &peer) ||
      !GetLengthPrefixed(&in, &reason) || !GetLengthPrefixed(&in, &raw) || !in.empty()) {
    return false;
  }
  record->received_us = ZigZagDecode(received);
  record->peer = std::string(peer);
  record->reason = std::string(reason);
  record->raw = std::string(raw);
  return true;
}

}  // namespace spard
