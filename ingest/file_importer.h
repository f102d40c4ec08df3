// FileImporter: the engine of `spar import` — archived logs into a store, offline.
//
// One input at a time: InputReader (plain, gzip or zstd, by magic bytes) -> StreamFramer (per
// message an LF-terminated line or an RFC 6587 octet-counted frame, exactly as spard's TCP
// listener frames a stream) -> Decoder (format detected per message, the live mapping,
// quarantine with a reason) -> the store's Writer, in batches. So an imported event is encoded,
// hashed into the Merkle tree and indexed by the same code as a live one; only its listener
// ("import") and peer (the input's path) say where it came from.
//
// Each batch carries the input's progress record (import_progress.h) in the same atomic write
// as its events. Whatever a crash keeps is therefore a prefix of the batches together with the
// record that describes exactly that prefix, and a re-run of the same input skips it: nothing is
// stored twice. This holds with the store in bulk-load mode too (StoreOptions::bulk_load: no
// WAL, atomic flushes), which is how spar opens it.
//
// Thread-safety: Import() from one thread at a time; `live` may be read from any thread.

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/decoder.h"
#include "ingest/input_reader.h"
#include "store/store.h"

namespace spard {

struct ImportOptions {
  DecoderOptions decoder;
  // The system of events whose message names none ("" leaves them without one).
  std::string default_system;
  // Import inputs from their start even when an earlier import stored them (or a different
  // input with the same first 64 KiB): their events are then stored again.
  bool force = false;
  // Messages per batch, at least; a batch is cut at the first message boundary after this many.
  size_t batch_messages = 16384;
  int stdin_fd = 0;
  const Clock* clock = nullptr;  // nullptr: the system clock
  // Polled after each chunk read: true stops the import at the next message boundary, with
  // everything before it stored and recorded (Ctrl-C).
  std::function<bool()> stop;
};

enum class ImportOutcome {
  kImported,         // read to its end; all of it is stored now (this run added what was new)
  kAlreadyImported,  // all of it had been stored before: nothing added
  kInterrupted,      // stopped by ImportOptions::stop; a re-run continues where it stopped
  kConflict,         // starts like an earlier input but is not a continuation of it: nothing added
  kFailed,           // could not be read or stored; what was committed before stays, recorded
};
std::string_view ImportOutcomeName(ImportOutcome o);

// Counters for a progress display, updated while Import() runs.
struct ImportLive {
  std::atomic<uint64_t> input_bytes{0};    // of the input as read (compressed when it is)
  std::atomic<uint64_t> content_bytes{0};  // decompressed bytes read, skipped ones included
  std::atomic<uint64_t> skipped_bytes{0};  // content stored by an earlier run, not decoded
  std::atomic<uint64_t> events{0};         // stored by this run (committed)
  std::atomic<uint64_t> quarantined{0};    // stored in quarantine by this run
};

struct ImportResult {
  ImportOutcome outcome = ImportOutcome::kImported;
  Status status;  // why, for kConflict and kFailed
  Compression compression = Compression::kNone;
  uint64_t content_bytes = 0;  // decompressed bytes read
  uint64_t resumed_at = 0;     // content bytes an earlier run had stored (skipped)
  uint64_t events = 0;         // added by this run
  uint64_t quarantined = 0;    // added by this run
  uint64_t total_events = 0;   // from this input over all runs (its record)
  uint64_t total_quarantined = 0;
};

class FileImporter {
 public:
  // `store` must outlive the importer. Without a store (nullptr) the importer only reads and
  // decodes: a dry run that counts what would be stored and quarantined, nothing else.
  FileImporter(Store* store, ImportOptions options);
  FileImporter(const FileImporter&) = delete;
  FileImporter& operator=(const FileImporter&) = delete;

  // Imports one input ("-": options.stdin_fd) and returns once everything it submitted is
  // committed. `live` (optional) follows the progress.
  ImportResult Import(const std::string& path, ImportLive* live);

 private:
  Store* const store_;
  const ImportOptions options_;
  const Clock* const clock_;
  Decoder decoder_;
};

}  // namespace spard
