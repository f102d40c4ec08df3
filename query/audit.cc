#include "query/audit.h"

#include "common/json_writer.h"
#include "common/sink_awaitables.h"
#include "common/time_format.h"

namespace spard {

Event AuditEvent(const AuditRecord& r, int64_t now_us) {
  std::string raw;
  JsonWriter w(&raw);
  w.StartObject();
  w.Key("ts");
  w.String(FormatRfc3339(now_us));
  w.Key("system");
  w.String("spard");
  w.Key("user");
  w.String(r.user);
  w.Key("action");
  w.String(r.action);
  w.Key("object");
  w.String(r.object);
  w.Key("outcome");
  w.String(r.outcome);
  if (!r.reason.empty()) {
    w.Key("reason");
    w.String(r.reason);
  }
  if (!r.client_ip.empty()) {
    w.Key("client_ip");
    w.String(r.client_ip);
  }
  w.Key("attrs");
  w.StartObject();
  for (const auto& [k, v] : r.attrs) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  w.EndObject();
  Event e(raw);
  e.ts_us = now_us;
  e.has_ts = true;
  e.received_us = now_us;
  e.format = Format::kInternal;
  e.listener = Listener::kInternal;
  e.set_field(Field::kSystem, "spard");
  e.set_field(Field::kUser, r.user);
  e.set_field(Field::kAction, r.action);
  e.set_field(Field::kObject, r.object);
  e.set_field(Field::kOutcome, r.outcome);
  e.set_field(Field::kReason, r.reason);
  e.set_field(Field::kClientIp, r.client_ip);
  for (const auto& [k, v] : r.attrs) e.add_attr(k, v);
  return e;
}

asio::awaitable<Status> RecordAudit(Store* store, const Clock* clock, const AuditRecord& record) {
  IngestBatch batch;
  batch.events.push_back(AuditEvent(record, clock->NowMicros()));
  CommitResult r = co_await SubmitAndWaitDurable(store->writer(), &batch);
  co_return r.status;
}

}  // namespace spard
