// The log extract (logguttag) of one person as a document: which of an event's fields a row
// shows (the unit, and the user only where the system's setting allows), and the writers that
// render the rows as JSON, NDJSON, CSV or a printable HTML page, piece by piece so that an
// extract of any length streams in bounded memory. docs/extract.md describes every format.
//
//   JSON    {"subject":S,"from":T|null,"to":T|null,"issued":T,"scope":[SYSTEM...]|null,
//            "count":N,"accesses":[ACCESS...]}
//   ACCESS  {"ts":T,"system":S,"unit":S|null,"action":S|null,"outcome":S|null,["user":S,]"id":N}
//           "user" is present only for systems whose setting shows it
//   NDJSON  one ACCESS per line, nothing else
//   CSV     ts,system,unit,action,outcome,user,id (RFC 4180, CRLF; text cells that a
//           spreadsheet would run as a formula get a leading ')
//   HTML    a self-contained page in Swedish or English: title, person, period, number of
//           accesses, issue date, an explanation (GDPR art. 15, PDL 8 kap. 5 §), the table
//
// Times are RFC 3339 UTC in JSON and CSV, local time of ExtractSettings::zone in HTML.
//
// Thread-safety: ExtractSettings is immutable after set-up and may be shared; a writer is used
// by one thread at a time.

#pragma once

#include <date/tz.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/event_codec.h"

namespace spard {

// What an extract shows, per system (from the [extract] table of the configuration).
struct ExtractSettings {
  struct System {
    std::optional<bool> show_user;
    std::optional<std::string> unit_field;  // "attrs.KEY" or ""
    std::optional<std::string> unit;
  };

  bool show_user = false;
  std::string unit_field = "attrs.unit";  // "attrs.KEY", or "" for none
  std::string unit;                       // when the event has no unit in unit_field
  std::map<std::string, System, std::less<>> systems;
  const date::time_zone* zone = nullptr;  // times in HTML; nullptr: UTC
  std::string issuer;                     // printed at the top of the HTML; may be empty

  // True when some system's rows show the user (the HTML then has a user column).
  bool AnyShowsUser() const;
};

// One row of an extract. Views into the event and the settings.
struct ExtractAccess {
  uint64_t id = 0;
  int64_t ts_us = 0;
  std::string_view system;
  std::string_view unit;  // empty: not known
  std::string_view action;
  std::string_view outcome;
  bool show_user = false;
  std::string_view user;  // only meaningful with show_user
};

// The row for `event`: its unit from the system's unit_field (an attribute), else the system's
// static unit; its user only when the system's show_user (else the global one) is true.
ExtractAccess ResolveAccess(const ExtractSettings& settings, const EventView& event);

enum class ExtractFormat { kJson, kNdjson, kCsv, kHtml };
enum class ExtractLang { kSv, kEn };

// The Content-Type of an answer in `format`.
std::string_view ExtractContentType(ExtractFormat format);

// What the document says about itself.
struct ExtractHeader {
  std::string subject;             // normal form (12 digits for a personnummer)
  std::optional<int64_t> from_us;  // inclusive; none: from the start of the log
  std::optional<int64_t> to_us;    // exclusive; none: up to the time of issue
  int64_t issued_us = 0;
  uint64_t count = 0;              // accesses that follow
  std::vector<std::string> scope;  // the only systems covered; empty: every system
  ExtractLang lang = ExtractLang::kSv;
};

// Renders one extract: Begin() once, Add() per access (oldest first), End() once; each appends
// to *out. The writer emits exactly what it is given; `header.count` is what it announces.
class ExtractWriter {
 public:
  virtual ~ExtractWriter() = default;
  virtual void Begin(std::string* out) = 0;
  virtual void Add(const ExtractAccess& access, std::string* out) = 0;
  virtual void End(std::string* out) = 0;
};

// `settings` must outlive the writer.
std::unique_ptr<ExtractWriter> NewExtractWriter(ExtractFormat format,
                                                const ExtractSettings& settings,
                                                ExtractHeader header);

// Text for HTML element content and attribute values: & < > " ' as entities; bytes that are not
// UTF-8 as \xNN; control characters and bidirectional overrides (which could reorder a printed
// line) as U+FFFD.
void AppendHtmlEscaped(std::string* out, std::string_view text);

// "19650412-1234" for a 12-digit normal form, anything else as it is.
std::string DisplaySubject(std::string_view normal);

}  // namespace spard
