#include "query/extract_document.h"

#include <date/date.h>
#include <fmt/format.h>

#include <chrono>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "query/output.h"

namespace spard {

namespace {

constexpr std::string_view kAttrsPrefix = "attrs.";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string_view AttrValue(const EventView& e, std::string_view key) {
  for (const auto& [k, v] : e.attrs) {
    if (k == key) return v;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Local time for the HTML.

struct LocalParts {
  int year, month, day, hour, minute, second;
};

class LocalClock {
 public:
  explicit LocalClock(const date::time_zone* zone) : zone_(zone) {}

  LocalParts Parts(int64_t us) {
    using namespace std::chrono;
    int64_t s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    if (zone_ != nullptr && (s < begin_s_ || s >= end_s_)) {
      date::sys_info info = zone_->get_info(date::sys_seconds(seconds(s)));
      begin_s_ = info.begin.time_since_epoch().count();
      end_s_ = info.end.time_since_epoch().count();
      offset_s_ = info.offset.count();
    }
    int64_t local = s + (zone_ != nullptr ? offset_s_ : 0);
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t in_day = local - days * 86400;
    date::year_month_day ymd{date::sys_days(date::days(days))};
    return {static_cast<int>(ymd.year()),          static_cast<int>(unsigned(ymd.month())),
            static_cast<int>(unsigned(ymd.day())), static_cast<int>(in_day / 3600),
            static_cast<int>(in_day / 60 % 60),    static_cast<int>(in_day % 60)};
  }

  std::string DateTime(int64_t us) {
    LocalParts p = Parts(us);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", p.year, p.month, p.day, p.hour,
                       p.minute, p.second);
  }
  std::string Date(int64_t us) {
    LocalParts p = Parts(us);
    return fmt::format("{:04}-{:02}-{:02}", p.year, p.month, p.day);
  }
  // True at local midnight exactly: a period bound given as a date.
  bool IsMidnight(int64_t us) {
    LocalParts p = Parts(us);
    return us % 1000000 == 0 && p.hour == 0 && p.minute == 0 && p.second == 0;
  }
  // The local date of the day before the one that starts at `us` (an exclusive bound shown as
  // an inclusive date).
  std::string DayBefore(int64_t us) { return Date(us - 1); }

 private:
  const date::time_zone* zone_;
  int64_t begin_s_ = 1, end_s_ = 0, offset_s_ = 0;
};

// ---------------------------------------------------------------------------------------------
// JSON and NDJSON.

void WriteAccessJson(JsonWriter* w, const ExtractAccess& a) {
  auto nullable = [w](std::string_view v) {
    if (v.empty()) {
      w->Null();
    } else {
      w->String(v);
    }
  };
  w->StartObject();
  w->Key("ts");
  w->String(FormatRfc3339(a.ts_us));
  w->Key("system");
  w->String(a.system);
  w->Key("unit");
  nullable(a.unit);
  w->Key("action");
  nullable(a.action);
  w->Key("outcome");
  nullable(a.outcome);
  if (a.show_user) {
    w->Key("user");
    nullable(a.user);
  }
  w->Key("id");
  w->Uint(a.id);
  w->EndObject();
}

class JsonExtractWriter final : public ExtractWriter {
 public:
  explicit JsonExtractWriter(ExtractHeader header) : header_(std::move(header)) {}

  void Begin(std::string* out) override {
    std::string head;
    JsonWriter w(&head);
    w.StartObject();
    w.Key("subject");
    w.String(header_.subject);
    w.Key("from");
    WriteTime(&w, header_.from_us);
    w.Key("to");
    WriteTime(&w, header_.to_us);
    w.Key("issued");
    w.String(FormatRfc3339(header_.issued_us));
    w.Key("scope");
    if (header_.scope.empty()) {
      w.Null();
    } else {
      w.StartArray();
      for (const std::string& s : header_.scope) w.String(s);
      w.EndArray();
    }
    w.Key("count");
    w.Uint(header_.count);
    w.Key("accesses");
    w.StartArray();
    w.EndArray();
    w.EndObject();
    // The rows follow inside the array: keep the document open after its '['.
    head.resize(head.size() - 2);
    out->append(head);
  }

  void Add(const ExtractAccess& access, std::string* out) override {
    if (!first_) out->push_back(',');
    first_ = false;
    row_.Reset(out);
    WriteAccessJson(&row_, access);
  }

  void End(std::string* out) override { out->append("]}"); }

 private:
  static void WriteTime(JsonWriter* w, const std::optional<int64_t>& us) {
    if (us) {
      w->String(FormatRfc3339(*us));
    } else {
      w->Null();
    }
  }

  ExtractHeader header_;
  bool first_ = true;
  std::string unused_;
  JsonWriter row_{&unused_};  // reset onto each piece
};

class NdjsonExtractWriter final : public ExtractWriter {
 public:
  void Begin(std::string*) override {}
  void Add(const ExtractAccess& access, std::string* out) override {
    row_.Reset(out);
    WriteAccessJson(&row_, access);
    out->push_back('\n');
  }
  void End(std::string*) override {}

 private:
  std::string unused_;
  JsonWriter row_{&unused_};  // reset onto each piece
};

// ---------------------------------------------------------------------------------------------
// CSV.

class CsvExtractWriter final : public ExtractWriter {
 public:
  void Begin(std::string* out) override {
    out->append("ts,system,unit,action,outcome,user,id\r\n");
  }

  void Add(const ExtractAccess& a, std::string* out) override {
    AppendRfc3339(out, a.ts_us);
    for (std::string_view v :
         {a.system, a.unit, a.action, a.outcome, a.show_user ? a.user : std::string_view()}) {
      out->push_back(',');
      if (IsValidUtf8(v)) {
        AppendCsvField(out, v, CsvCell::kProtectFormulas);
      } else {
        AppendCsvField(out, EscapeInvalidUtf8(v), CsvCell::kProtectFormulas);
      }
    }
    out->push_back(',');
    out->append(std::to_string(a.id));
    out->append("\r\n");
  }

  void End(std::string*) override {}
};

// ---------------------------------------------------------------------------------------------
// HTML.

struct HtmlTexts {
  std::string_view lang;
  std::string_view title;
  std::string_view subtitle;
  std::string_view personnummer, samordningsnummer, identity;
  std::string_view period, accesses, issued, issuer;
  std::string_view from_start, from_date, to_issue, to_date, before;
  std::string_view explanation;
  std::string_view users_none, users_some, users_all;
  std::string_view scope;
  std::string_view none;
  std::string_view col_time, col_system, col_unit, col_action, col_user;
  std::string_view times_in;
  std::string_view denied, failure;
};

constexpr HtmlTexts kSwedish = {
    .lang = "sv",
    .title = "Logguttag",
    .subtitle = "Åtkomst till uppgifter om dig i våra verksamhetssystem",
    .personnummer = "Personnummer",
    .samordningsnummer = "Samordningsnummer",
    .identity = "Identitet",
    .period = "Period",
    .accesses = "Antal åtkomster",
    .issued = "Utfärdat",
    .issuer = "Utfärdat av",
    .from_start = "från loggens början",
    .from_date = "från och med",
    .to_issue = "till utfärdandet",
    .to_date = "till och med",
    .before = "före",
    .explanation =
        "Det här logguttaget visar när uppgifter om dig har använts i våra verksamhetssystem: "
        "vid vilken tidpunkt, i vilket system, av vilken enhet och vad som gjordes, till exempel "
        "läsning eller ändring. Du har rätt att få ta del av detta enligt artikel 15 i "
        "dataskyddsförordningen (GDPR) och, för uppgifter i patientjournaler, enligt 8 kap. 5 § "
        "patientdatalagen (2008:355). Uttaget omfattar de loggar som finns sparade när det "
        "utfärdas; äldre loggar gallras enligt gällande regler.",
    .users_none = "Enskilda medarbetares identitet redovisas inte.",
    .users_some =
        "Användarkonto redovisas för de system där verksamheten har beslutat det; "
        "för övriga visas –.",
    .users_all = "Användarkontot som gjorde åtkomsten redovisas i kolumnen Användare.",
    .scope = "Uttaget omfattar endast följande system:",
    .none = "Inga åtkomster finns registrerade under perioden.",
    .col_time = "Tidpunkt",
    .col_system = "System",
    .col_unit = "Enhet",
    .col_action = "Åtgärd",
    .col_user = "Användare",
    .times_in = "Tidpunkter anges i lokal tid",
    .denied = "nekad",
    .failure = "misslyckad",
};

constexpr HtmlTexts kEnglish = {
    .lang = "en",
    .title = "Log extract",
    .subtitle = "Access to information about you in our information systems",
    .personnummer = "Personal identity number",
    .samordningsnummer = "Coordination number",
    .identity = "Identity",
    .period = "Period",
    .accesses = "Number of accesses",
    .issued = "Issued",
    .issuer = "Issued by",
    .from_start = "from the start of the log",
    .from_date = "from",
    .to_issue = "until the time of issue",
    .to_date = "up to and including",
    .before = "before",
    .explanation =
        "This log extract shows when information about you was used in our information systems: "
        "at what time, in which system, by which unit and what was done, for example reading or "
        "changing it. You are entitled to this information under Article 15 of the General Data "
        "Protection Regulation (GDPR) and, for patient records, under Chapter 8, Section 5 of "
        "the Swedish Patient Data Act (2008:355). The extract covers the logs stored when it is "
        "issued; older logs are purged under the applicable rules.",
    .users_none = "The identities of individual employees are not shown.",
    .users_some =
        "The user account is shown for the systems where this has been decided; "
        "– for the others.",
    .users_all = "The user account that made each access is shown in the User column.",
    .scope = "This extract covers only these systems:",
    .none = "No accesses were recorded in the period.",
    .col_time = "Time",
    .col_system = "System",
    .col_unit = "Unit",
    .col_action = "Action",
    .col_user = "User",
    .times_in = "Times are local time",
    .denied = "denied",
    .failure = "failed",
};

// The action vocabulary of DOMAIN.md in words a reader understands; anything else as logged.
std::string_view ActionWords(std::string_view action, ExtractLang lang) {
  struct Words {
    std::string_view action, sv, en;
  };
  static constexpr Words kWords[] = {
      {"read", "Läsning", "Read"},
      {"view", "Läsning", "Read"},
      {"search", "Sökning", "Search"},
      {"create", "Registrering", "Create"},
      {"update", "Ändring", "Update"},
      {"delete", "Radering", "Delete"},
      {"print", "Utskrift", "Print"},
      {"export", "Export", "Export"},
      {"disclose", "Utlämnande", "Disclosure"},
      {"copy", "Kopiering", "Copy"},
      {"emergency_access", "Nödåtkomst", "Emergency access"},
  };
  for (const Words& w : kWords) {
    if (w.action == action) return lang == ExtractLang::kSv ? w.sv : w.en;
  }
  return action;
}

constexpr std::string_view kStyle =
    "@page{size:A4;margin:18mm 15mm}"
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
    "sans-serif;color:#111;background:#fff;margin:2rem auto;max-width:60rem;padding:0 1rem;"
    "line-height:1.45}"
    "h1{font-size:1.7rem;margin:0}"
    ".subtitle{margin:.2rem 0 1.2rem;color:#333}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.3rem 1.2rem;margin:0 0 1.2rem}"
    "dt{font-weight:600}dd{margin:0}"
    "p{max-width:48rem}"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin-top:1rem}"
    "th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #bbb;vertical-align:top}"
    "thead th{border-bottom:2px solid #111}"
    "tbody tr:nth-child(even){background:#f3f3f3}"
    "td.t{white-space:nowrap;font-variant-numeric:tabular-nums}"
    "footer{margin-top:1.5rem;font-size:.85rem;color:#333}"
    "@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}"
    "thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}"
    "tbody tr:nth-child(even){background:none}}";

class HtmlExtractWriter final : public ExtractWriter {
 public:
  HtmlExtractWriter(const ExtractSettings& settings, ExtractHeader header)
      : settings_(settings),
        header_(std::move(header)),
        t_(header_.lang == ExtractLang::kSv ? kSwedish : kEnglish),
        clock_(settings.zone),
        user_column_(settings.AnyShowsUser()) {}

  void Begin(std::string* out) override {
    std::string& o = *out;
    o += "<!DOCTYPE html>\n<html lang=\"";
    o += t_.lang;
    o += "\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"spard\">\n<title>";
    Text(&o, t_.title);
    o += "</title>\n<style>";
    o += kStyle;
    o += "</style>\n</head>\n<body>\n<header>\n<h1>";
    Text(&o, t_.title);
    o += "</h1>\n<p class=\"subtitle\">";
    Text(&o, t_.subtitle);
    o += "</p>\n</header>\n<dl>\n";
    Fact(&o, SubjectLabel(), DisplaySubject(header_.subject));
    Fact(&o, t_.period, PeriodText());
    Fact(&o, t_.accesses, std::to_string(header_.count));
    Fact(&o, t_.issued, clock_.DateTime(header_.issued_us));
    if (!settings_.issuer.empty()) Fact(&o, t_.issuer, settings_.issuer);
    o += "</dl>\n<p>";
    Text(&o, t_.explanation);
    o += ' ';
    Text(&o, !user_column_ ? t_.users_none : AllSystemsShowUser() ? t_.users_all : t_.users_some);
    o += "</p>\n";
    if (!header_.scope.empty()) {
      o += "<p>";
      Text(&o, t_.scope);
      o += ' ';
      for (size_t i = 0; i < header_.scope.size(); ++i) {
        if (i > 0) o += ", ";
        Text(&o, header_.scope[i]);
      }
      o += ".</p>\n";
    }
    if (header_.count == 0) {
      o += "<p><strong>";
      Text(&o, t_.none);
      o += "</strong></p>\n";
      return;
    }
    o += "<table>\n<thead><tr><th scope=\"col\">";
    Text(&o, t_.col_time);
    o += "</th><th scope=\"col\">";
    Text(&o, t_.col_system);
    o += "</th><th scope=\"col\">";
    Text(&o, t_.col_unit);
    o += "</th><th scope=\"col\">";
    Text(&o, t_.col_action);
    if (user_column_) {
      o += "</th><th scope=\"col\">";
      Text(&o, t_.col_user);
    }
    o += "</th></tr></thead>\n<tbody>\n";
    table_open_ = true;
  }

  void Add(const ExtractAccess& a, std::string* out) override {
    std::string& o = *out;
    o += "<tr><td class=\"t\">";
    o += clock_.DateTime(a.ts_us);
    o += "</td><td>";
    Text(&o, a.system);
    o += "</td><td>";
    Text(&o, a.unit.empty() ? std::string_view("–") : a.unit);
    o += "</td><td>";
    Text(&o, ActionWords(a.action, header_.lang));
    if (!a.outcome.empty() && a.outcome != "success") {
      o += " (";
      Text(&o, a.outcome == "denied" ? t_.denied : a.outcome == "failure" ? t_.failure : a.outcome);
      o += ')';
    }
    if (user_column_) {
      o += "</td><td>";
      Text(&o, a.show_user && !a.user.empty() ? a.user : std::string_view("–"));
    }
    o += "</td></tr>\n";
  }

  void End(std::string* out) override {
    std::string& o = *out;
    if (table_open_) o += "</tbody>\n</table>\n";
    o += "<footer><p>";
    Text(&o, t_.times_in);
    o += " (";
    Text(&o, settings_.zone != nullptr ? std::string_view(settings_.zone->name()) : "UTC");
    o += ").</p></footer>\n</body>\n</html>\n";
  }

 private:
  static void Text(std::string* out, std::string_view s) { AppendHtmlEscaped(out, s); }

  static void Fact(std::string* out, std::string_view label, std::string_view value) {
    *out += "<dt>";
    Text(out, label);
    *out += "</dt><dd>";
    Text(out, value);
    *out += "</dd>\n";
  }

  std::string_view SubjectLabel() const {
    const std::string& s = header_.subject;
    if (s.size() != 12 || s.find_first_not_of("0123456789") != std::string::npos) {
      return t_.identity;
    }
    return s[6] >= '6' ? t_.samordningsnummer : t_.personnummer;
  }

  bool AllSystemsShowUser() const {
    if (!settings_.show_user) return false;
    for (const auto& [name, system] : settings_.systems) {
      if (system.show_user && !*system.show_user) return false;
    }
    return true;
  }

  std::string PeriodText() {
    std::string from;
    if (!header_.from_us) {
      from = t_.from_start;
    } else {
      from = fmt::format("{} {}", t_.from_date,
                         clock_.IsMidnight(*header_.from_us) ? clock_.Date(*header_.from_us)
                                                             : clock_.DateTime(*header_.from_us));
    }
    std::string to;
    if (!header_.to_us) {
      to = t_.to_issue;
    } else if (clock_.IsMidnight(*header_.to_us)) {
      to = fmt::format("{} {}", t_.to_date, clock_.DayBefore(*header_.to_us));
    } else {
      to = fmt::format("{} {}", t_.before, clock_.DateTime(*header_.to_us));
    }
    std::string text = from + " " + to;
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
      text[0] = static_cast<char>(text[0] - 32);
    return text;
  }

  const ExtractSettings& settings_;
  ExtractHeader header_;
  const HtmlTexts& t_;
  LocalClock clock_;
  const bool user_column_;
  bool table_open_ = false;
};

}  // namespace

bool ExtractSettings::AnyShowsUser() const {
  if (show_user) return true;
  for (const auto& [name, system] : systems) {
    if (system.show_user.value_or(false)) return true;
  }
  return false;
}

ExtractAccess ResolveAccess(const ExtractSettings& settings, const EventView& event) {
  ExtractAccess a;
  a.id = event.id;
  a.ts_us = event.ts_us;
  a.system = event.field(Field::kSystem);
  a.action = event.field(Field::kAction);
  a.outcome = event.field(Field::kOutcome);
  a.user = event.field(Field::kUser);

  const ExtractSettings::System* system = nullptr;
  if (auto it = settings.systems.find(a.system); it != settings.systems.end()) {
    system = &it->second;
  }
  a.show_user = system != nullptr && system->show_user ? *system->show_user : settings.show_user;
  std::string_view field = system != nullptr && system->unit_field
                               ? std::string_view(*system->unit_field)
                               : std::string_view(settings.unit_field);
  if (field.starts_with(kAttrsPrefix)) a.unit = AttrValue(event, field.substr(kAttrsPrefix.size()));
  if (a.unit.empty()) {
    a.unit = system != nullptr && system->unit ? std::string_view(*system->unit)
                                               : std::string_view(settings.unit);
  }
  return a;
}

std::string_view ExtractContentType(ExtractFormat format) {
  switch (format) {
    case ExtractFormat::kJson:
      return "application/json";
    case ExtractFormat::kNdjson:
      return "application/x-ndjson";
    case ExtractFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ExtractFormat::kHtml:
      break;
  }
  return "text/html; charset=utf-8";
}

std::unique_ptr<ExtractWriter> NewExtractWriter(ExtractFormat format,
                                                const ExtractSettings& settings,
                                                ExtractHeader header) {
  switch (format) {
    case ExtractFormat::kJson:
      return std::make_unique<JsonExtractWriter>(std::move(header));
    case ExtractFormat::kNdjson:
      return std::make_unique<NdjsonExtractWriter>();
    case ExtractFormat::kCsv:
      return std::make_unique<CsvExtractWriter>();
    case ExtractFormat::kHtml:
      break;
  }
  return std::make_unique<HtmlExtractWriter>(settings, std::move(header));
}

void AppendHtmlEscaped(std::string* out, std::string_view text) {
  std::string escaped;
  if (!IsValidUtf8(text)) {
    escaped = EscapeInvalidUtf8(text);
    text = escaped;
  }
  // `text` is valid UTF-8 here, so multi-byte patterns can be matched byte by byte.
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    auto next = [&](size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
    };
    switch (c) {
      case '&':
        *out += "&amp;";
        continue;
      case '<':
        *out += "&lt;";
        continue;
      case '>':
        *out += "&gt;";
        continue;
      case '"':
        *out += "&quot;";
        continue;
      case '\'':
        *out += "&#39;";
        continue;
      case '\t':
      case '\n':
        out->push_back(static_cast<char>(c));
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      *out += kReplacement;
    } else if (c == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) {  // C1 controls
      *out += kReplacement;
      i += 1;
    } else if (c == 0xE2 && ((next(1) == 0x80 && next(2) >= 0xAA && next(2) <= 0xAE) ||
                             (next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9))) {
      *out += kReplacement;  // U+202A-U+202E, U+2066-U+2069: bidirectional overrides
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

std::string DisplaySubject(std::string_view normal) {
  if (normal.size() == 12 && normal.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::string(normal.substr(0, 8)) + "-" + std::string(normal.substr(8));
  }
  return std::string(normal);
}

}  // namespace spard
