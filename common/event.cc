#include "common/event.h"

#include <functional>

namespace spard {

namespace {
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "system", "user", "action", "object", "subject", "outcome", "client_ip", "host", "reason"};
}  // namespace

std::string_view FieldName(Field f) { return kFieldNames[static_cast<size_t>(f)]; }

bool FieldFromName(std::string_view name, Field* out) {
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i] == name) {
      *out = static_cast<Field>(i);
      return true;
    }
  }
  return false;
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kJson:
      return "json";
    case Format::kRfc5424:
      return "rfc5424";
    case Format::kRfc3164:
      return "rfc3164";
    case Format::kCef:
      return "cef";
    case Format::kInternal:
      return "internal";
    case Format::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view ListenerName(Listener l) {
  switch (l) {
    case Listener::kTcp:
      return "tcp";
    case Listener::kUdp:
      return "udp";
    case Listener::kHttp:
      return "http";
    case Listener::kTls:
      return "tls";
    case Listener::kRelp:
      return "relp";
    case Listener::kImport:
      return "import";
    case Listener::kInternal:
      return "internal";
    case Listener::kUnknown:
      break;
  }
  return "unknown";
}

Event::Event(std::string_view raw) {
  raw_.reserve(raw.size() + kRawPadding);
  raw_.assign(raw.data(), raw.size());
}

std::string_view Event::field(Field f) const {
  if (!has(f)) return {};
  return View(fields_[Index(f)]);
}

Event::Slice Event::Store(std::string_view value) {
  Slice s;
  s.size = static_cast<uint32_t>(value.size());
  // std::less gives a total order on pointers, so the range test is well-defined.
  std::less<const char*> lt;
  const char* begin = raw_.data();
  const char* end = begin + raw_.size();
  if (!value.empty() && !lt(value.data(), begin) && !lt(end, value.data() + value.size())) {
    s.in_raw = true;
    s.offset = static_cast<uint32_t>(value.data() - begin);
  } else {
    s.in_raw = false;
    s.offset = static_cast<uint32_t>(extra_.size());
    extra_.append(value);
  }
  return s;
}

void Event::set_field(Field f, std::string_view value) {
  if (value.empty()) {
    clear_field(f);
    return;
  }
  fields_[Index(f)] = Store(value);
  present_ |= static_cast<uint16_t>(1u << Index(f));
}

void Event::clear_field(Field f) {
  fields_[Index(f)] = Slice{};
  present_ &= static_cast<uint16_t>(~(1u << Index(f)));
}

void Event::add_attr(std::string_view key, std::string_view value) {
  Attr a;
  a.key = Store(key);
  a.value = Store(value);
  attrs_.push_back(a);
}

std::string_view Event::attr(std::string_view key) const {
  for (const Attr& a : attrs_) {
    if (View(a.key) == key) return View(a.value);
  }
  return {};
}

size_t Event::MemoryUsage() const {
  return sizeof(*this) + raw_.capacity() + extra_.capacity() + peer.capacity() +
         attrs_.capacity() * sizeof(Attr);
}

}  // namespace spard
