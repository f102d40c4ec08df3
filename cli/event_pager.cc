#include "cli/event_pager.h"
#include "cli/answer.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "common/time_format.h"

namespace spard::cli {

namespace {

constexpr std::string_view kEventsPath = "/v1/events";

Params PageParams(const Params& question, bool descending, size_t limit, std::string_view format,
                  const std::optional<std::string>& cursor) {
  Params p = question;
  if (descending) p.emplace_back("order", "desc");
  p.emplace_back("limit", std::to_string(limit));
  p.emplace_back("format", std::string(format));
  if (cursor) p.emplace_back("cursor", *cursor);
  return p;
}

void SetParam(Params* params, std::string_view name, std::string value) {
  for (auto& [k, v] : *params) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  params->emplace_back(std::string(name), std::move(value));
}

Status Changed() {
  return Status::Unavailable(
      "the answer changed while spar was paging through it (events were added or purged at the "
      "same instant); run the command again");
}

// A format=json page: how many events, the last one's id, and next_cursor.
Status ParseJsonPage(const std::string& body, uint64_t* count, uint64_t* last_id,
                     std::optional<std::string>* next_cursor) {
  auto bad = [&body] { return UnexpectedAnswer(body); };
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::array events;
  if (parser.iterate(padded).get(doc) || doc["events"].get_array().get(events)) return bad();
  *count = 0;
  for (auto element : events) {
    simdjson::ondemand::object event;
    if (element.get_object().get(event) || event["id"].get_uint64().get(*last_id)) return bad();
    ++*count;
  }
  simdjson::ondemand::value cursor;
  simdjson::ondemand::json_type type;
  if (doc["next_cursor"].get(cursor) || cursor.type().get(type)) return bad();
  if (type == simdjson::ondemand::json_type::null) {
    next_cursor->reset();
    return Status::Ok();
  }
  std::string_view s;
  if (cursor.get_string().get(s)) return bad();
  *next_cursor = std::string(s);
  return Status::Ok();
}

}  // namespace

EventPager::EventPager(HttpClient* http, EventQuery query) : http_(http), query_(std::move(query)) {
  query_.page_size = std::clamp<size_t>(query_.page_size, 1, kMaxPageSize);
}

Status EventPager::Run(RowSink* sink) {
  const bool csv = query_.wire == WireFormat::kCsv;
  const std::string_view format = csv ? "csv" : "ndjson";
  Params question = query_.filters;
  std::optional<std::string> cursor;
  uint64_t remaining = query_.limit == 0 ? std::numeric_limits<uint64_t>::max() : query_.limit;
  bool first_page = true;
  while (true) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(query_.page_size, remaining));
    RowScanner scanner(query_.wire);
    bool header_done = !csv;
    uint64_t page_rows = 0;
    const RowFn on_row = [&](std::string_view text) -> Status {
      if (!header_done) {
        header_done = true;
        return first_page ? sink->Header(text) : Status::Ok();
      }
      EventRow row;
      row.text = text;
      SPARD_RETURN_IF_ERROR(RowPosition(query_.wire, text, &row.id, &row.ts_us));
      if (++page_rows > want) return Status::Corruption("spard sent more rows than asked for");
      run_ = rows_ > 0 && row.ts_us == last_ts_ ? run_ + 1 : 1;
      last_ts_ = row.ts_us;
      last_id_ = row.id;
      ++rows_;
      return sink->Row(row);
    };
    SPARD_RETURN_IF_ERROR(
        http_->Get(kEventsPath, PageParams(question, query_.descending, want, format, cursor),
                   [&](std::string_view piece) { return scanner.Feed(piece, on_row); }));
    SPARD_RETURN_IF_ERROR(scanner.Finish());
    SPARD_RETURN_IF_ERROR(sink->PageEnd());
    first_page = false;
    remaining -= page_rows;
    if (page_rows < want) return Status::Ok();  // a short page is the last one
    SPARD_RETURN_IF_ERROR(Resume(&question, &cursor));
    if (!cursor) return Status::Ok();
    if (remaining == 0) {
      more_ = true;
      return Status::Ok();
    }
  }
}

Status EventPager::Resume(Params* question, std::optional<std::string>* cursor) {
  Params q = query_.filters;
  if (query_.descending) {
    SetParam(&q, "to", FormatRfc3339(last_ts_ + 1));
  } else {
    SetParam(&q, "from", FormatRfc3339(last_ts_));
  }
  std::optional<std::string> next;
  uint64_t left = run_;
  uint64_t last_id = 0;
  while (left > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, query_.page_size));
    auto body = GetBody(http_, kEventsPath, PageParams(q, query_.descending, n, "json", next));
    if (!body.ok()) return body.status();
    uint64_t count = 0;
    SPARD_RETURN_IF_ERROR(ParseJsonPage(*body, &count, &last_id, &next));
    if (count != n) return Changed();
    left -= n;
    if (left > 0 && !next) return Changed();
  }
  if (last_id != last_id_) return Changed();
  *question = std::move(q);
  *cursor = std::move(next);
  return Status::Ok();
}

}  // namespace spard::cli
