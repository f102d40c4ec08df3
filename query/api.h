// The query API of SPEC §4 on an HttpServer: events, counts, quarantine, health, metrics and
// the admin endpoints. Every /v1 request is authenticated with a bearer token and its role
// checked before anything is read; queries run on the query thread pool.
//
// Thread-safety: handlers run on the server's io_context; shared state is the thread-safe
// Store, TokenStore and Metrics.

#pragma once

#include <boost/asio/thread_pool.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "query/auth.h"
#include "query/http_server.h"
#include "store/store.h"

namespace spard {

struct ApiContext {
  Store* store = nullptr;
  TokenStore* tokens = nullptr;
  Metrics* metrics = nullptr;
  const Clock* clock = nullptr;
  asio::thread_pool* pool = nullptr;
};

void RegisterQueryApi(HttpServer* server, const ApiContext& context);

// Authenticates `request` and checks its role against `allowed`. Returns the refusal to send
// (401 or 403) when it fails. Fills *principal whenever the token is valid (also on a 403).
std::optional<HttpResponse> Authorize(const ApiContext& context, const HttpRequest& request,
                                      const std::vector<Role>& allowed, Principal* principal);

// Narrows *filter to what `principal` may see (its systems; spard's own events for admins
// only). PermissionDenied when the filter names a system outside that.
Status ApplyScope(const Principal& principal, EventFilter* filter);

// What a read handler tells the audit event of its request.
struct ReadAudit {
  std::optional<uint64_t> returned;  // events (or items) in the answer
};

// A /v1 read endpoint. RouteRead authenticates, checks the role, runs the handler and stores
// the audit event — action `action` (or "refused" on 401/403), user the token's name ("-"
// without a valid token), object the query's main filter, attrs every parameter, the HTTP
// status and the number returned — durably before the answer goes out. A read that cannot be
// logged is not answered (503).
struct ReadRoute {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string path;
  std::string action;  // "events.search", ...
  std::vector<Role> roles;
  // The audit event's object, from the request alone (so refusals have it too). May be empty.
  std::function<std::string(const HttpRequest&)> object;
  std::function<asio::awaitable<HttpResponse>(HttpRequest&, const Principal&, ReadAudit*)> handler;
};
void RouteRead(HttpServer* server, const ApiContext& context, ReadRoute route);

// The 400/401/403/404/503/500 answer for a status.
HttpResponse StatusResponse(const Status& s);

}  // namespace spard
