#include "query/api.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/json_writer.h"
#include "common/personnummer.h"
#include "common/time_format.h"
#include "query/audit.h"
#include "query/cursor.h"
#include "query/event_scan.h"
#include "query/output.h"

namespace spard {

namespace http = boost::beast::http;

namespace {

constexpr size_t kStreamPiece = 512;  // events per streamed piece

// The audit object of an events query: its most specific filter.
std::string MainFilter(const HttpRequest& r, int64_t now_us) {
  if (const std::string* v = r.Param("object")) return *v;
  if (const std::string* v = r.Param("subject")) return NormalizeSubject(*v, now_us);
  for (std::string_view name : {"user", "system", "action", "outcome"}) {
    if (const std::string* v = r.Param(name)) return *v;
  }
  return "";
}

std::string EventsJson(const EventBatch& batch, const std::optional<std::string>& next_cursor) {
  std::string body;
  JsonWriter w(&body);
  w.StartObject();
  w.Key("events");
  w.StartArray();
  for (const EventView& e : batch.events) WriteEventJson(&w, e);
  w.EndArray();
  w.Key("next_cursor");
  if (next_cursor) {
    w.String(*next_cursor);
  } else {
    w.Null();
  }
  w.EndObject();
  return body;
}

// One page of events: up to `limit`, and whether another matching event follows (peeked, so a
// null next_cursor really means the end).
struct Page {
  EventBatch batch;
  std::optional<std::string> next_cursor;
  Status status;
};

Page RunPage(const Store& store, const EventsRequest& req, std::optional<IndexEntry> after,
             int64_t now_us) {
  Page page;
  EventScan scan(store, req.filter, req.descending, after, now_us);
  scan.Next(req.limit, &page.batch);
  if (!scan.status().ok()) {
    page.status = scan.status();
    return page;
  }
  if (page.batch.events.size() == req.limit) {
    IndexEntry last{page.batch.events.back().ts_us, page.batch.events.back().id};
    EventScan peek(store, req.filter, req.descending, last, now_us);
    EventBatch one;
    if (peek.Next(1, &one)) page.next_cursor = EncodeCursor(last, req.descending, req.filter);
    if (!peek.status().ok()) page.status = peek.status();
  }
  if (scan.dangling() > 0) {
    spdlog::error("query: {} index entries point to missing events; run spar verify",
                  scan.dangling());
  }
  return page;
}

asio::awaitable<HttpResponse> HandleEvents(ApiContext ctx, HttpRequest& request,
                                           const Principal& principal, ReadAudit* audit) {
  EventsRequest req;
  if (Status s = ParseEventsRequest(request.params, &req); !s.ok()) co_return StatusResponse(s);
  if (Status s = ApplyScope(principal, &req.filter); !s.ok()) co_return StatusResponse(s);
  std::optional<IndexEntry> after;
  if (!req.cursor.empty()) {
    IndexEntry pos;
    if (Status s = DecodeCursor(req.cursor, req.descending, req.filter, &pos); !s.ok()) {
      co_return StatusResponse(s);
    }
    after = pos;
  }
  const int64_t now = ctx.clock->NowMicros();
  const Store* store = ctx.store;

  if (req.format == OutputFormat::kJson) {
    auto work = [store, req, after, now, audit]() {
      Page page = RunPage(*store, req, after, now);
      if (!page.status.ok()) return StatusResponse(page.status);
      audit->returned = page.batch.events.size();
      return HttpResponse::Json(200, EventsJson(page.batch, page.next_cursor));
    };
    HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
    co_return response;
  }

  // The audit event says how many events a streamed answer holds before its first byte: a
  // counting pass first, over the events committed so far (max_id), then the same events
  // streamed. Both passes read the same index range, so the second one runs warm.
  req.filter.max_id = store->last_event_id();
  auto count_work = [store, req, after, now]() -> Result<uint64_t> {
    EventScan scan(*store, req.filter, req.descending, after, now);
    EventBatch batch;
    uint64_t n = 0;
    while (n < req.limit && scan.Next(std::min<size_t>(kStreamPiece, req.limit - n), &batch)) {
      n += batch.events.size();
    }
    if (!scan.status().ok()) return scan.status();
    return n;
  };
  Result<uint64_t> counted = co_await RunOn(ctx.pool->get_executor(), count_work);
  if (!counted.ok()) co_return StatusResponse(counted.status());
  audit->returned = *counted;
  req.limit = *counted;

  // ndjson and csv stream: the scan state lives in the producer, one piece at a time.
  struct StreamState {
    EventsRequest req;
    std::unique_ptr<EventScan> scan;
    size_t sent = 0;
    bool header_done = false;
  };
  auto state = std::make_shared<StreamState>();
  state->req = req;
  state->scan = std::make_unique<EventScan>(*store, req.filter, req.descending, after, now);
  HttpResponse response;
  response.content_type =
      req.format == OutputFormat::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  response.stream = [state](std::string* chunk) {
    if (state->req.format == OutputFormat::kCsv && !state->header_done) {
      chunk->append(CsvHeader());
      state->header_done = true;
    }
    size_t want = std::min(kStreamPiece, state->req.limit - state->sent);
    EventBatch batch;
    if (want == 0 || !state->scan->Next(want, &batch)) return false;
    std::string line;
    JsonWriter w(&line);
    for (const EventView& e : batch.events) {
      if (state->req.format == OutputFormat::kCsv) {
        AppendEventCsv(chunk, e);
      } else {
        line.clear();
        w.Reset(&line);
        WriteEventJson(&w, e);
        chunk->append(line);
        chunk->push_back('\n');
      }
    }
    state->sent += batch.events.size();
    return state->sent < state->req.limit;
  };
  co_return response;
}

asio::awaitable<HttpResponse> HandleCount(ApiContext ctx, HttpRequest& request,
                                          const Principal& principal, ReadAudit* audit) {
  EventFilter filter;
  if (Status s = ParseCountRequest(request.params, &filter); !s.ok()) co_return StatusResponse(s);
  if (Status s = ApplyScope(principal, &filter); !s.ok()) co_return StatusResponse(s);
  const int64_t now = ctx.clock->NowMicros();
  const Store* store = ctx.store;
  auto work = [store, filter, now, audit]() {
    auto n = EventScan::Count(*store, filter, now);
    if (!n.ok()) return StatusResponse(n.status());
    audit->returned = *n;
    return HttpResponse::Json(200, "{\"count\":" + std::to_string(*n) + "}");
  };
  HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
  co_return response;
}

// GET /v1/quarantine: oldest first, filtered by reason (prefix), listener and receive time.
struct QuarantineQuery {
  size_t limit = kDefaultLimit;
  uint64_t after = 0;
  std::string reason;
  std::optional<Listener> listener;
  TimeRange received;
};

Status ParseQuarantineQuery(const ParamList& params, QuarantineQuery* q) {
  for (const auto& [k, v] : params) {
    char* end = nullptr;
    unsigned long long n = strtoull(v.c_str(), &end, 10);
    bool numeric = !v.empty() && end == v.c_str() + v.size();
    if (k == "limit") {
      if (!numeric || n < 1 || n > kMaxLimit) {
        return Status::InvalidArgument("limit: expected a number from 1 to 10000");
      }
      q->limit = n;
    } else if (k == "after") {
      if (!numeric) return Status::InvalidArgument("after: expected a quarantine id");
      q->after = n;
    } else if (k == "reason") {
      q->reason = v;
    } else if (k == "listener") {
      bool found = false;
      for (Listener l : {Listener::kTcp, Listener::kUdp, Listener::kHttp, Listener::kTls,
                         Listener::kRelp, Listener::kImport}) {
        if (ListenerName(l) == v) {
          q->listener = l;
          found = true;
        }
      }
      if (!found)
        return Status::InvalidArgument("listener: expected tcp, udp, http, tls, relp or import");
    } else if (k == "from" || k == "to") {
      int64_t us;
      if (!ParseDateOrRfc3339(v, &us)) {
        return Status::InvalidArgument(k + ": expected an RFC 3339 time or a date");
      }
      (k == "from" ? q->received.from : q->received.to) = us;
    } else {
      return Status::InvalidArgument(k + ": unknown parameter");
    }
  }
  return Status::Ok();
}

asio::awaitable<HttpResponse> HandleQuarantine(ApiContext ctx, HttpRequest& request,
                                               const Principal&, ReadAudit* audit) {
  QuarantineQuery q;
  if (Status s = ParseQuarantineQuery(request.params, &q); !s.ok()) co_return StatusResponse(s);
  const Store* store = ctx.store;
  auto work = [store, q, audit]() {
    std::vector<QuarantineRecord> matched;
    std::vector<QuarantineRecord> chunk;
    uint64_t after = q.after;
    bool more = false;
    while (true) {
      chunk.clear();
      Status s = store->ListQuarantine(after, 1024, &chunk);
      if (!s.ok()) return StatusResponse(s);
      for (QuarantineRecord& r : chunk) {
        after = r.id;
        if (!r.reason.starts_with(q.reason)) continue;
        if (q.listener && r.listener != *q.listener) continue;
        if (!q.received.Contains(r.received_us)) continue;
        if (matched.size() == q.limit) {
          more = true;
          break;
        }
        matched.push_back(std::move(r));
      }
      if (more || chunk.size() < 1024) break;
    }
    audit->returned = matched.size();
    std::string body;
    JsonWriter w(&body);
    w.StartObject();
    w.Key("quarantine");
    w.StartArray();
    for (const QuarantineRecord& r : matched) {
      w.StartObject();
      w.Key("id");
      w.Uint(r.id);
      w.Key("received");
      w.String(FormatRfc3339(r.received_us));
      w.Key("reason");
      w.String(r.reason);
      w.Key("source");
      w.StartObject();
      w.Key("listener");
      w.String(ListenerName(r.listener));
      w.Key("peer");
      w.String(r.peer);
      w.EndObject();
      w.Key("truncated");
      w.Bool((r.flags & kEventFlagTruncated) != 0);
      w.Key("raw");
      w.String(r.raw);
      w.EndObject();
    }
    w.EndArray();
    w.Key("next_after");
    if (more) {
      w.Uint(matched.back().id);
    } else {
      w.Null();
    }
    w.EndObject();
    return HttpResponse::Json(200, std::move(body));
  };
  HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
  co_return response;
}

asio::awaitable<HttpResponse> HandleCompact(ApiContext ctx, HttpRequest& request) {
  Principal principal;
  if (auto refusal = Authorize(ctx, request, {Role::kAdmin}, &principal)) co_return *refusal;
  Store* store = ctx.store;
  auto work = [store]() {
    auto start = std::chrono::steady_clock::now();
    Status s = store->FlushAndCompact();
    if (!s.ok()) return StatusResponse(s);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return HttpResponse::Json(200, "{\"disk_bytes\":" + std::to_string(store->DiskBytes()) +
                                       ",\"seconds\":" + std::to_string(seconds) + "}");
  };
  HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
  co_return response;
}

}  // namespace

HttpResponse StatusResponse(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return HttpResponse::Error(400, s.message());
    case Status::Code::kUnauthenticated:
      return HttpResponse::Error(401, s.message());
    case Status::Code::kPermissionDenied:
      return HttpResponse::Error(403, s.message());
    case Status::Code::kNotFound:
      return HttpResponse::Error(404, s.message());
    case Status::Code::kConflict:
      return HttpResponse::Error(409, s.message());
    case Status::Code::kUnavailable:
      return HttpResponse::Error(503, s.message());
    default:
      return HttpResponse::Error(500, s.ToString());
  }
}

Status ApplyScope(const Principal& principal, EventFilter* filter) {
  if (filter->system && !principal.MaySee(*filter->system)) {
    return Status::PermissionDenied(
        *filter->system == "spard"
            ? std::string("system spard (the audit trail of the log) is for admins only")
            : "system " + *filter->system + " is outside the systems of token " + principal.name);
  }
  // spard's own events are only in the system index (ForEachIndexTerm): any other query
  // leaves them out, for every role, without a check per event.
  if (principal.role != Role::kAdmin) filter->scope_systems = principal.systems;
  return Status::Ok();
}

void RouteRead(HttpServer* server, const ApiContext& ctx, ReadRoute route) {
  auto shared = std::make_shared<const ReadRoute>(std::move(route));
  server->Route(
      shared->method, shared->path, [ctx, shared](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        const ReadRoute& route = *shared;
        Principal principal;
        ReadAudit audit;
        HttpResponse response;
        if (auto refusal = Authorize(ctx, r, route.roles, &principal)) {
          response = std::move(*refusal);
        } else {
          response = co_await route.handler(r, principal, &audit);
        }
        const bool refused = response.status == 401 || response.status == 403;
        AuditRecord record;
        record.user = principal.name.empty() ? "-" : principal.name;
        record.action = refused ? "refused" : route.action;
        if (route.object) record.object = route.object(r);
        record.outcome = refused ? "denied" : response.status < 400 ? "success" : "failure";
        record.reason = response.error;
        record.client_ip = std::string(r.ClientIp());
        if (refused) record.attrs.emplace_back("endpoint", route.action);
        for (const auto& [k, v] : r.params) record.attrs.emplace_back(k, v);
        record.attrs.emplace_back("http_status", std::to_string(response.status));
        if (audit.returned) record.attrs.emplace_back("returned", std::to_string(*audit.returned));
        Status s = co_await RecordAudit(ctx.store, ctx.clock, record);
        if (!s.ok()) {
          spdlog::error("audit: a read of the log could not be logged, so it was not answered: {}",
                        s.ToString());
          co_return HttpResponse::Error(503, "the read could not be logged: " + s.message());
        }
        co_return response;
      });
}

std::optional<HttpResponse> Authorize(const ApiContext& ctx, const HttpRequest& request,
                                      const std::vector<Role>& allowed, Principal* principal) {
  auto p = ctx.tokens->Authenticate(request.authorization, ctx.clock->NowMicros());
  if (!p.ok()) {
    if (p.status().code() == Status::Code::kUnauthenticated) {
      HttpResponse r = HttpResponse::Error(401, p.status().message());
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"spard\"");
      return r;
    }
    return StatusResponse(p.status());
  }
  *principal = std::move(*p);
  for (Role r : allowed) {
    if (principal->role == r) return std::nullopt;
  }
  return HttpResponse::Error(
      403, "role " + std::string(RoleName(principal->role)) + " may not use " + request.path);
}

void RegisterQueryApi(HttpServer* server, const ApiContext& ctx) {
  server->Route(http::verb::get, "/healthz", [ctx](HttpRequest&) -> asio::awaitable<HttpResponse> {
    Gauge* paused = ctx.metrics->GetGauge("spard_ingest_paused",
                                          "1 while the store cannot write and ingest is paused");
    std::string body = "{\"status\":\"ok\",\"ingest_paused\":";
    body += paused->value() ? "true" : "false";
    body += ",\"last_event_id\":" + std::to_string(ctx.store->last_event_id()) + "}";
    co_return HttpResponse::Json(200, std::move(body));
  });
  server->Route(http::verb::get, "/metrics",
                [ctx](HttpRequest& r) -> asio::awaitable<HttpResponse> {
                  // No token on loopback (SPEC §4), an admin token from anywhere else.
                  if (!r.loopback) {
                    Principal p;
                    if (auto refusal = Authorize(ctx, r, {Role::kAdmin}, &p)) co_return *refusal;
                  }
                  HttpResponse res;
                  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                  res.body = ctx.metrics->Render();
                  co_return res;
                });
  const Clock* clock = ctx.clock;
  auto main_filter = [clock](const HttpRequest& r) { return MainFilter(r, clock->NowMicros()); };
  RouteRead(server, ctx,
            {http::verb::get,
             "/v1/events",
             "events.search",
             {Role::kInvestigator, Role::kReviewer, Role::kAdmin},
             main_filter,
             [ctx](HttpRequest& r, const Principal& p, ReadAudit* a) {
               return HandleEvents(ctx, r, p, a);
             }});
  RouteRead(server, ctx,
            {http::verb::get,
             "/v1/events/count",
             "events.count",
             {Role::kInvestigator, Role::kReviewer, Role::kAdmin},
             main_filter,
             [ctx](HttpRequest& r, const Principal& p, ReadAudit* a) {
               return HandleCount(ctx, r, p, a);
             }});
  RouteRead(server, ctx,
            {http::verb::get,
             "/v1/quarantine",
             "quarantine.list",
             {Role::kAdmin},
             [](const HttpRequest& r) {
               const std::string* reason = r.Param("reason");
               return reason ? *reason : std::string();
             },
             [ctx](HttpRequest& r, const Principal& p, ReadAudit* a) {
               return HandleQuarantine(ctx, r, p, a);
             }});
  server->Route(http::verb::post, "/v1/admin/compact",
                [ctx](HttpRequest& r) { return HandleCompact(ctx, r); });
}

}  // namespace spard
