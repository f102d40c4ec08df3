// RowScanner: splits a streamed answer of GET /v1/events (format=ndjson or format=csv) into
// rows as the pieces arrive, so spar can pass the server's own bytes through unchanged while
// knowing where each event ends and which event it was.
//
//   ndjson := (json-object "\n")*              a JSON string never holds a raw newline
//   csv    := header-record record*            RFC 4180: a record ends at a line break
//   record := field ("," field)* CRLF           outside double quotes; "" inside quotes is a
//                                               literal quote, so counting quotes suffices
// Each row starts with the event's id and ts, as spard writes them (query/output.h):
//   {"id":17,"ts":"2026-10-05T08:15:00Z",...        17,2026-10-05T08:15:00Z,...
//
// Thread-safety: a scanner is used by one thread; RowPosition is pure.

#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spard::cli {

enum class WireFormat { kNdjson, kCsv };

// Receives one complete row: an ndjson line without its '\n', or a CSV record with its line break.
using RowFn = std::function<Status(std::string_view row)>;

class RowScanner {
 public:
  explicit RowScanner(WireFormat format) : format_(format) {}

  // Feeds the next piece of the body. Rows inside the piece are passed as views into it; only a
  // row split across pieces is copied. Stops at, and returns, on_row's first error.
  Status Feed(std::string_view piece, const RowFn& on_row);
  // The body ended. Corruption when it ended inside a row (a truncated answer).
  Status Finish() const;

 private:
  // The end of the first row in s (one past its '\n'), or npos; carries quote state over.
  size_t RowEnd(std::string_view s);

  WireFormat format_;
  std::string partial_;
  bool in_quotes_ = false;
};

// Where an event row sits in the answer's order: its id and its ts in µs since the epoch.
// Corruption when the row does not start the way spard writes rows.
Status RowPosition(WireFormat format, std::string_view row, uint64_t* id, int64_t* ts_us);

}  // namespace spard::cli
