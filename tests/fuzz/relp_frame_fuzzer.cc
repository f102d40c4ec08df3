// Fuzzes RelpFrameParser: any split of a byte stream yields the same frames and the same verdict
// (a protocol violation is found at the same frame whatever the reads), data is never longer
// than max_data, and frames are only truncated when they announced more. Input: byte 0 picks
// max_data (1..256), byte 1 seeds the split sizes, the rest is the stream.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ingest/relp_frame.h"

namespace {

struct Got {
  uint32_t txnr;
  std::string command, data;
  bool truncated;
  bool operator==(const Got& o) const {
    return std::tie(txnr, command, data, truncated) ==
           std::tie(o.txnr, o.command, o.data, o.truncated);
  }
};

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  std::vector<Got> frames;
  bool failed = false;
  bool operator==(const Outcome& o) const { return frames == o.frames && failed == o.failed; }
};

Outcome Run(std::string_view stream, size_t max, const std::vector<size_t>& cuts) {
  spard::RelpFrameParser parser(max);
  Outcome out;
  auto emit = [&](const spard::RelpFrame& f) {
    Check(!f.command.empty() && f.command.size() <= 32);
    Check(f.data.size() <= max);
    Check(!f.truncated || f.data.size() == max);
    out.frames.push_back(Got{f.txnr, std::string(f.command), std::string(f.data), f.truncated});
  };
  size_t pos = 0;
  for (size_t cut : cuts) {
    if (!parser.Feed(stream.substr(pos, cut - pos), emit)) {
      Check(!parser.error().empty());
      out.failed = true;
      return out;
    }
    pos = cut;
  }
  if (!parser.Feed(stream.substr(pos), emit)) {
    Check(!parser.error().empty());
    out.failed = true;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max = static_cast<size_t>(data[0]) + 1;
  std::minstd_rand rng(data[1] + 1u);
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  const Outcome whole = Run(stream, max, {});
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
  // A response always parses back as one frame.
  if (!whole.frames.empty()) {
    const std::string rsp = spard::RelpResponse(whole.frames[0].txnr, "200 OK");
    spard::RelpFrameParser p(256);
    int n = 0;
    Check(p.Feed(rsp, [&](const spard::RelpFrame& f) {
      ++n;
      Check(f.txnr == whole.frames[0].txnr && f.command == "rsp" && f.data == "200 OK");
    }));
    Check(n == 1);
  }
  return 0;
}
