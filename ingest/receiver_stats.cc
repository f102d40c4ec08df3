#include "ingest/receiver_stats.h"

#include <string>

namespace spard {

ReceiverStats::ReceiverStats(Metrics* metrics, Listener listener) {
  const std::string l(ListenerName(listener));
  for (Format f : {Format::kUnknown, Format::kJson, Format::kRfc5424, Format::kRfc3164,
                   Format::kCef, Format::kInternal}) {
    messages_[static_cast<size_t>(f)] = metrics->GetCounter(
        "spard_ingest_messages_total", "Messages decoded into events, by listener and format",
        {{"listener", l}, {"format", std::string(FormatName(f))}});
  }
  quarantined_ = metrics->GetCounter("spard_ingest_quarantined_total",
                                     "Messages sent to quarantine, by listener", {{"listener", l}});
  truncated_ = metrics->GetCounter("spard_ingest_truncated_total",
                                   "Messages cut at ingest.max_message_bytes", {{"listener", l}});
  bytes_ = metrics->GetCounter("spard_ingest_bytes_total", "Bytes received", {{"listener", l}});
  dropped_ = metrics->GetCounter("spard_ingest_dropped_total",
                                 "Messages dropped because the queue was full (UDP only)",
                                 {{"listener", l}});
  connections_total_ = metrics->GetCounter("spard_ingest_connections_total", "Connections accepted",
                                           {{"listener", l}});
  refused_ = metrics->GetCounter("spard_ingest_connections_refused_total",
                                 "Connections refused at the connection limit", {{"listener", l}});
}

uint64_t BatchTally::messages() const {
  uint64_t n = quarantined;
  for (uint64_t v : by_format) n += v;
  return n;
}

BatchTally ReceiverStats::Tally(const IngestBatch& batch) {
  BatchTally t;
  for (const Event& e : batch.events) {
    size_t f = static_cast<size_t>(e.format);
    ++t.by_format[f < t.by_format.size() ? f : 0];
    if (e.flags & kEventFlagTruncated) ++t.truncated;
  }
  for (const QuarantineRecord& q : batch.quarantined) {
    if (q.flags & kEventFlagTruncated) ++t.truncated;
  }
  t.quarantined = batch.quarantined.size();
  return t;
}

void ReceiverStats::Add(const BatchTally& t) {
  for (size_t i = 0; i < t.by_format.size(); ++i) {
    if (t.by_format[i]) messages_[i]->Inc(t.by_format[i]);
  }
  if (t.quarantined) quarantined_->Inc(t.quarantined);
  if (t.truncated) truncated_->Inc(t.truncated);
}

}  // namespace spard
