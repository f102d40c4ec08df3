#include "cli/http_client.h"

#include <catch2/catch.hpp>

namespace spard::cli {
namespace {

TEST_CASE("server URLs", "[cli][http]") {
  auto u = ServerUrl::Parse("http://127.0.0.1:8514");
  REQUIRE(u.ok());
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == "8514");
  CHECK(u->base_path.empty());
  u = ServerUrl::Parse("HTTP://[::1]:9000/spard/");
  REQUIRE(u.ok());
  CHECK(u->host == "::1");
  CHECK(u->base_path == "/spard");
  CHECK(u->ToString() == "http://[::1]:9000/spard");
  u = ServerUrl::Parse("http://spard.example");
  REQUIRE(u.ok());
  CHECK(u->port == "80");
  for (std::string_view bad :
       {"127.0.0.1:8514", "http://", "http://:80", "http://h:0", "http://h:99999", "http://h:8x",
        "http://h/p?q=1", "http://u@h", "http://[::1", "https://h"}) {
    INFO(bad);
    auto r = ServerUrl::Parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().starts_with("--url: "));
  }
}

TEST_CASE("query strings are percent-encoded", "[cli][http]") {
  CHECK(EncodeQuery({}).empty());
  CHECK(EncodeQuery({{"user", "anna.a"}, {"limit", "10"}}) == "user=anna.a&limit=10");
  CHECK(EncodeQuery({{"from", "2026-10-01T00:00:00+02:00"}}) ==
        "from=2026-10-01T00%3A00%3A00%2B02%3A00");
  CHECK(EncodeQuery({{"object", "a b&c=d/å"}}) == "object=a%20b%26c%3Dd%2F%C3%A5");
}

TEST_CASE("HTTP errors carry the server's message and what to do", "[cli][http]") {
  HttpClientOptions o;
  o.url = *ServerUrl::Parse("http://127.0.0.1:8514");
  o.token_source = "./var/spard/admin.token";
  Status s = HttpErrorStatus(400, "{\"error\":\"limit: expected a number\"}", o);
  CHECK(s.IsInvalidArgument());
  CHECK(s.message() == "spard refused the query (400): limit: expected a number");
  s = HttpErrorStatus(401, "{\"error\":\"unknown token\"}", o);
  CHECK(s.code() == Status::Code::kUnauthenticated);
  CHECK(s.message() ==
        "the token from ./var/spard/admin.token was refused (401): unknown token; pass a valid "
        "one with --token or SPAR_TOKEN");
  s = HttpErrorStatus(403, "{\"error\":\"role ingest may not use /v1/events\"}", o);
  CHECK(s.code() == Status::Code::kPermissionDenied);
  s = HttpErrorStatus(502, "<html>Bad Gateway</html>\n", o);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message() == "spard failed (502): <html>Bad Gateway</html>; its log says more");
}

}  // namespace
}  // namespace spard::cli
