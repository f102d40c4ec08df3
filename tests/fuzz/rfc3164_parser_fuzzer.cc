// Fuzzes ParseRfc3164 (and the key=value parser on its MSG, and the time-zone conversion of its
// timestamp): never crashes, and on success every view lies inside the input, MSG is its tail,
// the header fields keep their limits, and a timestamp's fields are valid and convert.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/kv_parser.h"
#include "ingest/local_time.h"
#include "ingest/rfc3164_parser.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view msg(reinterpret_cast<const char*>(data), size);
  auto inside = [&](std::string_view v) {
    return v.empty() || (v.data() >= msg.data() && v.data() + v.size() <= msg.data() + msg.size());
  };

  spard::Rfc3164Message m;
  const spard::Status st = spard::ParseRfc3164(msg, &m);
  if (!st.ok()) {
    Check(st.IsInvalidArgument());
    Check(st.message().find(" at byte ") != std::string::npos);
    return 0;
  }
  Check(m.facility * 8 + m.severity <= 191);
  Check(inside(m.sequence) && inside(m.timestamp) && inside(m.hostname) && inside(m.tag) &&
        inside(m.pid) && inside(m.mnemonic) && inside(m.msg));
  Check(m.msg.data() + m.msg.size() == msg.data() + msg.size() || m.msg.empty());
  Check(m.hostname.size() <= 255 && m.tag.size() <= 128 && m.pid.size() <= 128);
  Check(m.mnemonic.empty() || m.tag.empty());
  Check(m.pid.empty() || !m.tag.empty());
  Check(m.hostname.empty() || m.has_timestamp);
  Check(m.sequence.empty() || m.has_timestamp);
  Check(m.has_timestamp == !m.timestamp.empty());
  if (m.has_timestamp) {
    Check(spard::CivilTimeValid(m.time));
    // Any receive time, including far from the timestamp, converts.
    int64_t received = 0;
    for (size_t i = 0; i < size && i < 6; ++i) received = received * 251 + data[i];
    received = (received % (4'000'000'000'000'000 / 1000)) * 1000;  // 1970..2096
    int64_t us = 0;
    Check(Stockholm()->ToUtc(m.time, received, &us));
  }

  std::vector<spard::KvPair> kv;
  spard::ParseKeyValues(m.msg, &kv);
  std::string text;
  for (const spard::KvPair& p : kv) {
    Check(!p.key.empty() && inside(p.key) && inside(p.value));
    spard::UnescapeKvValue(p.value, &text);
    Check(text.size() <= p.value.size());
  }
  return 0;
}
