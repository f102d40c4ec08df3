// Values of the `events` and `quarantine` column families. Grammar in event_codec.cc.
//
// Encoding keeps the original message byte-exact and stores each canonical field or attribute
// that occurs verbatim in it as (offset, length) into it, so the payload costs little more than
// the raw bytes. Decoding into an EventView copies nothing: its string_views point into the
// value, which must outlive the view.
//
// Thread-safety: pure functions.

#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/event.h"
#include "common/status.h"

namespace spard {

// Appends the stored form of `event` (everything but its id, which is the key).
void EncodeEvent(const Event& event, std::string* out);

// A decoded stored event; views into the encoded value.
struct EventView {
  uint64_t id = 0;
  int64_t ts_us = 0;
  int64_t received_us = 0;
  Format format = Format::kUnknown;
  Listener listener = Listener::kUnknown;
  uint8_t flags = 0;
  std::string_view peer;
  std::string_view raw;
  std::array<std::string_view, kFieldCount> fields{};  // empty when absent
  std::vector<std::pair<std::string_view, std::string_view>> attrs;

  std::string_view field(Field f) const { return fields[static_cast<size_t>(f)]; }
};

// False on malformed or unknown-version input. `view` keeps pointing into `value`.
bool DecodeEvent(std::string_view value, EventView* view);

// An owning copy (for tests and re-indexing).
Event ToEvent(const EventView& view);

void EncodeQuarantine(const QuarantineRecord& record, std::string* out);
bool DecodeQuarantine(std::string_view value, QuarantineRecord* record);

}  // namespace spard
