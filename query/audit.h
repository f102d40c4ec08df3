// Audit events: spard records what is done with the log as events of the log itself, system
// "spard" — every read of the log (answered or refused), tokens created and revoked, holds
// placed and lifted, purges. They are written durably before the request that caused them is
// answered, and are queryable like any other event (admin only). The raw form is one JSON
// object: the canonical fields, then "attrs" as an object.
//
// Thread-safety: Record() may run from any coroutine.

#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/async.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace spard {

struct AuditRecord {
  std::string user;    // who (a token's name)
  std::string action;  // "hold.add", "events.search", ...
  std::string object;  // what it concerned
  std::string outcome = "success";
  std::string reason;
  std::string client_ip;
  std::vector<std::pair<std::string, std::string>> attrs;
};

// Stores the record as an event and resumes once it is durable. `record` must outlive the
// co_await (a named local: see common/async.h on GCC 12 and temporaries).
asio::awaitable<Status> RecordAudit(Store* store, const Clock* clock, const AuditRecord& record);

// The event a record becomes (exposed for tests): raw is the record as one JSON object.
Event AuditEvent(const AuditRecord& record, int64_t now_us);

}  // namespace spard
