#include "ingest/http_ingest.h"

#include <algorithm>

#include "common/json_writer.h"
#include "common/sink_awaitables.h"

namespace spard {

namespace {

HttpIngestResult ErrorResult(unsigned status, std::string_view message) {
  HttpIngestResult r;
  r.status = status;
  JsonWriter w(&r.body);
  w.StartObject();
  w.Key("error");
  w.String(message);
  w.EndObject();
  return r;
}

// Moves events of systems outside `allowed` to quarantine, keeping the order of the rest.
void QuarantineOutOfScope(const std::vector<std::string>& allowed, IngestBatch* batch) {
  size_t kept = 0;
  for (Event& e : batch->events) {
    const std::string_view system = e.field(Field::kSystem);
    if (std::find(allowed.begin(), allowed.end(), system) != allowed.end()) {
      if (&batch->events[kept] != &e) batch->events[kept] = std::move(e);
      ++kept;
      continue;
    }
    QuarantineRecord rec;
    rec.raw.assign(e.raw().data(), e.raw().size());
    rec.reason = "system not allowed: " + std::string(system);
    rec.received_us = e.received_us;
    rec.listener = e.listener;
    rec.flags = e.flags;
    rec.peer = e.peer;
    batch->quarantined.push_back(std::move(rec));
  }
  batch->events.resize(kept);
}

}  // namespace

HttpIngest::HttpIngest(EventSink* sink, const DecoderOptions& options, Metrics* metrics,
                       const Clock* clock)
    : sink_(sink), options_(options), clock_(clock), stats_(metrics, Listener::kHttp) {}

asio::awaitable<HttpIngestResult> HttpIngest::Handle(
    std::string_view body, std::string_view peer, const std::vector<std::string>& allowed_systems) {
  stats_.AddBytes(body.size());
  Decoder decoder(options_);
  IngestBatch batch;
  MessageSource source{Listener::kHttp, peer, clock_->NowMicros()};
  size_t line_no = 0;
  while (!body.empty()) {
    ++line_no;
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    if (line.size() > options_.max_message_bytes) {
      // As on every listener: kept, cut and flagged. A cut JSON line no longer parses, so it
      // lands in quarantine with its first max_message_bytes bytes.
      decoder.Decode(line.substr(0, options_.max_message_bytes), source, true, &batch);
      continue;
    }
    Status s = decoder.DecodeJsonLine(line, source, &batch);
    if (!s.ok()) co_return ErrorResult(400, "line " + std::to_string(line_no) + ": " + s.message());
  }
  if (!allowed_systems.empty()) QuarantineOutOfScope(allowed_systems, &batch);
  const BatchTally tally = ReceiverStats::Tally(batch);
  const size_t accepted = batch.events.size(), quarantined = batch.quarantined.size();
  uint64_t first_id = 0;
  if (!batch.empty()) {
    CommitResult r = co_await SubmitAndWaitDurable(sink_, &batch);
    if (!r.status.ok()) co_return ErrorResult(503, r.status.message());
    stats_.Add(tally);
    first_id = r.first_event_id;
  }
  HttpIngestResult result;
  JsonWriter w(&result.body);
  w.StartObject();
  w.Key("accepted");
  w.Uint(accepted);
  w.Key("quarantined");
  w.Uint(quarantined);
  w.Key("first_id");
  if (accepted > 0) {
    w.Uint(first_id);
  } else {
    w.Null();
  }
  w.EndObject();
  co_return result;
}

}  // namespace spard
