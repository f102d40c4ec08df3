#include "common/event_sink.h"

namespace spard {

size_t IngestBatch::MemoryUsage() const {
  size_t n = sizeof(*this) + events.capacity() * sizeof(Event) +
             quarantined.capacity() * sizeof(QuarantineRecord);
  for (const Event& e : events) n += e.MemoryUsage() - sizeof(Event);
  for (const QuarantineRecord& q : quarantined) n += q.MemoryUsage() - sizeof(QuarantineRecord);
  return n;
}

}  // namespace spard
