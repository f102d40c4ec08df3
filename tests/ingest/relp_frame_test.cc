#include "ingest/relp_frame.h"

#include <catch2/catch.hpp>

#include <vector>

namespace spard {
namespace {

struct Got {
  uint32_t txnr;
  std::string command, data;
  bool truncated;
  bool operator==(const Got&) const = default;
};

std::vector<Got> ParseAll(std::string_view stream, size_t max, std::vector<size_t> cuts, bool* ok) {
  RelpFrameParser p(max);
  std::vector<Got> got;
  auto emit = [&](const RelpFrame& f) {
    got.push_back({f.txnr, std::string(f.command), std::string(f.data), f.truncated});
  };
  size_t pos = 0;
  *ok = true;
  cuts.push_back(stream.size());
  for (size_t cut : cuts) {
    *ok = *ok && p.Feed(stream.substr(pos, cut - pos), emit);
    pos = cut;
  }
  return got;
}

std::string Frame(int txnr, std::string_view command, std::string_view data) {
  std::string f =
      std::to_string(txnr) + " " + std::string(command) + " " + std::to_string(data.size());
  if (!data.empty()) f += " " + std::string(data);
  return f + "\n";
}

const std::string kStream =
    Frame(1, "open",
          "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\n"
          "commands=syslog") +
    Frame(2, "syslog", "<13>1 - host app - - - a\nb c d") + Frame(3, "close", "");

TEST_CASE("RELP frames parse identically at every split", "[ingest][relp]") {
  bool ok;
  auto whole = ParseAll(kStream, 1000, {}, &ok);
  REQUIRE(ok);
  REQUIRE(whole.size() == 3);
  CHECK(whole[0].command == "open");
  CHECK(whole[0].data.starts_with("relp_version=0\n"));
  CHECK(whole[1] == Got{2, "syslog", "<13>1 - host app - - - a\nb c d", false});
  CHECK(whole[2] == Got{3, "close", "", false});
  for (size_t i = 0; i <= kStream.size(); ++i) {
    for (size_t j = i; j <= kStream.size(); j += 7) {
      CHECK(ParseAll(kStream, 1000, {i, j}, &ok) == whole);
      CHECK(ok);
    }
  }
}

TEST_CASE("RELP data beyond the limit is discarded and flagged", "[ingest][relp]") {
  bool ok;
  auto got = ParseAll("7 syslog 10 0123456789\n8 syslog 2 ab\n", 4, {5, 13}, &ok);
  REQUIRE(ok);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == Got{7, "syslog", "0123", true});
  CHECK(got[1] == Got{8, "syslog", "ab", false});
}

TEST_CASE("RELP protocol violations are errors", "[ingest][relp]") {
  for (const char* bad : {"x syslog 1 a\n", "1 sys1og 1 a\n", "1 syslog x\n", "1 syslog 3 abcX",
                          "1234567890 syslog 0\n", "1 syslog 1234567890 a"}) {
    RelpFrameParser p(100);
    INFO(bad);
    CHECK_FALSE(p.Feed(bad, [](const RelpFrame&) {}));
    CHECK_FALSE(p.error().empty());
  }
}

TEST_CASE("RELP responses", "[ingest][relp]") {
  CHECK(RelpResponse(12, "200 OK") == "12 rsp 6 200 OK\n");
  CHECK(RelpResponse(3, "") == "3 rsp 0\n");
}

}  // namespace
}  // namespace spard
