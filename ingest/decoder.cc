// Decoder: format detection, parsing, mapping, and the required-field check.
//
// Detection looks at the first byte that is not whitespace:
//   '{'                        JSON (NDJSON line)
//   "<PRI>1 " (1-3 digits)     RFC 5424
//   any other '<'              RFC 3164 (its PRI is checked by the parser)
//   "CEF:"                     CEF without a syslog header
//   a BSD or ISO timestamp     RFC 3164 without PRI (lines read back from syslog files)
//   anything else              "unsupported format"
// Inside a syslog MSG (after leading spaces): "CEF:" is CEF (the event's format is then cef and
// the syslog header fills ts and host where CEF does not); "@cee:" then a JSON object, or a
// bare JSON object, is flattened and mapped like NDJSON (a bare '{' that is not valid JSON is
// plain text); otherwise key=value pairs are taken from the text. Parsing runs on the Event's
// own copy of the message, so every value that occurs verbatim in the message is stored as a
// slice of Event::raw(), not copied.
//
// Mapping: the parsed values are offered to a FieldResolver (ingest/mapping.h). Without
// per-system mappings that is one pass over the default index, as it always was. With them, the
// mapping is selected after parsing (app names, the message, and — only when some mapping has
// match_system — the system a first pass with the default index found); no mapping selected
// means that first pass is the result. A selected mapping's index gets the offers again, then
// its first matching RE2 rule's named groups and its static values.
//
// Attributes, in order: syslog header fields no target took (timestamp, hostname, app_name /
// tag, mnemonic), procid, msgid, sequence; SD params not taken; then the MSG payload's
// leftovers (key=value pairs; JSON pairs; CEF header fields by ArcSight name and extensions by
// key or label); then "msg", the MSG text, for text payloads only. Under a per-system mapping
// then: the matching rule's attrs_X groups, the static attributes the message lacks, and
// "spard.mapping" (kMappingAttr), the mapping's name.
//
// Quarantine reasons, stable prefixes first (the quarantine API filters on them):
//   "empty message"                       only whitespace (after framing)
//   "unsupported format"                  none of the above
//   "json: <detail>"                      the JSON parser's error
//   "rfc5424: <detail> at byte N"         the RFC 5424 parser's error
//   "rfc3164: <detail> at byte N"         the RFC 3164 parser's error (PRI, TIMESTAMP values)
//   "rfc3164: bad @cee JSON: <detail>"    (and "rfc5424: ...") "@cee:" not followed by JSON
//   "cef: <detail> at byte N"             the CEF parser's error, N counted from "CEF:"
//   "bad ts: \"<value>\""                 a ts candidate that is neither RFC 3339 nor epoch
//                                         (nor, for CEF, a CEF date)
//   "missing field: ts, user, object"     required fields absent (any subset, this order)
//   "reserved system: spard"              system "spard" is spard's own audit trail: no sender
//                                         may write into it
// Problems about fields are joined with "; ". A parse error of a truncated message ends with
// " (message truncated)"; field problems of a message a per-system mapping took end with
// " (mapping NAME)".

#include "ingest/decoder.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time_format.h"
#include "ingest/cef_parser.h"
#include "ingest/json_flattener.h"
#include "ingest/kv_parser.h"
#include "ingest/local_time.h"
#include "ingest/mapping.h"
#include "ingest/mapping_set.h"
#include "ingest/rfc3164_parser.h"
#include "ingest/rfc5424_parser.h"

namespace spard {

static_assert(Event::kRawPadding >= kJsonPadding, "Event::raw() must be parsable in place");

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The part of a message the parsers see: leading whitespace and trailing line ends (LF, CR,
// NUL, as UDP senders append them) removed. Raw keeps them.
std::string_view Body(std::string_view message) {
  size_t begin = 0;
  while (begin < message.size() && IsSpace(message[begin])) ++begin;
  size_t end = message.size();
  while (end > begin &&
         (message[end - 1] == '\n' || message[end - 1] == '\r' || message[end - 1] == '\0')) {
    --end;
  }
  return message.substr(begin, end - begin);
}

// "<" 1*3DIGIT ">1 " at the start: RFC 5424 (the parser then checks the PRI range).
bool LooksLikeRfc5424(std::string_view s) {
  if (s.empty() || s[0] != '<') return false;
  size_t i = 1;
  while (i < s.size() && i <= 3 && IsDigit(s[i])) ++i;
  return i > 1 && s.size() >= i + 3 && s[i] == '>' && s[i + 1] == '1' && s[i + 2] == ' ';
}

// An epoch timestamp written as a (JSON) number: seconds when below 1e11, milliseconds below
// 1e14, else microseconds; fractions and exponents allowed; sub-microsecond digits truncated.
// Exact decimal arithmetic, no floating point.
bool ParseEpochNumber(std::string_view s, int64_t* out_us) {
  if (s.empty() || s.size() > 64) return false;
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) ++i;
  char digits[64];
  int ndigits = 0;   // significant digits, leading zeros dropped
  int exponent = 0;  // value = digits * 10^exponent
  bool any = false;
  while (i < s.size() && IsDigit(s[i])) {
    any = true;
    if (ndigits > 0 || s[i] != '0') digits[ndigits++] = s[i];
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && IsDigit(s[i])) {
      if (ndigits > 0 || s[i] != '0') digits[ndigits++] = s[i];
      --exponent;
      ++i;
    }
    if (i == start) return false;
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    const size_t start = i;
    int e = 0;
    while (i < s.size() && IsDigit(s[i])) {
      if (i - start >= 4) return false;
      e = e * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start) return false;
    exponent += exp_negative ? -e : e;
  }
  if (i != s.size()) return false;
  if (ndigits == 0) {
    *out_us = 0;
    return true;
  }
  const int magnitude = ndigits + exponent;  // digits before the decimal point
  const int unit_shift = magnitude <= 11 ? 6 : magnitude <= 14 ? 3 : 0;
  const int keep = magnitude + unit_shift;  // integer digits of the value in µs
  if (keep > 18) return false;              // beyond int64 µs (year ~33658)
  int64_t us = 0;
  for (int k = 0; k < keep; ++k) us = us * 10 + (k < ndigits ? digits[k] - '0' : 0);
  *out_us = negative ? -us : us;
  return true;
}

// A ts value from any source: RFC 3339, else an epoch number (also as a string).
bool ParseTsValue(std::string_view text, int64_t* out_us) {
  return ParseRfc3339(text, out_us) || ParseEpochNumber(text, out_us);
}

// A value shown inside a reason: printable ASCII only, at most 64 bytes.
std::string Excerpt(std::string_view value) {
  std::string s;
  const size_t n = std::min<size_t>(value.size(), 64);
  for (size_t i = 0; i < n; ++i) {
    const char c = value[i];
    s.push_back(c >= 32 && c <= 126 && c != '"' ? c : '?');
  }
  if (value.size() > n) s += "...";
  return s;
}

constexpr std::array<Target, 3> kRequired = {Target::kTs, Target::kUser, Target::kObject};

constexpr std::string_view kCee = "@cee:";
constexpr std::string_view kCefPrefix = "CEF:";

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

}  // namespace

struct Decoder::Impl {
  explicit Impl(const DecoderOptions& o) : options(o), index(DefaultMapping()), resolver(&index) {
    if (options.mappings != nullptr && options.mappings->size() > 0) {
      mappings = options.mappings.get();
      submatch.resize(static_cast<size_t>(mappings->max_submatches()));
    }
    auto loaded = LocalTimeZone::Load(options.rfc3164_timezone);
    if (loaded.ok()) {
      zone = std::move(loaded).value();
    } else {
      zone_status = loaded.status();
      zone = LocalTimeZone::Utc();
    }
  }

  // A syslog header field offered under Source::kSyslogHeader: origin = its index.
  struct HeaderField {
    std::string_view name;  // the mapping's name ("TIMESTAMP")
    std::string_view attr;  // the attribute key when no target takes it ("timestamp")
    std::string_view value;
  };
  static constexpr size_t kMaxHeader = 4;
  static constexpr size_t kMaxExtra = 3;

  // What a format's header contributes; the MSG payload is decoded the same way for all.
  struct SyslogView {
    std::string_view app;  // APP-NAME or TAG, for selecting a per-system mapping
    std::array<HeaderField, kMaxHeader> header;
    size_t header_count = 0;
    std::array<std::pair<std::string_view, std::string_view>, kMaxExtra> extra;  // attrs
    size_t extra_count = 0;
    bool ts_exact = false;  // header timestamp already in µs (RFC 5424)
    int64_t ts_us = 0;
    const CivilTime* civil = nullptr;  // header timestamp as wall-clock fields (RFC 3164)
    bool has_sd = false;               // syslog.sd_params belong to this message
    std::string_view msg;
    bool has_msg = false;
    std::string_view error_prefix;  // "rfc5424: ", "rfc3164: "

    void AddHeader(std::string_view name, std::string_view attr, std::string_view value) {
      header[header_count++] = HeaderField{name, attr, value};
    }
    void AddExtra(std::string_view key, std::string_view value) {
      if (!value.empty()) extra[extra_count++] = {key, value};
    }
  };

  enum class Payload : uint8_t { kNone, kText, kJson, kCef };

  DecoderOptions options;
  MappingIndex index;  // the default mapping's
  FieldResolver resolver;
  const MappingSet* mappings = nullptr;  // options.mappings when it holds any; else null
  // The per-system mapping of the message being decoded (null: the default), and which of its
  // rules matched (-1: none), with that rule's submatches (views into the message text).
  const CompiledMapping* chosen = nullptr;
  int matched_rule = -1;
  std::vector<re2::StringPiece> submatch;
  std::string app_buf;  // an unescaped CEF Device Product, for selection
  // The message as the parsers see it (Body()), for match_message.
  std::string_view message_body;
  std::unique_ptr<LocalTimeZone> zone;
  Status zone_status;
  JsonFlattener json;
  FlatJson flat;
  Rfc5424Message syslog;
  Rfc3164Message bsd;
  CefMessage cef;
  std::vector<KvPair> kv;
  // Per CEF extension: the name it is offered and stored under (its key, or the value of its
  // "<key>Label" companion); empty for a label that named another extension.
  std::vector<std::string_view> cef_names;
  std::string label_buf;  // unescaped labels; reserved up front so views into it stay valid
  std::string value_buf;  // an unescaped value on its way into the Event
  std::string key_buf;    // a composed attribute key ("sdid.param")
  std::unordered_map<std::string_view, uint32_t> first_element;  // PARAM-NAME -> first SD-ELEMENT
  // The receive time of the message being decoded.
  int64_t received_us = 0;
  bool ts_from_receipt = false;  // an RFC 3164 message without a timestamp: ts = received_us

  // Fills *ev from its raw bytes (the JSON object at `body`). Parse errors come back as
  // InvalidArgument("json: ..."); field problems go to *problems.
  Status DecodeJson(Event* ev, std::string_view body, std::string* problems) {
    Status st = FlattenInRaw(*ev, body);
    if (!st.ok()) return Status::InvalidArgument("json: " + st.message());
    ev->format = Format::kJson;
    Resolve(
        {}, [this] { return JsonMessageText(); }, [this] { OfferJson(); });
    SetFields(ev, problems);
    AddJsonLeftovers(ev);
    AddMappingAttrs(ev);
    return Status::Ok();
  }

  // A JSON message's free text for RE2 rules: its "message" (ECS), else "msg", string.
  std::string_view JsonMessageText() const {
    std::string_view msg;
    for (size_t i = 0; i < flat.size(); ++i) {
      if (flat.kind(i) != JsonKind::kString) continue;
      if (flat.key(i) == "message") return flat.value(i);
      if (flat.key(i) == "msg" && msg.empty()) msg = flat.value(i);
    }
    return msg;
  }

  // Resolves the message's fields: offer() offers every parsed value to `resolver`, under the
  // default index or under the index of the per-system mapping selected for the message (then
  // also its first matching rule's groups over text(), and its static values). Sets `chosen`.
  // Without mappings, or when none is selected, the message is offered once.
  template <class TextFn, class OfferFn>
  void Resolve(const std::array<std::string_view, 2>& apps, TextFn text, OfferFn offer) {
    chosen = nullptr;
    matched_rule = -1;
    if (mappings == nullptr) {
      resolver.Reset(&index);
      offer();
      return;
    }
    MappingSubject subject{message_body, apps, {}};
    if (mappings->needs_system()) {
      resolver.Reset(&index);
      offer();
      if (resolver.has(Target::kSystem)) subject.system = Text(resolver.winner(Target::kSystem));
    }
    chosen = mappings->Select(subject);
    if (chosen == nullptr) {
      if (!mappings->needs_system()) {
        resolver.Reset(&index);
        offer();
      }
      return;
    }
    chosen->selected.fetch_add(1, std::memory_order_relaxed);
    resolver.Reset(chosen->index.get());
    offer();
    if (!chosen->rules.empty()) OfferRules(text());
    for (size_t t = 0; t < kTargetCount; ++t) {
      const std::string& value = chosen->static_values[t];
      if (value.empty()) continue;
      const Target target = static_cast<Target>(t);
      resolver.Offer(Source::kStatic, TargetName(target), value, static_cast<uint32_t>(t));
    }
  }

  // The first of the chosen mapping's rules that matches `text` offers its target groups.
  void OfferRules(std::string_view text) {
    const re2::StringPiece piece(text.data(), text.size());
    for (size_t r = 0; r < chosen->rules.size(); ++r) {
      const CompiledMapping::Rule& rule = chosen->rules[r];
      const int n = rule.re->NumberOfCapturingGroups() + 1;
      if (!rule.re->Match(piece, 0, piece.size(), RE2::UNANCHORED, submatch.data(), n)) continue;
      matched_rule = static_cast<int>(r);
      for (const CompiledMapping::Group& g : rule.groups) {
        const re2::StringPiece& value = submatch[static_cast<size_t>(g.index)];
        if (g.is_attr || value.data() == nullptr || value.empty()) continue;
        resolver.Offer(Source::kRegexGroup, TargetName(g.target),
                       std::string_view(value.data(), value.size()),
                       static_cast<uint32_t>(g.index));
      }
      return;
    }
  }

  // After the message's own attributes: what the chosen mapping adds.
  void AddMappingAttrs(Event* ev) {
    if (chosen == nullptr) return;
    if (matched_rule >= 0) {
      for (const CompiledMapping::Group& g :
           chosen->rules[static_cast<size_t>(matched_rule)].groups) {
        const re2::StringPiece& value = submatch[static_cast<size_t>(g.index)];
        if (!g.is_attr || value.data() == nullptr || value.empty()) continue;
        ev->add_attr(g.attr, std::string_view(value.data(), value.size()));
      }
    }
    for (const auto& [key, value] : chosen->static_attrs) {
      if (ev->attr(key).empty()) ev->add_attr(key, value);
    }
    ev->add_attr(kMappingAttr, chosen->name);
  }

  Status FlattenInRaw(const Event& ev, std::string_view json_text) {
    const size_t offset = static_cast<size_t>(json_text.data() - ev.raw().data());
    return json.Flatten(json_text, ev.raw_capacity() - offset, &flat);
  }

  void OfferJson() {
    for (size_t i = 0; i < flat.size(); ++i) {
      const JsonKind kind = flat.kind(i);
      if (kind == JsonKind::kNull || kind == JsonKind::kArray || flat.value(i).empty()) continue;
      resolver.Offer(Source::kJsonKey, flat.key(i), flat.value(i), static_cast<uint32_t>(i));
    }
  }

  void AddJsonLeftovers(Event* ev) {
    for (size_t i = 0; i < flat.size(); ++i) {
      if (!resolver.Used(Source::kJsonKey, static_cast<uint32_t>(i))) {
        ev->add_attr(flat.key(i), flat.value(i));
      }
    }
  }

  Status DecodeRfc5424(Event* ev, std::string_view body, std::string* problems) {
    Status st = ParseRfc5424(body, &syslog);
    if (!st.ok()) return Status::InvalidArgument("rfc5424: " + st.message());
    ev->format = Format::kRfc5424;
    SyslogView v;
    v.error_prefix = "rfc5424: ";
    v.AddHeader(kHeaderTimestamp, "timestamp", syslog.timestamp);
    v.AddHeader(kHeaderHostname, "hostname", syslog.hostname);
    v.AddHeader(kHeaderAppName, "app_name", syslog.app_name);
    v.app = syslog.app_name;
    v.AddExtra("procid", syslog.procid);
    v.AddExtra("msgid", syslog.msgid);
    v.ts_exact = true;
    v.ts_us = syslog.timestamp_us;
    v.has_sd = true;
    v.msg = syslog.msg;
    v.has_msg = syslog.has_msg;
    return DecodeSyslog(ev, v, problems);
  }

  // Maps `bsd`, which holds a successful ParseRfc3164 of the message.
  Status DecodeRfc3164(Event* ev, std::string* problems) {
    ev->format = Format::kRfc3164;
    SyslogView v;
    v.error_prefix = "rfc3164: ";
    v.AddHeader(kHeaderTimestamp, "timestamp", bsd.timestamp);
    v.AddHeader(kHeaderHostname, "hostname", bsd.hostname);
    v.AddHeader(kHeaderTag, "tag", bsd.tag);
    v.app = bsd.tag;
    v.AddHeader(kHeaderMnemonic, "mnemonic", bsd.mnemonic);
    v.AddExtra("procid", bsd.pid);
    v.AddExtra("sequence", bsd.sequence);
    if (bsd.has_timestamp) v.civil = &bsd.time;
    v.msg = bsd.msg;
    v.has_msg = true;
    return DecodeSyslog(ev, v, problems);
  }

  Status DecodeCefAlone(Event* ev, std::string_view body, std::string* problems) {
    SyslogView v;
    v.msg = body;
    v.has_msg = true;
    return DecodeSyslog(ev, v, problems);
  }

  // Parses the MSG payload, offers the header, SD params and the payload, resolves, and fills
  // *ev.
  Status DecodeSyslog(Event* ev, const SyslogView& v, std::string* problems) {
    // The MSG payload, parsed once whichever mapping then reads it.
    Payload payload = Payload::kNone;
    const std::string_view text = TrimLeft(v.msg);
    if (v.has_msg && StartsWith(text, kCefPrefix)) {
      Status st = ParseCef(text, &cef);
      if (!st.ok()) return Status::InvalidArgument("cef: " + st.message());
      ev->format = Format::kCef;
      payload = Payload::kCef;
      NameCefExtensions();
    } else if (v.has_msg && StartsWith(text, kCee)) {
      const std::string_view object = TrimLeft(text.substr(kCee.size()));
      Status st = FlattenInRaw(*ev, TrimRight(object));
      if (!st.ok()) {
        return Status::InvalidArgument(
            fmt::format("{}bad @cee JSON: {}", v.error_prefix, st.message()));
      }
      payload = Payload::kJson;
    } else if (v.has_msg && !text.empty() && text[0] == '{' &&
               FlattenInRaw(*ev, TrimRight(text)).ok()) {
      payload = Payload::kJson;
    } else if (v.has_msg) {
      payload = Payload::kText;
      kv.clear();
      ParseKeyValues(v.msg, &kv);
    }

    std::array<std::string_view, 2> apps = {v.app, {}};
    if (payload == Payload::kCef && mappings != nullptr) {
      apps[1] = cef.field(CefHeader::kDeviceProduct);
      if (cef.field_escaped(CefHeader::kDeviceProduct)) {
        UnescapeCefHeader(apps[1], &app_buf);
        apps[1] = app_buf;
      }
    }
    Resolve(
        apps, [&v] { return v.msg; }, [this, &v, payload] { OfferSyslog(v, payload); });

    for (Field f : kAllFields) {
      if (resolver.has(TargetOf(f))) ev->set_field(f, Text(resolver.winner(TargetOf(f))));
    }
    if (resolver.has(Target::kTs)) {
      const FieldResolver::Winner& w = resolver.winner(Target::kTs);
      if (w.source == Source::kSyslogHeader && w.origin == 0 && v.ts_exact) {
        ev->ts_us = v.ts_us;  // already checked against RFC 5424 §6.2.3
        ev->has_ts = true;
      } else if (w.source == Source::kSyslogHeader && w.origin == 0 && v.civil != nullptr) {
        SetLocalTs(ev, *v.civil, w.value, problems);
      } else {
        SetTs(ev, w.source, Text(w), problems);
      }
    }

    // Attributes.
    for (uint32_t h = 0; h < v.header_count; ++h) {
      const HeaderField& f = v.header[h];
      if (!f.value.empty() && !resolver.Used(Source::kSyslogHeader, h)) {
        ev->add_attr(f.attr, f.value);
      }
    }
    for (size_t e = 0; e < v.extra_count; ++e) ev->add_attr(v.extra[e].first, v.extra[e].second);
    if (v.has_sd) AddSdLeftovers(ev);
    switch (payload) {
      case Payload::kCef:
        AddCefLeftovers(ev);
        break;
      case Payload::kJson:
        AddJsonLeftovers(ev);
        break;
      case Payload::kText:
        for (size_t k = 0; k < kv.size(); ++k) {
          if (!resolver.Used(Source::kMsgKeyValue, static_cast<uint32_t>(k))) {
            ev->add_attr(kv[k].key, KvValue(kv[k]));
          }
        }
        if (!v.msg.empty()) ev->add_attr("msg", v.msg);
        break;
      case Payload::kNone:
        break;
    }
    AddMappingAttrs(ev);
    return Status::Ok();
  }

  void OfferSyslog(const SyslogView& v, Payload payload) {
    for (uint32_t h = 0; h < v.header_count; ++h) {
      const HeaderField& f = v.header[h];
      if (!f.value.empty()) resolver.Offer(Source::kSyslogHeader, f.name, f.value, h);
    }
    if (v.has_sd) {
      for (size_t j = 0; j < syslog.sd_params.size(); ++j) {
        const SdParam& p = syslog.sd_params[j];
        if (p.value.empty()) continue;
        resolver.Offer(Source::kSdParam, p.name, p.value, static_cast<uint32_t>(j),
                       syslog.sd_elements[p.element].id);
      }
    }
    switch (payload) {
      case Payload::kCef:
        OfferCef();
        break;
      case Payload::kJson:
        OfferJson();
        break;
      case Payload::kText:
        for (size_t k = 0; k < kv.size(); ++k) {
          if (kv[k].value.empty()) continue;
          resolver.Offer(Source::kMsgKeyValue, kv[k].key, kv[k].value, static_cast<uint32_t>(k));
        }
        break;
      case Payload::kNone:
        break;
    }
  }

  static std::string_view TrimRight(std::string_view s) {
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    return s;
  }

  void AddSdLeftovers(Event* ev) {
    IndexFirstElements();
    for (size_t j = 0; j < syslog.sd_params.size(); ++j) {
      if (resolver.Used(Source::kSdParam, static_cast<uint32_t>(j))) continue;
      const SdParam& p = syslog.sd_params[j];
      std::string_view key = p.name;
      if (FirstElement(j) != p.element) {
        // The name already appeared in an earlier element: qualify it as "sdid.param".
        const std::string_view id = syslog.sd_elements[p.element].id;
        key_buf.assign(id.data(), id.size()).append(".").append(p.name);
        key = key_buf;
      }
      ev->add_attr(key, SdValue(p));
    }
  }

  // Offers the CEF header fields (origin = CefHeader index) and extensions (origin = index),
  // each extension under its label when "<key>Label" names it (NameCefExtensions() first).
  void OfferCef() {
    for (uint32_t h = 0; h < kCefHeaderCount; ++h) {
      if (cef.header[h].empty()) continue;
      resolver.Offer(Source::kCefHeader, CefHeaderName(static_cast<CefHeader>(h)), cef.header[h],
                     h);
    }
    for (size_t j = 0; j < cef.extensions.size(); ++j) {
      const CefExtension& e = cef.extensions[j];
      if (cef_names[j].empty() || e.value.empty()) continue;
      resolver.Offer(Source::kCefExtension, cef_names[j], e.value, static_cast<uint32_t>(j));
    }
  }

  void NameCefExtensions() {
    static constexpr std::string_view kLabel = "Label";
    const size_t n = cef.extensions.size();
    cef_names.resize(n);
    for (size_t j = 0; j < n; ++j) cef_names[j] = cef.extensions[j].key;
    label_buf.clear();
    label_buf.reserve(cef.extension.size());  // never outgrown: views into it stay valid
    for (size_t j = 0; j < n; ++j) {
      const CefExtension& label = cef.extensions[j];
      if (label.key.size() <= kLabel.size() ||
          label.key.substr(label.key.size() - kLabel.size()) != kLabel || label.value.empty()) {
        continue;
      }
      const std::string_view base = label.key.substr(0, label.key.size() - kLabel.size());
      for (size_t i = 0; i < n; ++i) {
        if (cef.extensions[i].key != base) continue;
        std::string_view name = label.value;
        if (label.needs_unescape) {
          UnescapeCefValue(label.value, &value_buf);
          const size_t at = label_buf.size();
          label_buf.append(value_buf);
          name = std::string_view(label_buf).substr(at, value_buf.size());
        }
        if (name.empty()) break;
        cef_names[i] = name;
        cef_names[j] = {};  // the label is consumed by naming its field
        break;
      }
    }
  }

  void AddCefLeftovers(Event* ev) {
    for (uint32_t h = 0; h < kCefHeaderCount; ++h) {
      if (cef.header[h].empty() || resolver.Used(Source::kCefHeader, h)) continue;
      ev->add_attr(CefHeaderName(static_cast<CefHeader>(h)), CefHeaderText(h));
    }
    for (size_t j = 0; j < cef.extensions.size(); ++j) {
      if (cef_names[j].empty() || resolver.Used(Source::kCefExtension, static_cast<uint32_t>(j))) {
        continue;
      }
      ev->add_attr(cef_names[j], CefValue(cef.extensions[j]));
    }
  }

  // The text of a winning value, unescaped if its source escapes (into value_buf: use it before
  // the next call).
  std::string_view Text(const FieldResolver::Winner& w) {
    switch (w.source) {
      case Source::kSdParam:
        return SdValue(syslog.sd_params[w.origin]);
      case Source::kMsgKeyValue:
        return KvValue(kv[w.origin]);
      case Source::kCefHeader:
        return CefHeaderText(w.origin);
      case Source::kCefExtension:
        return CefValue(cef.extensions[w.origin]);
      case Source::kJsonKey:
      case Source::kSyslogHeader:
      case Source::kRegexGroup:
      case Source::kStatic:
        break;
    }
    return w.value;
  }

  std::string_view SdValue(const SdParam& p) {
    if (!p.needs_unescape) return p.value;
    UnescapeSdParamValue(p.value, &value_buf);
    return value_buf;
  }

  std::string_view KvValue(const KvPair& pair) {
    if (!pair.needs_unescape) return pair.value;
    UnescapeKvValue(pair.value, &value_buf);
    return value_buf;
  }

  std::string_view CefHeaderText(uint32_t h) {
    if (!cef.field_escaped(static_cast<CefHeader>(h))) return cef.header[h];
    UnescapeCefHeader(cef.header[h], &value_buf);
    return value_buf;
  }

  std::string_view CefValue(const CefExtension& e) {
    if (!e.needs_unescape) return e.value;
    UnescapeCefValue(e.value, &value_buf);
    return value_buf;
  }

  // For messages with many SD params, a map from PARAM-NAME to its first element keeps the
  // qualification check linear; small messages scan (cheaper than hashing).
  static constexpr size_t kScanLimit = 32;

  void IndexFirstElements() {
    first_element.clear();
    if (syslog.sd_params.size() <= kScanLimit) return;
    for (const SdParam& p : syslog.sd_params) first_element.try_emplace(p.name, p.element);
  }

  uint32_t FirstElement(size_t j) const {
    const SdParam& p = syslog.sd_params[j];
    if (syslog.sd_params.size() > kScanLimit) {
      const auto it = first_element.find(p.name);
      return it == first_element.end() ? p.element : it->second;
    }
    for (size_t k = 0; k < j; ++k) {
      if (syslog.sd_params[k].name == p.name) return syslog.sd_params[k].element;
    }
    return p.element;
  }

  void SetFields(Event* ev, std::string* problems) {
    for (Field f : kAllFields) {
      if (resolver.has(TargetOf(f))) ev->set_field(f, Text(resolver.winner(TargetOf(f))));
    }
    if (resolver.has(Target::kTs)) {
      const FieldResolver::Winner& w = resolver.winner(Target::kTs);
      SetTs(ev, w.source, Text(w), problems);
    }
  }

  // A ts value from a field: RFC 3339 or an epoch number; from CEF, and under a per-system
  // mapping from any source, also a CEF/BSD date ("Feb 10 2026 10:00:01", "Feb 10 10:00:01");
  // under a per-system mapping also an ISO date-time without offset ("2026-02-10 10:00:01").
  // Dates without an offset are read in the configured zone.
  void SetTs(Event* ev, Source source, std::string_view text, std::string* problems) {
    if (ParseTsValue(text, &ev->ts_us)) {
      ev->has_ts = true;
      return;
    }
    CivilTime civil;
    if ((source == Source::kCefExtension || chosen != nullptr) && ParseCefTime(text, &civil) &&
        zone->ToUtc(civil, received_us, &ev->ts_us)) {
      ev->has_ts = true;
      return;
    }
    bool bad = false;
    if (chosen != nullptr && ParseIsoCivilTime(text, &civil, &bad) == text.size() && !bad &&
        zone->ToUtc(civil, received_us, &ev->ts_us)) {
      ev->has_ts = true;
      return;
    }
    ev->ts_us = 0;
    AddProblem(problems, fmt::format("bad ts: \"{}\"", Excerpt(text)));
  }

  void SetLocalTs(Event* ev, const CivilTime& civil, std::string_view text, std::string* problems) {
    if (zone->ToUtc(civil, received_us, &ev->ts_us)) {
      ev->has_ts = true;
    } else {
      ev->ts_us = 0;
      AddProblem(problems, fmt::format("bad ts: \"{}\"", Excerpt(text)));
    }
  }

  static void AddProblem(std::string* problems, std::string_view problem) {
    if (!problems->empty()) problems->append("; ");
    problems->append(problem);
  }

  // Adds "missing field: ..." for required targets that no source filled.
  void CheckRequired(std::string* problems) const {
    std::string missing;
    for (Target t : kRequired) {
      if (resolver.has(t) || (t == Target::kTs && ts_from_receipt)) continue;
      missing.append(missing.empty() ? "missing field: " : ", ").append(TargetName(t));
    }
    if (!missing.empty()) AddProblem(problems, missing);
  }

  // Parses and maps *ev. Returns a parse error, or OK with *problems empty when the event is
  // complete.
  Status Run(Event* ev, int64_t received, std::string* problems) {
    received_us = received;
    ts_from_receipt = false;
    chosen = nullptr;
    const std::string_view body = Body(ev->raw());
    message_body = body;
    if (body.empty()) return Status::InvalidArgument("empty message");
    Status st;
    const char c = body[0];
    if (c == '{') {
      st = DecodeJson(ev, body, problems);
    } else if (LooksLikeRfc5424(body)) {
      st = DecodeRfc5424(ev, body, problems);
    } else if (c == '<') {
      st = ParseRfc3164(body, &bsd);
      if (!st.ok()) return Status::InvalidArgument("rfc3164: " + st.message());
      st = DecodeRfc3164(ev, problems);
      // RFC 3164 §4.3.2: a message without a TIMESTAMP takes the time it was received (what
      // rsyslog and syslog-ng do; Python's SysLogHandler never sends one). Only the shape such
      // senders use, "<PRI>TAG: ..." or "<PRI>TAG[pid]: ...": a time the parser did not
      // recognise ("<86>09.02.2026 10:00:00 ...") must not turn into the receive time, so
      // that stays in quarantine. Marked in attrs.
      if (st.ok() && !bsd.has_timestamp && !resolver.has(Target::kTs) && !bsd.tag.empty() &&
          std::any_of(bsd.tag.begin(), bsd.tag.end(), IsAlpha) &&
          TrimLeft(body.substr(body.find('>') + 1)).starts_with(bsd.tag)) {
        ev->ts_us = received_us;
        ev->has_ts = true;
        ev->add_attr("ts_source", "received");
        ts_from_receipt = true;
      }
    } else if (StartsWith(body, kCefPrefix)) {
      st = DecodeCefAlone(ev, body, problems);
    } else if (IsAlpha(c) || IsDigit(c) || c == '*' || c == '.') {
      // RFC 3164 without PRI, as syslog daemons write files: only with a timestamp.
      st = ParseRfc3164(body, &bsd);
      if (!st.ok()) return Status::InvalidArgument("rfc3164: " + st.message());
      if (!bsd.has_timestamp) return Status::InvalidArgument("unsupported format");
      st = DecodeRfc3164(ev, problems);
    } else {
      return Status::InvalidArgument("unsupported format");
    }
    if (!st.ok()) return st;
    CheckRequired(problems);
    if (ev->field(Field::kSystem) == "spard") AddProblem(problems, "reserved system: spard");
    if (chosen != nullptr && !problems->empty()) {
      problems->append(fmt::format(" (mapping {})", chosen->name));
    }
    return Status::Ok();
  }

  // Appends *ev to the batch, or a quarantine record with `reason` if it is not empty.
  static void Emit(Event&& ev, std::string_view message, const MessageSource& source, uint8_t flags,
                   std::string reason, IngestBatch* out) {
    if (reason.empty()) {
      ev.flags = flags;
      ev.listener = source.listener;
      ev.peer.assign(source.peer.data(), source.peer.size());
      ev.received_us = source.received_us;
      out->events.push_back(std::move(ev));
      return;
    }
    QuarantineRecord rec;
    rec.raw.assign(message.data(), message.size());
    rec.reason = std::move(reason);
    rec.received_us = source.received_us;
    rec.listener = source.listener;
    rec.flags = flags;
    rec.peer.assign(source.peer.data(), source.peer.size());
    out->quarantined.push_back(std::move(rec));
  }

  // max_message_bytes == 0 means no limit.
  bool Cut(std::string_view* message) const {
    if (options.max_message_bytes == 0 || message->size() <= options.max_message_bytes) {
      return false;
    }
    *message = message->substr(0, options.max_message_bytes);
    return true;
  }
};

Decoder::Decoder(const DecoderOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Decoder::~Decoder() = default;

Status Decoder::Inspect(std::string_view message, int64_t received_us, Event* out,
                        std::string* problems) {
  *out = Event(message);
  problems->clear();
  return impl_->Run(out, received_us, problems);
}

const std::string& Decoder::time_zone() const { return impl_->zone->name(); }
const Status& Decoder::time_zone_status() const { return impl_->zone_status; }

void Decoder::Decode(std::string_view message, const MessageSource& source, bool truncated,
                     IngestBatch* out) {
  truncated = impl_->Cut(&message) || truncated;
  const uint8_t flags = truncated ? kEventFlagTruncated : 0;
  Event ev(message);
  std::string problems;
  Status st = impl_->Run(&ev, source.received_us, &problems);
  if (!st.ok()) {
    problems = st.message();
    // A cut explains a parse error, so say so; detection only looks at the start.
    const bool parse_error = StartsWith(problems, "json: ") || StartsWith(problems, "rfc5424: ") ||
                             StartsWith(problems, "rfc3164: ") || StartsWith(problems, "cef: ");
    if (truncated && parse_error) problems += " (message truncated)";
  }
  Impl::Emit(std::move(ev), message, source, flags, std::move(problems), out);
}

Status Decoder::DecodeJsonLine(std::string_view line, const MessageSource& source,
                               IngestBatch* out) {
  const std::string_view body = Body(line);
  if (body.empty()) return Status::Ok();  // a blank line (e.g. after the last LF) is not an event
  if (body[0] != '{') return Status::InvalidArgument("not a JSON object");
  if (impl_->options.max_message_bytes != 0 && line.size() > impl_->options.max_message_bytes) {
    // Too long to keep whole: stored cut and flagged (quarantined, as the cut JSON won't parse),
    // like the same line over TCP; the client's request is not at fault.
    Decode(line, source, /*truncated=*/false, out);
    return Status::Ok();
  }
  Event ev(line);
  std::string problems;
  SPARD_RETURN_IF_ERROR(impl_->Run(&ev, source.received_us, &problems));
  Impl::Emit(std::move(ev), line, source, /*flags=*/0, std::move(problems), out);
  return Status::Ok();
}

}  // namespace spard
