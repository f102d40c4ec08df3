#include "query/token_api.h"

#include <simdjson.h>

#include <string>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "query/audit.h"

namespace spard {

namespace http = boost::beast::http;

namespace {

Status ParseTokenRequest(const std::string& body, int64_t now_us, Principal* p) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) || !doc.is_object()) {
    return Status::InvalidArgument("body: expected a JSON object");
  }
  bool has_role = false;
  for (auto [key, value] : doc.get_object()) {
    if (key == "systems") {
      simdjson::dom::array systems;
      if (value.get_array().get(systems)) {
        return Status::InvalidArgument("systems: expected an array of system names");
      }
      for (simdjson::dom::element s : systems) {
        std::string_view name;
        if (s.get_string().get(name)) {
          return Status::InvalidArgument("systems: expected an array of system names");
        }
        p->systems.emplace_back(name);
      }
      continue;
    }
    std::string_view v;
    if (value.get_string().get(v)) {
      return Status::InvalidArgument(std::string(key) + ": expected a string");
    }
    if (key == "name") {
      p->name = v;
    } else if (key == "role") {
      if (!RoleFromName(v, &p->role)) {
        return Status::InvalidArgument("role: expected ingest, investigator, reviewer or admin");
      }
      has_role = true;
    } else if (key == "expires") {
      if (!ParseDateOrRfc3339(v, &p->expires_us)) {
        return Status::InvalidArgument("expires: expected an RFC 3339 time or a date");
      }
      if (p->expires_us <= now_us) return Status::InvalidArgument("expires: in the past");
    } else {
      return Status::InvalidArgument(std::string(key) + ": unknown field");
    }
  }
  if (!has_role) return Status::InvalidArgument("role: required");
  return Status::Ok();
}

void WriteToken(JsonWriter* w, const Principal& p, int64_t now_us) {
  w->Key("id");
  w->String(p.id);
  w->Key("name");
  w->String(p.name);
  w->Key("role");
  w->String(RoleName(p.role));
  w->Key("systems");
  w->StartArray();
  for (const std::string& s : p.systems) w->String(s);
  w->EndArray();
  w->Key("expires");
  if (p.expires_us != 0) {
    w->String(FormatRfc3339(p.expires_us));
  } else {
    w->Null();
  }
  w->Key("created");
  if (p.created_us != 0) {
    w->String(FormatRfc3339(p.created_us));
  } else {
    w->Null();
  }
  w->Key("expired");
  w->Bool(p.expires_us != 0 && now_us >= p.expires_us);
}

std::string JoinSystems(const std::vector<std::string>& systems) {
  std::string out;
  for (const std::string& s : systems) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

}  // namespace

void RegisterTokenApi(HttpServer* server, const ApiContext& ctx) {
  RouteRead(
      server, ctx,
      {http::verb::get,
       "/v1/tokens",
       "tokens.list",
       {Role::kAdmin},
       nullptr,
       [ctx](HttpRequest& r, const Principal&, ReadAudit* audit) -> asio::awaitable<HttpResponse> {
         if (!r.params.empty()) {
           co_return HttpResponse::Error(400, r.params[0].first + ": unknown parameter");
         }
         auto tokens = ctx.tokens->List();
         if (!tokens.ok()) co_return StatusResponse(tokens.status());
         audit->returned = tokens->size();
         const int64_t now = ctx.clock->NowMicros();
         std::string body;
         JsonWriter w(&body);
         w.StartObject();
         w.Key("tokens");
         w.StartArray();
         for (const Principal& p : *tokens) {
           w.StartObject();
           WriteToken(&w, p, now);
           w.EndObject();
         }
         w.EndArray();
         w.EndObject();
         co_return HttpResponse::Json(200, std::move(body));
       }});

  server->Route(
      http::verb::post, "/v1/tokens", [ctx](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        Principal admin;
        if (auto refusal = Authorize(ctx, r, {Role::kAdmin}, &admin)) co_return *refusal;
        const int64_t now = ctx.clock->NowMicros();
        Principal p;
        if (Status s = ParseTokenRequest(r.body, now, &p); !s.ok()) co_return StatusResponse(s);
        p.created_us = now;
        auto secret = ctx.tokens->Create(&p);
        if (!secret.ok()) co_return StatusResponse(secret.status());
        AuditRecord audit;
        audit.user = admin.name;
        audit.action = "token.create";
        audit.object = "token:" + p.id;
        audit.client_ip = std::string(r.ClientIp());
        audit.attrs = {{"name", p.name},
                       {"role", std::string(RoleName(p.role))},
                       {"systems", JoinSystems(p.systems)},
                       {"expires", p.expires_us ? FormatRfc3339(p.expires_us) : ""}};
        Status s = co_await RecordAudit(ctx.store, ctx.clock, audit);
        if (!s.ok()) {
          // Not audited, so not handed out: take it back.
          (void)ctx.tokens->Revoke(p.id);
          co_return HttpResponse::Error(503, "the token could not be logged: " + s.message());
        }
        std::string body;
        JsonWriter w(&body);
        w.StartObject();
        WriteToken(&w, p, now);
        w.Key("token");
        w.String(*secret);
        w.EndObject();
        HttpResponse response = HttpResponse::Json(201, std::move(body));
        response.headers.emplace_back("Cache-Control", "no-store");
        co_return response;
      });

  server->Route(
      http::verb::delete_, "/v1/tokens/", [ctx](HttpRequest& r) -> asio::awaitable<HttpResponse> {
        Principal admin;
        if (auto refusal = Authorize(ctx, r, {Role::kAdmin}, &admin)) co_return *refusal;
        const std::string id = r.path.substr(std::string_view("/v1/tokens/").size());
        auto revoked = ctx.tokens->Revoke(id);
        if (!revoked.ok()) co_return StatusResponse(revoked.status());
        AuditRecord audit;
        audit.user = admin.name;
        audit.action = "token.revoke";
        audit.object = "token:" + id;
        audit.client_ip = std::string(r.ClientIp());
        audit.attrs = {{"name", revoked->name}, {"role", std::string(RoleName(revoked->role))}};
        Status s = co_await RecordAudit(ctx.store, ctx.clock, audit);
        if (!s.ok()) co_return HttpResponse::Error(503, "revoked, but not logged: " + s.message());
        co_return HttpResponse::Json(200, "{\"revoked\":\"" + id + "\"}");
      });
}

}  // namespace spard
