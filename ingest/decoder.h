// Decoder: one framed message in, one canonical Event or one QuarantineRecord out.
//
// Detects the format per message (a JSON object; RFC 5424 "<PRI>1 "; RFC 3164 for any other
// "<PRI>" and for a bare BSD/ISO timestamp; CEF for "CEF:"), runs the pure parser for it, looks
// inside a syslog MSG for CEF, JSON ("@cee:" or bare) or key=value pairs, maps the parsed fields
// to the canonical event with the first configured per-system mapping that takes the message
// (ingest/mapping_set.h), else with the default mapping of SPEC §3, and checks that ts, user and
// object are present. Anything that fails goes to quarantine with the reason; nothing is dropped
// and nothing throws. docs/ingest_formats.md has the conformance table.
//
// Thread-safety: a Decoder holds parser scratch space (simdjson) and a time-zone cache; use one
// per thread or connection.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/event.h"
#include "common/event_sink.h"
#include "common/status.h"

namespace spard {

class MappingSet;

struct DecoderOptions {
  size_t max_message_bytes = 65536;  // longer messages are cut and flagged; 0 = no limit
  // The IANA zone (ingest.rfc3164_timezone) for timestamps that carry no offset (RFC 3164, CEF
  // dates, ISO without offset); "" = the host's zone (/etc/localtime). See ingest/local_time.h
  // for the year and DST rules.
  std::string rfc3164_timezone;
  // The per-system mappings (config `[[mapping]]`), compiled once (MappingSet::Compile) and
  // shared, read-only, by every Decoder built from these options on any thread — listeners,
  // quarantine re-processing, import — so all map alike. Null or empty: the default mapping only.
  // shared_ptr because the options are copied into each receiver and outlive no single owner.
  std::shared_ptr<const MappingSet> mappings;
};

// Where a message came from: stored with the event (or the quarantine record).
struct MessageSource {
  Listener listener = Listener::kUnknown;
  std::string_view peer;
  int64_t received_us = 0;
};

class Decoder {
 public:
  // Resolves options.rfc3164_timezone (the zone database is read on first use). A zone that
  // cannot be loaded (config validation makes that rare: a host without /etc/localtime) falls
  // back to UTC, and time_zone_status() says why.
  explicit Decoder(const DecoderOptions& options);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Appends either an event to out->events or a record to out->quarantined. `truncated` marks a
  // message the framer cut at max_message_bytes (the flag is stored either way).
  void Decode(std::string_view message, const MessageSource& source, bool truncated,
              IngestBatch* out);

  // For POST /v1/ingest: like Decode, but a line that is not a JSON object is an error for the
  // client (InvalidArgument naming what is wrong) instead of a quarantine entry.
  // A blank line appends nothing and returns OK. Valid JSON lacking ts/user/object, and a line
  // longer than max_message_bytes (stored cut and flagged, as over TCP), are quarantined: OK.
  Status DecodeJsonLine(std::string_view line, const MessageSource& source, IngestBatch* out);

  // Decodes `message` like Decode (without the max_message_bytes cut) but hands back the mapped
  // event even when Decode would quarantine it for missing or bad fields. Returns the parse
  // error (Decode's quarantine reason) if the message does not parse; else OK, with *problems
  // holding the field problems ("" when Decode would store the event). For tools and tests that
  // show what a message maps to (the golden tests, a quarantine "explain").
  Status Inspect(std::string_view message, int64_t received_us, Event* out, std::string* problems);

  // The zone local timestamps are read in, as resolved ("Europe/Stockholm", "Etc/UTC", "UTC").
  const std::string& time_zone() const;
  // OK, or why options.rfc3164_timezone could not be loaded (then time_zone() is "UTC").
  const Status& time_zone_status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spard
