// spar extract as a user runs it, against a stub of GET /v1/subjects/{subject}/extract: which
// format it asks for on a terminal, in a pipe and for -o FILE, the table, the file written
// whole, and the formats other commands refuse.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "fake_spard.h"
#include "tests/test_util.h"

namespace spard::cli {
namespace {

constexpr int64_t kT = 1'790'000'000'000'000;  // 2026-09-21T14:13:20Z

// Answers the extract endpoint with `body` (in small pieces) and remembers the question.
class StubSpard final : public HttpClient {
 public:
  std::string body = "{}";
  unsigned status = 200;
  std::string path;
  Params params;

  Status Get(std::string_view p, const Params& ps, const BodyFn& on_body) override {
    path = p;
    params = ps;
    if (status != 200) return HttpErrorStatus(status, body, HttpClientOptions{});
    for (size_t i = 0; i < body.size(); i += 5) {
      SPARD_RETURN_IF_ERROR(on_body(std::string_view(body).substr(i, 5)));
    }
    return Status::Ok();
  }

  std::string Param(std::string_view name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return v;
    }
    return "-";
  }
};

struct Outcome {
  int code;
  std::string out, err;
};

Outcome Run(StubSpard* stub, bool tty, std::vector<const char*> args) {
  args.insert(args.begin(), "spar");
  StringOutput out;
  char* err_buf = nullptr;
  size_t err_len = 0;
  FILE* err = open_memstream(&err_buf, &err_len);
  ManualClock clock{kT};
  Environment e;
  e.out = &out;
  e.err = err;
  e.terminal.is_tty = tty;
  e.terminal.width = tty ? 100 : 0;
  e.getenv = [](const char* name) -> const char* {
    return std::string_view(name) == "SPAR_TOKEN" ? "secret" : nullptr;
  };
  e.clock = &clock;
  e.zone = date::locate_zone("Europe/Stockholm");
  e.http_factory = [stub](const HttpClientOptions&) {
    return std::make_unique<testing::BorrowedClient>(stub);
  };
  SparApp app;
  int code = app.Run(static_cast<int>(args.size()), args.data(), e);
  std::fclose(err);
  Outcome r{code, out.text(), std::string(err_buf, err_len)};
  std::free(err_buf);
  return r;
}

constexpr std::string_view kRows =
    "{\"ts\":\"2026-10-03T06:15:00Z\",\"system\":\"procapita\",\"unit\":\"Hemtjänst Norr\","
    "\"action\":\"read\",\"outcome\":\"success\",\"user\":\"anna.a\",\"id\":2}\n"
    "{\"ts\":\"2026-10-05T06:15:00Z\",\"system\":\"treserva\",\"unit\":null,"
    "\"action\":\"print\",\"outcome\":\"denied\",\"id\":1}\n";

TEST_CASE("extract in a pipe passes spard's json document through", "[cli][extract]") {
  StubSpard stub;
  stub.body = "{\"subject\":\"196504121234\",\"count\":0,\"accesses\":[]}";
  Outcome r = Run(&stub, false, {"extract", "650412+1234", "--from", "2026-10-01"});
  CHECK(r.code == 0);
  CHECK(r.out == stub.body);
  CHECK(r.err == "");
  CHECK(stub.path == "/v1/subjects/650412%2B1234/extract");
  CHECK(stub.Param("format") == "json");
  CHECK(stub.Param("from") == "2026-10-01T00:00:00+02:00");
  CHECK(stub.Param("lang") == "-");
}

TEST_CASE("extract on a terminal is a table in local time with the number of accesses",
          "[cli][extract]") {
  StubSpard stub;
  stub.body = kRows;
  Outcome r = Run(&stub, true, {"--no-color", "extract", "19650412-1234"});
  CHECK(r.code == 0);
  CHECK(stub.Param("format") == "ndjson");
  std::istringstream lines(r.out);
  std::string header, first, second, total;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  std::getline(lines, total);
  CHECK(header.starts_with("ts                   system     unit"));
  CHECK(first.starts_with("2026-10-03 08:15:00  procapita  Hemtjänst Norr  read"));
  CHECK(first.ends_with("anna.a"));
  CHECK(second.find("denied") != std::string::npos);
  CHECK(total == "2 accesses");

  stub.body = "";
  r = Run(&stub, true, {"extract", "19650412-1234"});
  CHECK(r.code == 0);
  CHECK(r.out == "0 accesses\n");
}

TEST_CASE("extract -o FILE writes the whole answer, mode 0600, the name choosing the format",
          "[cli][extract]") {
  spard::testing::TempDir temp;
  const std::string dir = temp.path();
  std::string path = dir + "/logguttag.html";
  StubSpard stub;
  stub.body = "<!DOCTYPE html>\n<html lang=\"en\"></html>\n";
  Outcome r = Run(&stub, true, {"extract", "19650412-1234", "--lang", "en", "-o", path.c_str()});
  CHECK(r.code == 0);
  CHECK(r.out == "");
  CHECK(stub.Param("format") == "html");
  CHECK(stub.Param("lang") == "en");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == stub.body);
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // --format wins over the name; a refused extract leaves nothing behind.
  std::string refused = dir + "/refused.csv";
  stub.status = 403;
  stub.body = "{\"error\":\"role ingest may not use /v1/subjects/\"}";
  r = Run(&stub, false, {"--format", "json", "extract", "19650412-1234", "-o", refused.c_str()});
  CHECK(r.code == 3);
  CHECK(stub.Param("format") == "json");
  CHECK(::access(refused.c_str(), F_OK) != 0);
  std::remove(path.c_str());
  CHECK(std::filesystem::is_empty(dir));  // no temporary file left either
}

TEST_CASE("html is a format of extract only", "[cli][extract]") {
  StubSpard stub;
  Outcome r = Run(&stub, false, {"events", "--format", "html"});
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("spar: --format html: events writes table, json, csv or ndjson\n"));
  CHECK(stub.path.empty());
  r = Run(&stub, false, {"extract", "19650412-1234", "--lang", "fi"});
  CHECK(r.code == 2);
  r = Run(&stub, false, {"extract"});
  CHECK(r.code == 2);
  CHECK(r.err.find("SUBJECT") != std::string::npos);
}

}  // namespace
}  // namespace spard::cli
