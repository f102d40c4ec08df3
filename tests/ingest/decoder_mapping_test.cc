// Tests for the Decoder with per-system mappings (ingest/mapping_set.h): each source kind,
// RE2 rules, static values, selection, and that without a selected mapping nothing changes.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/time_format.h"
#include "ingest/decoder.h"
#include "ingest/mapping_set.h"

namespace spard {
namespace {

constexpr int64_t kReceivedUs = 1'770'724'800'000'000;  // 2026-02-10T12:00:00Z

MessageSource Src() {
  MessageSource s;
  s.listener = Listener::kUdp;
  s.peer = "10.0.0.9:514";
  s.received_us = kReceivedUs;
  return s;
}

DecoderOptions WithMappings(const std::vector<MappingSpec>& specs) {
  DecoderOptions o;
  o.rfc3164_timezone = "Europe/Stockholm";
  auto set = MappingSet::Compile(specs);
  INFO(set.status().message());
  REQUIRE(set.ok());
  o.mappings = std::move(set).value();
  return o;
}

IngestBatch Decode(const DecoderOptions& options, std::string_view msg) {
  Decoder decoder(options);
  IngestBatch b;
  decoder.Decode(msg, Src(), false, &b);
  REQUIRE(b.events.size() + b.quarantined.size() == 1);
  return b;
}

Event MustEvent(const DecoderOptions& options, std::string_view msg) {
  IngestBatch b = Decode(options, msg);
  INFO(msg << (b.quarantined.empty() ? "" : " -> " + b.quarantined[0].reason));
  REQUIRE(b.events.size() == 1);
  return std::move(b.events[0]);
}

std::string ReasonOf(const DecoderOptions& options, std::string_view msg) {
  IngestBatch b = Decode(options, msg);
  INFO(msg);
  REQUIRE(b.quarantined.size() == 1);
  return b.quarantined[0].reason;
}

MappingSpec Spec(std::string name) {
  MappingSpec s;
  s.name = std::move(name);
  return s;
}

void Add(MappingSpec* s, Target t, std::vector<std::string> candidates) {
  s->candidates[TargetIndex(t)] = std::move(candidates);
}

std::vector<std::pair<std::string, std::string>> Attrs(const Event& ev) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < ev.attr_count(); ++i) {
    out.emplace_back(ev.attr_key(i), ev.attr_value(i));
  }
  return out;
}

using AttrList = std::vector<std::pair<std::string, std::string>>;

// The Swedish example of docs/ingest_formats.md: free text from a system that sends RFC 3164.
constexpr std::string_view kJournalLine =
    "<134>Feb 10 10:00:00 vard01 procapita[311]: Journal 19121212-1212 \xC3\xB6ppnad av anna.k "
    "(V\xC3\xA5rdenhet Norr)";
constexpr std::string_view kJournalRule =
    R"(^(?P<object>Journal (?P<subject>\d{8}-\d{4})) öppnad av (?P<user>\S+) \((?P<attrs_unit>.+)\))";

TEST_CASE("decoder mapping: RE2 groups map free text the default cannot", "[ingest]") {
  MappingSpec spec = Spec("procapita-journal");
  spec.match_app = "procapita";
  spec.regex = {std::string(kJournalRule)};
  spec.statics = {{"action", "read"}, {"attrs.kommun", "Exempelby"}};

  CHECK(ReasonOf(DecoderOptions{}, kJournalLine) == "missing field: user, object");

  const Event ev = MustEvent(WithMappings({spec}), kJournalLine);
  CHECK(ev.format == Format::kRfc3164);
  CHECK(FormatRfc3339(ev.ts_us) == "2026-02-10T09:00:00Z");
  CHECK(ev.field(Field::kSystem) == "procapita");
  CHECK(ev.field(Field::kUser) == "anna.k");
  CHECK(ev.field(Field::kObject) == "Journal 19121212-1212");
  CHECK(ev.field(Field::kSubject) == "19121212-1212");
  CHECK(ev.field(Field::kAction) == "read");
  CHECK(ev.field(Field::kHost) == "vard01");
  // Group values are slices of the raw message, like every other parsed value.
  CHECK(ev.field_in_raw(Field::kUser));
  CHECK(ev.field_in_raw(Field::kObject));
  CHECK_FALSE(ev.field_in_raw(Field::kAction));  // static
  CHECK(Attrs(ev) == AttrList{{"procid", "311"},
                              {"msg",
                               "Journal 19121212-1212 \xC3\xB6ppnad av anna.k (V\xC3\xA5rdenhet "
                               "Norr)"},
                              {"unit", "V\xC3\xA5rdenhet Norr"},
                              {"kommun", "Exempelby"},
                              {"spard.mapping", "procapita-journal"}});
}

TEST_CASE("decoder mapping: the first matching rule offers, ahead of every other source",
          "[ingest]") {
  MappingSpec spec = Spec("rules");
  spec.regex = {R"(^deleted (?P<object>\S+))",
                R"(^(?P<action>\w+) (?P<object>\S+)( by (?P<user>\S+))?)", R"(^(?P<user>\w+)$)"};
  const DecoderOptions options = WithMappings({spec});
  // The rule group beats the key=value pair the default mapping would take.
  Event ev = MustEvent(options, "<13>Feb 10 10:00:00 h app: opened rec:1 by eva user=kv-user");
  CHECK(ev.field(Field::kAction) == "opened");
  CHECK(ev.field(Field::kObject) == "rec:1");
  CHECK(ev.field(Field::kUser) == "eva");
  CHECK(ev.attr("user") == "kv-user");  // the pair is kept as an attribute
  // A group that took no part offers nothing: the key=value pair fills user.
  ev = MustEvent(options, "<13>Feb 10 10:00:00 h app: opened rec:2 user=kv-user");
  CHECK(ev.field(Field::kUser) == "kv-user");
  // Only the first rule that matches offers: the third rule's user group is not tried.
  CHECK(ReasonOf(options, "<13>Feb 10 10:00:00 h app: deleted rec:3") ==
        "missing field: user (mapping rules)");
  // No rule matches: the other candidates still apply.
  ev = MustEvent(options, "<13>Feb 10 10:00:00 h app: - user=u object=o");
  CHECK(ev.field(Field::kUser) == "u");
  CHECK(ev.attr("spard.mapping") == "rules");
}

TEST_CASE("decoder mapping: a ts group may be local time in the configured zone", "[ingest]") {
  MappingSpec spec = Spec("times");
  spec.regex = {R"(^at (?P<ts>.+?) (?P<user>\S+) read (?P<object>\S+)$)"};
  const DecoderOptions options = WithMappings({spec});
  auto ts = [&](std::string_view when) {
    const Event ev =
        MustEvent(options, "<13>Feb 10 10:00:00 h app: at " + std::string(when) + " anna read j:1");
    return FormatRfc3339(ev.ts_us);
  };
  CHECK(ts("2026-02-09T08:00:00Z") == "2026-02-09T08:00:00Z");
  CHECK(ts("2026-02-09 08:00:00") == "2026-02-09T07:00:00Z");          // CET
  CHECK(ts("2026-07-09T08:00:00.250") == "2026-07-09T06:00:00.250Z");  // CEST
  CHECK(ts("Feb 9 2026 08:00:00") == "2026-02-09T07:00:00Z");
  CHECK(ts("Feb 9 08:00:00") == "2026-02-09T07:00:00Z");  // the year nearest the receive time
  CHECK(ts("1770624000") == "2026-02-09T08:00:00Z");
  CHECK(ReasonOf(options, "<13>Feb 10 10:00:00 h app: at yesterday anna read j:1") ==
        "bad ts: \"yesterday\" (mapping times)");
}

TEST_CASE("decoder mapping: configured candidates of every source kind", "[ingest]") {
  SECTION("json: nested or dotted, before the default names") {
    MappingSpec spec = Spec("json");
    Add(&spec, Target::kUser, {"json:actor.login"});
    Add(&spec, Target::kObject, {"json:target.id"});
    const Event ev = MustEvent(
        WithMappings({spec}),
        R"({"ts":"2026-02-10T09:00:00Z","user":"default","actor":{"login":"anna"},"target.id":"j:1"})");
    CHECK(ev.field(Field::kUser) == "anna");
    CHECK(ev.field(Field::kObject) == "j:1");
    CHECK(ev.attr("user") == "default");
  }
  SECTION("sd: any element, or one SD-ID only") {
    MappingSpec spec = Spec("sd");
    Add(&spec, Target::kUser, {"sd:audit@32473.operator"});
    Add(&spec, Target::kObject, {"sd:journal"});
    const DecoderOptions options = WithMappings({spec});
    const Event ev =
        MustEvent(options, R"(<13>1 2026-02-10T10:00:00+01:00 h app - - )"
                           R"([other operator="wrong" journal="j:7"][audit@32473 operator="eva"])");
    CHECK(ev.field(Field::kUser) == "eva");
    CHECK(ev.field(Field::kObject) == "j:7");
    CHECK(ev.attr("operator") == "wrong");
    CHECK(ReasonOf(options,
                   R"(<13>1 2026-02-10T10:00:00Z h app - - [other operator="x" journal="j"])") ==
          "missing field: user (mapping sd)");
  }
  SECTION("kv: key=value pairs in a syslog MSG") {
    MappingSpec spec = Spec("kv");
    Add(&spec, Target::kUser, {"kv:anvandare"});
    Add(&spec, Target::kObject, {"kv:arende"});
    Add(&spec, Target::kSubject, {"kv:personnr"});
    const Event ev = MustEvent(
        WithMappings({spec}),
        "<13>Feb 10 10:00:00 h treserva: anvandare=bo arende=\"A 12\" personnr=121212-1212");
    CHECK(ev.field(Field::kUser) == "bo");
    CHECK(ev.field(Field::kObject) == "A 12");
    CHECK(ev.field(Field::kSubject) == "121212-1212");
  }
  SECTION("cef and cefheader: extensions by key or label, header fields by name") {
    MappingSpec spec = Spec("cef");
    Add(&spec, Target::kUser, {"cef:duser"});
    Add(&spec, Target::kObject, {"cef:Case"});
    Add(&spec, Target::kAction, {"cefheader:name"});
    const Event ev = MustEvent(WithMappings({spec}),
                               "CEF:0|Acme|Gw|1|100|Opened|3|rt=1770714000000 suser=svc duser=anna "
                               "cs1=A-7 cs1Label=Case");
    CHECK(ev.field(Field::kUser) == "anna");
    CHECK(ev.field(Field::kObject) == "A-7");
    CHECK(ev.field(Field::kAction) == "Opened");
    CHECK(ev.attr("suser") == "svc");
    CHECK(ev.attr("name").empty());  // taken, so not an attribute
  }
  SECTION("header: syslog header fields") {
    MappingSpec spec = Spec("cisco");
    Add(&spec, Target::kSystem, {"header:MNEMONIC"});
    spec.regex = {R"(by (?P<user>\S+) \((?P<client_ip>[\d.]+)\))"};
    spec.statics = {{"object", "running-config"}};
    const Event ev = MustEvent(WithMappings({spec}),
                               "<189>1234: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured "
                               "from console by vty2 (10.34.195.36)");
    CHECK(ev.field(Field::kSystem) == "SYS-5-CONFIG_I");
    CHECK(ev.field(Field::kUser) == "vty2");
    CHECK(ev.field(Field::kClientIp) == "10.34.195.36");
    CHECK(ev.field(Field::kObject) == "running-config");
    CHECK(ev.attr("mnemonic").empty());
  }
}

TEST_CASE("decoder mapping: static values fill only what the message lacks", "[ingest]") {
  MappingSpec spec = Spec("static");
  spec.match_message = "^<";  // syslog
  spec.statics = {{"system", "procapita"}, {"action", "read"}, {"attrs.unit", "Norr"}};
  const DecoderOptions options = WithMappings({spec});
  Event ev = MustEvent(options, "<13>Feb 10 10:00:00 h user=u object=o unit=Syd");
  CHECK(ev.field(Field::kSystem) == "procapita");  // no TAG
  CHECK(ev.field(Field::kAction) == "read");
  // The message's own attribute stays, and is not doubled.
  CHECK(Attrs(ev) == AttrList{{"unit", "Syd"},
                              {"msg", "user=u object=o unit=Syd"},
                              {"spard.mapping", "static"}});
  ev = MustEvent(options, "<13>Feb 10 10:00:00 h cosmic: user=u object=o action=print");
  CHECK(ev.field(Field::kSystem) == "cosmic");
  CHECK(ev.field(Field::kAction) == "print");
  CHECK(ev.attr("unit") == "Norr");
}

TEST_CASE("decoder mapping: selection by app, system and message; first wins", "[ingest]") {
  MappingSpec journal = Spec("journal");
  journal.match_app = "procapita";
  journal.match_message = " Journal ";
  journal.regex = {std::string(kJournalRule)};
  MappingSpec procapita = Spec("procapita");
  procapita.match_app = "procapita";
  Add(&procapita, Target::kUser, {"kv:anvandare"});
  MappingSpec cosmic = Spec("cosmic-json");
  cosmic.match_system = "cosmic";
  Add(&cosmic, Target::kUser, {"json:hsaid"});
  const DecoderOptions options = WithMappings({journal, procapita, cosmic});

  CHECK(MustEvent(options, kJournalLine).attr("spard.mapping") == "journal");
  Event ev = MustEvent(options, "<13>Feb 10 10:00:00 h procapita: anvandare=eva object=o");
  CHECK(ev.attr("spard.mapping") == "procapita");  // not " Journal ": the next mapping
  CHECK(ev.field(Field::kUser) == "eva");
  ev = MustEvent(options, R"({"ts":1770714000,"system":"cosmic","hsaid":"SE123","object":"o"})");
  CHECK(ev.attr("spard.mapping") == "cosmic-json");
  CHECK(ev.field(Field::kUser) == "SE123");
  // A CEF Device Product is an app name too.
  CHECK(ReasonOf(options, "CEF:0|V|procapita|1|1|n|1|rt=1770714000000 fname=o") ==
        "missing field: user (mapping procapita)");

  // No mapping selected: the default mapping, no attribute saying otherwise.
  ev = MustEvent(options, "<13>Feb 10 10:00:00 h treserva: user=u object=o");
  CHECK(ev.attr("spard.mapping").empty());
  CHECK(ReasonOf(options, "<13>Feb 10 10:00:00 h treserva: anvandare=u object=o") ==
        "missing field: user");
}

TEST_CASE("decoder mapping: the JSON message text feeds the rules", "[ingest]") {
  MappingSpec spec = Spec("json-text");
  spec.match_system = "edlevo";
  spec.regex = {R"((?P<user>\S+) viewed (?P<object>\S+))"};
  const DecoderOptions options = WithMappings({spec});
  Event ev =
      MustEvent(options, R"({"ts":1770714000,"system":"edlevo","message":"t.l viewed p:42"})");
  CHECK(ev.field(Field::kUser) == "t.l");
  CHECK(ev.field(Field::kObject) == "p:42");
  ev = MustEvent(options, R"({"ts":1770714000,"system":"edlevo","msg":"t.l viewed p:43"})");
  CHECK(ev.field(Field::kObject) == "p:43");
}

TEST_CASE("decoder mapping: without a selected mapping, events are exactly the default's",
          "[ingest]") {
  // Mappings that never match, with and without match_system (which changes how the decoder
  // selects), must leave every message as the default mapping decodes it.
  MappingSpec by_app = Spec("by-app");
  by_app.match_app = "no-such-app";
  by_app.regex = {R"((?P<user>\w+))"};
  MappingSpec by_system = Spec("by-system");
  by_system.match_system = "no-such-system";
  by_system.statics = {{"system", "no-such-system"}};
  const std::string_view messages[] = {
      R"(<134>1 2026-03-02T09:15:00.123+01:00 app01 procapita 4711 ACCESS [access@53000 user="u1" action="read" object="procapita:000123" subject="19650412-1234"])",
      R"({"@timestamp":"2026-03-02T09:15:00.250+01:00","service":{"name":"skolsys"},"user":{"name":"t"},"url":{"path":"/p/42"}})",
      "<86>Oct  5 08:15:00 app01 procapita[123]: user=anna action=read object=\"procapita:1\"",
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      "CEF:0|Acme|Journal\\|Pro|2.1|100|Viewed|3|rt=1770714000123 suser=anna fname=a\\=b "
      "cs1=Norr cs1Label=Unit",
      "<13>Feb 10 10:00:00 h: user=u object=o",
      "<14>Feb  9 10:00:00 app01 skolsys: @cee: {\"user\":\"t\",\"object\":\"/p\"}",
  };
  Decoder plain(WithMappings({}));
  Decoder app_only(WithMappings({by_app}));
  Decoder with_system(WithMappings({by_app, by_system}));
  for (std::string_view msg : messages) {
    INFO(msg);
    IngestBatch a, b, c;
    plain.Decode(msg, Src(), false, &a);
    app_only.Decode(msg, Src(), false, &b);
    with_system.Decode(msg, Src(), false, &c);
    for (const IngestBatch* other : {&b, &c}) {
      REQUIRE(other->events.size() == a.events.size());
      REQUIRE(other->quarantined.size() == a.quarantined.size());
      for (size_t i = 0; i < a.events.size(); ++i) {
        const Event& x = a.events[i];
        const Event& y = other->events[i];
        CHECK(x.ts_us == y.ts_us);
        for (Field f : kAllFields) CHECK(x.field(f) == y.field(f));
        CHECK(Attrs(x) == Attrs(y));
      }
      for (size_t i = 0; i < a.quarantined.size(); ++i) {
        CHECK(a.quarantined[i].reason == other->quarantined[i].reason);
      }
    }
  }
}

TEST_CASE("decoder mapping: a decoder's state does not leak from one message to the next",
          "[ingest]") {
  MappingSpec spec = Spec("procapita-journal");
  spec.match_app = "procapita";
  spec.regex = {std::string(kJournalRule)};
  Decoder decoder(WithMappings({spec}));
  IngestBatch b;
  decoder.Decode(kJournalLine, Src(), false, &b);
  decoder.Decode("<13>Feb 10 10:00:00 h other: user=u object=o", Src(), false, &b);
  decoder.Decode("<999>broken", Src(), false, &b);
  decoder.Decode("<13>Feb 10 10:00:00 h other: nothing", Src(), false, &b);
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].attr("spard.mapping") == "procapita-journal");
  CHECK(b.events[1].attr("spard.mapping").empty());
  CHECK(b.events[1].attr("unit").empty());
  REQUIRE(b.quarantined.size() == 2);
  CHECK(b.quarantined[0].reason.starts_with("rfc3164: "));
  CHECK(b.quarantined[1].reason == "missing field: user, object");
}

TEST_CASE("decoder mapping: Inspect shows the mapped event of a quarantined message", "[ingest]") {
  MappingSpec spec = Spec("half");
  spec.match_app = "procapita";
  spec.regex = {R"(av (?P<user>\S+))"};
  Decoder decoder(WithMappings({spec}));
  Event ev;
  std::string problems;
  REQUIRE(decoder.Inspect(kJournalLine, kReceivedUs, &ev, &problems).ok());
  CHECK(problems == "missing field: object (mapping half)");
  CHECK(ev.field(Field::kUser) == "anna.k");
  CHECK(ev.attr("spard.mapping") == "half");
}

}  // namespace
}  // namespace spard
