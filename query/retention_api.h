// Gallring and legal holds over HTTP (admin):
//
//   POST   /v1/admin/purge?dry_run=true|false   run the purge now; the report
//   GET    /v1/holds                            every hold
//   POST   /v1/holds  {"scope":"subject","value":"19650412-1234","from":"2026-01-01",
//                      "to":"2027-01-01","reason":"...","case_number":"...","system":""}
//   DELETE /v1/holds/{id}
//
// Every hold change and every purge is an audited event of system "spard".
// Thread-safety: as api.h; purges are serialised.

#pragma once

#include <memory>
#include <mutex>

#include "query/api.h"
#include "store/integrity.h"
#include "store/retention.h"

namespace spard {

// Runs purges one at a time (the daily timer and the endpoint share it).
class Purger {
 public:
  Purger(Store* store, Integrity* integrity, RetentionPolicy policy)
      : store_(store), integrity_(integrity), policy_(std::move(policy)) {}
  // Blocking: run on a worker thread.
  Result<PurgeReport> Run(int64_t now_us, bool dry_run, const std::string& requested_by);
  const RetentionPolicy& policy() const { return policy_; }

 private:
  Store* const store_;
  Integrity* const integrity_;
  const RetentionPolicy policy_;
  std::mutex mu_;
};

std::string PurgeReportJson(const PurgeReport& report, bool dry_run);

void RegisterRetentionApi(HttpServer* server, const ApiContext& context, Purger* purger);

}  // namespace spard
