#include "ingest/json_flattener.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace spard {
namespace {

// A padded copy of the input, like Event::raw().
struct Padded {
  explicit Padded(std::string_view s) {
    buf.reserve(s.size() + kJsonPadding);
    buf.assign(s.data(), s.size());
  }
  std::string_view view() const { return buf; }
  std::string buf;
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs ToPairs(const FlatJson& flat) {
  Pairs p;
  for (size_t i = 0; i < flat.size(); ++i) p.emplace_back(flat.key(i), flat.value(i));
  return p;
}

Pairs MustFlatten(std::string_view json) {
  Padded in(json);
  JsonFlattener flattener;
  FlatJson flat;
  Status st = flattener.Flatten(in.view(), in.buf.capacity(), &flat);
  INFO(json << " -> " << st.ToString());
  REQUIRE(st.ok());
  return ToPairs(flat);
}

std::string ErrorOf(std::string_view json) {
  Padded in(json);
  JsonFlattener flattener;
  FlatJson flat;
  Status st = flattener.Flatten(in.view(), in.buf.capacity(), &flat);
  INFO(json);
  REQUIRE_FALSE(st.ok());
  CHECK(st.IsInvalidArgument());
  CHECK(flat.empty());
  return st.message();
}

TEST_CASE("json: a flat object keeps its pairs in order", "[ingest]") {
  CHECK(MustFlatten(R"({"ts":"2026-01-01T00:00:00Z","user":"u1","n":42,"ok":true,"x":null})") ==
        Pairs{{"ts", "2026-01-01T00:00:00Z"},
              {"user", "u1"},
              {"n", "42"},
              {"ok", "true"},
              {"x", "null"}});
}

TEST_CASE("json: nested and dotted ECS keys flatten to the same key", "[ingest]") {
  const Pairs nested = MustFlatten(R"({"user":{"name":"u1"},"event":{"action":"read"}})");
  const Pairs dotted = MustFlatten(R"({"user.name":"u1","event.action":"read"})");
  CHECK(nested == Pairs{{"user.name", "u1"}, {"event.action", "read"}});
  CHECK(nested == dotted);
  CHECK(MustFlatten(R"({"a":{"b":{"c":{"d":1}},"e":2},"f":{}})") ==
        Pairs{{"a.b.c.d", "1"}, {"a.e", "2"}});
}

TEST_CASE("json: numbers keep their JSON text", "[ingest]") {
  CHECK(MustFlatten(R"({"a":-0.5e+10 , "b" : 0 ,"c":1E3,"d":12345678901234567890123})") ==
        Pairs{{"a", "-0.5e+10"}, {"b", "0"}, {"c", "1E3"}, {"d", "12345678901234567890123"}});
}

TEST_CASE("json: arrays are kept as their JSON text", "[ingest]") {
  CHECK(MustFlatten(R"({"tags":["a", 1, {"b":[true,null]}] ,"e":[],"z":1})") ==
        Pairs{{"tags", R"(["a", 1, {"b":[true,null]}])"}, {"e", "[]"}, {"z", "1"}});
}

TEST_CASE("json: escaped strings are unescaped, plain ones point into the input", "[ingest]") {
  Padded in(R"({"plain":"abc","esc":"a\"b\\c\n\u00e5\ud83d\ude00","k\u0065y":"v","o":{"p":"q"}})");
  JsonFlattener flattener;
  FlatJson flat;
  REQUIRE(flattener.Flatten(in.view(), in.buf.capacity(), &flat).ok());
  REQUIRE(flat.size() == 4);
  CHECK(flat.value(0) == "abc");
  CHECK(flat.value(0).data() == in.buf.data() + 10);
  CHECK(flat.value_offset(0) == 10);
  CHECK(flat.key(0).data() == in.buf.data() + 2);
  CHECK(flat.value(1) == "a\"b\\c\n\xC3\xA5\xF0\x9F\x98\x80");
  CHECK(flat.value_offset(1) == -1);
  CHECK(flat.key(2) == "key");  // an escaped key is unescaped
  CHECK(flat.value(2).data() > in.buf.data());
  CHECK(flat.key(3) == "o.p");  // a composed key lives in the FlatJson
  CHECK(flat.value(3).data() > in.buf.data());
  CHECK(flat.value_offset(3) > 0);
  CHECK(flat.kind(0) == JsonKind::kString);
}

TEST_CASE("json: kinds are reported", "[ingest]") {
  Padded in(R"({"s":"x","n":1,"b":false,"z":null,"a":[1]})");
  JsonFlattener flattener;
  FlatJson flat;
  REQUIRE(flattener.Flatten(in.view(), in.buf.capacity(), &flat).ok());
  REQUIRE(flat.size() == 5);
  CHECK(flat.kind(0) == JsonKind::kString);
  CHECK(flat.kind(1) == JsonKind::kNumber);
  CHECK(flat.kind(2) == JsonKind::kBool);
  CHECK(flat.kind(3) == JsonKind::kNull);
  CHECK(flat.kind(4) == JsonKind::kArray);
}

TEST_CASE("json: duplicate keys are all kept in order", "[ingest]") {
  CHECK(MustFlatten(R"({"user":"a","user":"b"})") == Pairs{{"user", "a"}, {"user", "b"}});
}

TEST_CASE("json: whitespace around the object is fine", "[ingest]") {
  CHECK(MustFlatten(" \t{\"a\":\"b\"}\r\n ") == Pairs{{"a", "b"}});
  CHECK(MustFlatten("{}").empty());
}

TEST_CASE("json: malformed input is an error", "[ingest]") {
  CHECK(ErrorOf("[1,2]") == "top level is not an object");
  CHECK(ErrorOf("\"str\"") == "top level is not an object");
  CHECK(ErrorOf("42") == "top level is not an object");
  ErrorOf("");
  ErrorOf("   ");
  ErrorOf("{");
  ErrorOf(R"({"a":1)");
  ErrorOf(R"({"a":1,})");
  ErrorOf(R"({"a" 1})");
  ErrorOf(R"({"a":"unterminated})");
  ErrorOf(R"({"a":tru})");
  ErrorOf(R"({"a":nul})");
  ErrorOf(R"({"a":"bad \x escape"})");
  ErrorOf("{\"a\":\"\xff\xfe\"}");  // invalid UTF-8
  CHECK(ErrorOf(R"({"a":12x})") == "bad number at byte 5");
  CHECK(ErrorOf(R"({"a":01})") == "bad number at byte 5");
  CHECK(ErrorOf(R"({"a":[1, tru]})").find("bad literal") != std::string::npos);
  CHECK(ErrorOf(R"({"a":[{"b":1e}]})").find("bad number") != std::string::npos);
  ErrorOf(R"({"a":1} {"b":2})");
  ErrorOf(R"({"a":1} x)");
}

TEST_CASE("json: what follows a value is checked even where simdjson would skip", "[ingest]") {
  // Found by json_decoder_fuzzer: on-demand iteration skipped the bad tail of these.
  CHECK(ErrorOf(R"({"e":"t":1,"u":{"b":[1]}]})") == "expected ',' or '}' at byte 8");
  CHECK(ErrorOf(R"({"e":1 2,"u":{}]})") == "expected ',' or '}' at byte 7");
  CHECK(ErrorOf(R"({"e":[1 2]})") == "expected ',' or ']' at byte 8");
  CHECK(ErrorOf(R"({"e":[{"a":1 "b"}]})") == "expected ',' or '}' at byte 13");
  CHECK(ErrorOf(R"({"e":true:1})") == "expected ',' or '}' at byte 9");
}

TEST_CASE("json: nesting deeper than the limit is refused", "[ingest]") {
  auto nest = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += "{\"a\":";
    s += "1";
    for (int i = 0; i < depth; ++i) s += "}";
    return s;
  };
  std::string key = "a";
  for (int i = 1; i < kMaxJsonDepth; ++i) key += ".a";
  CHECK(MustFlatten(nest(kMaxJsonDepth)) == Pairs{{key, "1"}});
  CHECK(ErrorOf(nest(kMaxJsonDepth + 1)).find("nesting deeper than 32") != std::string::npos);
  std::string arrays = "{\"a\":";
  for (int i = 0; i < 40; ++i) arrays += "[";
  for (int i = 0; i < 40; ++i) arrays += "]";
  arrays += "}";
  CHECK(ErrorOf(arrays).find("nesting deeper than 32") != std::string::npos);
}

TEST_CASE("json: flattened keys cannot blow up memory", "[ingest]") {
  // A long parent key repeated for many leaves would cost parent * leaves bytes.
  std::string json = "{\"" + std::string(2000, 'p') + "\":{";
  for (int i = 0; i < 2000; ++i) json += (i ? ",\"" : "\"") + std::to_string(i) + "\":1";
  json += "}}";
  CHECK(ErrorOf(json).find("flattened keys and values exceed") != std::string::npos);
}

TEST_CASE("json: input without padding is refused", "[ingest]") {
  const std::string s = "{}";
  JsonFlattener flattener;
  FlatJson flat;
  CHECK(flattener.Flatten(s, s.size(), &flat).IsInvalidArgument());
}

TEST_CASE("json: one flattener parses many documents", "[ingest]") {
  JsonFlattener flattener;
  FlatJson flat;
  for (int i = 0; i < 100; ++i) {
    Padded in("{\"i\":" + std::to_string(i) + ",\"s\":\"x\\ty\",\"o\":{\"k\":\"v\"}}");
    REQUIRE(flattener.Flatten(in.view(), in.buf.capacity(), &flat).ok());
    REQUIRE(ToPairs(flat) == Pairs{{"i", std::to_string(i)}, {"s", "x\ty"}, {"o.k", "v"}});
    Padded bad("{\"i\":");
    REQUIRE_FALSE(flattener.Flatten(bad.view(), bad.buf.capacity(), &flat).ok());
  }
}

}  // namespace
}  // namespace spard
