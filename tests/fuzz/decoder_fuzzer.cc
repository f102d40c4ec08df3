// Fuzzes Decoder::Decode end to end: every message yields exactly one event or one quarantine
// record, never a crash; a quarantine record keeps the bytes; an event has ts, user and object,
// and every field said to be a slice of raw really is one; Inspect agrees with Decode. Byte 0
// chooses a small or the default max_message_bytes (the small decoder reads local times in
// Europe/Stockholm, the other in the host's zone), the truncated flag and the receive time; bit 3
// a decoder with per-system mappings (selection by system and by message, RE2 rules, statics).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/event.h"
#include "ingest/decoder.h"
#include "ingest/mapping_set.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

spard::DecoderOptions SmallOptions() {
  spard::DecoderOptions options;
  options.max_message_bytes = 64;
  options.rfc3164_timezone = "Europe/Stockholm";
  return options;
}

spard::DecoderOptions MappedOptions() {
  spard::MappingSpec by_system;
  by_system.name = "by-system";
  by_system.match_system = "procapita";
  by_system.candidates[spard::TargetIndex(spard::Target::kUser)] = {"kv:anvandare", "sd:a.op"};
  by_system.candidates[spard::TargetIndex(spard::Target::kTs)] = {"kv:tid", "json:time"};
  by_system.regex = {R"((?P<user>\w+) opened (?P<object>\S+)(?: at (?P<ts>.+))?)"};
  by_system.statics = {{"system", "procapita"}, {"attrs.unit", "x"}};
  spard::MappingSpec by_message;
  by_message.name = "by-message";
  by_message.match_message = "(?i)journal";
  by_message.regex = {R"(^(?P<object>\S*) (?P<attrs_rest>.*)$)", R"((?P<user>.))"};
  by_message.statics = {{"user", "u"}, {"action", "read"}};
  auto set = spard::MappingSet::Compile({by_system, by_message});
  Check(set.ok());
  spard::DecoderOptions options;
  options.rfc3164_timezone = "Europe/Stockholm";
  options.mappings = std::move(set).value();
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static spard::Decoder big(spard::DecoderOptions{});
  static spard::Decoder small(SmallOptions());
  static spard::Decoder mapped(MappedOptions());
  if (size < 1) return 0;
  const bool use_mapped = data[0] & 8;
  const bool use_small = !use_mapped && (data[0] & 1);
  const bool truncated = data[0] & 2;
  // 42 µs after the epoch, or 2026-02-10T12:00:00Z.
  const int64_t received_us = (data[0] & 4) ? 1'770'724'800'000'000 : 42;
  const std::string_view msg(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t max = use_small ? 64 : 65536;

  spard::IngestBatch batch;
  spard::MessageSource source;
  source.listener = spard::Listener::kUdp;
  source.peer = "fuzz";
  source.received_us = received_us;
  spard::Decoder& decoder = use_mapped ? mapped : use_small ? small : big;
  decoder.Decode(msg, source, truncated, &batch);
  Check(batch.events.size() + batch.quarantined.size() == 1);
  const bool cut = msg.size() > max;
  const std::string_view kept = msg.substr(0, max);
  const uint8_t flags = (cut || truncated) ? spard::kEventFlagTruncated : 0;

  // Inspect maps the same bytes the same way.
  spard::Event inspected;
  std::string problems;
  const spard::Status st = decoder.Inspect(kept, received_us, &inspected, &problems);

  if (!batch.quarantined.empty()) {
    const spard::QuarantineRecord& q = batch.quarantined[0];
    Check(q.raw == kept);
    Check(!q.reason.empty());
    Check(q.flags == flags && q.received_us == received_us && q.peer == "fuzz");
    Check(st.ok() ? q.reason == problems : q.reason.rfind(st.message(), 0) == 0);
    return 0;
  }
  Check(st.ok() && problems.empty());
  Check(inspected.ts_us == batch.events[0].ts_us && inspected.format == batch.events[0].format);
  const spard::Event& ev = batch.events[0];
  Check(ev.raw() == kept);
  Check(ev.flags == flags && ev.received_us == received_us && ev.peer == "fuzz");
  Check(ev.has_ts && ev.has(spard::Field::kUser) && ev.has(spard::Field::kObject));
  Check(ev.format == spard::Format::kJson || ev.format == spard::Format::kRfc5424 ||
        ev.format == spard::Format::kRfc3164 || ev.format == spard::Format::kCef);
  for (spard::Field f : spard::kAllFields) {
    if (!ev.has(f)) continue;
    Check(!ev.field(f).empty());
    if (ev.field_in_raw(f)) {
      Check(ev.raw().substr(ev.field_offset(f), ev.field(f).size()) == ev.field(f));
    }
  }
  for (size_t i = 0; i < ev.attr_count(); ++i) {
    if (ev.attr_value_in_raw(i)) {
      Check(ev.raw().substr(ev.attr_value_offset(i), ev.attr_value(i).size()) == ev.attr_value(i));
    }
    if (ev.attr_key_in_raw(i)) {
      Check(ev.raw().substr(ev.attr_key_offset(i), ev.attr_key(i).size()) == ev.attr_key(i));
    }
  }
  return 0;
}
