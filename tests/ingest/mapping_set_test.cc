// Tests for ingest/mapping_set.cc: checking and compiling [[mapping]] tables, and selection.

#include "ingest/mapping_set.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace spard {
namespace {

FieldSource Candidate(std::string_view text) {
  FieldSource fs;
  const Status st = ParseMappingCandidate(text, &fs);
  INFO(text << ": " << st.message());
  REQUIRE(st.ok());
  return fs;
}

std::string CandidateError(std::string_view text) {
  const Status st = ParseMappingCandidate(text, nullptr);
  REQUIRE(st.IsInvalidArgument());
  return st.message();
}

std::shared_ptr<const MappingSet> MustCompile(const std::vector<MappingSpec>& specs) {
  auto set = MappingSet::Compile(specs);
  INFO(set.status().message());
  REQUIRE(set.ok());
  return std::move(set).value();
}

std::string CompileError(const std::vector<MappingSpec>& specs) {
  auto set = MappingSet::Compile(specs);
  REQUIRE_FALSE(set.ok());
  return set.status().message();
}

MappingSpec Named(std::string name) {
  MappingSpec s;
  s.name = std::move(name);
  return s;
}

TEST_CASE("mapping set: candidates name a source kind and a name", "[ingest]") {
  FieldSource fs = Candidate("json:actor.login");
  CHECK(fs.source == Source::kJsonKey);
  CHECK(fs.name == "actor.login");
  fs = Candidate("sd:operator");
  CHECK(fs.source == Source::kSdParam);
  CHECK(fs.name == "operator");
  CHECK(fs.sd_id.empty());
  // An SD-ID may hold dots itself (private enterprise numbers): the last '.' splits.
  fs = Candidate("sd:audit@32473.1.operator");
  CHECK(fs.sd_id == "audit@32473.1");
  CHECK(fs.name == "operator");
  fs = Candidate("kv:anvandare");
  CHECK(fs.source == Source::kMsgKeyValue);
  CHECK(fs.name == "anvandare");
  fs = Candidate("cef:duser");
  CHECK(fs.source == Source::kCefExtension);
  fs = Candidate("cef:Case number");  // a custom field's label
  CHECK(fs.name == "Case number");
  fs = Candidate("cefheader:deviceVendor");
  CHECK(fs.source == Source::kCefHeader);
  fs = Candidate("header:MNEMONIC");
  CHECK(fs.source == Source::kSyslogHeader);
  CHECK(fs.name == "MNEMONIC");
  fs = Candidate("json:a:b");  // only the first ':' separates
  CHECK(fs.name == "a:b");
}

TEST_CASE("mapping set: a bad candidate says what is wrong", "[ingest]") {
  CHECK(CandidateError("anvandare") ==
        "expected SOURCE:NAME with SOURCE one of json:, sd:, kv:, cef:, cefheader: or header:");
  CHECK(CandidateError("jsn:user") ==
        "unknown source \"jsn:\" (expected json:, sd:, kv:, cef:, cefheader: or header:)");
  CHECK(CandidateError("kv:") == "no name after \"kv:\"");
  CHECK(CandidateError("header:hostname").starts_with("unknown syslog header field \"hostname\""));
  CHECK(CandidateError("cefheader:product").starts_with("unknown CEF header field \"product\""));
  CHECK(CandidateError("sd:.user") == "expected sd:PARAM or sd:SD-ID.PARAM (got \"sd:.user\")");
  CHECK(CandidateError("sd:origin.") == "expected sd:PARAM or sd:SD-ID.PARAM (got \"sd:origin.\")");
}

TEST_CASE("mapping set: regex rules need named groups that are targets or attrs_", "[ingest]") {
  CHECK(CheckMappingRegex(R"((?P<user>\w+) opened (?P<object>\S+))").ok());
  CHECK(CheckMappingRegex(R"((?P<attrs_unit>.+) (?P<ts>\S+) (?P<client_ip>[\d.]+))").ok());
  CHECK(CheckMappingRegex("(unclosed")
            .message()
            .starts_with("not a valid RE2 regular expression: missing ): "));
  CHECK(CheckMappingRegex(R"((\w+) opened)").message().starts_with("has no named group"));
  CHECK(CheckMappingRegex(R"((?P<usr>\w+))").message() ==
        "group (?P<usr>...) is neither a target (system, user, action, object, subject, outcome, "
        "client_ip, host, reason, ts) nor attrs_NAME");
  CHECK_FALSE(CheckMappingRegex(R"((?P<attrs_>\w+))").ok());
  CHECK(CheckMappingRegex("").message() == "empty regular expression");
  CHECK(CheckMappingRegex("(?P<attrs.unit>.+)").message() ==
        "not a valid RE2 regular expression: invalid named capture group: (?P<attrs.unit> (group "
        "names are letters, digits and _: attrs_NAME for an attribute)");
  CHECK(CheckMappingRegex("(?<user>.+)").message() ==
        "not a valid RE2 regular expression: invalid perl operator: (?< (write a named group as "
        "(?P<name>...))");
  // RE2 has no backreferences or lookaround: refused at load, not at the first message.
  CHECK_FALSE(CheckMappingRegex(R"((?P<user>\w+) \1)").ok());
  CHECK_FALSE(CheckMatchMessage("(?=x)").ok());
  CHECK(CheckMatchMessage("^Journal ").ok());
}

TEST_CASE("mapping set: static values are targets but ts, or attrs.NAME", "[ingest]") {
  CHECK(CheckMappingStatic("system", "procapita").ok());
  CHECK(CheckMappingStatic("attrs.unit", "Socialtj\xC3\xA4nsten").ok());
  CHECK(CheckMappingStatic("ts", "2026-01-01T00:00:00Z").message() ==
        "ts cannot be static: every event needs its own time");
  CHECK(CheckMappingStatic("system", "spard").message() ==
        "system \"spard\" is reserved for spard's own audit trail");
  CHECK(CheckMappingStatic("unit", "x").message().starts_with("\"unit\" is neither a target"));
  CHECK(CheckMappingStatic("attrs.", "x").message() == "expected attrs.NAME");
  CHECK(CheckMappingStatic("user", "").message() == "the value must not be empty");
}

TEST_CASE("mapping set: names are short and plain", "[ingest]") {
  CHECK(CheckMappingName("procapita-free_text.2").ok());
  CHECK_FALSE(CheckMappingName("").ok());
  CHECK_FALSE(CheckMappingName("with space").ok());
  CHECK_FALSE(CheckMappingName(std::string(65, 'a')).ok());
}

TEST_CASE("mapping set: Compile names the table and the key", "[ingest]") {
  MappingSpec good = Named("a");
  MappingSpec bad = Named("b");
  bad.candidates[TargetIndex(Target::kUser)] = {"kv:user", "jsn:user"};
  CHECK(CompileError({good, bad}) ==
        "mapping[1].user[1]: unknown source \"jsn:\" (expected json:, sd:, kv:, cef:, "
        "cefheader: or header:)");
  bad = Named("b");
  bad.regex = {"(?P<user>x)", "(?P<who>x)"};
  CHECK(CompileError({bad}).starts_with("mapping[0].regex[1]: group (?P<who>...)"));
  bad = Named("b");
  bad.match_message = "(";
  CHECK(CompileError({bad}).starts_with("mapping[0].match_message: not a valid RE2"));
  bad = Named("b");
  bad.statics = {{"ts", "1"}};
  CHECK(CompileError({bad}).starts_with("mapping[0].static.ts: ts cannot be static"));
  CHECK(CompileError({good, Named("a")}) == "mapping[1].name: \"a\" is already mapping[0]'s name");
  CHECK(CompileError({Named("")}) == "mapping[0].name: must not be empty");
}

TEST_CASE("mapping set: candidates rank rule group, configured, default, static", "[ingest]") {
  MappingSpec spec = Named("m");
  spec.candidates[TargetIndex(Target::kUser)] = {"kv:anvandare", "sd:operator"};
  spec.regex = {R"(by (?P<user>\S+))"};
  spec.statics = {{"user", "unknown"}, {"system", "procapita"}};
  auto set = MustCompile({spec});
  const MappingIndex& index = *set->at(0).index;
  FieldResolver r(&index);
  auto winner = [&](auto&&... offers) {
    r.Reset();
    (offers(), ...);
    return std::string(r.winner(Target::kUser).value);
  };
  auto group = [&] { r.Offer(Source::kRegexGroup, "user", "from-rule", 1); };
  auto kv = [&] { r.Offer(Source::kMsgKeyValue, "anvandare", "from-kv", 0); };
  auto sd = [&] { r.Offer(Source::kSdParam, "operator", "from-sd", 0); };
  auto default_sd = [&] { r.Offer(Source::kSdParam, "user", "from-default", 1); };
  auto fixed = [&] { r.Offer(Source::kStatic, "user", "unknown", 1); };
  CHECK(winner(fixed, default_sd, sd, kv, group) == "from-rule");
  CHECK(winner(fixed, default_sd, sd, kv) == "from-kv");
  CHECK(winner(fixed, default_sd, sd) == "from-sd");
  CHECK(winner(fixed, default_sd) == "from-default");
  CHECK(winner(fixed) == "unknown");
  CHECK(set->at(0).static_values[TargetIndex(Target::kSystem)] == "procapita");
  CHECK(set->max_submatches() == 2);
  CHECK_FALSE(set->needs_system());
}

TEST_CASE("mapping set: the first mapping whose matchers all hold is selected", "[ingest]") {
  MappingSpec by_app = Named("by-app");
  by_app.match_app = "procapita";
  MappingSpec by_app_and_message = Named("by-app-and-message");
  by_app_and_message.match_app = "treserva";
  by_app_and_message.match_message = "^<\\d+>.* Journal ";
  MappingSpec by_system = Named("by-system");
  by_system.match_system = "cosmic";
  by_system.statics = {{"system", "cosmic"}};
  MappingSpec any = Named("any");
  auto set = MustCompile({by_app, by_app_and_message, by_system, any});
  CHECK(set->needs_system());
  auto selected = [&](std::string_view message, std::string_view app, std::string_view product,
                      std::string_view system) {
    const CompiledMapping* m = set->Select(MappingSubject{message, {app, product}, system});
    return m == nullptr ? std::string("none") : m->name;
  };
  CHECK(selected("x", "procapita", "", "procapita") == "by-app");
  CHECK(selected("x", "", "procapita", "") == "by-app");        // a CEF Device Product
  CHECK(selected("x", "Procapita", "", "Procapita") == "any");  // exact, case and all
  CHECK(selected("<13>Oct 11 22:14:15 h treserva: Journal 1", "treserva", "", "") ==
        "by-app-and-message");
  CHECK(selected("<13>Oct 11 22:14:15 h treserva: Akt 1", "treserva", "", "treserva") == "any");
  CHECK(selected("x", "", "", "cosmic") == "by-system");
  // A message naming no system is compared by the mapping's own static system.
  CHECK(selected("x", "", "", "") == "by-system");
  CHECK(selected("x", "", "", "other") == "any");

  auto only_by_app = MustCompile({by_app});
  CHECK(only_by_app->Select(MappingSubject{"x", {"other", ""}, ""}) == nullptr);
}

TEST_CASE("mapping set: selection keeps file order across app and other matchers", "[ingest]") {
  MappingSpec journal_text = Named("journal-text");  // any app
  journal_text.match_message = "Journal";
  MappingSpec a1 = Named("a1");
  a1.match_app = "a";
  a1.match_message = "second";
  MappingSpec b = Named("b");
  b.match_app = "b";
  MappingSpec catch_all_but_x = Named("not-x");
  catch_all_but_x.match_message = "^[^x]";
  MappingSpec a2 = Named("a2");
  a2.match_app = "a";
  auto set = MustCompile({journal_text, a1, b, catch_all_but_x, a2});
  auto selected = [&](std::string_view message, std::string_view app, std::string_view product) {
    const CompiledMapping* m = set->Select(MappingSubject{message, {app, product}, ""});
    return m == nullptr ? std::string("none") : m->name;
  };
  CHECK(selected("Journal second", "a", "") == "journal-text");
  CHECK(selected("the second", "a", "") == "a1");
  CHECK(selected("x second", "a", "") == "a1");
  CHECK(selected("the first", "a", "") == "not-x");
  CHECK(selected("x first", "a", "") == "a2");
  CHECK(selected("x first", "", "a") == "a2");   // a CEF Device Product
  CHECK(selected("x first", "a", "a") == "a2");  // both
  CHECK(selected("x first", "b", "a") == "b");
  CHECK(selected("x first", "c", "") == "none");
  CHECK(selected("x first", "", "") == "none");
}

}  // namespace
}  // namespace spard
