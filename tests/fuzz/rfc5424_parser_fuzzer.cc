// Fuzzes ParseRfc5424 (and the key=value parser on its MSG): never crashes, and on success every
// view lies inside the input and the result obeys the grammar's limits.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.h"
#include "ingest/kv_parser.h"
#include "ingest/rfc5424_parser.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view msg(reinterpret_cast<const char*>(data), size);
  auto inside = [&](std::string_view v) {
    return v.empty() || (v.data() >= msg.data() && v.data() + v.size() <= msg.data() + msg.size());
  };

  spard::Rfc5424Message m;
  const spard::Status st = spard::ParseRfc5424(msg, &m);
  if (!st.ok()) {
    Check(st.IsInvalidArgument());
    Check(st.message().find(" at byte ") != std::string::npos);
    return 0;
  }
  Check(m.version == 1);
  Check(m.facility * 8 + m.severity <= 191);
  Check(inside(m.timestamp) && inside(m.hostname) && inside(m.app_name) && inside(m.procid) &&
        inside(m.msgid) && inside(m.msg));
  Check(m.hostname.size() <= 255 && m.app_name.size() <= 48 && m.procid.size() <= 128 &&
        m.msgid.size() <= 32);
  Check(m.has_timestamp == !m.timestamp.empty());
  if (m.has_timestamp) {
    int64_t us = 0;
    Check(spard::ParseRfc3339(m.timestamp, &us) && us == m.timestamp_us);
  }
  size_t params = 0;
  for (size_t e = 0; e < m.sd_elements.size(); ++e) {
    const spard::SdElement& el = m.sd_elements[e];
    Check(inside(el.id) && !el.id.empty() && el.id.size() <= 32);
    Check(el.first_param == params);
    params += el.param_count;
  }
  Check(params == m.sd_params.size());
  std::string text;
  for (const spard::SdParam& p : m.sd_params) {
    Check(inside(p.name) && inside(p.value) && !p.name.empty() && p.name.size() <= 32);
    Check(p.element < m.sd_elements.size());
    spard::UnescapeSdParamValue(p.value, &text);
    Check(text.size() <= p.value.size());
    Check(p.needs_unescape == (text.size() < p.value.size()));
  }

  std::vector<spard::KvPair> kv;
  spard::ParseKeyValues(m.msg, &kv);
  for (const spard::KvPair& p : kv) {
    Check(!p.key.empty() && inside(p.key) && inside(p.value));
    spard::UnescapeKvValue(p.value, &text);
    Check(text.size() <= p.value.size());
  }
  return 0;
}
