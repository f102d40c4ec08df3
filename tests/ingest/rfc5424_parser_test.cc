#include "ingest/rfc5424_parser.h"

#include <catch2/catch.hpp>

#include <string>

#include "common/time_format.h"

namespace spard {
namespace {

Rfc5424Message MustParse(std::string_view msg) {
  Rfc5424Message m;
  Status st = ParseRfc5424(msg, &m);
  INFO(msg << " -> " << st.ToString());
  REQUIRE(st.ok());
  return m;
}

// The error message for a message that must not parse.
std::string ErrorOf(std::string_view msg) {
  Rfc5424Message m;
  Status st = ParseRfc5424(msg, &m);
  INFO(msg);
  REQUIRE(!st.ok());
  REQUIRE(st.IsInvalidArgument());
  return st.message();
}

int64_t Us(std::string_view rfc3339) {
  int64_t us = 0;
  REQUIRE(ParseRfc3339(rfc3339, &us));
  return us;
}

std::string Unescaped(std::string_view raw) {
  std::string out;
  UnescapeSdParamValue(raw, &out);
  return out;
}

TEST_CASE("rfc5424: escapes in a PARAM-VALUE are kept raw and flagged", "[ingest]") {
  const auto m = MustParse(R"(<132>1 2003-10-11T22:14:15.003Z host app - - [a i="\]\"\\"] msg)");
  CHECK(m.facility == 16);
  CHECK(m.severity == 4);
  CHECK(m.version == 1);
  CHECK(m.timestamp == "2003-10-11T22:14:15.003Z");
  CHECK(m.has_timestamp);
  CHECK(m.timestamp_us == Us("2003-10-11T22:14:15.003Z"));
  CHECK(m.hostname == "host");
  CHECK(m.app_name == "app");
  CHECK(m.procid.empty());
  CHECK(m.msgid.empty());
  REQUIRE(m.sd_elements.size() == 1);
  CHECK(m.sd_elements[0].id == "a");
  REQUIRE(m.sd_params.size() == 1);
  CHECK(m.sd_params[0].name == "i");
  CHECK(m.sd_params[0].value == R"(\]\"\\)");
  CHECK(m.sd_params[0].needs_unescape);
  CHECK(Unescaped(m.sd_params[0].value) == R"(]"\)");
  CHECK(m.has_msg);
  CHECK(m.msg == "msg");
}

TEST_CASE("rfc5424: NILVALUE in every header field", "[ingest]") {
  const auto m = MustParse("<7>1 - bzorp openvpn 2499 - - PTHREAD support initialized");
  CHECK(m.facility == 0);
  CHECK(m.severity == 7);
  CHECK_FALSE(m.has_timestamp);
  CHECK(m.timestamp.empty());
  CHECK(m.hostname == "bzorp");
  CHECK(m.app_name == "openvpn");
  CHECK(m.procid == "2499");
  CHECK(m.msgid.empty());
  CHECK(m.sd_elements.empty());
  CHECK(m.msg == "PTHREAD support initialized");

  const auto all_nil = MustParse("<0>1 - - - - - -");
  CHECK(all_nil.hostname.empty());
  CHECK(all_nil.app_name.empty());
  CHECK_FALSE(all_nil.has_msg);
}

TEST_CASE("rfc5424: the SPEC's access element", "[ingest]") {
  const auto m = MustParse(
      R"(<134>1 2026-03-02T09:15:00.123456+01:00 app01 procapita 4711 ACCESS )"
      R"([access@53000 user="u1" action="read" object="procapita:000123" subject="19650412-1234" )"
      R"(outcome="success" client_ip="10.0.0.7"])");
  CHECK(m.timestamp_us == Us("2026-03-02T08:15:00.123456Z"));
  CHECK(m.procid == "4711");
  CHECK(m.msgid == "ACCESS");
  REQUIRE(m.sd_elements.size() == 1);
  CHECK(m.sd_elements[0].id == "access@53000");
  CHECK(m.sd_elements[0].param_count == 6);
  REQUIRE(m.sd_params.size() == 6);
  CHECK(m.sd_params[0].name == "user");
  CHECK(m.sd_params[0].value == "u1");
  CHECK_FALSE(m.sd_params[0].needs_unescape);
  CHECK(m.sd_params[2].value == "procapita:000123");
  CHECK(m.sd_params[5].name == "client_ip");
  CHECK(m.sd_params[5].value == "10.0.0.7");
  CHECK_FALSE(m.has_msg);
}

TEST_CASE("rfc5424: several SD elements, params indexed by element", "[ingest]") {
  const auto m = MustParse(
      R"(<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 )"
      R"([exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"][empty] text)");
  REQUIRE(m.sd_elements.size() == 3);
  CHECK(m.sd_elements[0].id == "exampleSDID@32473");
  CHECK(m.sd_elements[0].first_param == 0);
  CHECK(m.sd_elements[0].param_count == 3);
  CHECK(m.sd_elements[1].id == "examplePriority@32473");
  CHECK(m.sd_elements[1].first_param == 3);
  CHECK(m.sd_elements[1].param_count == 1);
  CHECK(m.sd_elements[2].id == "empty");
  CHECK(m.sd_elements[2].param_count == 0);
  REQUIRE(m.sd_params.size() == 4);
  CHECK(m.sd_params[3].name == "class");
  CHECK(m.sd_params[3].element == 1);
  CHECK(m.msg == "text");
}

TEST_CASE("rfc5424: a BOM before MSG is stripped and noted", "[ingest]") {
  const auto m = MustParse(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
      "\xEF\xBB\xBF%% It's time to make the do-nuts.");
  CHECK(m.msg_has_bom);
  CHECK(m.msg == "%% It's time to make the do-nuts.");
  CHECK(m.timestamp_us == Us("2003-08-24T12:14:15.000003Z"));

  const auto no_bom = MustParse("<165>1 - - - - - - plain");
  CHECK_FALSE(no_bom.msg_has_bom);
}

TEST_CASE("rfc5424: MSG absent, empty and with spaces", "[ingest]") {
  const auto absent = MustParse("<13>1 - h a - - -");
  CHECK_FALSE(absent.has_msg);
  const auto empty = MustParse("<13>1 - h a - - - ");
  CHECK(empty.has_msg);
  CHECK(empty.msg.empty());
  const auto spaced = MustParse("<13>1 - h a - - [x]  two spaces ");
  CHECK(spaced.msg == " two spaces ");
  const auto sd_only = MustParse(R"(<13>1 - h a - - [x y="1"])");
  CHECK_FALSE(sd_only.has_msg);
}

TEST_CASE("rfc5424: fractional seconds up to 6 digits and numeric offsets", "[ingest]") {
  CHECK(MustParse("<13>1 2003-10-11T22:14:15Z h a - - -").timestamp_us ==
        Us("2003-10-11T22:14:15Z"));
  CHECK(MustParse("<13>1 2003-10-11T22:14:15.1Z h a - - -").timestamp_us ==
        Us("2003-10-11T22:14:15.100Z"));
  CHECK(MustParse("<13>1 2003-10-11T22:14:15.123456Z h a - - -").timestamp_us ==
        Us("2003-10-11T22:14:15.123456Z"));
  CHECK(MustParse("<13>1 2003-10-11T22:14:15+02:00 h a - - -").timestamp_us ==
        Us("2003-10-11T20:14:15Z"));
  CHECK(MustParse("<13>1 2003-10-11T22:14:15.5-05:30 h a - - -").timestamp_us ==
        Us("2003-10-12T03:44:15.5Z"));
  CHECK(MustParse("<13>1 1985-04-12T23:20:50.52Z h a - - -").timestamp_us ==
        Us("1985-04-12T23:20:50.52Z"));
}

TEST_CASE("rfc5424: timestamps outside RFC 5424 §6.2.3 are refused", "[ingest]") {
  CHECK(ErrorOf("<13>1 2003-10-11T22:14:15.1234567Z h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-10-11t22:14:15Z h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-10-11T22:14:15z h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-10-11T22:14:15 h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-10-11T22:14:60Z h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-02-30T22:14:15Z h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-10-11T22:14:15.Z h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 2003-10-11T22:14:15+0200 h a - - -") == "bad TIMESTAMP at byte 6");
  CHECK(ErrorOf("<13>1 Oct 11 22:14:15 h a - - -") == "bad TIMESTAMP at byte 6");
}

TEST_CASE("rfc5424: PRI must be 0..191 in 1-3 digits", "[ingest]") {
  CHECK(MustParse("<0>1 - - - - - -").facility == 0);
  CHECK(MustParse("<191>1 - - - - - -").facility == 23);
  CHECK(ErrorOf("<192>1 - - - - - -") == "PRI 192 out of range 0-191 at byte 1");
  CHECK(ErrorOf("<>1 - - - - - -") == "PRI has no digits at byte 1");
  CHECK(ErrorOf("<1234>1 - - - - - -") == "expected '>' to end PRI (1-3 digits) at byte 4");
  CHECK(ErrorOf("13>1 - - - - - -") == "expected '<' to start PRI at byte 0");
  CHECK(ErrorOf("") == "expected '<' to start PRI at byte 0");
  CHECK(ErrorOf("<13") == "expected '>' to end PRI (1-3 digits) at byte 3");
}

TEST_CASE("rfc5424: only VERSION 1 is accepted", "[ingest]") {
  CHECK(ErrorOf("<13>2 - - - - - -") == "unsupported VERSION 2 at byte 4");
  CHECK(ErrorOf("<13>01 - - - - - -") == "expected VERSION at byte 4");
  CHECK(ErrorOf("<13> - - - - - -") == "expected VERSION at byte 4");
  CHECK(ErrorOf("<13>1") == "expected SP after VERSION at byte 5");
}

TEST_CASE("rfc5424: header field lengths and characters", "[ingest]") {
  const std::string host255(255, 'h');
  CHECK(MustParse("<13>1 - " + host255 + " a - - -").hostname == host255);
  CHECK(ErrorOf("<13>1 - " + host255 + "h a - - -") == "HOSTNAME longer than 255 at byte 8");
  const std::string app48(48, 'a');
  CHECK(MustParse("<13>1 - h " + app48 + " - - -").app_name == app48);
  CHECK(ErrorOf("<13>1 - h " + app48 + "a - - -") == "APP-NAME longer than 48 at byte 10");
  const std::string proc128(128, 'p');
  CHECK(MustParse("<13>1 - h a " + proc128 + " - -").procid == proc128);
  CHECK(ErrorOf("<13>1 - h a " + proc128 + "p - -") == "PROCID longer than 128 at byte 12");
  const std::string msgid32(32, 'm');
  CHECK(MustParse("<13>1 - h a - " + msgid32 + " -").msgid == msgid32);
  CHECK(ErrorOf("<13>1 - h a - " + msgid32 + "m -") == "MSGID longer than 32 at byte 14");

  CHECK(ErrorOf("<13>1 -  h a - - -") == "empty HOSTNAME at byte 8");
  CHECK(ErrorOf("<13>1 - h\tx a - - -") == "non-printable byte in HOSTNAME at byte 9");
  CHECK(ErrorOf("<13>1 - h \xC3\xA5 - - -") == "non-printable byte in APP-NAME at byte 10");
  CHECK(ErrorOf("<13>1 - h a - -") == "expected SP after MSGID at byte 15");
  CHECK(ErrorOf("<13>1 - h a") == "expected SP after APP-NAME at byte 11");
  CHECK(ErrorOf("<13>1 - h a - - ") == "message ends before STRUCTURED-DATA at byte 16");
}

TEST_CASE("rfc5424: SD-NAME characters and length", "[ingest]") {
  const std::string id32(32, 'i');
  CHECK(MustParse("<13>1 - h a - - [" + id32 + "]").sd_elements[0].id == id32);
  CHECK(ErrorOf("<13>1 - h a - - [" + id32 + "i]") == "SD-ID longer than 32 at byte 17");
  CHECK(ErrorOf("<13>1 - h a - - []") == "bad character in SD-ID at byte 17");
  CHECK(ErrorOf("<13>1 - h a - - [a=b]") == "expected SP or ']' in SD-ELEMENT at byte 18");
  CHECK(ErrorOf("<13>1 - h a - - [a \"x\"=\"1\"]") == "bad character in PARAM-NAME at byte 19");
  CHECK(ErrorOf("<13>1 - h a - - [a x]") == "expected '=' after PARAM-NAME at byte 20");
  CHECK(ErrorOf("<13>1 - h a - - [a x=1]") == "expected '\"' to open PARAM-VALUE at byte 21");
  CHECK(ErrorOf("<13>1 - h a - - [a x=\"1]") == "unterminated PARAM-VALUE at byte 21");
  CHECK(ErrorOf("<13>1 - h a - - [a  x=\"1\"]") == "bad character in PARAM-NAME at byte 19");
  CHECK(ErrorOf("<13>1 - h a - - [a x=\"1\"") == "message ends inside SD-ELEMENT at byte 24");
  CHECK(ErrorOf("<13>1 - h a - - [a\tx=\"1\"]") == "expected SP or ']' in SD-ELEMENT at byte 18");
  CHECK(ErrorOf("<13>1 - h a - - x") == "expected '[' or '-' for STRUCTURED-DATA at byte 16");
  CHECK(ErrorOf("<13>1 - h a - - -msg") == "expected SP before MSG at byte 17");
  CHECK(ErrorOf("<13>1 - h a - - [a]msg") == "expected SP before MSG at byte 19");
}

TEST_CASE("rfc5424: lenient where strictness only loses data", "[ingest]") {
  // An unescaped ']' inside a quoted value is unambiguous.
  const auto m = MustParse(R"(<13>1 - h a - - [a x="[1]" y="\n"][a z=""] m)");
  REQUIRE(m.sd_params.size() == 3);
  CHECK(m.sd_params[0].value == "[1]");
  CHECK_FALSE(m.sd_params[0].needs_unescape);
  // \n is not an RFC 5424 escape: the backslash stays.
  CHECK(m.sd_params[1].value == R"(\n)");
  CHECK_FALSE(m.sd_params[1].needs_unescape);
  CHECK(Unescaped(m.sd_params[1].value) == R"(\n)");
  // The same SD-ID twice, and an empty value.
  CHECK(m.sd_elements[1].id == "a");
  CHECK(m.sd_params[2].value.empty());
}

TEST_CASE("rfc5424: UnescapeSdParamValue follows §6.3.3", "[ingest]") {
  CHECK(Unescaped("plain") == "plain");
  CHECK(Unescaped(R"(a\"b)") == R"(a"b)");
  CHECK(Unescaped(R"(a\\b)") == R"(a\b)");
  CHECK(Unescaped(R"(a\]b)") == "a]b");
  CHECK(Unescaped(R"(a\b)") == R"(a\b)");
  CHECK(Unescaped(R"(\\\")") == R"(\")");
  CHECK(Unescaped(R"(trailing\)") == R"(trailing\)");
  std::string out = "old";
  UnescapeSdParamValue("", &out);
  CHECK(out.empty());
}

TEST_CASE("rfc5424: all views point into the message", "[ingest]") {
  const std::string msg = R"(<13>1 2003-10-11T22:14:15Z h a p m [e x="1"] body)";
  const auto m = MustParse(msg);
  auto inside = [&](std::string_view v) {
    return v.data() >= msg.data() && v.data() + v.size() <= msg.data() + msg.size();
  };
  CHECK(inside(m.timestamp));
  CHECK(inside(m.hostname));
  CHECK(inside(m.sd_elements[0].id));
  CHECK(inside(m.sd_params[0].name));
  CHECK(inside(m.sd_params[0].value));
  CHECK(inside(m.msg));
}

TEST_CASE("rfc5424: a reused message is fully reset", "[ingest]") {
  Rfc5424Message m;
  REQUIRE(ParseRfc5424(R"(<13>1 2003-10-11T22:14:15Z h a p m [e x="1"] body)", &m).ok());
  REQUIRE(ParseRfc5424("<13>1 - - - - - -", &m).ok());
  CHECK_FALSE(m.has_timestamp);
  CHECK(m.hostname.empty());
  CHECK(m.sd_elements.empty());
  CHECK(m.sd_params.empty());
  CHECK_FALSE(m.has_msg);
}

}  // namespace
}  // namespace spard
