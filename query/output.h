// Rendering stored events for API answers: JSON objects (for json and ndjson) and CSV rows.
//
// An event in JSON:
//   {"id":17,"ts":"2026-10-05T08:15:00Z","received":"2026-10-05T08:15:00.250Z",
//    "system":"procapita","user":"anna","action":"read","object":"procapita:000123",
//    "subject":"19650412-1234","outcome":"success","client_ip":"10.0.0.7","host":"app01",
//    "reason":null,"attrs":{"unit":"Hemtjänst Norr"},"format":"rfc5424",
//    "source":{"listener":"tcp","peer":"10.0.0.7:51234"},"truncated":false,"raw":"<34>1 ..."}
// Canonical fields are always present, null when the event lacks them. Strings that are not
// valid UTF-8 show the offending bytes as \xNN (common/json_writer.h); "raw" is the message as
// received (the exact bytes are in the store).
//
// Thread-safety: pure functions.

#pragma once

#include <string>
#include <string_view>

#include "common/json_writer.h"
#include "store/event_codec.h"

namespace spard {

void WriteEventJson(JsonWriter* w, const EventView& e);

// One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF. kProtectFormulas: a value
// starting with = + - @ TAB or CR gets a leading ' first, so that a spreadsheet shows it as
// text instead of running it as a formula (CSV injection). Events keep their values exact
// (kAsIs); documents meant for spreadsheets, such as the log extract, protect.
enum class CsvCell { kAsIs, kProtectFormulas };
void AppendCsvField(std::string* out, std::string_view value, CsvCell mode = CsvCell::kAsIs);

// The CSV header line (with CRLF), and one row per event (RFC 4180 quoting, CRLF).
std::string_view CsvHeader();
void AppendEventCsv(std::string* out, const EventView& e);

}  // namespace spard
