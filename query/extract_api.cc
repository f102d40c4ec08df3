#include "query/extract_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/personnummer.h"
#include "query/event_scan.h"

namespace spard {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kPrefix = "/v1/subjects/";
constexpr std::string_view kSuffix = "/extract";
constexpr size_t kStreamPiece = 512;  // accesses per streamed piece

struct ExtractQuery {
  EventFilter filter;  // the subject, the window and the caller's scope
  bool has_from = false;
  bool has_to = false;
  ExtractFormat format = ExtractFormat::kJson;
  ExtractLang lang = ExtractLang::kSv;
};

// from and to as GET /v1/events takes them (RFC 3339 or a date; from before to); format and
// lang. Unknown, repeated or empty parameters are errors, as everywhere in the API.
Status ParseExtractQuery(const ParamList& params, ExtractQuery* q) {
  for (size_t i = 0; i < params.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (params[i].first == params[j].first) {
        return Status::InvalidArgument(params[i].first + ": given more than once");
      }
    }
  }
  ParamList window;
  for (const auto& [name, value] : params) {
    if (name == "from" || name == "to") {
      (name == "from" ? q->has_from : q->has_to) = true;
      window.emplace_back(name, value);
    } else if (name == "format") {
      if (value == "json") {
        q->format = ExtractFormat::kJson;
      } else if (value == "ndjson") {
        q->format = ExtractFormat::kNdjson;
      } else if (value == "csv") {
        q->format = ExtractFormat::kCsv;
      } else if (value == "html") {
        q->format = ExtractFormat::kHtml;
      } else {
        return Status::InvalidArgument("format: expected json, ndjson, csv or html");
      }
    } else if (name == "lang") {
      if (value == "sv") {
        q->lang = ExtractLang::kSv;
      } else if (value == "en") {
        q->lang = ExtractLang::kEn;
      } else {
        return Status::InvalidArgument("lang: expected sv or en");
      }
    } else {
      return Status::InvalidArgument(name + ": unknown parameter");
    }
  }
  // The window is parsed exactly as /v1/events parses it, with the same messages.
  return ParseCountRequest(window, &q->filter);
}

asio::awaitable<HttpResponse> HandleExtract(ApiContext ctx,
                                            std::shared_ptr<const ExtractSettings> settings,
                                            HttpRequest& request, const Principal& principal,
                                            ReadAudit* audit) {
  std::string subject;
  if (!ExtractSubjectFromPath(request.path, &subject)) {
    co_return HttpResponse::Error(404, "no such endpoint: " + request.path);
  }
  const int64_t now = ctx.clock->NowMicros();
  if (Status s = CheckExtractSubject(subject, now); !s.ok()) co_return StatusResponse(s);
  ExtractQuery q;
  if (Status s = ParseExtractQuery(request.params, &q); !s.ok()) co_return StatusResponse(s);
  q.filter.subject = subject;
  if (Status s = ApplyScope(principal, &q.filter); !s.ok()) co_return StatusResponse(s);

  // The audit event says how many accesses the answer holds before its first byte, and the
  // JSON and HTML announce the number at their top: a counting pass over the events committed
  // so far (max_id), then the same events streamed (the second pass runs warm).
  const Store* store = ctx.store;
  q.filter.max_id = store->last_event_id();
  const EventFilter filter = q.filter;
  auto count_work = [store, filter, now]() -> Result<uint64_t> {
    EventScan scan(*store, filter, false, std::nullopt, now);
    EventBatch batch;
    uint64_t n = 0;
    while (scan.Next(kStreamPiece, &batch)) n += batch.events.size();
    if (!scan.status().ok()) return scan.status();
    return n;
  };
  Result<uint64_t> counted = co_await RunOn(ctx.pool->get_executor(), count_work);
  if (!counted.ok()) co_return StatusResponse(counted.status());
  audit->returned = *counted;

  ExtractHeader header;
  header.subject = NormalizeSubject(subject, now);
  if (q.has_from) header.from_us = q.filter.range.from;
  if (q.has_to) header.to_us = q.filter.range.to;
  header.issued_us = now;
  header.count = *counted;
  header.scope = q.filter.scope_systems;
  header.lang = q.lang;

  struct StreamState {
    std::shared_ptr<const ExtractSettings> settings;
    std::unique_ptr<ExtractWriter> writer;
    std::unique_ptr<EventScan> scan;
    uint64_t limit = 0;
    uint64_t sent = 0;
    bool begun = false;
  };
  auto state = std::make_shared<StreamState>();
  state->settings = settings;
  state->writer = NewExtractWriter(q.format, *settings, std::move(header));
  state->scan = std::make_unique<EventScan>(*store, q.filter, false, std::nullopt, now);
  state->limit = *counted;

  HttpResponse response;
  response.content_type = std::string(ExtractContentType(q.format));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (q.format == ExtractFormat::kHtml) {
    // Defence in depth beside the escaping: the page may load nothing and run nothing.
    response.headers.emplace_back("Content-Security-Policy",
                                  "default-src 'none'; style-src 'unsafe-inline'");
  }
  response.stream = [state](std::string* chunk) {
    if (!state->begun) {
      state->writer->Begin(chunk);
      state->begun = true;
    }
    const uint64_t want = std::min<uint64_t>(kStreamPiece, state->limit - state->sent);
    EventBatch batch;
    if (want > 0 && state->scan->Next(want, &batch)) {
      for (const EventView& e : batch.events) {
        state->writer->Add(ResolveAccess(*state->settings, e), chunk);
      }
      state->sent += batch.events.size();
      if (state->sent < state->limit) return true;
    }
    if (!state->scan->status().ok()) {
      // Headers are out: leave the document unterminated so that a reader sees it is cut.
      spdlog::error("extract: reading the store failed after {} of {} accesses: {}", state->sent,
                    state->limit, state->scan->status().ToString());
      return false;
    }
    state->writer->End(chunk);
    return false;
  };
  co_return response;
}

}  // namespace

bool ExtractSubjectFromPath(std::string_view path, std::string* subject) {
  if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) return false;
  if (path.size() < kPrefix.size() + kSuffix.size()) return false;
  subject->assign(path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size()));
  return true;
}

Status CheckExtractSubject(std::string_view subject, int64_t now_us) {
  if (subject.empty()) return Status::InvalidArgument("subject: must not be empty");
  std::string digits(subject);
  if (digits.size() == 11 || digits.size() == 13) {
    char sep = digits[digits.size() - 5];
    if (sep == '-' || sep == '+') digits.erase(digits.size() - 5, 1);
  }
  const bool shaped = (digits.size() == 10 || digits.size() == 12) &&
                      digits.find_first_not_of("0123456789") == std::string::npos;
  std::string normal;
  if (shaped && !NormalizePersonnummer(subject, now_us, &normal)) {
    return Status::InvalidArgument(
        "subject: not a valid personnummer or samordningsnummer (check the date and the last "
        "digit)");
  }
  return Status::Ok();
}

void RegisterExtractApi(HttpServer* server, const ApiContext& ctx,
                        std::shared_ptr<const ExtractSettings> settings) {
  const Clock* clock = ctx.clock;
  RouteRead(server, ctx,
            {http::verb::get,
             std::string(kPrefix),
             "subject.extract",
             {Role::kInvestigator, Role::kAdmin},
             [clock](const HttpRequest& r) {
               std::string subject;
               if (!ExtractSubjectFromPath(r.path, &subject)) return std::string();
               return NormalizeSubject(subject, clock->NowMicros());
             },
             [ctx, settings](HttpRequest& r, const Principal& p, ReadAudit* a) {
               return HandleExtract(ctx, settings, r, p, a);
             }});
}

}  // namespace spard
