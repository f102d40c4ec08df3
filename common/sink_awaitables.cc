#include "common/sink_awaitables.h"

namespace spard {

asio::awaitable<SubmitResult> SubmitWhenReady(EventSink* sink, IngestBatch* batch) {
  while (true) {
    SubmitResult r = sink->TrySubmit(batch);
    if (r != SubmitResult::kFull) co_return r;
    auto wait = [sink](std::function<void(bool)> done) {
      sink->NotifyWhenReady([done] { done(true); });
    };
    co_await AwaitCallback<bool>(wait);
  }
}

asio::awaitable<CommitResult> SubmitAndWaitDurable(EventSink* sink, IngestBatch* batch) {
  auto start = [sink, batch](std::function<void(CommitResult)> done) {
    batch->on_durable = [done](const CommitResult& r) { done(r); };
    // Not awaiting here: the retry loop below runs inside the initiation. A full sink is
    // retried when it has room; a closed one fails the request.
    struct Retry {
      static void Try(EventSink* sink, std::shared_ptr<IngestBatch> b,
                      std::function<void(CommitResult)> done) {
        SubmitResult r = sink->TrySubmit(b.get());
        if (r == SubmitResult::kAccepted) return;
        if (r == SubmitResult::kClosed) {
          CommitResult failed;
          failed.status = Status::Unavailable("spard is shutting down");
          done(failed);
          return;
        }
        sink->NotifyWhenReady([sink, b, done] { Try(sink, b, done); });
      }
    };
    Retry::Try(sink, std::make_shared<IngestBatch>(std::move(*batch)), done);
  };
  CommitResult result = co_await AwaitCallback<CommitResult>(start);
  co_return result;
}

}  // namespace spard
