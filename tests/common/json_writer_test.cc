#include "common/json_writer.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

TEST_CASE("JSON strings are escaped and invalid UTF-8 is shown, never breaking the document",
          "[common][json]") {
  std::string out;
  JsonWriter w(&out);
  w.StartObject();
  w.Key("a");
  w.String("quote\" backslash\\ newline\n tab\t ctrl\x01 åäö");
  w.Key("bad");
  w.String(std::string("ok\xff\xc3(end", 8));
  w.EndObject();
  CHECK(out ==
        "{\"a\":\"quote\\\" backslash\\\\ newline\\n tab\\t ctrl\\u0001 åäö\","
        "\"bad\":\"ok\\\\xFF\\\\xC3(end\"}");
  CHECK(IsValidUtf8(out));
}

TEST_CASE("UTF-8 validation", "[common][json]") {
  CHECK(IsValidUtf8("plain"));
  CHECK(IsValidUtf8("åäö €"));
  CHECK_FALSE(IsValidUtf8(std::string("\xc0\xaf", 2)));      // overlong
  CHECK_FALSE(IsValidUtf8(std::string("\xed\xa0\x80", 3)));  // surrogate
  CHECK(EscapeInvalidUtf8(std::string("a\xe2\x82", 3)) == "a\\xE2\\x82");
}

}  // namespace
}  // namespace spard
