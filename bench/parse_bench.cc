// bench/parse: messages/s of the Decoder (detection, parsing, mapping, the checks) per format,
// one core, single-threaded, in process: no network, no store. The same events in every format
// (bench/event_generator.h), so the formats compare like for like; `mixed` interleaves the four.
// Each format's rate is also given as a ratio to RFC 5424's in the same run.
//
//   spard_bench_parse [--events N] [--rounds R]
//
// One JSON line per format:
//   {"bench":"parse","format":"cef","messages":200000,"msgs_per_s":...,"ns_per_msg":...,
//    "mb_per_s":...,"ratio_to_rfc5424":...,"quarantined":0}

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/event_generator.h"
#include "ingest/decoder.h"

namespace {

using spard::bench::AccessEvent;
using spard::bench::EventGenerator;
using spard::bench::GeneratorOptions;
using spard::bench::OutputFormat;

struct Corpus {
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> lines;  // offset, length (without LF)
};

Corpus Generate(const EventGenerator& gen, OutputFormat format) {
  Corpus c;
  AccessEvent e;
  for (uint64_t i = 0; i < gen.count(); ++i) {
    gen.Get(i, &e);
    const size_t start = c.bytes.size();
    AppendLine(format, e, &c.bytes);
    c.lines.emplace_back(start, c.bytes.size() - start - 1);
  }
  return c;
}

struct Result {
  double seconds = 0;  // best round
  uint64_t quarantined = 0;
};

Result Run(const Corpus& c, int rounds, int64_t received_us) {
  spard::DecoderOptions o;
  o.rfc3164_timezone = "UTC";  // the generator writes BSD times in UTC
  spard::Decoder decoder(o);
  spard::MessageSource source;
  source.listener = spard::Listener::kTcp;
  source.peer = "127.0.0.1:5000";
  source.received_us = received_us;
  Result r;
  r.seconds = 1e9;
  spard::IngestBatch batch;
  for (int round = 0; round < rounds; ++round) {
    uint64_t quarantined = 0;
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < c.lines.size(); ++i) {
      const auto [off, len] = c.lines[i];
      decoder.Decode(std::string_view(c.bytes.data() + off, len), source, false, &batch);
      if ((i & 1023) == 1023) {  // a batch as a connection hands it to the store
        quarantined += batch.quarantined.size();
        batch.events.clear();
        batch.quarantined.clear();
      }
    }
    quarantined += batch.quarantined.size();
    batch.events.clear();
    batch.quarantined.clear();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.seconds = std::min(r.seconds, s);
    r.quarantined = quarantined;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 200000;
  int rounds = 3;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: spard_bench_parse [--events N] [--rounds R]\n");
      return 2;
    }
  }
  GeneratorOptions go;
  go.count = events;
  EventGenerator gen(go);
  // Received a day after the span ends: RFC 3164 years resolve to the events' own.
  const int64_t received = go.start_us + (go.days + 1) * 86400LL * 1000000;
  const std::pair<const char*, OutputFormat> formats[] = {{"rfc5424", OutputFormat::kRfc5424},
                                                          {"ndjson", OutputFormat::kNdjson},
                                                          {"rfc3164", OutputFormat::kRfc3164},
                                                          {"cef", OutputFormat::kCef},
                                                          {"mixed", OutputFormat::kMixed}};
  double base = 0;
  int status = 0;
  for (const auto& [name, format] : formats) {
    Corpus c = Generate(gen, format);
    Result r = Run(c, rounds, received);
    const double rate = static_cast<double>(events) / r.seconds;
    if (base == 0) base = rate;
    std::printf(
        "{\"bench\":\"parse\",\"format\":\"%s\",\"messages\":%llu,\"msgs_per_s\":%.0f,"
        "\"ns_per_msg\":%.1f,\"mb_per_s\":%.1f,\"ratio_to_rfc5424\":%.3f,\"quarantined\":%llu}\n",
        name, static_cast<unsigned long long>(events), rate, r.seconds * 1e9 / events,
        static_cast<double>(c.bytes.size()) / r.seconds / 1e6, rate / base,
        static_cast<unsigned long long>(r.quarantined));
    std::fflush(stdout);
    if (r.quarantined != 0) status = 1;  // the generator's events are all valid
  }
  return status;
}
