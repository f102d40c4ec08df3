// Whole commands, as a user runs them, against FakeSpard: output per format, exit codes, and
// the one line on stderr that says what to do.
#include "cli/app.h"
#include "cli/table.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>

#include "fake_spard.h"
#include "tests/test_util.h"

namespace spard::cli {
namespace {

using testing::FakeSpard;

constexpr int64_t kT = 1'790'000'000'000'000;  // 2026-09-21T14:13:20Z

struct Outcome {
  int code;
  std::string out, err;
};

class World {
 public:
  FakeSpard fake_server;
  FakeSpard* fake = &fake_server;
  std::map<std::string, std::string> env = {{"SPAR_TOKEN", "secret"}};
  TerminalInfo terminal;
  ManualClock clock{kT};
  HttpClientOptions seen;  // what the client was made with
  bool made = false;

  Outcome Run(std::vector<const char*> args) {
    args.insert(args.begin(), "spar");
    StringOutput out;
    char* err_buf = nullptr;
    size_t err_len = 0;
    FILE* err = open_memstream(&err_buf, &err_len);
    Environment e;
    e.out = &out;
    e.err = err;
    e.terminal = terminal;
    e.getenv = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    e.clock = &clock;
    e.zone = date::locate_zone("Europe/Stockholm");
    e.http_factory = [this](const HttpClientOptions& o) {
      seen = o;
      REQUIRE_FALSE(made);
      made = true;
      return std::make_unique<testing::BorrowedClient>(fake);
    };
    SparApp app;
    int code = app.Run(static_cast<int>(args.size()), args.data(), e);
    std::fclose(err);
    Outcome r{code, out.text(), std::string(err_buf, err_len)};
    std::free(err_buf);
    return r;
  }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  return lines;
}

TEST_CASE("count prints a bare number; exit 1 when it is zero", "[cli][app]") {
  World w;
  w.fake->Add(kT);
  w.fake->Add(kT + 1, "bo");
  Outcome r = w.Run({"count"});
  CHECK(r.code == 0);
  CHECK(r.out == "2\n");
  World none;
  r = none.Run({"count", "--user", "nobody"});
  CHECK(r.code == 1);
  CHECK(r.out == "0\n");
  CHECK(r.err.empty());
}

TEST_CASE("count in json, ndjson and csv when asked", "[cli][app]") {
  World w;
  w.fake->Add(kT);
  CHECK(w.Run({"count", "--format", "json"}).out == "{\"count\":1}\n");
  World n;
  n.fake->Add(kT);
  CHECK(n.Run({"--format", "ndjson", "count"}).out == "{\"count\":1}\n");
  World c;
  c.fake->Add(kT);
  CHECK(c.Run({"count", "--format=csv"}).out == "count\r\n1\r\n");
}

TEST_CASE("filters and local times go to the API as parameters", "[cli][app]") {
  World w;
  Outcome r = w.Run({"count", "--user", "anna", "--subject", "196504121234", "--from", "2026-10-01",
                     "--to", "2026-10-25T02:30"});
  CHECK(r.code == 1);
  REQUIRE(w.fake->requests.size() == 1);
  CHECK(w.fake->requests[0] ==
        "/v1/events/count?user=anna&subject=196504121234&from=2026-10-01T00%3A00%3A00%2B02%3A00"
        "&to=2026-10-25T02%3A30%3A00%2B02%3A00");
  World s;
  s.Run({"count", "--since", "7d"});
  // now = 2026-09-21T14:13:20Z; 7 days earlier is 16:13:20 in Stockholm (CEST).
  CHECK(s.fake->requests[0] == "/v1/events/count?from=2026-09-14T16%3A13%3A20%2B02%3A00");
}

TEST_CASE("events: ndjson in a pipe, exactly the server's objects", "[cli][app]") {
  World w;
  for (int i = 0; i < 3; ++i) w.fake->Add(kT + i);
  Outcome r = w.Run({"events"});
  CHECK(r.code == 0);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].starts_with("{\"id\":1,\"ts\":\"2026-09-21T14:13:20Z\""));
  CHECK(r.err.empty());
}

TEST_CASE("events: a table on a terminal, local times, cut to the width, a total line",
          "[cli][app]") {
  World w;
  w.terminal = {true, 60, true};
  w.fake->Add(kT).object = "procapita:a-record-with-a-very-long-identifier";
  w.fake->Add(kT + 1, "bo").outcome = "denied";
  Outcome r = w.Run({"events", "--no-color"});
  CHECK(r.code == 0);
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].starts_with("ts                   s"));
  CHECK(lines[1].starts_with("2026-09-21 16:13:20  "));  // CEST
  for (const auto& l : lines) CHECK(DisplayWidth(l) <= 60);
  CHECK(lines[1].find("\xE2\x80\xA6") != std::string::npos);
  CHECK(lines[3] == "2 events");
  CHECK(r.out.find("\x1b[") == std::string::npos);
  World color;
  color.terminal = {true, 200, true};
  color.fake->Add(kT, "bo").outcome = "denied";
  Outcome c = color.Run({"events"});
  CHECK(c.out.find("\x1b[31mdenied\x1b[0m") != std::string::npos);
  CHECK(Lines(c.out).back() == "1 event");
}

TEST_CASE("events: json is one document; more says the limit cut it short", "[cli][app]") {
  World w;
  for (int i = 0; i < 3; ++i) w.fake->Add(kT + i);
  Outcome r = w.Run({"events", "--format", "json", "--limit", "2"});
  CHECK(r.code == 0);
  CHECK(r.out.starts_with("{\"events\":[\n{\"id\":1,"));
  CHECK(r.out.ends_with("}\n],\"more\":true}\n"));
  CHECK(r.err.find("stopped at --limit 2; more events match") != std::string::npos);
  World empty;
  r = empty.Run({"events", "--format", "json"});
  CHECK(r.code == 1);
  CHECK(r.out == "{\"events\":[],\"more\":false}\n");
}

TEST_CASE("events: the table's total line says when more match", "[cli][app]") {
  World w;
  w.terminal = {true, 120, false};
  for (int i = 0; i < 3; ++i) w.fake->Add(kT + i);
  Outcome r = w.Run({"events", "--limit", "2"});
  CHECK(Lines(r.out).back() == "2 events (more match: raise --limit, or --all for every one)");
  CHECK(r.err.empty());
}

TEST_CASE("events: nothing found is exit 1; a terminal still gets the total", "[cli][app]") {
  World w;
  w.terminal = {true, 80, false};
  Outcome r = w.Run({"events", "--user", "nobody"});
  CHECK(r.code == 1);
  CHECK(r.out == "0 events\n");
}

TEST_CASE("usage errors exit 2 with one line saying what is wrong", "[cli][app]") {
  struct Case {
    std::vector<const char*> args;
    std::string_view says;
  } cases[] = {
      {{"events", "--bogus"}, "--bogus"},
      {{"events", "--from", "2026-02-30"}, "--from: '2026-02-30' is not a time"},
      {{"events", "--since", "7"}, "--since: '7' is not a duration"},
      {{"events", "--since", "7d", "--from", "2026-10-01"}, "excludes"},
      {{"events", "--limit", "5", "--all"}, "excludes"},
      {{"events", "--user", ""}, "--user: must not be empty"},
      {{"events", "--follow", "--order", "desc"}, "--follow shows events oldest first"},
      {{"events", "--follow", "--limit", "5"}, "--follow runs until Ctrl-C"},
      {{"events", "--follow", "--to", "2026-10-01"}, "--follow has no end"},
      {{"events", "--follow", "--format", "json"}, "--follow writes events as they come"},
      {{"events", "--interval", "2s"}, "--follow"},
      {{"--format", "xml", "events"}, "xml"},
      {{"--url", "https://spard.example", "count"}, "https is not supported"},
      {{"--url", "ftp://x", "count"}, "--url: not an http:// URL"},
      {{"frobnicate"}, "frobnicate"},
      {{}, "which command?"},
  };
  for (const Case& c : cases) {
    INFO(c.says);
    World w;
    Outcome r = w.Run(c.args);
    CHECK(r.code == 2);
    CHECK(r.err.starts_with("spar: "));
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("server refusals: 400 is usage (2), the rest are failures (3)", "[cli][app]") {
  struct Case {
    unsigned status;
    int code;
    std::string_view says;
  } cases[] = {
      {400, 2, "spard refused the query (400): refused"},
      {401, 3, "the token from $SPAR_TOKEN was refused (401): refused; pass a valid one"},
      {403, 3, "not allowed (403): refused; use a token whose role may do this"},
      {404, 3, "does not know this request (404)"},
      {500, 3, "spard failed (500): refused; its log says more"},
      {503, 3, "spard is unavailable (503)"},
  };
  for (const Case& c : cases) {
    INFO(c.status);
    World w;
    w.fake->fail_status = c.status;
    Outcome r = w.Run({"events"});
    CHECK(r.code == c.code);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  }
  World down;
  down.fake->fail_transport = Status::Unavailable(
      "cannot connect to http://127.0.0.1:8514: "
      "is spard running? (start it with make run)");
  Outcome r = down.Run({"count"});
  CHECK(r.code == 3);
  CHECK(r.err ==
        "spar: cannot connect to http://127.0.0.1:8514: is spard running? (start it "
        "with make run)\n");
}

TEST_CASE("help and version exit 0; help lists examples", "[cli][app]") {
  World w;
  Outcome r = w.Run({"events", "--help"});
  CHECK(r.code == 0);
  CHECK(r.out.find("Examples:") != std::string::npos);
  CHECK(r.out.find("spar events --subject 19650412-1234 --since 30d") != std::string::npos);
  for (const char* cmd : {"count", "quarantine"}) {
    World h;
    Outcome c = h.Run({cmd, "--help"});
    CHECK(c.code == 0);
    CHECK(c.out.find("Examples:") != std::string::npos);
  }
  World v;
  r = v.Run({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out == "spar 0.1.0\n");
}

TEST_CASE("the token: --token, else $SPAR_TOKEN, else the data directory's admin.token",
          "[cli][app]") {
  spard::testing::TempDir dir;
  std::ofstream(dir.path() + "/admin.token") << "from-file\n";
  World flag;
  flag.Run({"count", "--token", "from-flag", "--data-dir", dir.path().c_str()});
  CHECK(flag.seen.token == "from-flag");
  CHECK(flag.seen.token_source == "--token");
  World env;
  env.Run({"count", "--data-dir", dir.path().c_str()});
  CHECK(env.seen.token == "secret");
  World file;
  file.env.clear();
  file.Run({"count", "--data-dir", dir.path().c_str()});
  CHECK(file.seen.token == "from-file");
  CHECK(file.seen.token_source == dir.path() + "/admin.token");
  World none;
  none.env.clear();
  Outcome r = none.Run({"count", "--data-dir", (dir.path() + "/nowhere").c_str()});
  CHECK(r.code == 3);
  CHECK(r.err.find("no token: there is no " + dir.path() + "/nowhere/admin.token") !=
        std::string::npos);
  CHECK(r.err.find("pass --token, set SPAR_TOKEN") != std::string::npos);
}

TEST_CASE("the URL: --url, else $SPAR_URL, else the default", "[cli][app]") {
  World def;
  def.Run({"count"});
  CHECK(def.seen.url.ToString() == "http://127.0.0.1:8514");
  World env;
  env.env["SPAR_URL"] = "http://[::1]:9000/";
  env.Run({"count"});
  CHECK(env.seen.url.host == "::1");
  CHECK(env.seen.url.ToString() == "http://[::1]:9000");
  World flag;
  flag.env["SPAR_URL"] = "http://[::1]:9000";
  flag.Run({"count", "--url", "http://spard.example:8514/proxy"});
  CHECK(flag.seen.url.ToString() == "http://spard.example:8514/proxy");
}

TEST_CASE("quarantine lists records in every format; exit 0 even when empty", "[cli][app]") {
  World w;
  w.fake->quarantine = {"<34>garbage, \"quoted\"", "second"};
  Outcome r = w.Run({"quarantine", "--format", "csv"});
  CHECK(r.code == 0);
  CHECK(
      r.out ==
      "id,received,reason,listener,peer,truncated,raw\r\n"
      "1,2026-10-05T08:15:00Z,no user,tcp,10.0.0.7:51234,false,\"<34>garbage, \"\"quoted\"\"\"\r\n"
      "2,2026-10-05T08:15:00Z,no user,tcp,10.0.0.7:51234,false,second\r\n");
  World nd;
  nd.fake->quarantine = {"a", "b", "c"};
  r = nd.Run({"quarantine", "--limit", "2", "--page-size", "1"});
  CHECK(Lines(r.out).size() == 2);
  CHECK(r.out.starts_with("{\"id\":1,"));
  CHECK(r.err.find("more messages are quarantined") != std::string::npos);
  World t;
  t.terminal = {true, 100, false};
  t.fake->quarantine = {"x"};
  r = t.Run({"quarantine"});
  auto lines = Lines(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].starts_with("1   2026-10-05 10:15:00  tcp"));
  CHECK(lines[2] == "1 message");
  World empty;
  r = empty.Run({"quarantine", "--format", "json"});
  CHECK(r.code == 0);
  CHECK(r.out == "{\"quarantine\":[],\"more\":false}\n");
}

}  // namespace
}  // namespace spard::cli
