// EventPager: runs one GET /v1/events question to its end — or to --limit — as a sequence of
// pages of at most 10,000 events (the API's maximum), streaming every page's body through.
//
// Pages are fetched with format=ndjson or format=csv, which spard streams, so memory stays at
// one row however big the answer. Those formats carry no next_cursor, so at the end of a full
// page the pager asks for one ("resume"): with P the last event received (order asc), the
// question Q' = Q with from=P.ts has the same events from P on, and the first m events of Q'
// are exactly the m events at P.ts received so far (the ordering is by (ts, id)); a format=json
// request for Q' with limit=m ends at P, and its next_cursor continues after P. For order desc
// the same holds with to=P.ts+1µs. m is nearly always 1, so resuming costs one tiny request per
// page. Cursors are the server's and bound to Q'; the pager never builds one.
//
// Thread-safety: one thread.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/http_client.h"
#include "cli/row_scanner.h"
#include "common/status.h"

namespace spard::cli {

inline constexpr size_t kMaxPageSize = 10000;  // the API's largest limit

struct EventQuery {
  Params filters;  // user, object, subject, system, action, outcome, from, to (API form)
  bool descending = false;
  uint64_t limit = 100;  // 0: every matching event
  WireFormat wire = WireFormat::kNdjson;
  size_t page_size = kMaxPageSize;  // 1..kMaxPageSize; smaller only in tests
};

// One event as the server rendered it.
struct EventRow {
  std::string_view text;  // ndjson: the JSON object; csv: the record with its CRLF
  uint64_t id = 0;
  int64_t ts_us = 0;
};

// Where rows go, in the answer's order.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // The CSV header record of the first page (later pages' headers are dropped).
  virtual Status Header(std::string_view record) = 0;
  virtual Status Row(const EventRow& row) = 0;
  // A page ended: a good moment to flush.
  virtual Status PageEnd() = 0;
};

class EventPager {
 public:
  EventPager(HttpClient* http, EventQuery query);
  EventPager(const EventPager&) = delete;
  EventPager& operator=(const EventPager&) = delete;

  // Fetches pages until the answer or the limit ends, passing every row to sink. Stops at the
  // first error (the sink's included).
  Status Run(RowSink* sink);

  uint64_t rows() const { return rows_; }
  // After Run: whether events beyond the limit match.
  bool more() const { return more_; }

 private:
  Status Resume(Params* question, std::optional<std::string>* cursor);

  HttpClient* http_;
  EventQuery query_;
  uint64_t rows_ = 0;
  bool more_ = false;
  // The last row received and how many rows in a row had its ts (the "m" above).
  uint64_t last_id_ = 0;
  int64_t last_ts_ = 0;
  uint64_t run_ = 0;
};

}  // namespace spard::cli
