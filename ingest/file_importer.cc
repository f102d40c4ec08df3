#include "ingest/file_importer.h"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "ingest/import_progress.h"
#include "ingest/stream_framer.h"

namespace spard {

namespace {

// Decompressed bytes per read. Each read is framed in two parts (up to its last LF, then the
// rest) so that a batch can end at a message boundary after the first.
constexpr size_t kChunkBytes = 256 << 10;
static_assert(kChunkBytes >= kImportHeadBytes);

// Batches submitted to the writer and not yet committed; the first failure.
class Inflight {
 public:
  void Add() {
    std::lock_guard lock(mu_);
    ++pending_;
  }
  void Done(const Status& s) {
    std::lock_guard lock(mu_);
    --pending_;
    if (!s.ok() && status_.ok()) status_ = s;
    cv_.notify_all();
  }
  Status status() const {
    std::lock_guard lock(mu_);
    return status_;
  }
  // Waits until every submitted batch is committed (or failed).
  Status Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return pending_ == 0; });
    return status_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t pending_ = 0;  // GUARDED_BY(mu_)
  Status status_;       // GUARDED_BY(mu_)
};

// A message boundary seen after a Feed: where a batch may end.
struct Mark {
  uint64_t pos = 0;  // content bytes up to the boundary
  Sha256Digest digest{};
  size_t events = 0;  // sizes of the batch at the boundary
  size_t quarantined = 0;
  uint64_t messages = 0;
};

bool IsInterruption(const Status& s) { return s.code() == Status::Code::kUnavailable; }

}  // namespace

std::string_view ImportOutcomeName(ImportOutcome o) {
  switch (o) {
    case ImportOutcome::kImported:
      return "imported";
    case ImportOutcome::kAlreadyImported:
      return "already imported";
    case ImportOutcome::kInterrupted:
      return "interrupted";
    case ImportOutcome::kConflict:
      return "conflict";
    case ImportOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

FileImporter::FileImporter(Store* store, ImportOptions options)
    : store_(store),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock::Default()),
      decoder_(options_.decoder) {}

ImportResult FileImporter::Import(const std::string& path, ImportLive* live) {
  ImportLive local_live;
  if (live == nullptr) live = &local_live;
  ImportResult result;
  auto stop_requested = [&] { return options_.stop && options_.stop(); };
  auto fail = [&](ImportOutcome outcome, Status s) {
    result.outcome = outcome;
    result.status = std::move(s);
    return result;
  };

  auto opened = InputReader::Open(path, options_.stdin_fd);
  if (!opened.ok()) return fail(ImportOutcome::kFailed, opened.status());
  std::unique_ptr<InputReader> reader = std::move(opened).value();
  result.compression = reader->compression();

  // The first 64 KiB name the input (import_progress.h).
  std::vector<char> buf(kChunkBytes);
  size_t filled = 0;
  bool eof = false;
  while (filled < kImportHeadBytes && !eof) {
    auto n = reader->Read({buf.data() + filled, buf.size() - filled});
    if (!n.ok()) {
      if (IsInterruption(n.status()) && !stop_requested()) continue;
      if (IsInterruption(n.status())) return fail(ImportOutcome::kInterrupted, Status::Ok());
      return fail(ImportOutcome::kFailed, n.status());
    }
    eof = *n == 0;
    filled += *n;
  }
  live->input_bytes = reader->input_bytes_read();
  live->content_bytes = filled;
  if (filled == 0) {
    result.content_bytes = 0;
    return result;  // an empty input: nothing to store, nothing to remember
  }

  const std::string key = ImportMetaKey(std::string_view(buf.data(), filled));
  Result<std::optional<std::string>> stored = std::optional<std::string>();
  if (store_ != nullptr) stored = store_->GetMeta(key);
  if (!stored.ok()) return fail(ImportOutcome::kFailed, stored.status());
  std::optional<ImportProgress> previous;
  if (stored->has_value()) {
    ImportProgress p;
    if (!ImportProgress::Decode(**stored, &p)) {
      return fail(ImportOutcome::kFailed,
                  Status::Corruption("meta " + key + ": unknown version or malformed"));
    }
    previous = std::move(p);
  }

  // What the batches record: the totals continue those of earlier runs, unless forced.
  ImportProgress progress;
  uint64_t skip_to = 0;
  if (previous && !options_.force) {
    progress = *previous;
    skip_to = previous->offset;
  } else {
    progress.started_us = clock_->NowMicros();
  }
  progress.name = path;
  result.resumed_at = skip_to;

  Sha256 hash;
  uint64_t pos = 0;  // content bytes consumed (hashed, and framed once past skip_to)
  StreamFramer framer(options_.decoder.max_message_bytes);
  IngestBatch batch;
  uint64_t batch_messages = 0;
  MessageSource source{Listener::kImport, path, clock_->NowMicros()};
  Mark mark;  // the last boundary; batches end there
  mark.pos = skip_to;
  mark.digest = hash.Digest();
  uint64_t recorded = skip_to;  // content covered by the last record submitted
  Inflight inflight;
  std::atomic<uint64_t> committed_events{0}, committed_quarantined{0};

  auto emit = [&](const Frame& f) {
    const size_t before = batch.events.size();
    decoder_.Decode(f.message, source, f.truncated, &batch);
    if (!options_.default_system.empty() && batch.events.size() > before &&
        !batch.events.back().has(Field::kSystem)) {
      batch.events.back().set_field(Field::kSystem, options_.default_system);
    }
    ++batch_messages;
  };

  // Submits the batch up to the last mark (messages after it are dropped: the next run reads
  // them again), with the progress record for the content up to there.
  auto submit = [&](bool complete) -> Status {
    batch.events.resize(mark.events);
    batch.quarantined.resize(mark.quarantined);
    progress.complete = complete;
    progress.offset = mark.pos;
    progress.prefix_sha256 = mark.digest;
    progress.messages += mark.messages;
    progress.events += batch.events.size();
    progress.quarantined += batch.quarantined.size();
    progress.updated_us = clock_->NowMicros();
    batch.meta_puts.emplace_back(key, progress.Encode());
    recorded = mark.pos;
    const uint64_t events = batch.events.size(), quarantined = batch.quarantined.size();
    batch.on_durable = [&inflight, &committed_events, &committed_quarantined, live, events,
                        quarantined](const CommitResult& r) {
      if (r.status.ok()) {
        committed_events += events;
        committed_quarantined += quarantined;
        live->events += events;
        live->quarantined += quarantined;
      }
      inflight.Done(r.status);
    };
    inflight.Add();
    if (store_ == nullptr) {  // a dry run: decoded, counted, dropped
      CommitResult dropped;
      batch.on_durable(dropped);
    } else if (store_->writer()->Submit(&batch) != SubmitResult::kAccepted) {
      inflight.Done(Status::Unavailable("the store closed during the import"));
    }
    batch = IngestBatch();
    batch_messages = 0;
    mark.events = mark.quarantined = 0;
    mark.messages = 0;
    return inflight.status();
  };

  // Ends the run: waits for every submitted batch, then fills in the result.
  auto finish = [&](ImportOutcome outcome, Status s) {
    Status committed = inflight.Wait();
    result.outcome = outcome;
    result.status = std::move(s);
    if (!committed.ok() && result.status.ok()) {
      result.outcome = ImportOutcome::kFailed;
      result.status = committed;
    }
    result.content_bytes = pos;
    result.events = committed_events;
    result.quarantined = committed_quarantined;
    result.total_events = progress.events;
    result.total_quarantined = progress.quarantined;
    return result;
  };

  // Frames one part of a chunk; marks the boundary after it, if it ends on one.
  auto feed = [&](std::string_view part) {
    if (part.empty()) return;
    framer.Feed(part, emit);
    hash.Update(part);
    pos += part.size();
    if (framer.at_boundary()) {
      mark.pos = pos;
      mark.digest = hash.Digest();
      mark.events = batch.events.size();
      mark.quarantined = batch.quarantined.size();
      mark.messages = batch_messages;
    }
  };

  // Processes one chunk of content. Returns false to stop reading (a conflict or a failed
  // batch, in `*status`; or a stop request).
  bool stopping = false;
  auto process = [&](std::string_view chunk, Status* status) -> bool {
    if (pos < skip_to) {
      // Stored by an earlier run: hashed, not decoded.
      const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk.size(), skip_to - pos));
      hash.Update(chunk.substr(0, take));
      pos += take;
      chunk.remove_prefix(take);
      live->skipped_bytes = pos;
      if (pos == skip_to) {
        mark.digest = hash.Digest();
        if (mark.digest != previous->prefix_sha256) {
          *status = Status::Conflict(path + " starts like " + previous->name +
                                     " (imported before) but differs from it "
                                     "within its first " +
                                     std::to_string(skip_to) +
                                     " bytes; nothing added (--force imports it anyway)");
          return false;
        }
      }
    }
    if (!chunk.empty()) {
      const size_t lf = chunk.rfind('\n');
      const size_t head = lf == std::string_view::npos ? 0 : lf + 1;
      feed(chunk.substr(0, head));
      if (framer.at_boundary() && batch_messages >= options_.batch_messages) {
        *status = submit(false);
        if (!status->ok()) return false;
      }
      feed(chunk.substr(head));
    }
    if (stop_requested()) {
      stopping = true;
      return false;
    }
    return true;
  };

  Status status;
  bool go_on = process(std::string_view(buf.data(), filled), &status);
  live->content_bytes = pos;
  while (go_on && !eof) {
    auto n = reader->Read(buf);
    live->input_bytes = reader->input_bytes_read();
    if (!n.ok()) {
      if (IsInterruption(n.status())) {
        if (!stop_requested()) continue;
        stopping = true;
        break;
      }
      // Damaged or unreadable: store what came before, so a re-run gets that far at once.
      if (mark.pos > recorded) {
        Status s = submit(false);
        (void)s;  // the read error is what to report; a failed commit shows in finish()
      }
      return finish(ImportOutcome::kFailed, n.status());
    }
    if (*n == 0) {
      eof = true;
      break;
    }
    source.received_us = clock_->NowMicros();
    go_on = process(std::string_view(buf.data(), *n), &status);
    live->content_bytes = pos;
  }
  if (!status.ok()) {
    return finish(status.code() == Status::Code::kConflict ? ImportOutcome::kConflict
                                                           : ImportOutcome::kFailed,
                  status);
  }
  if (stopping) {
    if (mark.pos > recorded) {
      Status s = submit(false);
      (void)s;  // a failed commit shows in finish()
    }
    return finish(ImportOutcome::kInterrupted, Status::Ok());
  }

  // The end of the input.
  if (pos < skip_to) {
    return finish(ImportOutcome::kConflict,
                  Status::Conflict(path + " ends at byte " + std::to_string(pos) + ", but " +
                                   std::to_string(skip_to) +
                                   " bytes of an input that starts like "
                                   "it (" +
                                   previous->name +
                                   ") are stored: it may be a cut-off "
                                   "copy of that; nothing added (--force imports it anyway)"));
  }
  if (previous && !options_.force && previous->complete && pos == skip_to) {
    return finish(ImportOutcome::kAlreadyImported, Status::Ok());
  }
  framer.Finish(emit);
  mark.pos = pos;
  mark.digest = hash.Digest();
  mark.events = batch.events.size();
  mark.quarantined = batch.quarantined.size();
  mark.messages = batch_messages;
  // Even with nothing new, the record is written: it now says "complete".
  status = submit(true);
  return finish(ImportOutcome::kImported, status);
}

}  // namespace spard
