// Coroutine helpers over EventSink, shared by the network receivers.
//
// Thread-safety: as EventSink; the coroutine resumes on its own executor.

#pragma once

#include "common/async.h"
#include "common/event_sink.h"

namespace spard {

// Submits *batch, waiting (without blocking the thread) for room as long as the sink is full.
// Returns kAccepted, or kClosed when the sink closed first (the batch is then untouched).
asio::awaitable<SubmitResult> SubmitWhenReady(EventSink* sink, IngestBatch* batch);

// Submits *batch and resumes once it is durable (or failed), with the commit's result.
asio::awaitable<CommitResult> SubmitAndWaitDurable(EventSink* sink, IngestBatch* batch);

}  // namespace spard
