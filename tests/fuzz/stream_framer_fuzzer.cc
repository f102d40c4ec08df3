// Fuzzes StreamFramer and checks its central promise: any split of a stream emits exactly the
// messages the unsplit stream does. Input: byte 0 picks max_message_bytes (1..256), byte 1 seeds
// the split sizes, the rest is the stream.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ingest/stream_framer.h"

namespace {

struct Got {
  std::string message;
  bool truncated;
  bool incomplete;
  bool octet_counted;
  bool operator==(const Got& o) const {
    return std::tie(message, truncated, incomplete, octet_counted) ==
           std::tie(o.message, o.truncated, o.incomplete, o.octet_counted);
  }
};

void Check(bool ok) {
  if (!ok) std::abort();
}

std::vector<Got> Run(std::string_view stream, size_t max, const std::vector<size_t>& cuts) {
  spard::StreamFramer framer(max);
  std::vector<Got> got;
  auto emit = [&](const spard::Frame& f) {
    Check(!f.message.empty());
    Check(f.message.size() <= max);
    Check(!f.truncated || f.message.size() == max);
    got.push_back(Got{std::string(f.message), f.truncated, f.incomplete, f.octet_counted});
  };
  size_t pos = 0;
  for (size_t cut : cuts) {
    framer.Feed(stream.substr(pos, cut - pos), emit);
    Check(framer.buffered() <= max + 11);
    pos = cut;
  }
  framer.Feed(stream.substr(pos), emit);
  Check(framer.buffered() <= max + 11);
  framer.Finish(emit);
  Check(framer.buffered() == 0);
  return got;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max = static_cast<size_t>(data[0]) + 1;
  std::minstd_rand rng(data[1] + 1u);
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  const std::vector<Got> whole = Run(stream, max, {});
  // Every message is accounted for: a complete stream emits nothing incomplete but at its end.
  for (size_t i = 0; i + 1 < whole.size(); ++i) Check(!whole[i].incomplete);

  std::vector<size_t> cuts;
  size_t pos = 0;
  while (pos < stream.size()) {
    pos += std::uniform_int_distribution<size_t>(0, 16)(rng);
    if (pos > stream.size()) break;
    cuts.push_back(pos);
  }
  Check(Run(stream, max, cuts) == whole);

  std::vector<size_t> bytes;
  for (size_t i = 1; i < stream.size(); ++i) bytes.push_back(i);
  Check(Run(stream, max, bytes) == whole);
  return 0;
}
