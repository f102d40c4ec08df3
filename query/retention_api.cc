#include "query/retention_api.h"

#include <simdjson.h>

#include <charconv>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "query/audit.h"

namespace spard {

namespace http = boost::beast::http;

Result<PurgeReport> Purger::Run(int64_t now_us, bool dry_run, const std::string& requested_by) {
  std::lock_guard lock(mu_);
  auto holds = HoldStore(store_).List();
  if (!holds.ok()) return holds.status();
  PurgeOptions o;
  o.now_us = now_us;
  o.dry_run = dry_run;
  o.requested_by = requested_by;
  return Purge(store_, integrity_, policy_, *holds, o);
}

std::string PurgeReportJson(const PurgeReport& r, bool dry_run) {
  std::string body;
  JsonWriter w(&body);
  w.StartObject();
  w.Key("dry_run");
  w.Bool(dry_run);
  w.Key("examined");
  w.Uint(r.examined);
  w.Key("purged");
  w.Uint(r.purged);
  w.Key("held");
  w.Uint(r.held);
  w.Key("by_system");
  w.StartObject();
  for (const auto& [s, n] : r.purged_by_system) {
    w.Key(s);
    w.Uint(n);
  }
  w.EndObject();
  w.Key("ranges");
  w.StartArray();
  for (const auto& [a, b] : r.ranges) {
    w.StartArray();
    w.Uint(a);
    w.Uint(b);
    w.EndArray();
  }
  w.EndArray();
  w.Key("leaf_hashes_kept");
  w.Uint(r.kept_leaves);
  w.Key("record_id");
  if (r.record_id) {
    w.Uint(r.record_id);
  } else {
    w.Null();
  }
  w.EndObject();
  return body;
}

namespace {

void WriteHold(JsonWriter* w, const Hold& h) {
  w->StartObject();
  w->Key("id");
  w->Uint(h.id);
  w->Key("scope");
  w->String(HoldScopeName(h.scope));
  w->Key("value");
  w->String(h.value);
  if (!h.system.empty()) {
    w->Key("system");
    w->String(h.system);
  }
  w->Key("from");
  if (h.from_us == INT64_MIN) {
    w->Null();
  } else {
    w->String(FormatRfc3339(h.from_us));
  }
  w->Key("to");
  if (h.to_us == INT64_MAX) {
    w->Null();
  } else {
    w->String(FormatRfc3339(h.to_us));
  }
  w->Key("reason");
  w->String(h.reason);
  w->Key("case_number");
  w->String(h.case_number);
  w->Key("created_by");
  w->String(h.created_by);
  w->Key("created");
  w->String(FormatRfc3339(h.created_us));
  w->EndObject();
}

// The JSON body of POST /v1/holds; errors name the field.
Status ParseHold(const std::string& body, Hold* h) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) || !doc.is_object()) {
    return Status::InvalidArgument("body: expected a JSON object");
  }
  for (auto [key, value] : doc.get_object()) {
    std::string_view v;
    if (value.get_string().get(v)) {
      return Status::InvalidArgument(std::string(key) + ": expected a string");
    }
    if (key == "scope") {
      if (!HoldScopeFromName(v, &h->scope)) {
        return Status::InvalidArgument("scope: expected subject, user, object or system");
      }
    } else if (key == "value") {
      h->value = v;
    } else if (key == "system") {
      h->system = v;
    } else if (key == "from" || key == "to") {
      int64_t us;
      if (!ParseDateOrRfc3339(v, &us)) {
        return Status::InvalidArgument(std::string(key) + ": expected an RFC 3339 time or a date");
      }
      (key == "from" ? h->from_us : h->to_us) = us;
    } else if (key == "reason") {
      h->reason = v;
    } else if (key == "case_number") {
      h->case_number = v;
    } else {
      return Status::InvalidArgument(std::string(key) + ": unknown field");
    }
  }
  if (h->value.empty()) return Status::InvalidArgument("value: required");
  if (h->reason.empty()) return Status::InvalidArgument("reason: required (why the hold)");
  if (h->case_number.empty()) return Status::InvalidArgument("case_number: required");
  return Status::Ok();
}

}  // namespace

void RegisterRetentionApi(HttpServer* server, const ApiContext& ctx, Purger* purger) {
  // Audited like a read (who asked, answered or refused); a purge that removes events also
  // stores its signed purge record.
  RouteRead(server, ctx,
            {http::verb::post,
             "/v1/admin/purge",
             "purge.run",
             {Role::kAdmin},
             nullptr,
             [ctx, purger](HttpRequest& r, const Principal& p,
                           ReadAudit*) -> asio::awaitable<HttpResponse> {
               bool dry_run = false;
               for (const auto& [k, v] : r.params) {
                 if (k == "dry_run" && (v == "true" || v == "false")) {
                   dry_run = v == "true";
                 } else {
                   co_return HttpResponse::Error(400, k == "dry_run"
                                                          ? "dry_run: expected true or false"
                                                          : k + ": unknown parameter");
                 }
               }
               const int64_t now = ctx.clock->NowMicros();
               const std::string who = p.name;
               auto work = [purger, now, dry_run, who]() {
                 auto report = purger->Run(now, dry_run, who);
                 if (!report.ok()) return HttpResponse::Error(500, report.status().ToString());
                 return HttpResponse::Json(200, PurgeReportJson(*report, dry_run));
               };
               HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
               co_return response;
             }});

  RouteRead(
      server, ctx,
      {http::verb::get,
       "/v1/holds",
       "holds.list",
       {Role::kAdmin},
       nullptr,
       [ctx](HttpRequest&, const Principal&, ReadAudit* audit) -> asio::awaitable<HttpResponse> {
         auto holds = HoldStore(ctx.store).List();
         if (!holds.ok()) co_return HttpResponse::Error(500, holds.status().ToString());
         audit->returned = holds->size();
         std::string body;
         JsonWriter w(&body);
         w.StartObject();
         w.Key("holds");
         w.StartArray();
         for (const Hold& h : *holds) WriteHold(&w, h);
         w.EndArray();
         w.EndObject();
         co_return HttpResponse::Json(200, std::move(body));
       }});

  server->Route(http::verb::post, "/v1/holds",
                [ctx](HttpRequest& r) -> asio::awaitable<HttpResponse> {
                  Principal p;
                  if (auto refusal = Authorize(ctx, r, {Role::kAdmin}, &p)) co_return *refusal;
                  Hold hold;
                  if (Status s = ParseHold(r.body, &hold); !s.ok()) {
                    co_return HttpResponse::Error(400, s.message());
                  }
                  hold.created_by = p.name;
                  auto created = HoldStore(ctx.store).Create(hold, ctx.clock->NowMicros());
                  if (!created.ok()) {
                    co_return HttpResponse::Error(created.status().IsInvalidArgument() ? 400 : 500,
                                                  created.status().message());
                  }
                  AuditRecord audit{p.name,
                                    "hold.add",
                                    "hold:" + std::to_string(created->id),
                                    "success",
                                    created->reason,
                                    std::string(r.ClientIp()),
                                    {{"scope", std::string(HoldScopeName(created->scope))},
                                     {"value", created->value},
                                     {"case_number", created->case_number}}};
                  Status s = co_await RecordAudit(ctx.store, ctx.clock, audit);
                  if (!s.ok()) co_return HttpResponse::Error(503, s.message());
                  std::string body;
                  JsonWriter w(&body);
                  WriteHold(&w, *created);
                  co_return HttpResponse::Json(201, std::move(body));
                });

  server->Route(
      http::verb::delete_, "/v1/holds/", [ctx](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        Principal p;
        if (auto refusal = Authorize(ctx, r, {Role::kAdmin}, &p)) co_return *refusal;
        std::string_view id_text =
            std::string_view(r.path).substr(std::string_view("/v1/holds/").size());
        uint64_t id = 0;
        auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc() || end != id_text.data() + id_text.size()) {
          co_return HttpResponse::Error(404, "no such hold: " + std::string(id_text));
        }
        auto removed = HoldStore(ctx.store).Remove(id);
        if (!removed.ok()) {
          co_return HttpResponse::Error(removed.status().IsNotFound() ? 404 : 500,
                                        removed.status().message());
        }
        AuditRecord audit{p.name,
                          "hold.remove",
                          "hold:" + std::to_string(id),
                          "success",
                          removed->reason,
                          std::string(r.ClientIp()),
                          {{"scope", std::string(HoldScopeName(removed->scope))},
                           {"value", removed->value},
                           {"case_number", removed->case_number}}};
        Status s = co_await RecordAudit(ctx.store, ctx.clock, audit);
        if (!s.ok()) co_return HttpResponse::Error(503, s.message());
        co_return HttpResponse::Json(200, "{\"removed\":" + std::to_string(id) + "}");
      });
}

}  // namespace spard
