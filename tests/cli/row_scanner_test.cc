#include "cli/row_scanner.h"

#include <catch2/catch.hpp>

#include <vector>

#include "common/time_format.h"

namespace spard::cli {
namespace {

// A CSV answer as spard writes it, with the awkward cases: quoted commas, doubled quotes, a
// line break inside a quoted field, and non-ASCII text.
const std::string kCsv =
    "id,ts,received,system,user,action,object,subject,outcome,client_ip,host,reason,attrs\r\n"
    "1,2026-10-05T08:15:00Z,2026-10-05T08:15:00.250Z,procapita,anna,read,rec:1,,success,,,,"
    "{}\r\n"
    "2,2026-10-05T08:16:00.5Z,2026-10-05T08:16:00.600Z,treserva,bo,print,\"rec,2\",,denied,,,"
    "\"said \"\"no\"\"\",{}\r\n"
    "3,2026-10-05T08:17:00Z,2026-10-05T08:17:01Z,cosmic,cia,read,rec:3,,success,,,\"two\r\n"
    "lines\",\"{\"\"unit\"\":\"\"Hemtjänst Norr\"\"}\"\r\n";

const std::string kNdjson =
    "{\"id\":1,\"ts\":\"2026-10-05T08:15:00Z\",\"user\":\"anna\",\"raw\":\"a\\nb\"}\n"
    "{\"id\":2,\"ts\":\"2026-10-05T08:16:00.5Z\",\"user\":\"Hemtjänst\"}\n"
    "{\"id\":3,\"ts\":\"2026-10-05T08:17:00Z\",\"user\":\"c\"}\n";

// Feeds body in pieces of `size` bytes; returns the rows.
std::vector<std::string> Scan(WireFormat f, const std::string& body, size_t size) {
  RowScanner scanner(f);
  std::vector<std::string> rows;
  for (size_t i = 0; i < body.size(); i += size) {
    REQUIRE(scanner
                .Feed(std::string_view(body).substr(i, size),
                      [&](std::string_view row) {
                        rows.emplace_back(row);
                        return Status::Ok();
                      })
                .ok());
  }
  REQUIRE(scanner.Finish().ok());
  return rows;
}

TEST_CASE("CSV passes through byte for byte, whatever the piece boundaries", "[cli][row_scanner]") {
  for (size_t size = 1; size <= kCsv.size(); ++size) {
    INFO("piece size " << size);
    std::vector<std::string> rows = Scan(WireFormat::kCsv, kCsv, size);
    REQUIRE(rows.size() == 4);  // the header and three records, one of them on two lines
    std::string joined;
    for (const auto& r : rows) joined += r;
    CHECK(joined == kCsv);
    CHECK(rows[3].starts_with("3,"));
    CHECK(rows[3].ends_with("\"\r\n"));
  }
}

TEST_CASE("ndjson splits at newlines, which JSON strings cannot hold", "[cli][row_scanner]") {
  for (size_t size = 1; size <= kNdjson.size(); ++size) {
    INFO("piece size " << size);
    std::vector<std::string> rows = Scan(WireFormat::kNdjson, kNdjson, size);
    REQUIRE(rows.size() == 3);
    std::string joined;
    for (const auto& r : rows) joined += r + "\n";
    CHECK(joined == kNdjson);
  }
}

TEST_CASE("an answer that stops inside a row is an error", "[cli][row_scanner]") {
  RowScanner scanner(WireFormat::kCsv);
  REQUIRE(
      scanner.Feed("1,2026-10-05T08:15:00Z,\"open", [](std::string_view) { return Status::Ok(); })
          .ok());
  CHECK(scanner.Finish().IsCorruption());
  RowScanner ndjson(WireFormat::kNdjson);
  REQUIRE(ndjson.Feed("{\"id\":1", [](std::string_view) { return Status::Ok(); }).ok());
  CHECK(ndjson.Finish().IsCorruption());
}

TEST_CASE("a row callback's error stops the scan", "[cli][row_scanner]") {
  RowScanner scanner(WireFormat::kNdjson);
  int calls = 0;
  Status s = scanner.Feed("{}\n{}\n{}\n", [&](std::string_view) {
    return ++calls == 2 ? Status::IOError("stop") : Status::Ok();
  });
  CHECK(s.code() == Status::Code::kIOError);
  CHECK(calls == 2);
}

TEST_CASE("a row's position: id and ts, from CSV and ndjson", "[cli][row_scanner]") {
  uint64_t id = 0;
  int64_t ts = 0, want = 0;
  REQUIRE(ParseRfc3339("2026-10-05T08:16:00.5Z", &want));
  std::vector<std::string> csv = Scan(WireFormat::kCsv, kCsv, kCsv.size());
  REQUIRE(RowPosition(WireFormat::kCsv, csv[2], &id, &ts).ok());
  CHECK(id == 2);
  CHECK(ts == want);
  std::vector<std::string> nd = Scan(WireFormat::kNdjson, kNdjson, kNdjson.size());
  REQUIRE(RowPosition(WireFormat::kNdjson, nd[1], &id, &ts).ok());
  CHECK(id == 2);
  CHECK(ts == want);
  // Keys in another order (or spaced) take the general path.
  REQUIRE(RowPosition(WireFormat::kNdjson,
                      "{ \"ts\": \"2026-10-05T08:16:00.5Z\", \"user\": \"x\", \"id\": 9 }", &id,
                      &ts)
              .ok());
  CHECK(id == 9);
  CHECK(ts == want);
  CHECK(RowPosition(WireFormat::kNdjson, "{\"user\":\"x\"}", &id, &ts).IsCorruption());
  CHECK(RowPosition(WireFormat::kNdjson, "not json", &id, &ts).IsCorruption());
  CHECK(RowPosition(WireFormat::kCsv, "id,ts,received\r\n", &id, &ts).IsCorruption());
  CHECK(RowPosition(WireFormat::kCsv, "7,yesterday,x\r\n", &id, &ts).IsCorruption());
}

}  // namespace
}  // namespace spard::cli
