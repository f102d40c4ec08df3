#include "ingest/rfc3164_parser.h"

#include <catch2/catch.hpp>

#include <string>

namespace spard {
namespace {

Rfc3164Message Parse(std::string_view msg) {
  Rfc3164Message m;
  const Status st = ParseRfc3164(msg, &m);
  INFO(msg << " -> " << st.message());
  REQUIRE(st.ok());
  return m;
}

std::string ErrorOf(std::string_view msg) {
  Rfc3164Message m;
  const Status st = ParseRfc3164(msg, &m);
  INFO(msg);
  REQUIRE(st.IsInvalidArgument());
  return st.message();
}

bool Inside(std::string_view outer, std::string_view v) {
  return v.empty() ||
         (v.data() >= outer.data() && v.data() + v.size() <= outer.data() + outer.size());
}

TEST_CASE("rfc3164: the RFC 3164 §5.4 example", "[ingest]") {
  const std::string_view in = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick";
  const Rfc3164Message m = Parse(in);
  CHECK(m.has_pri);
  CHECK(m.facility == 4);
  CHECK(m.severity == 2);
  CHECK(m.has_timestamp);
  CHECK(m.timestamp == "Oct 11 22:14:15");
  CHECK(m.time.year == 0);
  CHECK(m.time.month == 10);
  CHECK(m.time.day == 11);
  CHECK(m.time.hour == 22);
  CHECK(m.time.minute == 14);
  CHECK(m.time.second == 15);
  CHECK_FALSE(m.time.has_offset);
  CHECK(m.hostname == "mymachine");
  CHECK(m.tag == "su");
  CHECK(m.pid.empty());
  CHECK(m.mnemonic.empty());
  CHECK(m.msg == "'su root' failed for lonvick");
  for (std::string_view v : {m.timestamp, m.hostname, m.tag, m.msg}) CHECK(Inside(in, v));
}

TEST_CASE("rfc3164: PRI", "[ingest]") {
  CHECK(Parse("<0>x").facility == 0);
  CHECK(Parse("<191>x").facility == 23);
  CHECK(Parse("<191>x").severity == 7);
  CHECK(Parse("<013>x").severity == 5);
  const Rfc3164Message none = Parse("Oct 11 22:14:15 host app: m");
  CHECK_FALSE(none.has_pri);
  CHECK(none.facility == 1);
  CHECK(none.severity == 5);
  CHECK(none.has_timestamp);
  CHECK(ErrorOf("<192>x") == "PRI 192 out of range 0-191 at byte 1");
  CHECK(ErrorOf("<>x") == "PRI has no digits at byte 1");
  CHECK(ErrorOf("<") == "PRI has no digits at byte 1");
  CHECK(ErrorOf("<1234>x") == "expected '>' to end PRI (1-3 digits) at byte 4");
  CHECK(ErrorOf("<12") == "expected '>' to end PRI (1-3 digits) at byte 3");
}

TEST_CASE("rfc3164: priority only and empty parts", "[ingest]") {
  Rfc3164Message m = Parse("<13>hello");
  CHECK_FALSE(m.has_timestamp);
  CHECK(m.hostname.empty());
  CHECK(m.tag.empty());
  CHECK(m.msg == "hello");
  CHECK(Parse("<13>").msg.empty());
  m = Parse("<14>Aug 30 23:00:05");
  CHECK(m.has_timestamp);
  CHECK(m.hostname.empty());
  CHECK(m.msg.empty());
  m = Parse("<14>Aug 30 23:00:05 ");
  CHECK(m.has_timestamp);
  CHECK(m.msg.empty());
  m = Parse("<14>Aug 30 23:00:05 X4711");
  CHECK(m.hostname == "X4711");
  CHECK(m.msg.empty());
}

TEST_CASE("rfc3164: BSD timestamp forms", "[ingest]") {
  CHECK(Parse("<13>Feb  5 17:32:18 h m").time.day == 5);
  CHECK(Parse("<13>Feb 5 17:32:18 h m").time.day == 5);
  CHECK(Parse("<13>Feb 05 17:32:18 h m").time.day == 5);
  CHECK(Parse("<13>FEB 05 17:32:18 h m").time.month == 2);
  CHECK(Parse("<13>feb 05 17:32:18 h m").time.month == 2);
  CHECK(Parse("<13> Feb 05 17:32:18 h m").has_timestamp);  // space after PRI

  Rfc3164Message m = Parse("<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown");
  CHECK(m.timestamp == "Apr 15 2007 21:28:13");
  CHECK(m.time.year == 2007);
  CHECK(m.hostname.empty());
  CHECK(m.tag.empty());
  CHECK(m.mnemonic == "PIX-6-302014");
  CHECK(m.msg == "Teardown");

  m = Parse("<190>Apr 15 21:28:13 2007 linksys app: msg");
  CHECK(m.timestamp == "Apr 15 21:28:13 2007");
  CHECK(m.time.year == 2007);
  CHECK(m.hostname == "linksys");
  CHECK(m.tag == "app");

  m = Parse("<7> Aug 29 02:00:00.156789 ctld snmpd[2499]: x");
  CHECK(m.time.micros == 156789);
  CHECK(m.timestamp == "Aug 29 02:00:00.156789");
  CHECK(Parse("<7>Aug 29 02:00:00.1234567891 c s: x").time.micros == 123456);
  CHECK(Parse("<7>Aug 29 02:00:00. ctld snmpd: x").time.micros == 0);
  CHECK(Parse("<7>Aug 29 02:00:00. ctld snmpd: x").hostname == "ctld");

  // Leap second kept as 60 (the conversion reads it as the next second).
  CHECK(Parse("<7>Dec 31 23:59:60 h a: x").time.second == 60);
}

TEST_CASE("rfc3164: Cisco variants", "[ingest]") {
  Rfc3164Message m =
      Parse("<189>1234: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured from console");
  CHECK(m.sequence == "1234");
  CHECK(m.timestamp == "Mar  1 18:48:50.483 UTC");
  CHECK(m.time.has_offset);
  CHECK(m.time.offset_seconds == 0);
  CHECK(m.mnemonic == "SYS-5-CONFIG_I");
  CHECK(m.msg == "Configured from console");

  m = Parse("<189>75: .Mar  1 00:05:50 CET: %SYS-5-CONFIG_I: x");
  CHECK(m.time.offset_seconds == 3600);

  m = Parse("<166>Feb 09 2026 10:15:00 asa01 : %ASA-6-302013: Built");
  CHECK(m.hostname == "asa01");
  CHECK(m.mnemonic == "ASA-6-302013");
  CHECK(m.msg == "Built");

  m = Parse("<167>Mar  6 16:57:54 172.20.245.8 %PIX-7-710005: UDP request discarded");
  CHECK(m.hostname == "172.20.245.8");
  CHECK(m.mnemonic == "PIX-7-710005");

  // Digits and ": " with no timestamp after them are not a sequence number (but a TAG).
  m = Parse("<13>42: the answer");
  CHECK(m.sequence.empty());
  CHECK_FALSE(m.has_timestamp);
  CHECK(m.tag == "42");
  CHECK(m.msg == "the answer");
}

TEST_CASE("rfc3164: ISO timestamps", "[ingest]") {
  Rfc3164Message m = Parse("<7>2006-11-10T10:43:21.156+02:00 bzorp openvpn[2499]: x");
  CHECK(m.timestamp == "2006-11-10T10:43:21.156+02:00");
  CHECK(m.time.year == 2006);
  CHECK(m.time.micros == 156000);
  CHECK(m.time.has_offset);
  CHECK(m.time.offset_seconds == 7200);
  CHECK(m.hostname == "bzorp");
  CHECK(m.tag == "openvpn");
  CHECK(m.pid == "2499");

  m = Parse("<7>2006-11-10T10:43:21Z h a: x");
  CHECK(m.time.has_offset);
  CHECK(m.time.offset_seconds == 0);
  m = Parse("<7>2006-11-10T10:43:21 h a: x");
  CHECK_FALSE(m.time.has_offset);
  m = Parse("<7>2006-11-10 10:43:21-0530 h a: x");
  CHECK(m.time.offset_seconds == -(5 * 3600 + 30 * 60));
  CHECK(m.hostname == "h");
  m = Parse("<14>2010-08-30T23:00:05Z");
  CHECK(m.has_timestamp);
  CHECK(m.msg.empty());
}

TEST_CASE("rfc3164: a timestamp with impossible values is an error", "[ingest]") {
  CHECK(ErrorOf("<13>Feb 30 10:00:00 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>Apr 31 10:00:00 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>Feb 29 2026 10:00:00 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>Oct 11 24:00:00 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>Oct 11 23:60:00 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>Oct 11 23:59:61 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>Oct 0 23:59:59 h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>2026-13-01T00:00:00Z h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>0000-01-01T00:00:00Z h a: m") == "bad TIMESTAMP at byte 4");
  CHECK(ErrorOf("<13>*Oct 32 22:14:15 h a: m") == "bad TIMESTAMP at byte 5");
  // Feb 29 without a year is fine: the decoder picks a leap year.
  CHECK(Parse("<13>Feb 29 10:00:00 h a: m").time.day == 29);
}

TEST_CASE("rfc3164: what is not a timestamp is MSG", "[ingest]") {
  for (std::string_view in : {"<13>Oct 11 22:14:15x host app: m", "<13>Oct 11 22:14 host app: m",
                              "<13>Foo 11 22:14:15 host app: m", "<13>Oct 111 22:14:15 h a: m",
                              "<13>Oct11 22:14:15 host app: m", "<13>2026-01-01 host app: m"}) {
    INFO(in);
    const Rfc3164Message m = Parse(in);
    CHECK_FALSE(m.has_timestamp);
    CHECK(m.hostname.empty());
    CHECK(m.msg == in.substr(4));
  }
}

TEST_CASE("rfc3164: hostname or TAG after the timestamp", "[ingest]") {
  struct Case {
    std::string_view in;
    std::string_view host;
    std::string_view tag;
    std::string_view pid;
    std::string_view msg;
  };
  const Case cases[] = {
      {"<13>Oct 11 22:14:15 host app: m", "host", "app", "", "m"},
      {"<13>Oct 11 22:14:15 host app[12]: m", "host", "app", "12", "m"},
      {"<13>Oct 11 22:14:15 app[12]: m", "", "app", "12", "m"},
      {"<13>Oct 11 22:14:15 app: m", "", "app", "", "m"},
      {"<13>Oct 11 22:14:15 app:", "", "app", "", ""},
      {"<13>Oct 11 22:14:15 host app:", "host", "app", "", ""},
      {"<13>Oct 11 22:14:15 10.0.0.99 Use the BFG!", "10.0.0.99", "", "", "Use the BFG!"},
      {"<13>Oct 11 22:14:15 2001:db8::1 app[1]: m", "2001:db8::1", "app", "1", "m"},
      {"<13>Oct 11 22:14:15 host-1.example.se postfix/smtpd[9]: m", "host-1.example.se",
       "postfix/smtpd", "9", "m"},
      {"<13>Oct 11 22:14:15 host sshd(pam_unix)[1]: m", "host", "sshd(pam_unix)", "1", "m"},
      // "tag:msg" without a space is not a TAG; a hostname may not start with '%' or '\''.
      {"<13>Oct 11 22:14:15 host app:m", "host", "", "", "app:m"},
      {"<13>Oct 11 22:14:15 %bzorp openvpn[2499]: m", "", "", "", "%bzorp openvpn[2499]: m"},
      {"<13>Oct 11 22:14:15 'su root' failed", "", "", "", "'su root' failed"},
      {"<13>Oct 11 22:14:15 user=anna object=o", "", "", "", "user=anna object=o"},
      // A pid with a space or an unclosed bracket is not a TAG.
      {"<13>Oct 11 22:14:15 host app[1 2]: m", "host", "", "", "app[1 2]: m"},
      {"<13>Oct 11 22:14:15 host app[12: m", "host", "", "", "app[12: m"},
      // Payloads that look like a TAG.
      {"<13>Oct 11 22:14:15 host @cee: {}", "host", "", "", "@cee: {}"},
      {"<13>Oct 11 22:14:15 @cee: {}", "", "", "", "@cee: {}"},
      {"<13>Oct 11 22:14:15 CEF:0|a|b|c|d|e|f|", "", "", "", "CEF:0|a|b|c|d|e|f|"},
      {"<13>Oct 11 22:14:15 host CEF:0|a|b|c|d|e|f|", "host", "", "", "CEF:0|a|b|c|d|e|f|"},
      {"<13>Oct 11 22:14:15 host app: CEF:0|a|b|c|d|e|f|", "host", "app", "", "CEF:0|a|b|c|d|e|f|"},
      // AIX.
      {"<38>Sep 22 10:11:56 Message forwarded from cdaix66: sshd[679960]: Accepted", "cdaix66",
       "sshd", "679960", "Accepted"},
      // UTF-8 in hostname and TAG.
      {"<46>Jan 5 10:01:00 \xC3\x9C"
       "bergr\xC3\xB6\xC3\x9F"
       "e au\xC3\x9F"
       "er: m",
       "\xC3\x9C"
       "bergr\xC3\xB6\xC3\x9F"
       "e",
       "au\xC3\x9F"
       "er",
       "", "m"},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    const Rfc3164Message m = Parse(c.in);
    CHECK(m.has_timestamp);
    CHECK(m.hostname == c.host);
    CHECK(m.tag == c.tag);
    CHECK(m.pid == c.pid);
    CHECK(m.msg == c.msg);
  }
}

TEST_CASE("rfc3164: without a timestamp, a TAG but no hostname", "[ingest]") {
  Rfc3164Message m = Parse("<15> openvpn[2499]: PTHREAD support initialized");
  CHECK_FALSE(m.has_timestamp);
  CHECK(m.tag == "openvpn");
  CHECK(m.pid == "2499");
  CHECK(m.msg == "PTHREAD support initialized");
  m = Parse("<15>myhost app: m");
  CHECK(m.hostname.empty());
  CHECK(m.msg == "myhost app: m");
}

TEST_CASE("rfc3164: a TAG longer than 128 bytes is MSG", "[ingest]") {
  const std::string tag128(128, 't');
  const std::string fits = "<13>Oct 11 22:14:15 h " + tag128 + ": m";
  Rfc3164Message m = Parse(fits);
  CHECK(m.tag == tag128);
  const std::string in = "<13>Oct 11 22:14:15 h " + tag128 + "t: m";
  m = Parse(in);
  CHECK(m.tag.empty());
  CHECK(m.msg == tag128 + "t: m");
}

TEST_CASE("rfc3164: hostnames are at most 255 bytes", "[ingest]") {
  const std::string host255(255, 'h');
  CHECK(Parse("<13>Oct 11 22:14:15 " + host255 + " app: m").hostname == host255);
  CHECK(Parse("<13>Oct 11 22:14:15 " + host255 + "h app: m").hostname.empty());
  const std::string aix = "<13>Oct 11 22:14:15 Message forwarded from ";
  CHECK(Parse(aix + host255 + ": app: m").hostname == host255);
  const std::string too_long = aix + host255 + "h: app: m";  // found by the fuzzer
  const Rfc3164Message m = Parse(too_long);
  CHECK(m.hostname.empty());
  CHECK(m.msg == "Message forwarded from " + host255 + "h: app: m");
}

TEST_CASE("rfc3164: zone designators after a BSD time", "[ingest]") {
  CHECK(Parse("<13>Oct 11 22:14:15 UTC host app: m").time.has_offset);
  CHECK(Parse("<13>Oct 11 22:14:15 UTC host app: m").hostname == "host");
  CHECK(Parse("<13>Oct 11 22:14:15 CEST: %X-1-Y: m").time.offset_seconds == 7200);
  CHECK(Parse("<13>Oct 11 22:14:15 +0530 host app: m").time.offset_seconds == 19800);
  // Not a known designator: a hostname.
  const Rfc3164Message m = Parse("<13>Oct 11 22:14:15 ABC app: m");
  CHECK_FALSE(m.time.has_offset);
  CHECK(m.hostname == "ABC");
}

TEST_CASE("rfc3164: invalid UTF-8 and control bytes never fail the parse", "[ingest]") {
  std::string in = "<13>Oct 11 22:14:15 h\xff a\x01: m\xfe\x00x";
  in.push_back('\0');
  const Rfc3164Message m = Parse(in);
  CHECK(m.has_timestamp);
  CHECK(Inside(in, m.msg));
}

}  // namespace
}  // namespace spard
