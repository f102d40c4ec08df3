#include "ingest/decoder.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "config/config.h"
#include "config/decoder_options.h"

namespace spard {
namespace {

MessageSource Src() {
  MessageSource s;
  s.listener = Listener::kTcp;
  s.peer = "10.0.0.7:51234";
  s.received_us = 1'700'000'000'000'000;
  return s;
}

// Printable ASCII as is, every other byte as \xHH.
std::string Show(std::string_view v) {
  std::string s;
  for (unsigned char c : v) {
    if (c >= 32 && c <= 126) {
      s.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      snprintf(buf, sizeof buf, "\\x%02X", c);
      s += buf;
    }
  }
  return s;
}

// The golden files' rendering of one event.
void RenderEvent(const Event& ev, std::vector<std::string>* lines) {
  lines->push_back("format: " + std::string(FormatName(ev.format)));
  if (ev.has_ts) lines->push_back("ts: " + FormatRfc3339(ev.ts_us));
  for (Field f : kAllFields) {
    if (ev.has(f)) lines->push_back(std::string(FieldName(f)) + ": " + Show(ev.field(f)));
  }
  for (size_t i = 0; i < ev.attr_count(); ++i) {
    lines->push_back("attr " + Show(ev.attr_key(i)) + ": " + Show(ev.attr_value(i)));
  }
}

// The golden files' rendering of one decode result.
std::vector<std::string> Render(const IngestBatch& b) {
  std::vector<std::string> lines;
  for (const QuarantineRecord& q : b.quarantined) lines.push_back("quarantine: " + q.reason);
  for (const Event& ev : b.events) RenderEvent(ev, &lines);
  return lines;
}

IngestBatch DecodeOne(std::string_view msg, bool truncated = false,
                      DecoderOptions options = DecoderOptions{}) {
  Decoder decoder(options);
  IngestBatch b;
  decoder.Decode(msg, Src(), truncated, &b);
  REQUIRE(b.events.size() + b.quarantined.size() == 1);
  return b;
}

Event MustEvent(std::string_view msg) {
  IngestBatch b = DecodeOne(msg);
  INFO(msg << (b.quarantined.empty() ? "" : " -> " + b.quarantined[0].reason));
  REQUIRE(b.events.size() == 1);
  return std::move(b.events[0]);
}

std::string ReasonOf(std::string_view msg) {
  IngestBatch b = DecodeOne(msg);
  INFO(msg);
  REQUIRE(b.quarantined.size() == 1);
  return b.quarantined[0].reason;
}

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    const char c = s[++i];
    if (c == 'x' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (c == 'n') {
      out.push_back('\n');
    } else if (c == 'r') {
      out.push_back('\r');
    } else if (c == 't') {
      out.push_back('\t');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The golden file's defaults: RFC 3164 and CEF wall-clock times are read in Europe/Stockholm
// and the message was received at 2026-02-10T12:00:00Z, unless a case says otherwise.
constexpr std::string_view kGoldenZone = "Europe/Stockholm";
constexpr int64_t kGoldenReceivedUs = 1'770'724'800'000'000;  // 2026-02-10T12:00:00Z

struct GoldenCase {
  int line = 0;
  std::string input;
  std::string input_text;  // as written in the file ("in-esc: " form kept escaped)
  bool escaped = false;
  std::string zone = std::string(kGoldenZone);
  int64_t received_us = kGoldenReceivedUs;
  std::string received_text;          // the "received:" directive, if any
  std::string doc;                    // "FORMAT | VARIANT" for the conformance table, if any
  std::vector<std::string> mappings;  // "mapping:" directives: [[mapping]] tables, inline TOML
  std::vector<std::string> expected;
};

std::vector<GoldenCase> LoadGolden(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::vector<GoldenCase> cases;
  std::string line;
  int n = 0;
  GoldenCase pending;  // directives seen before the next "in:"
  GoldenCase* current = nullptr;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line[0] == '#') continue;
    if (line.empty()) {
      current = nullptr;
      continue;
    }
    if (current == nullptr && line.rfind("received: ", 0) == 0) {
      pending.received_text = line.substr(10);
      INFO("decoder_golden.txt:" << n);
      REQUIRE(ParseRfc3339(pending.received_text, &pending.received_us));
      continue;
    }
    if (current == nullptr && line.rfind("zone: ", 0) == 0) {
      pending.zone = line.substr(6);
      continue;
    }
    if (current == nullptr && line.rfind("doc: ", 0) == 0) {
      pending.doc = line.substr(5);
      continue;
    }
    if (current == nullptr && line.rfind("mapping: ", 0) == 0) {
      pending.mappings.push_back(line.substr(9));
      continue;
    }
    if (line.rfind("in: ", 0) == 0 || line.rfind("in-esc: ", 0) == 0) {
      cases.push_back(pending);
      pending = GoldenCase();
      current = &cases.back();
      current->line = n;
      current->escaped = line[2] != ':';
      current->input_text = current->escaped ? line.substr(8) : line.substr(4);
      current->input = current->escaped ? Unescape(current->input_text) : current->input_text;
      continue;
    }
    INFO("decoder_golden.txt:" << n << ": expected output outside a case");
    REQUIRE(current != nullptr);
    current->expected.push_back(line);
  }
  return cases;
}

const std::vector<GoldenCase>& GoldenCases() {
  static const std::vector<GoldenCase> cases =
      LoadGolden(SPARD_TESTDATA_DIR "/ingest/decoder_golden.txt");
  return cases;
}

// The "mapping:" lines of a case as a spard.toml: `mapping = [ {...}, ... ]`.
std::string MappingToml(const std::vector<std::string>& mappings) {
  std::string toml = "mapping = [";
  for (size_t i = 0; i < mappings.size(); ++i) toml += (i == 0 ? "" : ", ") + mappings[i];
  return toml + "]\n";
}

// One decoder per zone and mappings, shared by all cases: scratch state must not leak between
// messages. The mappings go through Config::Parse, as spard.toml's would.
Decoder* GoldenDecoder(const std::string& zone, const std::vector<std::string>& mappings) {
  static std::map<std::pair<std::string, std::vector<std::string>>, std::unique_ptr<Decoder>>
      decoders;
  auto& d = decoders[{zone, mappings}];
  if (d == nullptr) {
    DecoderOptions options;
    if (!mappings.empty()) {
      Result<Config> config = Config::Parse(MappingToml(mappings), "golden");
      INFO(config.status().message());
      REQUIRE(config.ok());
      auto from_config = DecoderOptionsFromConfig(*config);
      REQUIRE(from_config.ok());
      options = std::move(from_config).value();
    }
    options.rfc3164_timezone = zone;
    d = std::make_unique<Decoder>(options);
    REQUIRE(d->time_zone_status().ok());
  }
  return d.get();
}

// Decode's rendering; for a quarantined message that parsed, what it mapped to follows the
// reason (from Decoder::Inspect, which must agree with Decode).
std::vector<std::string> RenderGolden(const GoldenCase& c) {
  Decoder* decoder = GoldenDecoder(c.zone, c.mappings);
  MessageSource source = Src();
  source.received_us = c.received_us;
  IngestBatch b;
  decoder->Decode(c.input, source, false, &b);
  std::vector<std::string> got = Render(b);
  Event ev;
  std::string problems;
  const Status st = decoder->Inspect(c.input, c.received_us, &ev, &problems);
  if (b.quarantined.size() == 1) {
    const std::string& reason = b.quarantined[0].reason;
    CHECK((st.ok() ? problems : st.message()) == reason);
    if (st.ok()) RenderEvent(ev, &got);
  } else {
    CHECK(st.ok());
    CHECK(problems.empty());
  }
  return got;
}

TEST_CASE("decoder: golden cases", "[ingest]") {
  const auto& cases = GoldenCases();
  REQUIRE(cases.size() >= 30);
  for (const GoldenCase& c : cases) {
    INFO("decoder_golden.txt:" << c.line << ": " << c.input_text);
    std::vector<std::string> got = RenderGolden(c);
    std::vector<std::string> expected = c.expected;
    const std::string kPrefix = "quarantine-prefix: ";
    if (expected.size() == 1 && expected[0].rfind(kPrefix, 0) == 0 && got.size() == 1) {
      const std::string want = "quarantine: " + expected[0].substr(kPrefix.size());
      CHECK(got[0].rfind(want, 0) == 0);
      continue;
    }
    CHECK(got == expected);
  }
}

// --- docs/ingest_formats.md: the conformance table is generated from the golden cases ---------

constexpr std::string_view kDocBegin =
    "<!-- BEGIN conformance table: generated from tests/testdata/ingest/decoder_golden.txt by "
    "tests/ingest/decoder_test.cc; do not edit -->";
constexpr std::string_view kDocEnd = "<!-- END conformance table -->";

// Text for a Markdown table cell: '|' escaped.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string Code(std::string_view s) {
  const bool tick = s.find('`') != std::string_view::npos;
  return std::string(tick ? "`` " : "`") + Cell(s) + (tick ? " ``" : "`");
}

// "ts: 2026-..." -> "ts=2026-..."; values cut at 48 bytes.
std::string Item(const std::string& line) {
  const size_t colon = line.find(": ");
  std::string key = line.substr(0, colon);
  std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
  if (value.size() > 48) value = value.substr(0, 45) + "...";
  return key + "=" + value;
}

std::string MapsTo(const GoldenCase& c) {
  std::string out;
  std::string items;
  for (const std::string& line : c.expected) {
    if (line.rfind("quarantine: ", 0) == 0) {
      out = "**quarantined**: " + Cell(line.substr(12));
      continue;
    }
    if (line.rfind("quarantine-prefix: ", 0) == 0) {
      out = "**quarantined**: " + Cell(line.substr(19)) + "...";
      continue;
    }
    if (!items.empty()) items += "; ";
    items += Item(line);
  }
  if (!items.empty()) out += (out.empty() ? "" : "<br>") + Code(items);
  return out;
}

std::string ConformanceTable() {
  std::string t = "| Format | Variant | Example | Maps to |\n| --- | --- | --- | --- |\n";
  for (const GoldenCase& c : GoldenCases()) {
    if (c.doc.empty()) continue;
    const size_t bar = c.doc.find(" | ");
    REQUIRE(bar != std::string::npos);
    std::string variant = Cell(c.doc.substr(bar + 3));
    if (!c.received_text.empty()) variant += " (received " + c.received_text + ")";
    if (c.zone != kGoldenZone) variant += " (zone " + c.zone + ")";
    std::string example = (c.escaped ? "C-escaped: " : "") + Code(c.input_text);
    for (auto it = c.mappings.rbegin(); it != c.mappings.rend(); ++it) {
      example = "mapping " + Code(*it) + "<br>" + example;
    }
    t += "| " + Cell(c.doc.substr(0, bar)) + " | " + variant + " | " + example + " | " + MapsTo(c) +
         " |\n";
  }
  return t;
}

TEST_CASE("decoder: docs/ingest_formats.md holds the conformance table of the golden cases",
          "[ingest]") {
  const std::string path = SPARD_TESTDATA_DIR "/../../docs/ingest_formats.md";
  std::string doc;
  {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    doc = ss.str();
  }
  const size_t begin = doc.find(kDocBegin);
  const size_t end = doc.find(kDocEnd);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const size_t table_begin = begin + kDocBegin.size() + 1;
  const std::string table = ConformanceTable();
  if (std::getenv("SPARD_UPDATE_DOCS") != nullptr) {
    doc.replace(table_begin, end - table_begin, table);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << doc;
    REQUIRE(out.good());
    return;
  }
  INFO("regenerate with: SPARD_UPDATE_DOCS=1 <build>/tests/ingest_tests \"decoder: docs*\"");
  CHECK(doc.substr(table_begin, end - table_begin) == table);
}

TEST_CASE("decoder: RFC 5424 fields are slices of raw", "[ingest]") {
  const Event ev = MustEvent(
      R"(<134>1 2026-03-02T09:15:00.123+01:00 app01 procapita 4711 ACCESS )"
      R"([access@53000 user="u1" action="read" object="procapita:000123" subject="19650412-1234" )"
      R"(outcome="success" client_ip="10.0.0.7"])");
  for (Field f : kAllFields) {
    if (f == Field::kReason) continue;
    INFO(FieldName(f));
    REQUIRE(ev.has(f));
    CHECK(ev.field_in_raw(f));
    CHECK(ev.raw().substr(ev.field_offset(f), ev.field(f).size()) == ev.field(f));
  }
  CHECK(ev.field_offset(Field::kUser) == ev.raw().find("u1"));
  for (size_t i = 0; i < ev.attr_count(); ++i) {
    CHECK(ev.attr_key_in_raw(i) == (ev.attr_key(i) != "procid" && ev.attr_key(i) != "msgid"));
    CHECK(ev.attr_value_in_raw(i));
  }
  CHECK(ev.format == Format::kRfc5424);
}

TEST_CASE("decoder: RFC 3164 and CEF fields are slices of raw", "[ingest]") {
  const Event ev =
      MustEvent(R"(<86>2026-10-05T08:15:00Z app01 procapita[123]: user=anna action=read )"
                R"(object="procapita:000123")");
  CHECK(ev.format == Format::kRfc3164);
  for (Field f : {Field::kSystem, Field::kUser, Field::kAction, Field::kObject, Field::kHost}) {
    INFO(FieldName(f));
    REQUIRE(ev.has(f));
    CHECK(ev.field_in_raw(f));
    CHECK(ev.raw().substr(ev.field_offset(f), ev.field(f).size()) == ev.field(f));
  }
  CHECK(ev.field(Field::kObject) == "procapita:000123");

  const Event cef = MustEvent(
      R"(CEF:0|Acme|Journal\|Pro|2.1|100|Viewed|3|rt=1770714000123 suser=anna fname=a\=b )"
      R"(cs1=Norr cs1Label=Unit)");
  CHECK(cef.format == Format::kCef);
  CHECK(cef.field(Field::kSystem) == "Journal|Pro");
  CHECK_FALSE(cef.field_in_raw(Field::kSystem));
  CHECK(cef.field(Field::kObject) == "a=b");
  CHECK_FALSE(cef.field_in_raw(Field::kObject));
  CHECK(cef.field_in_raw(Field::kUser));
  CHECK(cef.attr("Unit") == "Norr");
  CHECK(cef.attr("cs1Label").empty());
  for (size_t i = 0; i < cef.attr_count(); ++i) CHECK(cef.attr_value_in_raw(i));
}

TEST_CASE("decoder: the configured zone, and UTC when it cannot be loaded", "[ingest]") {
  DecoderOptions options;
  options.rfc3164_timezone = "Europe/Stockholm";
  Decoder stockholm(options);
  CHECK(stockholm.time_zone() == "Europe/Stockholm");
  CHECK(stockholm.time_zone_status().ok());

  options.rfc3164_timezone = "Nowhere/Land";
  Decoder fallback(options);
  CHECK(fallback.time_zone() == "UTC");
  CHECK(fallback.time_zone_status().IsNotFound());

  const std::string msg = "<13>Oct 11 22:14:15 h app: user=u object=o";
  MessageSource src = Src();
  src.received_us = 1'760'000'000'000'000;  // 2025-10-09
  IngestBatch b;
  stockholm.Decode(msg, src, false, &b);
  fallback.Decode(msg, src, false, &b);
  REQUIRE(b.events.size() == 2);
  CHECK(FormatRfc3339(b.events[0].ts_us) == "2025-10-11T20:14:15Z");
  CHECK(FormatRfc3339(b.events[1].ts_us) == "2025-10-11T22:14:15Z");

  Decoder host(DecoderOptions{});  // "" = the host's zone
  CHECK(host.time_zone_status().ok());
  CHECK_FALSE(host.time_zone().empty());
}

TEST_CASE("decoder: Inspect shows what a quarantined message maps to", "[ingest]") {
  Decoder decoder(DecoderOptions{});
  Event ev;
  std::string problems;
  const int64_t received = 1'760'000'000'000'000;
  REQUIRE(
      decoder.Inspect("<34>Oct 11 22:14:15 mymachine su: failed", received, &ev, &problems).ok());
  CHECK(problems == "missing field: user, object");
  CHECK(ev.format == Format::kRfc3164);
  CHECK(ev.field(Field::kSystem) == "su");
  CHECK(ev.field(Field::kHost) == "mymachine");
  CHECK(ev.has_ts);

  const Status st = decoder.Inspect("<999>x", 0, &ev, &problems);
  CHECK(st.IsInvalidArgument());
  CHECK(st.message() == "rfc3164: PRI 999 out of range 0-191 at byte 1");

  REQUIRE(decoder.Inspect(R"({"ts":1,"user":"u","object":"o"})", 0, &ev, &problems).ok());
  CHECK(problems.empty());
}

TEST_CASE("decoder: a cut RFC 3164 or CEF message says so in the reason", "[ingest]") {
  DecoderOptions options;
  options.max_message_bytes = 12;
  IngestBatch b = DecodeOne("<13>Oct 11 22:14:15 h a: m", false, options);
  REQUIRE(b.quarantined.size() == 1);
  CHECK(b.quarantined[0].reason == "missing field: ts, user, object");  // "Oct 11 22:1" is MSG
  b = DecodeOne("CEF:0|Vendor|Product|1|2|3|4|suser=u", false, options);
  REQUIRE(b.quarantined.size() == 1);
  CHECK(b.quarantined[0].reason ==
        "cef: header ends after 2 of 7 fields at byte 12 (message truncated)");
  b = DecodeOne("<13>Feb 30 10:00:00 h a: m", true);
  REQUIRE(b.quarantined.size() == 1);
  CHECK(b.quarantined[0].reason == "rfc3164: bad TIMESTAMP at byte 4 (message truncated)");
}

TEST_CASE("decoder: invalid UTF-8 anywhere in syslog or CEF is kept byte-exact", "[ingest]") {
  Decoder decoder(DecoderOptions{});
  const std::string prefixes[] = {"<13>Oct 11 22:14:15 h app[1]: ",
                                  "<13>1 2026-01-01T00:00:00Z h app - - - ",
                                  "CEF:0|V|P|1|2|N|3|",
                                  "<13>Oct 11 22:14:15 h CEF:0|V|P|1|2|N|3|",
                                  "<13>",
                                  "Oct 11 22:14:15 "};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<char>(seed >> 24);
  };
  for (const std::string& prefix : prefixes) {
    for (int i = 0; i < 300; ++i) {
      std::string msg = prefix;
      const int n = i % 40;
      for (int k = 0; k < n; ++k) {
        const char c = next();
        // Keep some structure: sprinkle pairs and separators among the random bytes.
        msg += (k % 7 == 0) ? std::string(" user=") : (k % 11 == 0) ? std::string("|") : "";
        msg.push_back(c);
      }
      msg += " object=o\xff\xfe";
      IngestBatch b;
      decoder.Decode(msg, Src(), false, &b);
      REQUIRE(b.events.size() + b.quarantined.size() == 1);
      if (!b.events.empty()) {
        CHECK(b.events[0].raw() == msg);
      } else {
        CHECK(b.quarantined[0].raw == msg);
      }
    }
  }
}

TEST_CASE("decoder: an escaped value is copied, a plain one is a slice", "[ingest]") {
  const Event ev =
      MustEvent(R"(<13>1 2003-10-11T22:14:15Z h a - - [x user="a\"b" object="plain"])");
  CHECK(ev.field(Field::kUser) == "a\"b");
  CHECK_FALSE(ev.field_in_raw(Field::kUser));
  CHECK(ev.field_in_raw(Field::kObject));

  const Event js = MustEvent(R"({"ts":"2026-01-01T00:00:00Z","user":"a\tb","object":"plain"})");
  CHECK(js.field(Field::kUser) == "a\tb");
  CHECK_FALSE(js.field_in_raw(Field::kUser));
  CHECK(js.field_in_raw(Field::kObject));
}

TEST_CASE("decoder: JSON fields and leftover attrs are slices of raw", "[ingest]") {
  const Event ev = MustEvent(
      R"({"ts":"2026-01-01T00:00:00Z","user":{"name":"u1"},"object":"o1","n":5,"tags":[1]})");
  CHECK(ev.format == Format::kJson);
  CHECK(ev.field_in_raw(Field::kUser));
  CHECK(ev.field_in_raw(Field::kObject));
  CHECK(ev.field_offset(Field::kObject) == ev.raw().find("o1"));
  REQUIRE(ev.attr_count() == 2);
  CHECK(ev.attr_key(0) == "n");
  CHECK(ev.attr_key_in_raw(0));
  CHECK(ev.attr_value_in_raw(0));
  CHECK(ev.attr_value(1) == "[1]");
  CHECK(ev.attr_value_in_raw(1));
}

TEST_CASE("decoder: source, receive time and flags are kept", "[ingest]") {
  IngestBatch b = DecodeOne(R"({"ts":"2026-01-01T00:00:00Z","user":"u","object":"o"})", true);
  REQUIRE(b.events.size() == 1);
  const Event& ev = b.events[0];
  CHECK(ev.listener == Listener::kTcp);
  CHECK(ev.peer == "10.0.0.7:51234");
  CHECK(ev.received_us == 1'700'000'000'000'000);
  CHECK(ev.flags == kEventFlagTruncated);
  CHECK(ev.id == 0);

  const std::string garbage = std::string("\x01garbage\xff\n", 10);
  IngestBatch q = DecodeOne(garbage, true);
  REQUIRE(q.quarantined.size() == 1);
  const QuarantineRecord& rec = q.quarantined[0];
  CHECK(rec.raw == garbage);  // byte-exact, trailing LF included
  CHECK(rec.reason == "unsupported format");
  CHECK(rec.listener == Listener::kTcp);
  CHECK(rec.peer == "10.0.0.7:51234");
  CHECK(rec.received_us == 1'700'000'000'000'000);
  CHECK(rec.flags == kEventFlagTruncated);
}

TEST_CASE("decoder: raw keeps the message byte-exact around what parsers see", "[ingest]") {
  const std::string msg = "  <13>1 2003-10-11T22:14:15Z h a - - [x user=\"u\" object=\"o\"]\r\n";
  const Event ev = MustEvent(msg);
  CHECK(ev.raw() == msg);
  CHECK(ev.field(Field::kUser) == "u");
}

TEST_CASE("decoder: messages above max_message_bytes are cut and flagged", "[ingest]") {
  DecoderOptions options;
  options.max_message_bytes = 80;
  const std::string msg =
      R"(<13>1 2003-10-11T22:14:15Z h a - - [x user="u" object="o"] )" + std::string(200, 'm');
  IngestBatch b = DecodeOne(msg, false, options);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].raw() == msg.substr(0, 80));
  CHECK(b.events[0].flags == kEventFlagTruncated);

  const std::string json =
      R"({"ts":"2026-01-01T00:00:00Z","user":"u","object":")" + std::string(200, 'o') + "\"}";
  IngestBatch q = DecodeOne(json, false, options);
  REQUIRE(q.quarantined.size() == 1);
  CHECK(q.quarantined[0].raw == json.substr(0, 80));
  CHECK(q.quarantined[0].flags == kEventFlagTruncated);
  CHECK(q.quarantined[0].reason.rfind("json: ", 0) == 0);
  CHECK(q.quarantined[0].reason.find("(message truncated)") != std::string::npos);
}

TEST_CASE("decoder: quarantine reasons", "[ingest]") {
  CHECK(ReasonOf("<7>1 - bzorp openvpn 2499 - - PTHREAD support initialized") ==
        "missing field: ts, user, object");
  CHECK(ReasonOf(R"(<13>1 2003-10-11T22:14:15Z h a - - [x object="o"])") == "missing field: user");
  CHECK(ReasonOf(R"({"ts":"2026-01-01T00:00:00Z","user":"u"})") == "missing field: object");
  CHECK(ReasonOf("<13>1 - h") == "rfc5424: expected SP after HOSTNAME at byte 9");
  CHECK(ReasonOf("{\"a\":").rfind("json: ", 0) == 0);
  CHECK(ReasonOf("hello world") == "unsupported format");
  CHECK(ReasonOf("\n") == "empty message");
  CHECK(ReasonOf(R"({"ts":"2026-13-01T00:00:00Z","user":"u","object":"o"})") ==
        R"(bad ts: "2026-13-01T00:00:00Z")");
  CHECK(ReasonOf(R"({"ts":"ab\"cd\u0001","user":"u","object":"o"})") == R"(bad ts: "ab?cd?")");
  // Nobody writes into spard's own audit trail, whatever the format.
  CHECK(ReasonOf(R"({"ts":"2026-01-01T00:00:00Z","system":"spard","user":"u","object":"o"})") ==
        "reserved system: spard");
  CHECK(ReasonOf(R"(<13>1 2003-10-11T22:14:15Z h spard - - [x user="u" object="o"])") ==
        "reserved system: spard");
  CHECK(ReasonOf("<13>Oct 11 22:14:15 h spard: user=u object=o") == "reserved system: spard");
}

TEST_CASE("decoder: epoch timestamps in seconds, ms and µs", "[ingest]") {
  auto ts = [](std::string_view value) {
    const Event ev = MustEvent(R"({"user":"u","object":"o","ts":)" + std::string(value) + "}");
    return FormatRfc3339(ev.ts_us);
  };
  CHECK(ts("0") == "1970-01-01T00:00:00Z");
  CHECK(ts("99999999999") == "5138-11-16T09:46:39Z");                // < 1e11: seconds
  CHECK(ts("100000000000") == "1973-03-03T09:46:40Z");               // >= 1e11: milliseconds
  CHECK(ts("99999999999999") == "5138-11-16T09:46:39.999Z");         // < 1e14: milliseconds
  CHECK(ts("100000000000000") == "1973-03-03T09:46:40Z");            // >= 1e14: microseconds
  CHECK(ts("1700000000.1234567") == "2023-11-14T22:13:20.123456Z");  // below 1 µs truncated
  CHECK(ts("1700000000123.5") == "2023-11-14T22:13:20.123500Z");
  CHECK(ts("-1") == "1969-12-31T23:59:59Z");
  CHECK(ts("\"1700000000\"") == "2023-11-14T22:13:20Z");
  CHECK(ts("17e8") == "2023-11-14T22:13:20Z");
  CHECK(ts("0.000001") == "1970-01-01T00:00:00.000001Z");
  CHECK(ReasonOf(R"({"user":"u","object":"o","ts":1e30})") == R"(bad ts: "1e30")");
  CHECK(ReasonOf(R"({"user":"u","object":"o","ts":"12abc"})") == R"(bad ts: "12abc")");
}

TEST_CASE("decoder: DecodeJsonLine refuses what is not a JSON object", "[ingest]") {
  Decoder decoder(DecoderOptions{});
  IngestBatch b;
  Status st = decoder.DecodeJsonLine("<13>1 - h a - - -", Src(), &b);
  CHECK(st.IsInvalidArgument());
  CHECK(st.message() == "not a JSON object");
  st = decoder.DecodeJsonLine("[1,2]", Src(), &b);
  CHECK(st.message() == "not a JSON object");
  st = decoder.DecodeJsonLine(R"({"user":)", Src(), &b);
  CHECK(st.IsInvalidArgument());
  CHECK(st.message().rfind("json: ", 0) == 0);
  CHECK(b.empty());

  // A blank line is no event and no error.
  CHECK(decoder.DecodeJsonLine("  \r", Src(), &b).ok());
  CHECK(b.empty());

  // Valid JSON that lacks fields is the sender's data, not a bad request: quarantined.
  CHECK(decoder.DecodeJsonLine(R"({"user":"u"})", Src(), &b).ok());
  REQUIRE(b.quarantined.size() == 1);
  CHECK(b.quarantined[0].reason == "missing field: ts, object");
  CHECK(decoder.DecodeJsonLine(R"({"ts":1700000000,"user":"u","object":"o"})", Src(), &b).ok());
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].format == Format::kJson);
  CHECK(b.events[0].listener == Listener::kTcp);
}

TEST_CASE("decoder: DecodeJsonLine stores an oversize line cut and flagged", "[ingest]") {
  DecoderOptions options;
  options.max_message_bytes = 32;
  Decoder decoder(options);
  IngestBatch b;
  const std::string line = R"({"ts":1700000000,"user":"u","object":"a long object name"})";
  CHECK(decoder.DecodeJsonLine(line, Src(), &b).ok());
  REQUIRE(b.quarantined.size() == 1);
  CHECK(b.quarantined[0].raw == line.substr(0, 32));
  CHECK(b.quarantined[0].flags == kEventFlagTruncated);
}

TEST_CASE("decoder: many SD params with repeated names stay linear and ordered", "[ingest]") {
  std::string msg = R"(<13>1 2003-10-11T22:14:15Z h a - - [e0 user="u" object="o"])";
  for (int e = 1; e <= 50; ++e) {
    msg += "[e" + std::to_string(e) + " p=\"" + std::to_string(e) + "\" q" + std::to_string(e) +
           "=\"x\"]";
  }
  const Event ev = MustEvent(msg);
  REQUIRE(ev.attr_count() == 100);
  CHECK(ev.attr_key(0) == "p");
  CHECK(ev.attr_key(1) == "q1");
  CHECK(ev.attr_key(2) == "e2.p");
  CHECK(ev.attr_value(2) == "2");
  CHECK(ev.attr_key(3) == "q2");
}

}  // namespace
}  // namespace spard
