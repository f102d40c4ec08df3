#include "ingest/kv_parser.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace spard {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Pairs with quoted values unescaped.
Pairs Parse(std::string_view text) {
  std::vector<KvPair> kv;
  ParseKeyValues(text, &kv);
  Pairs out;
  std::string value;
  for (const KvPair& p : kv) {
    if (p.needs_unescape) {
      UnescapeKvValue(p.value, &value);
    } else {
      value.assign(p.value.data(), p.value.size());
    }
    out.emplace_back(std::string(p.key), value);
  }
  return out;
}

TEST_CASE("kv: bare and quoted values", "[ingest]") {
  CHECK(Parse(R"(user=u1 object="a b" action=read)") ==
        Pairs{{"user", "u1"}, {"object", "a b"}, {"action", "read"}});
}

TEST_CASE("kv: text that is not a pair is skipped", "[ingest]") {
  CHECK(Parse("User u1 opened record user=u1 = x =y 9a=b object=o1, done.") ==
        Pairs{{"user", "u1"}, {"object", "o1,"}});
  CHECK(Parse("").empty());
  CHECK(Parse("   \t ").empty());
  CHECK(Parse("no pairs here").empty());
}

TEST_CASE("kv: key characters", "[ingest]") {
  CHECK(Parse("_a=1 a.b-c_9=2 a:b=3 -x=4") == Pairs{{"_a", "1"}, {"a.b-c_9", "2"}});
}

TEST_CASE("kv: escapes in quoted values", "[ingest]") {
  CHECK(Parse(R"(a="say \"hi\"" b="c:\\dir" c="x\ny")") ==
        Pairs{{"a", R"(say "hi")"}, {"b", R"(c:\dir)"}, {"c", R"(x\ny)"}});
}

TEST_CASE("kv: empty values, '=' in values, unterminated quotes", "[ingest]") {
  CHECK(Parse("a= b=x=y c=\"\"") == Pairs{{"a", ""}, {"b", "x=y"}, {"c", ""}});
  CHECK(Parse("a=\"open to the end b=1") == Pairs{{"a", "open to the end b=1"}});
  CHECK(Parse("a=1\tb=2\r\nc=3") == Pairs{{"a", "1"}, {"b", "2"}, {"c", "3"}});
}

TEST_CASE("kv: views point into the text and flags are set", "[ingest]") {
  const std::string text = R"(k=v q="a\"b")";
  std::vector<KvPair> kv;
  ParseKeyValues(text, &kv);
  REQUIRE(kv.size() == 2);
  CHECK(kv[0].key.data() == text.data());
  CHECK(kv[0].value.data() == text.data() + 2);
  CHECK_FALSE(kv[0].quoted);
  CHECK(kv[1].quoted);
  CHECK(kv[1].needs_unescape);
  CHECK(kv[1].value == R"(a\"b)");
}

}  // namespace
}  // namespace spard
