#include "ingest/cef_parser.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace spard {
namespace {

CefMessage Parse(std::string_view text) {
  CefMessage m;
  const Status st = ParseCef(text, &m);
  INFO(text << " -> " << st.message());
  REQUIRE(st.ok());
  return m;
}

std::string ErrorOf(std::string_view text) {
  CefMessage m;
  const Status st = ParseCef(text, &m);
  INFO(text);
  REQUIRE(st.IsInvalidArgument());
  return st.message();
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The extensions as (key, unescaped value).
Pairs Ext(std::string_view text) {
  const CefMessage m = Parse(text);
  Pairs out;
  std::string value;
  for (const CefExtension& e : m.extensions) {
    UnescapeCefValue(e.value, &value);
    CHECK(e.needs_unescape == (e.value.find('\\') != std::string_view::npos));
    out.emplace_back(std::string(e.key), value);
  }
  return out;
}

Pairs ExtOf(std::string_view extension) {
  return Ext("CEF:0|V|P|1|2|N|3|" + std::string(extension));
}

TEST_CASE("cef: header fields", "[ingest]") {
  const CefMessage m =
      Parse("CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1");
  CHECK(m.field(CefHeader::kVersion) == "0");
  CHECK(m.field(CefHeader::kDeviceVendor) == "Security");
  CHECK(m.field(CefHeader::kDeviceProduct) == "threatmanager");
  CHECK(m.field(CefHeader::kDeviceVersion) == "1.0");
  CHECK(m.field(CefHeader::kDeviceEventClassId) == "100");
  CHECK(m.field(CefHeader::kName) == "worm successfully stopped");
  CHECK(m.field(CefHeader::kSeverity) == "10");
  CHECK(m.header_escaped == 0);
  CHECK(m.extension == "src=10.0.0.1");
  REQUIRE(m.extensions.size() == 1);
  CHECK(CefHeaderName(CefHeader::kDeviceProduct) == "deviceProduct");
  CHECK(CefHeaderName(CefHeader::kDeviceEventClassId) == "deviceEventClassId");
}

TEST_CASE("cef: header escapes \\| and \\\\", "[ingest]") {
  const CefMessage m = Parse(R"(CEF:0|Ven\|dor|Pro\\duct|1|2|N\a|3|)");
  CHECK(m.field(CefHeader::kDeviceVendor) == R"(Ven\|dor)");
  CHECK(m.field_escaped(CefHeader::kDeviceVendor));
  CHECK(m.field(CefHeader::kDeviceProduct) == R"(Pro\\duct)");
  CHECK(m.field_escaped(CefHeader::kDeviceProduct));
  CHECK(m.field(CefHeader::kName) == R"(N\a)");  // not an escape: kept, not flagged
  CHECK_FALSE(m.field_escaped(CefHeader::kName));
  std::string text;
  UnescapeCefHeader(m.field(CefHeader::kDeviceVendor), &text);
  CHECK(text == "Ven|dor");
  UnescapeCefHeader(m.field(CefHeader::kDeviceProduct), &text);
  CHECK(text == R"(Pro\duct)");
  UnescapeCefHeader(R"(a\b\)", &text);
  CHECK(text == R"(a\b\)");
  // An escaped backslash before a pipe: the pipe separates.
  const CefMessage n = Parse(R"(CEF:0|V\\|P|1|2|N|3|)");
  CHECK(n.field(CefHeader::kDeviceVendor) == R"(V\\)");
  CHECK(n.field(CefHeader::kDeviceProduct) == "P");
}

TEST_CASE("cef: header errors", "[ingest]") {
  CHECK(ErrorOf("cef:0|a|b|c|d|e|f|") == "expected \"CEF:\" at byte 0");
  CHECK(ErrorOf("CEF:|a|b|c|d|e|f|") == "bad CEF version at byte 4");
  CHECK(ErrorOf("CEF:x|a|b|c|d|e|f|") == "bad CEF version at byte 4");
  CHECK(ErrorOf("CEF:0") == "header ends after 1 of 7 fields at byte 5");
  CHECK(ErrorOf("CEF:0123|a|b|c|d|e|f|") == "bad CEF version at byte 4");
  CHECK(ErrorOf("CEF:0|Vendor|Product") == "header ends after 3 of 7 fields at byte 20");
  CHECK(ErrorOf("CEF:0|a|b|c|d|e") == "header ends after 6 of 7 fields at byte 15");
  // Seven fields without the last '|': no extension.
  const CefMessage m = Parse("CEF:1|a|b|c|d|e|Low");
  CHECK(m.field(CefHeader::kSeverity) == "Low");
  CHECK(m.extensions.empty());
  CHECK(Parse("CEF:0|a|b|c|d|e|f|").extensions.empty());
}

TEST_CASE("cef: extension values run to the next key", "[ingest]") {
  CHECK(ExtOf("src=10.0.0.2 dst=2.1.2.2 spt=1232") ==
        Pairs{{"src", "10.0.0.2"}, {"dst", "2.1.2.2"}, {"spt", "1232"}});
  CHECK(ExtOf("msg=Record viewed by a clerk suser=anna") ==
        Pairs{{"msg", "Record viewed by a clerk"}, {"suser", "anna"}});
  CHECK(ExtOf("request=https://x/a?b=c&d=e suser=anna") ==
        Pairs{{"request", "https://x/a?b=c&d=e"}, {"suser", "anna"}});
  CHECK(ExtOf("a=  b=2   c=3  ") == Pairs{{"a", ""}, {"b", "2"}, {"c", "3"}});
  CHECK(ExtOf("a=") == Pairs{{"a", ""}});
  CHECK(ExtOf("ad.key[0]=x cs1Label=Unit cs1=Norr") ==
        Pairs{{"ad.key[0]", "x"}, {"cs1Label", "Unit"}, {"cs1", "Norr"}});
  CHECK(ExtOf("junk before suser=anna") == Pairs{{"suser", "anna"}});
  CHECK(ExtOf("only junk").empty());
  CHECK(ExtOf("   ").empty());
}

TEST_CASE("cef: extension escapes", "[ingest]") {
  CHECK(ExtOf(R"(msg=a\=b c\\d e\nf\rg\|h \x act=x)") ==
        Pairs{{"msg", "a=b c\\d e\nf\rg|h \\x"}, {"act", "x"}});
  // An escaped '=' does not end a value.
  CHECK(ExtOf(R"(msg=x y\=z act=1)") == Pairs{{"msg", "x y=z"}, {"act", "1"}});
  // A trailing backslash is text.
  CHECK(ExtOf(R"(msg=a\)") == Pairs{{"msg", "a\\"}});
  std::string out;
  UnescapeCefValue("plain", &out);
  CHECK(out == "plain");
}

TEST_CASE("cef: views point into the input, escapes and all", "[ingest]") {
  const std::string in = R"(CEF:0|V|P|1|2|N|3|msg=a\=b cs1=x)";
  const CefMessage m = Parse(in);
  REQUIRE(m.extensions.size() == 2);
  CHECK(m.extensions[0].value == R"(a\=b)");
  CHECK(m.extensions[0].needs_unescape);
  CHECK_FALSE(m.extensions[1].needs_unescape);
  for (const CefExtension& e : m.extensions) {
    CHECK(e.key.data() >= in.data());
    CHECK(e.value.data() + e.value.size() <= in.data() + in.size());
  }
}

TEST_CASE("cef: dates", "[ingest]") {
  CivilTime t;
  REQUIRE(ParseCefTime("Feb 10 2026 10:00:01.250 CET", &t));
  CHECK(t.year == 2026);
  CHECK(t.month == 2);
  CHECK(t.day == 10);
  CHECK(t.hour == 10);
  CHECK(t.second == 1);
  CHECK(t.micros == 250000);
  CHECK(t.has_offset);
  CHECK(t.offset_seconds == 3600);

  REQUIRE(ParseCefTime("Feb 10 2026 10:00:01", &t));
  CHECK_FALSE(t.has_offset);
  REQUIRE(ParseCefTime("Feb 10 10:00:01.5", &t));
  CHECK(t.year == 0);
  CHECK(t.micros == 500000);
  REQUIRE(ParseCefTime("feb 1 10:00:01 GMT+01:00", &t));
  CHECK(t.offset_seconds == 3600);
  REQUIRE(ParseCefTime(" Feb 10 2026 10:00:01 -0500 ", &t));
  CHECK(t.offset_seconds == -18000);
  REQUIRE(ParseCefTime("Feb 10 2026 10:00:01 UTC", &t));
  CHECK(t.offset_seconds == 0);

  for (std::string_view bad :
       {"", "1770714000123", "2026-02-10T10:00:00Z", "Feb 10", "Feb 10 2026", "Feb 30 10:00:00",
        "Feb 10 2026 10:00:01 Europe/Stockholm", "Feb 10 2026 10:00:01 XYZ", "Feb 10 2026 25:00:01",
        "Feb 10 2026 10:00:01x", "Feb10 10:00:01"}) {
    INFO(bad);
    CHECK_FALSE(ParseCefTime(bad, &t));
  }
}

}  // namespace
}  // namespace spard
