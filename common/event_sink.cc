#include "common/event_sink.h"

namespace spard {

size_t IngestBatch::MemoryUsage() const {
  size_t n = sizeof(*this) + events.capacity() * sizeof(Event) +
             quarantined.capacity() * sizeof(QuarantineRecord);
  for (const Event& e : events) n += e.MemoryUsage() - sizeof(Event);
  for (const QuarantineRecord& q : quarantined) n += q.MemoryUsage() - sizeof(QuarantineRecord);
  for (const auto& [k, v] : meta_puts) n += sizeof(k) + sizeof(v) + k.capacity() + v.capacity();
  return n;
}

}  // namespace spard
