// Tests for query/extract_document.cc: what a row of the log extract shows, and the JSON, CSV
// and HTML renderings (escaping, formula injection, no external assets).

#include "query/extract_document.h"

#include <simdjson.h>

#include <catch2/catch.hpp>

#include "common/time_format.h"
#include "query/extract_api.h"

namespace spard {
namespace {

// An event with the fields an extract reads. Views point into the strings of the test.
EventView MakeEvent(uint64_t id, std::string_view ts, std::string_view system,
                    std::string_view user, std::string_view action,
                    std::vector<std::pair<std::string_view, std::string_view>> attrs = {}) {
  EventView e;
  e.id = id;
  REQUIRE(ParseRfc3339(ts, &e.ts_us));
  e.fields[static_cast<size_t>(Field::kSystem)] = system;
  e.fields[static_cast<size_t>(Field::kUser)] = user;
  e.fields[static_cast<size_t>(Field::kAction)] = action;
  e.fields[static_cast<size_t>(Field::kOutcome)] = "success";
  e.fields[static_cast<size_t>(Field::kSubject)] = "19650412-1234";
  e.attrs = std::move(attrs);
  return e;
}

ExtractSettings Settings() {
  ExtractSettings s;
  s.systems["procapita"].show_user = true;
  s.systems["procapita"].unit_field = "attrs.vardenhet";
  s.systems["treserva"].unit = "Socialtjänsten";
  s.systems["lifecare"].unit_field = "";
  s.systems["lifecare"].unit = "Äldreomsorgen";
  return s;
}

std::string Render(ExtractFormat format, const ExtractSettings& settings, ExtractHeader header,
                   const std::vector<EventView>& events) {
  std::unique_ptr<ExtractWriter> w = NewExtractWriter(format, settings, std::move(header));
  std::string out;
  w->Begin(&out);
  for (const EventView& e : events) w->Add(ResolveAccess(settings, e), &out);
  w->End(&out);
  return out;
}

ExtractHeader Header(uint64_t count) {
  ExtractHeader h;
  h.subject = "196504121234";
  REQUIRE(ParseRfc3339("2026-11-02T09:30:00Z", &h.issued_us));
  h.count = count;
  return h;
}

TEST_CASE("the unit comes from attrs.unit unless the system names another field or a text",
          "[query][extract]") {
  ExtractSettings s = Settings();
  // Default: attrs.unit; an event without it has no unit.
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "cosmic", "u", "read",
                                   {{"unit", "Vårdcentral Norr"}}))
            .unit == "Vårdcentral Norr");
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "cosmic", "u", "read")).unit == "");
  // procapita: its own attribute; attrs.unit is not looked at.
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "procapita", "u", "read",
                                   {{"unit", "wrong"}, {"vardenhet", "Hemtjänst Öst"}}))
            .unit == "Hemtjänst Öst");
  // treserva: attrs.unit when the event has it, else the configured text.
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "treserva", "u", "read",
                                   {{"unit", "IFO Barn"}}))
            .unit == "IFO Barn");
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "treserva", "u", "read")).unit ==
        "Socialtjänsten");
  // lifecare: no field at all, always the text.
  CHECK(ResolveAccess(
            s, MakeEvent(1, "2026-10-01T08:00:00Z", "lifecare", "u", "read", {{"unit", "ignored"}}))
            .unit == "Äldreomsorgen");
}

TEST_CASE("the user is shown only where the system's setting, else the global one, says so",
          "[query][extract]") {
  ExtractSettings s = Settings();
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "procapita", "anna", "read"))
            .show_user);
  CHECK_FALSE(
      ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "treserva", "bo", "read")).show_user);
  CHECK(s.AnyShowsUser());
  s.show_user = true;
  s.systems["treserva"].show_user = false;
  CHECK(ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "cosmic", "c", "read")).show_user);
  CHECK_FALSE(
      ResolveAccess(s, MakeEvent(1, "2026-10-01T08:00:00Z", "treserva", "bo", "read")).show_user);
  CHECK_FALSE(ExtractSettings{}.AnyShowsUser());
}

TEST_CASE("the JSON extract is one document with the envelope first and users only where shown",
          "[query][extract]") {
  ExtractSettings s = Settings();
  ExtractHeader h = Header(2);
  h.from_us = 0;
  h.scope = {"procapita", "treserva"};
  std::vector<EventView> events = {
      MakeEvent(3, "2026-10-01T08:00:00Z", "procapita", "anna", "read",
                {{"vardenhet", "Hemtjänst \"Öst\""}}),
      MakeEvent(9, "2026-10-02T08:00:00.5Z", "treserva", "bo", "print")};
  std::string json = Render(ExtractFormat::kJson, s, h, events);
  CHECK(json.starts_with(
      "{\"subject\":\"196504121234\",\"from\":\"1970-01-01T00:00:00Z\",\"to\":null,"
      "\"issued\":\"2026-11-02T09:30:00Z\",\"scope\":[\"procapita\",\"treserva\"],\"count\":2,"
      "\"accesses\":[{\"ts\":\"2026-10-01T08:00:00Z\",\"system\":\"procapita\","
      "\"unit\":\"Hemtjänst \\\"Öst\\\"\",\"action\":\"read\",\"outcome\":\"success\","
      "\"user\":\"anna\",\"id\":3},"));
  CHECK(json.ends_with(
      "{\"ts\":\"2026-10-02T08:00:00.500Z\",\"system\":\"treserva\",\"unit\":\"Socialtjänsten\","
      "\"action\":\"print\",\"outcome\":\"success\",\"id\":9}]}"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_FALSE(parser.parse(json).get(doc));
  CHECK(doc["accesses"].get_array().size() == 2);

  // Empty: still a whole document.
  std::string empty = Render(ExtractFormat::kJson, ExtractSettings{}, Header(0), {});
  CHECK(empty.ends_with(",\"scope\":null,\"count\":0,\"accesses\":[]}"));
  REQUIRE_FALSE(parser.parse(empty).get(doc));
}

TEST_CASE("NDJSON has one access per line and nothing else", "[query][extract]") {
  std::string out =
      Render(ExtractFormat::kNdjson, ExtractSettings{}, Header(1),
             {MakeEvent(5, "2026-10-01T08:00:00Z", "cosmic", "c", "read", {{"unit", "VC"}})});
  CHECK(out ==
        "{\"ts\":\"2026-10-01T08:00:00Z\",\"system\":\"cosmic\",\"unit\":\"VC\",\"action\":"
        "\"read\",\"outcome\":\"success\",\"id\":5}\n");
}

TEST_CASE("CSV cells a spreadsheet would run as formulas get a leading quote mark",
          "[query][extract]") {
  ExtractSettings s;
  s.show_user = true;
  std::vector<EventView> events = {
      MakeEvent(1, "2026-10-01T08:00:00Z", "cosmic", "=HYPERLINK(\"http://x\")", "read",
                {{"unit", "+46 unit, with comma"}}),
      MakeEvent(2, "2026-10-01T09:00:00Z", "cosmic", "@sum", "-1", {{"unit", "plain"}})};
  std::string csv = Render(ExtractFormat::kCsv, s, Header(2), events);
  CHECK(csv ==
        "ts,system,unit,action,outcome,user,id\r\n"
        "2026-10-01T08:00:00Z,cosmic,\"'+46 unit, with comma\",read,success,"
        "\"'=HYPERLINK(\"\"http://x\"\")\",1\r\n"
        "2026-10-01T09:00:00Z,cosmic,plain,'-1,success,'@sum,2\r\n");
  // A hidden user is an empty cell.
  CHECK(Render(ExtractFormat::kCsv, ExtractSettings{}, Header(1),
               {MakeEvent(3, "2026-10-01T08:00:00Z", "cosmic", "anna", "read")})
            .ends_with(",read,success,,3\r\n"));
}

TEST_CASE("HTML text is escaped, controls and bidi overrides replaced, bad UTF-8 visible",
          "[query][extract]") {
  std::string out;
  AppendHtmlEscaped(&out, "<script>alert('x') & \"y\"</script>");
  CHECK(out == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  out.clear();
  AppendHtmlEscaped(&out,
                    "a\x1b[31mb\xE2\x80\xAE"
                    "c\xC2\x85"
                    "d\x7f");
  CHECK(out ==
        "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD"
        "c\xEF\xBF\xBD"
        "d\xEF\xBF\xBD");
  out.clear();
  AppendHtmlEscaped(&out, std::string("x\xff<", 3));
  CHECK(out == "x\\xFF&lt;");
  out.clear();
  AppendHtmlEscaped(&out, "Åsa Öst – vårdcentral");
  CHECK(out == "Åsa Öst – vårdcentral");
}

TEST_CASE("the HTML extract is a self-contained Swedish document by default", "[query][extract]") {
  ExtractSettings s = Settings();
  s.zone = date::locate_zone("Europe/Stockholm");
  s.issuer = "Exempel kommun";
  ExtractHeader h = Header(3);
  int64_t from = 0, to = 0;
  REQUIRE(ParseRfc3339("2026-09-30T22:00:00Z", &from));  // local midnight starting October 1
  REQUIRE(ParseRfc3339("2026-10-31T23:00:00Z", &to));    // local midnight starting November 1
  h.from_us = from;
  h.to_us = to;
  std::vector<EventView> events = {
      MakeEvent(1, "2026-10-05T06:15:00Z", "procapita", "anna.a", "read",
                {{"vardenhet", "<b>Hemtjänst</b>"}}),
      MakeEvent(2, "2026-10-26T12:00:00Z", "treserva", "bo.b", "emergency_access"),
      MakeEvent(3, "2026-10-27T12:00:00Z", "cosmic", "c", "frobnicate")};
  events[2].fields[static_cast<size_t>(Field::kOutcome)] = "denied";
  std::string html = Render(ExtractFormat::kHtml, s, h, events);

  CHECK(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(html.find("<title>Logguttag</title>") != std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  CHECK(html.find("<dt>Personnummer</dt><dd>19650412-1234</dd>") != std::string::npos);
  CHECK(html.find("<dd>Från och med 2026-10-01 till och med 2026-10-31</dd>") != std::string::npos);
  CHECK(html.find("<dt>Antal åtkomster</dt><dd>3</dd>") != std::string::npos);
  CHECK(html.find("<dt>Utfärdat</dt><dd>2026-11-02 10:30:00</dd>") != std::string::npos);
  CHECK(html.find("<dt>Utfärdat av</dt><dd>Exempel kommun</dd>") != std::string::npos);
  CHECK(html.find("artikel 15") != std::string::npos);
  CHECK(html.find("8 kap. 5 §") != std::string::npos);
  // Local time (CEST, then CET after the 25th), the unit escaped, actions in Swedish, the user
  // only where shown.
  CHECK(html.find("<tr><td class=\"t\">2026-10-05 08:15:00</td><td>procapita</td>"
                  "<td>&lt;b&gt;Hemtjänst&lt;/b&gt;</td><td>Läsning</td><td>anna.a</td></tr>") !=
        std::string::npos);
  CHECK(html.find("<tr><td class=\"t\">2026-10-26 13:00:00</td><td>treserva</td>"
                  "<td>Socialtjänsten</td><td>Nödåtkomst</td><td>–</td></tr>") !=
        std::string::npos);
  CHECK(html.find("<td>frobnicate (nekad)</td>") != std::string::npos);
  CHECK(html.find("bo.b") == std::string::npos);
  CHECK(html.find("Tidpunkter anges i lokal tid (Europe/Stockholm).") != std::string::npos);
  // Nothing loaded from anywhere, nothing run.
  for (std::string_view outside : {"http:", "https:", "//", "<script", "<link", "src=", "url("}) {
    INFO(outside);
    CHECK(html.find(outside) == std::string::npos);
  }
  CHECK(html.ends_with("</html>\n"));
}

TEST_CASE("the HTML extract in English, empty, open-ended and limited to some systems",
          "[query][extract]") {
  ExtractSettings s;
  ExtractHeader h = Header(0);
  h.subject = "196504721231";  // samordningsnummer (day 12 + 60)
  h.lang = ExtractLang::kEn;
  h.scope = {"procapita"};
  std::string html = Render(ExtractFormat::kHtml, s, h, {});
  CHECK(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  CHECK(html.find("<title>Log extract</title>") != std::string::npos);
  CHECK(html.find("<dt>Coordination number</dt><dd>19650472-1231</dd>") != std::string::npos);
  CHECK(html.find("<dd>From the start of the log until the time of issue</dd>") !=
        std::string::npos);
  CHECK(html.find("<dt>Number of accesses</dt><dd>0</dd>") != std::string::npos);
  CHECK(html.find("No accesses were recorded in the period.") != std::string::npos);
  CHECK(html.find("<table>") == std::string::npos);
  CHECK(html.find("This extract covers only these systems: procapita.") != std::string::npos);
  CHECK(html.find("The identities of individual employees are not shown.") != std::string::npos);
  CHECK(html.find("Times are local time (UTC).") != std::string::npos);
}

TEST_CASE("the extract's path and subject are checked before anything is read",
          "[query][extract]") {
  std::string subject;
  REQUIRE(ExtractSubjectFromPath("/v1/subjects/650412+1234/extract", &subject));
  CHECK(subject == "650412+1234");
  CHECK(ExtractSubjectFromPath("/v1/subjects//extract", &subject));
  CHECK(subject == "");
  CHECK_FALSE(ExtractSubjectFromPath("/v1/subjects/19650412-1234", &subject));
  CHECK_FALSE(ExtractSubjectFromPath("/v1/subjects/19650412-1234/extract/x", &subject));
  CHECK_FALSE(ExtractSubjectFromPath("/v1/subjects/extract", &subject));

  int64_t now = 0;
  REQUIRE(ParseRfc3339("2026-11-02T09:30:00Z", &now));
  for (std::string_view ok : {"19650412-1234", "196504121234", "650412-1234", "6504121234",
                              "650412+1234", "19650472-1231", "patient:4711", "ABC-123"}) {
    INFO(ok);
    CHECK(CheckExtractSubject(ok, now).ok());
  }
  for (std::string_view bad : {"19650412-1235", "650412-1235", "196513121234", ""}) {
    INFO(bad);
    CHECK(CheckExtractSubject(bad, now).IsInvalidArgument());
    CHECK(CheckExtractSubject(bad, now).message().starts_with("subject: "));
  }
  CHECK(DisplaySubject("196504121234") == "19650412-1234");
  CHECK(DisplaySubject("patient:4711") == "patient:4711");
}

}  // namespace
}  // namespace spard
