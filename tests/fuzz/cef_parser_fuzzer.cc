// Fuzzes ParseCef, the unescapers and ParseCefTime: never crashes, and on success every view lies
// inside the input, the extensions are in order inside the extension text with non-empty keys
// and no surrounding spaces, unescaping never grows a value, and a date that parses is valid
// and converts to UTC.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/cef_parser.h"
#include "ingest/local_time.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

spard::LocalTimeZone* Stockholm() {
  static std::unique_ptr<spard::LocalTimeZone> zone = [] {
    auto z = spard::LocalTimeZone::Load("Europe/Stockholm");
    return z.ok() ? std::move(z).value() : spard::LocalTimeZone::Utc();
  }();
  return zone.get();
}

void CheckTime(std::string_view text) {
  spard::CivilTime t;
  if (!spard::ParseCefTime(text, &t)) return;
  Check(spard::CivilTimeValid(t));
  int64_t us = 0;
  Check(Stockholm()->ToUtc(t, 1'770'724'800'000'000, &us));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto inside = [](std::string_view outer, std::string_view v) {
    return v.empty() ||
           (v.data() >= outer.data() && v.data() + v.size() <= outer.data() + outer.size());
  };
  CheckTime(text);

  spard::CefMessage m;
  const spard::Status st = spard::ParseCef(text, &m);
  if (!st.ok()) {
    Check(st.IsInvalidArgument());
    Check(st.message().find(" at byte ") != std::string::npos);
    return 0;
  }
  Check(text.substr(0, 4) == "CEF:");
  Check(!m.field(spard::CefHeader::kVersion).empty());
  std::string out;
  for (size_t h = 0; h < spard::kCefHeaderCount; ++h) {
    Check(inside(text, m.header[h]));
    Check(m.header[h].find('|') == std::string_view::npos || m.field_escaped(spard::CefHeader(h)));
    spard::UnescapeCefHeader(m.header[h], &out);
    Check(out.size() <= m.header[h].size());
    Check((out.size() < m.header[h].size()) == m.field_escaped(spard::CefHeader(h)));
  }
  Check(inside(text, m.extension));
  const char* last = m.extension.data();
  for (const spard::CefExtension& e : m.extensions) {
    Check(!e.key.empty() && inside(m.extension, e.key) && inside(m.extension, e.value));
    Check(e.key.data() >= last);
    last = e.value.data() + e.value.size();
    Check(e.key.data() + e.key.size() + 1 == e.value.data());  // KEY '=' VALUE
    Check(e.value.empty() || e.value.back() != ' ');
    Check(e.needs_unescape == (e.value.find('\\') != std::string_view::npos));
    spard::UnescapeCefValue(e.value, &out);
    Check(out.size() <= e.value.size());
    CheckTime(e.value);
  }
  return 0;
}
