// EventOutput: how `spar events` writes the rows EventPager delivers, one class per --format.
//
//   ndjson  the server's rows, one JSON object per line, as they arrive
//   csv     the server's CSV (RFC 4180, CRLF): its header once, then the rows of every page
//   json    one document, {"events":[EVENT,...],"more":BOOL}: the server's event objects; more is
//           true when --limit cut the answer short
//   table   ts (local time), system, user, action, object, subject, outcome; then "N events"
//
// Thread-safety: one thread.

#pragma once

#include <date/tz.h>

#include <memory>

#include "cli/event_pager.h"
#include "cli/output.h"

namespace spard::cli {

class EventOutput : public RowSink {
 public:
  // After the last row: rows written, and whether more events match beyond --limit.
  virtual Status Finish(uint64_t rows, bool more) = 0;
};

struct TableOptions {
  size_t width = 0;  // the terminal's width; 0: no limit
  bool color = false;
  const date::time_zone* zone = nullptr;  // for the ts column; nullptr: UTC
  bool follow = false;                    // show the header before the first event arrives
};

std::unique_ptr<EventOutput> NewEventOutput(OutputFormat format, Output* out,
                                            const TableOptions& table);

// What to ask the server for to produce `format`: csv for csv, ndjson for everything else.
WireFormat WireFormatFor(OutputFormat format);

// "1 event", "17 events".
std::string CountNoun(uint64_t n, std::string_view singular, std::string_view plural);

// One RFC 4180 field: as is, or in double quotes (with '"' doubled) when it holds , " CR or LF.
// For spar's own tables in CSV (quarantine, import, tokens); events are the server's CSV.
void AppendCsvField(std::string* out, std::string_view value);

}  // namespace spard::cli
