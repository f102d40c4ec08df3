#include "query/output.h"

#include "common/time_format.h"

namespace spard {

namespace {

std::string AttrsJson(const EventView& e) {
  std::string s;
  JsonWriter w(&s);
  w.StartObject();
  for (const auto& [k, v] : e.attrs) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  return s;
}

}  // namespace

void AppendCsvField(std::string* out, std::string_view v, CsvCell mode) {
  const bool formula =
      mode == CsvCell::kProtectFormulas && !v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r');
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote && !formula) {
    out->append(v);
    return;
  }
  if (!quote) {
    out->push_back('\'');
    out->append(v);
    return;
  }
  out->push_back('"');
  if (formula) out->push_back('\'');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void WriteEventJson(JsonWriter* w, const EventView& e) {
  w->StartObject();
  w->Key("id");
  w->Uint(e.id);
  w->Key("ts");
  w->String(FormatRfc3339(e.ts_us));
  w->Key("received");
  w->String(FormatRfc3339(e.received_us));
  for (Field f : kAllFields) {
    w->Key(FieldName(f));
    std::string_view v = e.field(f);
    if (v.empty()) {
      w->Null();
    } else {
      w->String(v);
    }
  }
  w->Key("attrs");
  w->StartObject();
  for (const auto& [k, v] : e.attrs) {
    w->Key(k);
    w->String(v);
  }
  w->EndObject();
  w->Key("format");
  w->String(FormatName(e.format));
  w->Key("source");
  w->StartObject();
  w->Key("listener");
  w->String(ListenerName(e.listener));
  w->Key("peer");
  w->String(e.peer);
  w->EndObject();
  w->Key("truncated");
  w->Bool((e.flags & kEventFlagTruncated) != 0);
  w->Key("raw");
  w->String(e.raw);
  w->EndObject();
}

std::string_view CsvHeader() {
  return "id,ts,received,system,user,action,object,subject,outcome,client_ip,host,reason,attrs\r\n";
}

void AppendEventCsv(std::string* out, const EventView& e) {
  out->append(std::to_string(e.id));
  out->push_back(',');
  AppendRfc3339(out, e.ts_us);
  out->push_back(',');
  AppendRfc3339(out, e.received_us);
  for (Field f : kAllFields) {
    out->push_back(',');
    AppendCsvField(out, EscapeInvalidUtf8(e.field(f)));
  }
  out->push_back(',');
  AppendCsvField(out, AttrsJson(e));
  out->append("\r\n");
}

}  // namespace spard
