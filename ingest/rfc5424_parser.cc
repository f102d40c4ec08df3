// RFC 5424 §6 grammar, as implemented here (ABNF from the RFC, our notes in brackets):
//
//   SYSLOG-MSG      = HEADER SP STRUCTURED-DATA [SP MSG]
//   HEADER          = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
//   PRI             = "<" PRIVAL ">"              ; PRIVAL = 1*3DIGIT, 0..191
//   VERSION         = NONZERO-DIGIT 0*2DIGIT      ; [only 1 is accepted]
//   HOSTNAME        = NILVALUE / 1*255PRINTUSASCII
//   APP-NAME        = NILVALUE / 1*48PRINTUSASCII
//   PROCID          = NILVALUE / 1*128PRINTUSASCII
//   MSGID           = NILVALUE / 1*32PRINTUSASCII
//   TIMESTAMP       = NILVALUE / FULL-DATE "T" FULL-TIME
//   FULL-TIME       = 2DIGIT ":" 2DIGIT ":" 2DIGIT ["." 1*6DIGIT] ("Z" / ("+"/"-") 2DIGIT ":"
//   2DIGIT) STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT SD-ELEMENT      = "[" SD-ID *(SP SD-PARAM)
//   "]" SD-PARAM        = PARAM-NAME "=" %d34 PARAM-VALUE %d34 SD-ID, PARAM-NAME = SD-NAME =
//   1*32PRINTUSASCII except '=', SP, ']', %d34 PARAM-VALUE     = UTF-8-STRING with '"', '\' and ']'
//   escaped by '\'   [']' tolerated bare] MSG             = MSG-ANY / MSG-UTF8          ; MSG-UTF8
//   = BOM UTF-8-STRING NILVALUE        = "-";  PRINTUSASCII = %d33-126

#include "ingest/rfc5424_parser.h"

#include <fmt/format.h>

#include <array>
#include <cstring>

#include "common/time_format.h"

namespace spard {

namespace {

constexpr size_t kMaxHostname = 255;
constexpr size_t kMaxAppName = 48;
constexpr size_t kMaxProcId = 128;
constexpr size_t kMaxMsgId = 32;
constexpr size_t kMaxSdName = 32;
// "YYYY-MM-DDThh:mm:ss.ffffff+hh:mm" is the longest valid TIMESTAMP.
constexpr size_t kMaxTimestamp = 32;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Character classes as a table: the header and SD-NAME loops test one byte per iteration.
constexpr uint8_t kPrint = 1;   // PRINTUSASCII, %d33-126
constexpr uint8_t kSdName = 2;  // PRINTUSASCII except '=', ']', '"' (SP is not printable)
constexpr std::array<uint8_t, 256> kCharClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 33; c <= 126; ++c) {
    t[c] = kPrint;
    if (c != '=' && c != ']' && c != '"') t[c] |= kSdName;
  }
  return t;
}();

bool IsPrintUsAscii(char c) { return kCharClass[static_cast<uint8_t>(c)] & kPrint; }
bool IsSdNameChar(char c) { return kCharClass[static_cast<uint8_t>(c)] & kSdName; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Error(std::string_view what, size_t offset) {
  return Status::InvalidArgument(fmt::format("{} at byte {}", what, offset));
}

// Checks the RFC 5424 TIMESTAMP grammar (stricter than RFC 3339: uppercase T and Z, at most six
// fractional digits, no leap second) and converts it. `ts` is not NILVALUE.
bool ParseTimestamp(std::string_view ts, int64_t* out_us) {
  // FULL-DATE "T" hh:mm:ss is 19 bytes at fixed positions.
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (ts.size() < kShape.size() + 1) return false;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !IsDigit(ts[i]) : ts[i] != kShape[i]) return false;
  }
  if (ts[17] > '5') return false;  // TIME-SECOND is 00-59: leap seconds MUST NOT be used
  size_t pos = kShape.size();
  if (ts[pos] == '.') {
    const size_t start = ++pos;
    while (pos < ts.size() && IsDigit(ts[pos])) ++pos;
    if (pos == start || pos - start > 6) return false;
  }
  if (pos >= ts.size()) return false;
  if (ts[pos] == 'Z') {
    if (pos + 1 != ts.size()) return false;
  } else if (ts[pos] != '+' && ts[pos] != '-') {
    return false;
  }
  // ParseRfc3339 checks the offset's shape and the calendar (no 2003-02-30, no hour 24).
  return ParseRfc3339(ts, out_us);
}

class Parser {
 public:
  Parser(std::string_view msg, Rfc5424Message* out) : msg_(msg), out_(out) {}

  Status Run() {
    SPARD_RETURN_IF_ERROR(ParsePri());
    SPARD_RETURN_IF_ERROR(ParseVersion());
    SPARD_RETURN_IF_ERROR(ExpectSp("VERSION"));

    const size_t ts_pos = pos_;
    SPARD_RETURN_IF_ERROR(HeaderField("TIMESTAMP", kMaxTimestamp, &out_->timestamp));
    if (!out_->timestamp.empty()) {
      if (!ParseTimestamp(out_->timestamp, &out_->timestamp_us)) {
        return Error("bad TIMESTAMP", ts_pos);
      }
      out_->has_timestamp = true;
    }
    SPARD_RETURN_IF_ERROR(HeaderField("HOSTNAME", kMaxHostname, &out_->hostname));
    SPARD_RETURN_IF_ERROR(HeaderField("APP-NAME", kMaxAppName, &out_->app_name));
    SPARD_RETURN_IF_ERROR(HeaderField("PROCID", kMaxProcId, &out_->procid));
    SPARD_RETURN_IF_ERROR(HeaderField("MSGID", kMaxMsgId, &out_->msgid));
    SPARD_RETURN_IF_ERROR(ParseStructuredData());

    if (pos_ == msg_.size()) return Status::Ok();  // MSG absent
    if (msg_[pos_] != ' ') return Error("expected SP before MSG", pos_);
    std::string_view body = msg_.substr(pos_ + 1);
    if (body.substr(0, kBom.size()) == kBom) {
      body.remove_prefix(kBom.size());
      out_->msg_has_bom = true;
    }
    out_->msg = body;
    out_->has_msg = true;
    return Status::Ok();
  }

 private:
  bool AtEnd() const { return pos_ >= msg_.size(); }

  Status ParsePri() {
    if (AtEnd() || msg_[0] != '<') return Error("expected '<' to start PRI", 0);
    pos_ = 1;
    unsigned prival = 0;
    size_t digits = 0;
    while (!AtEnd() && IsDigit(msg_[pos_]) && digits < 3) {
      prival = prival * 10 + static_cast<unsigned>(msg_[pos_] - '0');
      ++digits;
      ++pos_;
    }
    if (digits == 0) return Error("PRI has no digits", pos_);
    if (AtEnd() || msg_[pos_] != '>') return Error("expected '>' to end PRI (1-3 digits)", pos_);
    if (prival > 191) return Error(fmt::format("PRI {} out of range 0-191", prival), 1);
    ++pos_;
    out_->facility = static_cast<uint8_t>(prival / 8);
    out_->severity = static_cast<uint8_t>(prival % 8);
    return Status::Ok();
  }

  Status ParseVersion() {
    const size_t start = pos_;
    unsigned version = 0;
    while (!AtEnd() && IsDigit(msg_[pos_]) && pos_ - start < 3) {
      version = version * 10 + static_cast<unsigned>(msg_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == start || msg_[start] == '0') return Error("expected VERSION", start);
    if (version != 1) return Error(fmt::format("unsupported VERSION {}", version), start);
    out_->version = static_cast<uint16_t>(version);
    return Status::Ok();
  }

  Status ExpectSp(std::string_view after) {
    if (AtEnd() || msg_[pos_] != ' ')
      return Error(fmt::format("expected SP after {}", after), pos_);
    ++pos_;
    return Status::Ok();
  }

  // NILVALUE / 1*max PRINTUSASCII, then the SP that separates it from the next field. NILVALUE
  // leaves *value empty.
  Status HeaderField(std::string_view name, size_t max, std::string_view* value) {
    const size_t start = pos_;
    while (!AtEnd() && msg_[pos_] != ' ') {
      if (!IsPrintUsAscii(msg_[pos_])) {
        return Error(fmt::format("non-printable byte in {}", name), pos_);
      }
      if (pos_ - start == max) return Error(fmt::format("{} longer than {}", name, max), start);
      ++pos_;
    }
    if (pos_ == start) {
      return AtEnd() ? Error(fmt::format("message ends before {}", name), pos_)
                     : Error(fmt::format("empty {}", name), pos_);
    }
    const std::string_view text = msg_.substr(start, pos_ - start);
    *value = text == "-" ? std::string_view() : text;
    return ExpectSp(name);
  }

  Status SdName(std::string_view what, std::string_view* name) {
    const size_t start = pos_;
    while (!AtEnd() && IsSdNameChar(msg_[pos_])) {
      if (pos_ - start == kMaxSdName) return Error(fmt::format("{} longer than 32", what), start);
      ++pos_;
    }
    if (pos_ == start) {
      return AtEnd() ? Error(fmt::format("message ends before {}", what), pos_)
                     : Error(fmt::format("bad character in {}", what), pos_);
    }
    *name = msg_.substr(start, pos_ - start);
    return Status::Ok();
  }

  Status ParseStructuredData() {
    if (AtEnd()) return Error("message ends before STRUCTURED-DATA", pos_);
    if (msg_[pos_] == '-') {
      ++pos_;
      return Status::Ok();
    }
    if (msg_[pos_] != '[') return Error("expected '[' or '-' for STRUCTURED-DATA", pos_);
    while (!AtEnd() && msg_[pos_] == '[') {
      SPARD_RETURN_IF_ERROR(ParseSdElement());
    }
    return Status::Ok();
  }

  Status ParseSdElement() {
    ++pos_;  // '['
    SdElement element;
    SPARD_RETURN_IF_ERROR(SdName("SD-ID", &element.id));
    element.first_param = static_cast<uint32_t>(out_->sd_params.size());
    const auto element_index = static_cast<uint32_t>(out_->sd_elements.size());
    for (;;) {
      if (AtEnd()) return Error("message ends inside SD-ELEMENT", pos_);
      if (msg_[pos_] == ']') {
        ++pos_;
        break;
      }
      if (msg_[pos_] != ' ') return Error("expected SP or ']' in SD-ELEMENT", pos_);
      ++pos_;
      SdParam param;
      param.element = element_index;
      SPARD_RETURN_IF_ERROR(SdName("PARAM-NAME", &param.name));
      if (AtEnd() || msg_[pos_] != '=') return Error("expected '=' after PARAM-NAME", pos_);
      ++pos_;
      if (AtEnd() || msg_[pos_] != '"') return Error("expected '\"' to open PARAM-VALUE", pos_);
      const size_t value_start = ++pos_;
      const size_t value_end = ScanParamValue(&param.needs_unescape);
      if (value_end == std::string_view::npos) {
        return Error("unterminated PARAM-VALUE", value_start - 1);
      }
      pos_ = value_end;
      param.value = msg_.substr(value_start, pos_ - value_start);
      ++pos_;  // closing '"'
      out_->sd_params.push_back(param);
      ++element.param_count;
    }
    out_->sd_elements.push_back(element);
    return Status::Ok();
  }

  // From pos_ (just after the opening quote): the offset of the closing quote, or npos. A
  // backslash escapes the next byte only if that is '"', '\\' or ']' (§6.3.3). Jumps from quote
  // to quote with memchr; values rarely hold a backslash.
  size_t ScanParamValue(bool* needs_unescape) const {
    const char* const begin = msg_.data();
    const char* const end = begin + msg_.size();
    const char* p = begin + pos_;
    for (;;) {
      const auto* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
      if (quote == nullptr) return std::string_view::npos;
      const auto* backslash = static_cast<const char*>(std::memchr(p, '\\', quote - p));
      if (backslash == nullptr) return static_cast<size_t>(quote - begin);
      const char next = backslash + 1 < end ? backslash[1] : '\0';
      if (next == '"' || next == '\\' || next == ']') {
        *needs_unescape = true;
        p = backslash + 2;
      } else {
        p = backslash + 1;
      }
    }
  }

  std::string_view msg_;
  Rfc5424Message* out_;
  size_t pos_ = 0;
};

}  // namespace

void Rfc5424Message::Clear() {
  facility = 0;
  severity = 0;
  version = 0;
  timestamp = {};
  hostname = {};
  app_name = {};
  procid = {};
  msgid = {};
  has_timestamp = false;
  timestamp_us = 0;
  sd_elements.clear();
  sd_params.clear();
  msg = {};
  has_msg = false;
  msg_has_bom = false;
}

Status ParseRfc5424(std::string_view msg, Rfc5424Message* out) {
  out->Clear();
  return Parser(msg, out).Run();
}

void UnescapeSdParamValue(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      const char next = raw[i + 1];
      if (next == '"' || next == '\\' || next == ']') {
        out->push_back(next);
        ++i;
        continue;
      }
    }
    out->push_back(c);
  }
}

}  // namespace spard
