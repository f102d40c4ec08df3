// HttpIngest: POST /v1/ingest. The body is NDJSON, one event per line; the answer comes only
// after the events are durable:
//   200 {"accepted":N,"quarantined":M,"first_id":ID|null}
//   400 {"error":"line 7: ..."} when a line is not a JSON object (nothing of the body is stored)
// Lines that are JSON objects but lack ts, user or object are quarantined and counted in M, as
// are lines longer than ingest.max_message_bytes (kept cut and flagged, as on every listener).
// The body size limit (413) is enforced by the HTTP server. A sender limited to some systems
// (an ingest token with systems) gets events of other systems quarantined, reason
// "system not allowed: <system>", counted in M.
//
// Transport-agnostic (no HTTP types): the daemon wires it to the server.
// Thread-safety: Handle() may run concurrently from several coroutines.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/async.h"
#include "common/clock.h"
#include "common/event_sink.h"
#include "common/metrics.h"
#include "ingest/decoder.h"
#include "ingest/receiver_stats.h"

namespace spard {

struct HttpIngestResult {
  unsigned status = 200;
  std::string body;  // JSON
};

class HttpIngest {
 public:
  HttpIngest(EventSink* sink, const DecoderOptions& options, Metrics* metrics, const Clock* clock);

  // `allowed_systems` empty: any system. Must stay valid until the result is ready.
  asio::awaitable<HttpIngestResult> Handle(std::string_view body, std::string_view peer,
                                           const std::vector<std::string>& allowed_systems);

 private:
  EventSink* const sink_;
  const DecoderOptions options_;
  const Clock* const clock_;
  ReceiverStats stats_;
};

}  // namespace spard
