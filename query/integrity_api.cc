#include "query/integrity_api.h"

#include <charconv>
#include <chrono>

#include "common/json_writer.h"
#include "store/event_tree.h"
#include "store/key_codec.h"
#include "store/verify.h"

namespace spard {

namespace http = boost::beast::http;

namespace {

bool ParseU64(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

void WriteHashes(JsonWriter* w, const std::vector<Hash>& hashes) {
  w->StartArray();
  for (const Hash& h : hashes) w->String(HexOf(h));
  w->EndArray();
}

HttpResponse Fail(const Status& s) {
  unsigned code = s.IsInvalidArgument() ? 400 : s.IsNotFound() ? 404 : 500;
  return HttpResponse::Error(code,
                             s.IsInvalidArgument() || s.IsNotFound() ? s.message() : s.ToString());
}

std::string PublicKeyJson(const Integrity& integrity) {
  std::string body;
  JsonWriter w(&body);
  w.StartObject();
  w.Key("algorithm");
  w.String("ed25519");
  w.Key("public_key");
  w.String(
      Base64(std::string_view(reinterpret_cast<const char*>(integrity.public_key().data()), 32)));
  w.Key("key_id");
  w.String(integrity.key_id());
  w.Key("signed_bytes");
  w.String(
      "\"spard-sth-v1\\n\" || tree_size (u64 big-endian) || root (32 bytes) || "
      "timestamp_us (u64 big-endian)");
  w.EndObject();
  return body;
}

}  // namespace

void RegisterIntegrityApi(HttpServer* server, const ApiContext& ctx, Integrity* integrity) {
  server->Route(http::verb::get, "/v1/integrity/public-key",
                [integrity](HttpRequest&) -> asio::awaitable<HttpResponse> {
                  co_return HttpResponse::Json(200, PublicKeyJson(*integrity));
                });

  RouteRead(server, ctx,
            {http::verb::get,
             "/v1/integrity",
             "integrity.status",
             {Role::kAdmin, Role::kInvestigator, Role::kReviewer},
             nullptr,
             [ctx, integrity](HttpRequest&, const Principal&,
                              ReadAudit*) -> asio::awaitable<HttpResponse> {
               auto work = [ctx, integrity]() {
                 auto head = ctx.store->writer()->tree_head();
                 auto latest = integrity->Latest();
                 if (!latest.ok()) return Fail(latest.status());
                 std::string body = "{\"tree_size\":" + std::to_string(head.size) + ",\"root\":\"" +
                                    HexOf(head.root) + "\",\"latest_sth\":" +
                                    (latest->has_value() ? (*latest)->ToJson() : "null") +
                                    ",\"public_key\":" + PublicKeyJson(*integrity) + "}";
                 return HttpResponse::Json(200, std::move(body));
               };
               HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
               co_return response;
             }});

  RouteRead(server, ctx,
            {http::verb::get,
             "/v1/integrity/sths",
             "integrity.sths",
             {Role::kAdmin, Role::kInvestigator, Role::kReviewer},
             nullptr,
             [ctx, integrity](HttpRequest& r, const Principal&,
                              ReadAudit*) -> asio::awaitable<HttpResponse> {
               uint64_t after = 0, limit = 100;
               for (const auto& [k, v] : r.params) {
                 if (k == "after" && ParseU64(v, &after)) continue;
                 if (k == "limit" && ParseU64(v, &limit) && limit >= 1 && limit <= 10000) {
                   continue;
                 }
                 co_return HttpResponse::Error(
                     400, k + (k == "after" || k == "limit" ? ": expected a number"
                                                            : ": unknown parameter"));
               }
               auto list = integrity->List(static_cast<int64_t>(after), limit);
               if (!list.ok()) co_return Fail(list.status());
               std::string body = "{\"sths\":[";
               for (size_t i = 0; i < list->size(); ++i) {
                 if (i) body += ',';
                 body += (*list)[i].ToJson();
               }
               body += "]}";
               co_return HttpResponse::Json(200, std::move(body));
             }});

  RouteRead(server, ctx,
            {http::verb::get,
             "/v1/integrity/consistency",
             "integrity.consistency",
             {Role::kAdmin, Role::kInvestigator, Role::kReviewer},
             nullptr,
             [ctx](HttpRequest& r, const Principal&, ReadAudit*) -> asio::awaitable<HttpResponse> {
               uint64_t first = 0, second = 0;
               const std::string* f = r.Param("first");
               const std::string* s = r.Param("second");
               if (f == nullptr || !ParseU64(*f, &first)) {
                 co_return HttpResponse::Error(400, "first: expected a tree size");
               }
               if (s == nullptr || !ParseU64(*s, &second)) {
                 co_return HttpResponse::Error(400, "second: expected a tree size");
               }
               auto work = [ctx, first, second]() {
                 const uint64_t size = ctx.store->writer()->tree_head().size;
                 if (first == 0 || first > second || second > size) {
                   return HttpResponse::Error(
                       400, "first: need 0 < first <= second <= " + std::to_string(size));
                 }
                 TreeReader tree(ctx.store->database());
                 auto proof = ConsistencyProof(first, second, tree.Source());
                 auto r1 = tree.Range(0, first);
                 auto r2 = tree.Range(0, second);
                 if (!proof.ok()) return Fail(proof.status());
                 if (!r1.ok()) return Fail(r1.status());
                 if (!r2.ok()) return Fail(r2.status());
                 std::string body;
                 JsonWriter w(&body);
                 w.StartObject();
                 w.Key("first");
                 w.Uint(first);
                 w.Key("second");
                 w.Uint(second);
                 w.Key("first_root");
                 w.String(HexOf(*r1));
                 w.Key("second_root");
                 w.String(HexOf(*r2));
                 w.Key("proof");
                 WriteHashes(&w, *proof);
                 w.EndObject();
                 return HttpResponse::Json(200, std::move(body));
               };
               HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
               co_return response;
             }});

  // Verifies the live store (admin): the index is written out first so that every event is
  // checked against it; then everything is read through one snapshot.
  RouteRead(
      server, ctx,
      {http::verb::post,
       "/v1/integrity/verify",
       "integrity.verify",
       {Role::kAdmin},
       nullptr,
       [ctx](HttpRequest&, const Principal&, ReadAudit*) -> asio::awaitable<HttpResponse> {
         auto work = [ctx]() {
           auto start = std::chrono::steady_clock::now();
           Status flushed = ctx.store->index()->Flush();
           if (!flushed.ok()) return Fail(flushed);
           auto report = VerifyStore(*ctx.store->database(), VerifyOptions{});
           if (!report.ok()) return Fail(report.status());
           double seconds =
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
           return HttpResponse::Json(200, VerifyReportJson(*report, seconds));
         };
         HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
         co_return response;
       }});

  // /v1/events/{id}/proof; exact /v1/events routes are registered before this prefix one.
  RouteRead(
      server, ctx,
      {http::verb::get,
       "/v1/events/",
       "event.proof",
       {Role::kInvestigator, Role::kReviewer, Role::kAdmin},
       [](const HttpRequest& r) {
         return "event:" + r.path.substr(std::min(r.path.size(), sizeof("/v1/events/") - 1));
       },
       [ctx, integrity](HttpRequest& r, const Principal& p,
                        ReadAudit* audit) -> asio::awaitable<HttpResponse> {
         std::string_view rest =
             std::string_view(r.path).substr(std::string_view("/v1/events/").size());
         uint64_t id = 0;
         size_t slash = rest.find('/');
         if (slash == std::string_view::npos || rest.substr(slash) != "/proof" ||
             !ParseU64(rest.substr(0, slash), &id) || id == 0) {
           co_return HttpResponse::Error(404, "no such endpoint: " + r.path);
         }
         uint64_t tree_size = 0;
         if (const std::string* ts = r.Param("tree_size");
             ts != nullptr && !ParseU64(*ts, &tree_size)) {
           co_return HttpResponse::Error(400, "tree_size: expected a number");
         }
         const Principal* principal = &p;
         auto work = [ctx, integrity, id, tree_size, principal, audit]() {
           const uint64_t size = ctx.store->writer()->tree_head().size;
           if (id > size) return HttpResponse::Error(404, "no event " + std::to_string(id));
           std::optional<SignedTreeHead> sth;
           uint64_t n = tree_size;
           if (n == 0) {
             auto covering = integrity->FirstCovering(id);
             if (!covering.ok()) return Fail(covering.status());
             sth = *covering;
             n = sth ? sth->tree_size : size;
           }
           if (n < id || n > size) {
             return HttpResponse::Error(400, "tree_size: must be from " + std::to_string(id) +
                                                 " to " + std::to_string(size));
           }
           TreeReader tree(ctx.store->database());
           auto proof = InclusionProof(id - 1, n, tree.Source());
           auto root = tree.Range(0, n);
           auto leaf = tree.Leaf(id - 1);
           if (!proof.ok()) return Fail(proof.status());
           if (!root.ok()) return Fail(root.status());
           if (!leaf.ok()) return Fail(leaf.status());
           std::string value;
           ctx.store->database()
               ->db()
               ->Get(rocksdb::ReadOptions(), ctx.store->database()->events(), EventKey(id), &value)
               .PermitUncheckedError();
           if (!value.empty()) {
             // The leaf data is the event itself: only for those who may see its system.
             EventView view;
             if (!DecodeEvent(value, &view)) {
               return Fail(Status::Corruption("event " + std::to_string(id) + " does not decode"));
             }
             if (!principal->MaySee(view.field(Field::kSystem))) {
               return HttpResponse::Error(403, "event " + std::to_string(id) +
                                                   " is outside the systems of token " +
                                                   principal->name);
             }
           }
           audit->returned = 1;
           std::string body;
           JsonWriter w(&body);
           w.StartObject();
           w.Key("id");
           w.Uint(id);
           w.Key("leaf_index");
           w.Uint(id - 1);
           w.Key("tree_size");
           w.Uint(n);
           w.Key("leaf_hash");
           w.String(HexOf(*leaf));
           w.Key("leaf_data");  // SHA-256(0x00 || leaf_data) = leaf_hash; empty when purged
           w.String(value.empty() ? std::string() : Base64(EventKey(id) + value));
           w.Key("proof");
           WriteHashes(&w, *proof);
           w.Key("root");
           w.String(HexOf(*root));
           w.EndObject();
           if (sth) {
             body.pop_back();
             body += ",\"sth\":" + sth->ToJson() + "}";
           }
           return HttpResponse::Json(200, std::move(body));
         };
         HttpResponse response = co_await RunOn(ctx.pool->get_executor(), work);
         co_return response;
       }});
}

}  // namespace spard
