#include "ingest/stream_framer.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace spard {
namespace {

constexpr size_t kMax = 64;

struct Got {
  std::string message;
  bool truncated = false;
  bool incomplete = false;
  bool octet_counted = false;

  bool operator==(const Got& o) const {
    return std::tie(message, truncated, incomplete, octet_counted) ==
           std::tie(o.message, o.truncated, o.incomplete, o.octet_counted);
  }
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{\"" << g.message << "\" t=" << g.truncated << " i=" << g.incomplete
            << " o=" << g.octet_counted << "}";
}

Got Line(std::string m, bool truncated = false) {
  return Got{std::move(m), truncated, false, false};
}
Got Octets(std::string m, bool truncated = false) {
  return Got{std::move(m), truncated, false, true};
}

std::string Counted(std::string_view msg) {
  return std::to_string(msg.size()) + " " + std::string(msg);
}

// Feeds `pieces` in order, then Finish(); checks the memory bound on the way.
std::vector<Got> Frame(const std::vector<std::string_view>& pieces, size_t max = kMax) {
  StreamFramer framer(max);
  std::vector<Got> got;
  auto emit = [&](const spard::Frame& f) {
    got.push_back(Got{std::string(f.message), f.truncated, f.incomplete, f.octet_counted});
  };
  for (std::string_view p : pieces) {
    framer.Feed(p, emit);
    REQUIRE(framer.buffered() <= max + 11);
  }
  framer.Finish(emit);
  return got;
}

std::vector<Got> FrameWhole(std::string_view s, size_t max = kMax) { return Frame({s}, max); }

// A stream that mixes both framings and every boundary case the framer handles.
struct Mixed {
  std::string stream;
  std::vector<Got> expected;
};

Mixed MixedStream() {
  Mixed m;
  auto add = [&m](const std::string& bytes, std::vector<Got> frames) {
    m.stream += bytes;
    for (auto& f : frames) m.expected.push_back(std::move(f));
  };
  add(Counted("<34>1 - host app - - - octet one"), {Octets("<34>1 - host app - - - octet one")});
  add("<34>1 - host app - - - line one\n", {Line("<34>1 - host app - - - line one")});
  add("\n\n", {});  // empty lines
  add("<34>1 - h a - - - crlf\r\n", {Line("<34>1 - h a - - - crlf")});
  add(std::string("\0\0", 2), {});                               // NUL padding at a boundary
  add(Counted("multi\nline\r\n"), {Octets("multi\nline\r\n")});  // octets keep LF and CR
  add("\r\n", {});                                               // a CRLF empty line
  add("2024-01-01 starts with digits\n", {Line("2024-01-01 starts with digits")});
  add("12345678901 eleven digits is no count\n", {Line("12345678901 eleven digits is no count")});
  add("42\n", {Line("42")});  // digits then LF: a line
  add(std::string(100, 'x') + "\n", {Line(std::string(kMax, 'x'), true)});
  add(Counted(std::string(100, 'y')), {Octets(std::string(kMax, 'y'), true)});
  add(std::string(kMax, 'z') + "\r\n", {Line(std::string(kMax, 'z'))});  // exactly max
  add(std::string(kMax, 'w') + "\rX\n", {Line(std::string(kMax, 'w'), true)});
  add(Counted(std::string(kMax, 'v')), {Octets(std::string(kMax, 'v'))});  // exactly max
  add("{\"user\":\"u1\"}\n", {Line("{\"user\":\"u1\"}")});
  add("1 a", {Octets("a")});
  add("a\rb\n", {Line("a\rb")});  // a CR inside a line is content
  // NUL ends a line like LF (Python's SysLogHandler over TCP); octets keep theirs.
  add(std::string("<12>py: one\0<12>py: two\0\n", 25), {Line("<12>py: one"), Line("<12>py: two")});
  add(std::string(100, 'n') + std::string("\0", 1) + "after\n",
      {Line(std::string(kMax, 'n'), true), Line("after")});
  add(Counted(std::string("a\0b", 3)), {Octets(std::string("a\0b", 3))});
  add("partial line at the end", {Got{"partial line at the end", false, true, false}});
  return m;
}

TEST_CASE("framer: mixed stream in one piece yields every message", "[ingest]") {
  const Mixed m = MixedStream();
  CHECK(FrameWhole(m.stream) == m.expected);
}

TEST_CASE("framer: split at every byte boundary yields identical messages", "[ingest]") {
  const Mixed m = MixedStream();
  const std::string_view s = m.stream;
  for (size_t i = 0; i <= s.size(); ++i) {
    INFO("split at " << i);
    REQUIRE(Frame({s.substr(0, i), s.substr(i)}) == m.expected);
  }
}

TEST_CASE("framer: one byte at a time yields identical messages", "[ingest]") {
  const Mixed m = MixedStream();
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < m.stream.size(); ++i)
    bytes.push_back(std::string_view(m.stream).substr(i, 1));
  CHECK(Frame(bytes) == m.expected);
}

TEST_CASE("framer: random splits into many pieces yield identical messages", "[ingest]") {
  const Mixed m = MixedStream();
  const std::string_view s = m.stream;
  std::mt19937 rng(42);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string_view> pieces;
    size_t pos = 0;
    while (pos < s.size()) {
      const size_t n = std::uniform_int_distribution<size_t>(0, 40)(rng);
      pieces.push_back(s.substr(pos, n));
      pos += std::min(n, s.size() - pos);
    }
    INFO("round " << round);
    REQUIRE(Frame(pieces) == m.expected);
  }
}

TEST_CASE("framer: every split of a small stream at two points", "[ingest]") {
  const std::string s = Counted("abc") + "line\r\n" + std::string(10, 'q') + "\n7 1234567" +
                        Counted(std::string(20, 'r')) + "tail";
  const std::vector<Got> expected = FrameWhole(s, 8);
  REQUIRE(expected.size() == 6);
  for (size_t i = 0; i <= s.size(); ++i) {
    for (size_t j = i; j <= s.size(); ++j) {
      const std::string_view v = s;
      REQUIRE(Frame({v.substr(0, i), v.substr(i, j - i), v.substr(j)}, 8) == expected);
    }
  }
}

TEST_CASE("framer: octet count needs no leading zero and one SP", "[ingest]") {
  CHECK(FrameWhole("05 hello\n") == std::vector<Got>{Line("05 hello")});
  CHECK(FrameWhole("5  abcd") == std::vector<Got>{Octets(" abcd")});  // second SP is content
  CHECK(FrameWhole("3 abc3 def") == std::vector<Got>{Octets("abc"), Octets("def")});
}

TEST_CASE("framer: finish emits the buffered partial message as incomplete", "[ingest]") {
  CHECK(FrameWhole("12 abc") == std::vector<Got>{Got{"abc", false, true, true}});
  CHECK(FrameWhole("123") == std::vector<Got>{Got{"123", false, true, false}});
  CHECK(FrameWhole("12 ").empty());
  CHECK(FrameWhole("no newline\r") == std::vector<Got>{Got{"no newline", false, true, false}});
  CHECK(FrameWhole("").empty());
  CHECK(FrameWhole("\n\r\n\n").empty());
}

TEST_CASE("framer: the rest of an oversize message is discarded, not reframed", "[ingest]") {
  // The discarded tail of the octet frame contains what would look like messages.
  const std::string tail = std::string(kMax, 'a') + "\n3 bad\n";
  const std::string s = Counted(tail) + "next\n";
  CHECK(FrameWhole(s) == std::vector<Got>{Octets(std::string(kMax, 'a'), true), Line("next")});
  const std::string line = std::string(kMax + 1, 'b') + " 3 abc\nnext\n";
  CHECK(FrameWhole(line) == std::vector<Got>{Line(std::string(kMax, 'b'), true), Line("next")});
}

TEST_CASE("framer: a huge octet count is discarded without buffering it", "[ingest]") {
  StreamFramer framer(kMax);
  std::vector<Got> got;
  auto emit = [&](const spard::Frame& f) {
    got.push_back(Got{std::string(f.message), f.truncated, f.incomplete, f.octet_counted});
  };
  framer.Feed("9999999999 ", emit);
  const std::string block(1 << 16, 'p');
  for (int i = 0; i < 16; ++i) {
    framer.Feed(block, emit);
    REQUIRE(framer.buffered() <= kMax + 11);
  }
  REQUIRE(got.size() == 1);
  CHECK(got[0] == Octets(std::string(kMax, 'p'), true));
}

TEST_CASE("framer: a tiny max still frames consistently", "[ingest]") {
  const std::string s = "12345 x\n123\n9 abcdefghi";
  const std::vector<Got> expected = FrameWhole(s, 1);
  for (size_t i = 0; i <= s.size(); ++i) {
    const std::string_view v = s;
    REQUIRE(Frame({v.substr(0, i), v.substr(i)}, 1) == expected);
  }
  for (const Got& g : expected) CHECK(g.message.size() <= 1);
}

TEST_CASE("framer: a message inside one chunk is emitted without copying", "[ingest]") {
  StreamFramer framer(kMax);
  const std::string data = "hello\n5 world";
  std::vector<const char*> starts;
  framer.Feed(data, [&](const spard::Frame& f) { starts.push_back(f.message.data()); });
  REQUIRE(starts.size() == 2);
  CHECK(starts[0] == data.data());
  CHECK(starts[1] == data.data() + 8);
  CHECK(framer.buffered() == 0);
}

}  // namespace
}  // namespace spard
