// Tests for the [[mapping]] tables of spard.toml (config/config.cc) and DecoderOptionsFromConfig.

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_schema.h"
#include "config/decoder_options.h"
#include "ingest/decoder.h"
#include "ingest/mapping_set.h"

namespace spard {
namespace {

Config MustParse(std::string_view toml) {
  Result<Config> r = Config::Parse(toml, "spard.toml");
  INFO(r.status().message());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string ParseError(std::string_view toml) {
  Result<Config> r = Config::Parse(toml, "spard.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsInvalidArgument());
  return r.status().message();
}

const std::vector<std::string>& Candidates(const MappingSpec& m, Target t) {
  return m.candidates[TargetIndex(t)];
}

using V = std::vector<std::string>;

constexpr std::string_view kFull = R"(
[[mapping]]
name = "procapita-free-text"
match_app = "procapita"
match_system = "procapita"
match_message = '^<\d+>'
user = ["json:actor.login", "sd:operator", "kv:anvandare", "cef:duser", "header:HOSTNAME"]
object = "sd:journal"
ts = ["kv:tid"]
regex = ['(?P<user>\w+) opened (?P<object>\S+) for (?P<subject>\d{8}-\d{4})']
[mapping.static]
system = "procapita"
"attrs.unit" = "Socialtjänsten"

[[mapping]]
name = "second"
static = { action = "read", attrs = { kommun = "Exempelby" } }
)";

TEST_CASE("mapping config: [[mapping]] tables, every key", "[config]") {
  const Config c = MustParse(kFull);
  REQUIRE(c.mappings.size() == 2);
  const MappingSpec& m = c.mappings[0];
  CHECK(m.name == "procapita-free-text");
  CHECK(m.match_app == "procapita");
  CHECK(m.match_system == "procapita");
  CHECK(m.match_message == R"(^<\d+>)");
  CHECK(Candidates(m, Target::kUser) ==
        V{"json:actor.login", "sd:operator", "kv:anvandare", "cef:duser", "header:HOSTNAME"});
  CHECK(Candidates(m, Target::kObject) == V{"sd:journal"});  // one string is a list of one
  CHECK(Candidates(m, Target::kTs) == V{"kv:tid"});
  CHECK(Candidates(m, Target::kSubject).empty());
  CHECK(m.regex == V{R"((?P<user>\w+) opened (?P<object>\S+) for (?P<subject>\d{8}-\d{4}))"});
  CHECK(m.statics == std::vector<std::pair<std::string, std::string>>{
                         {"attrs.unit", "Socialtj\xC3\xA4nsten"}, {"system", "procapita"}});
  // An inline table, and attributes as a nested table, are the same.
  CHECK(c.mappings[1].statics == std::vector<std::pair<std::string, std::string>>{
                                     {"action", "read"}, {"attrs.kommun", "Exempelby"}});
  CHECK(Config{}.mappings.empty());
  CHECK(MustParse("mapping = []\n") == Config{});
}

TEST_CASE("mapping config: problems name the table, the key and the line", "[config]") {
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nregex = ['(?P<user>x']\n") ==
        "spard.toml:3: mapping[0].regex[0]: not a valid RE2 regular expression: missing ): "
        "(?P<user>x");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\n[[mapping]]\nname = \"b\"\nusr = [\"kv:u\"]\n") ==
        "spard.toml:5: mapping[1].usr: unknown key (did you mean user?)");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nuser = [\"kv:u\", \"jsn:u\"]\n") ==
        "spard.toml:3: mapping[0].user[1]: unknown source \"jsn:\" (expected json:, sd:, kv:, "
        "cef:, cefheader: or header:)");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nregex = '(?P<who>\\w+)'\n") ==
        "spard.toml:3: mapping[0].regex: group (?P<who>...) is neither a target (system, user, "
        "action, object, subject, outcome, client_ip, host, reason, ts) nor attrs_NAME");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nmatch_message = '(?<x'\n")
            .starts_with("spard.toml:3: mapping[0].match_message: not a valid RE2"));
  CHECK(ParseError("[[mapping]]\nname = \"a\"\n[mapping.static]\nts = \"now\"\n") ==
        "spard.toml:4: mapping[0].static.ts: ts cannot be static: every event needs its own time");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\n[mapping.static]\nunit = \"x\"\n")
            .starts_with("spard.toml:4: mapping[0].static.unit: \"unit\" is neither a target"));
  CHECK(ParseError("[[mapping]]\nname = \"a\"\n[mapping.static]\nsystem = \"spard\"\n") ==
        "spard.toml:4: mapping[0].static.system: system \"spard\" is reserved for spard's own "
        "audit trail");
  CHECK(ParseError("[[mapping]]\nmatch_app = \"x\"\n") ==
        "spard.toml:1: mapping[0]: missing key name (every [[mapping]] needs a unique name)");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\n\n[[mapping]]\nname = \"a\"\n") ==
        "spard.toml:5: mapping[1].name: \"a\" is already mapping[0]'s name");
  CHECK(ParseError("[[mapping]]\nname = \"a b\"\n") ==
        "spard.toml:2: mapping[0].name: use letters, digits, '.', '_' and '-' only");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nmatch_app = \"\"\n") ==
        "spard.toml:3: mapping[0].match_app: must not be empty (leave the key out to match any)");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nuser = 7\n") ==
        "spard.toml:3: mapping[0].user: expected an array of \"SOURCE:NAME\" strings (got "
        "integer 7)");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nuser = [\"kv:u\", 7]\n") ==
        "spard.toml:3: mapping[0].user[1]: expected a string (got integer 7)");
  CHECK(ParseError("[[mapping]]\nname = \"a\"\nstatic = \"x\"\n") ==
        "spard.toml:3: mapping[0].static: expected a table [mapping.static] (got \"x\")");
  CHECK(ParseError("[mapping]\nname = \"a\"\n") ==
        "spard.toml:1: mapping: expected [[mapping]] tables (got a table)");
  CHECK(ParseError("[mappings]\n") ==
        "spard.toml:1: mappings: unknown table (did you mean mapping?)");
}

TEST_CASE("mapping config: every problem of every table is reported", "[config]") {
  CHECK(ParseError("[[mapping]]\n"
                   "name = \"a\"\n"
                   "user = [\"x\"]\n"
                   "[[mapping]]\n"
                   "name = \"b\"\n"
                   "regex = ['(']\n"
                   "[log]\n"
                   "level = \"loud\"\n") ==
        "spard.toml:3: mapping[0].user[0]: expected SOURCE:NAME with SOURCE one of json:, sd:, "
        "kv:, cef:, cefheader: or header:\n"
        "spard.toml:6: mapping[1].regex[0]: not a valid RE2 regular expression: missing ): (\n"
        "spard.toml:8: log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", "
        "\"error\" (got \"loud\")");
}

TEST_CASE("mapping config: ConfigToToml writes mappings that parse back the same", "[config]") {
  const Config c = MustParse(kFull);
  const std::string toml = ConfigToToml(c);
  INFO(toml);
  CHECK(toml.find("regex = ['(?P<user>\\w+) opened") != std::string::npos);  // literal strings
  CHECK(MustParse(toml) == c);

  // A pattern holding a quote falls back to a basic string with escapes.
  Config q;
  MappingSpec m;
  m.name = "q";
  m.regex = {R"('(?P<user>[^']+)' \d)"};
  q.mappings = {m};
  CHECK(MustParse(ConfigToToml(q)) == q);
}

TEST_CASE("mapping config: the default TOML shows a commented example that parses", "[config]") {
  const std::string text = Config::DefaultToml();
  const size_t at = text.find("# [[mapping]]\n");
  REQUIRE(at != std::string::npos);
  // Uncommented, the example is a valid mapping, and everything before it the defaults.
  std::istringstream in(text.substr(at));
  std::string example;
  for (std::string line; std::getline(in, line);) {
    REQUIRE(line.starts_with("#"));
    example += line.substr(line.size() > 1 ? 2 : 1) + "\n";
  }
  const Config parsed = MustParse(text.substr(0, at) + example);
  REQUIRE(parsed.mappings.size() == 1);
  CHECK(parsed.mappings[0].name == "procapita-journal");

  // And it does what its comment says.
  auto options = DecoderOptionsFromConfig(parsed);
  REQUIRE(options.ok());
  Decoder decoder(*options);
  IngestBatch b;
  MessageSource src;
  src.received_us = 1'770'724'800'000'000;
  decoder.Decode(
      "<134>Feb 10 10:00:00 vard01 procapita[311]: Journal 19121212-1212 \xC3\xB6ppnad av anna.k "
      "(V\xC3\xA5rdenhet Norr)",
      src, false, &b);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].field(Field::kUser) == "anna.k");
  CHECK(b.events[0].field(Field::kSubject) == "19121212-1212");
  CHECK(b.events[0].attr("unit") == "V\xC3\xA5rdenhet Norr");
}

TEST_CASE("mapping config: DecoderOptionsFromConfig carries every decoder setting", "[config]") {
  Config c = MustParse(kFull);
  c.ingest.max_message_bytes = 4096;
  c.ingest.rfc3164_timezone = "Europe/Stockholm";
  auto options = DecoderOptionsFromConfig(c);
  REQUIRE(options.ok());
  CHECK(options->max_message_bytes == 4096);
  CHECK(options->rfc3164_timezone == "Europe/Stockholm");
  REQUIRE(options->mappings != nullptr);
  CHECK(options->mappings->size() == 2);
  CHECK(options->mappings->at(1).name == "second");

  auto none = DecoderOptionsFromConfig(Config{});
  REQUIRE(none.ok());
  CHECK(none->mappings == nullptr);

  // A Config built by hand is checked too.
  c.mappings[0].regex = {"("};
  auto bad = DecoderOptionsFromConfig(c);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().starts_with("mapping[0].regex[0]: not a valid RE2"));
}

TEST_CASE("mapping config: the reference documents every [[mapping]] key", "[config][docs]") {
  const std::string md = ConfigReferenceMarkdown();
  CHECK(md.find("### `[[mapping]]`") != std::string::npos);
  for (std::string_view key : {"`name`", "`match_app`", "`match_system`", "`match_message`",
                               "`regex`", "`static`", "`client_ip`", "`ts`"}) {
    INFO(key);
    CHECK(md.find(key) != std::string::npos);
  }
}

}  // namespace
}  // namespace spard
