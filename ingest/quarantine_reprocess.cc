#include "ingest/quarantine_reprocess.h"

#include <algorithm>
#include <vector>

#include "common/sink_awaitables.h"

namespace spard {

asio::awaitable<ReprocessResult> ReprocessQuarantine(Store* store, const DecoderOptions& options,
                                                     ReprocessFilter filter) {
  ReprocessResult result;
  Decoder decoder(options);
  uint64_t after = filter.after_id;
  constexpr size_t kChunk = 1024;
  while (result.examined < filter.limit) {
    std::vector<QuarantineRecord> records;
    Status s = store->ListQuarantine(after, kChunk, &records);
    if (!s.ok()) {
      result.status = s;
      co_return result;
    }
    if (records.empty()) break;
    after = records.back().id;
    IngestBatch batch;
    for (const QuarantineRecord& r : records) {
      if (result.examined == filter.limit) break;
      if (!r.reason.starts_with(filter.reason_prefix)) continue;
      ++result.examined;
      result.last_id = r.id;
      IngestBatch one;
      MessageSource source{r.listener, r.peer, r.received_us};
      decoder.Decode(r.raw, source, (r.flags & kEventFlagTruncated) != 0, &one);
      if (one.events.empty()) {
        ++result.remaining;
        continue;
      }
      ++result.reprocessed;
      batch.events.push_back(std::move(one.events.front()));
      batch.quarantine_deletes.push_back(r.id);
    }
    if (!batch.empty()) {
      CommitResult commit = co_await SubmitAndWaitDurable(store->writer(), &batch);
      if (!commit.status.ok()) {
        result.status = commit.status;
        co_return result;
      }
    }
    if (records.size() < kChunk) break;
  }
  co_return result;
}

}  // namespace spard
