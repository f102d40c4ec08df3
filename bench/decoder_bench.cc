// spard_bench_decoder: the Decoder alone, in process: bytes in, Events out, no network, no store.
//
// N generated events are formatted into memory before the clock starts, as
//   rfc5424       the generator's lines (access fields as SD params), the common case;
//   ndjson        the generator's NDJSON lines;
//   rfc3164_kv    RFC 3164 with the access fields as key=value pairs in MSG;
//   rfc3164_text  RFC 3164 free text, "Journal <subject> öppnad av <user> (<unit>)", which the
//                 default mapping cannot map (quarantined) and a regex mapping can;
// and each input is decoded under every variant (a DecoderOptions: without per-system mappings,
// and with mappings that select nothing, everything, or the free text; see Variants()), the
// variants interleaved repetition by repetition so that a neighbour's load hits them alike. One
// JSON line per (input, variant): the median of the repetitions, and `ratio_to_default`, the
// variant's events/s over the `default` variant's on the same input in the same run.
//
//   spard_bench_decoder [--events N] [--reps R] [--inputs a,b] [--variants a,b] [--label L]
//
// --label tags every line (e.g. the commit), so that two builds run one after the other can be
// told apart in one results file.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/event_generator.h"
#include "common/event.h"
#include "ingest/decoder.h"
#include "ingest/mapping_set.h"

namespace {

using spard::bench::AccessEvent;
using spard::bench::EventGenerator;
using spard::bench::GeneratorOptions;
using Clock = std::chrono::steady_clock;

struct Args {
  uint64_t events = 200'000;
  int reps = 7;
  std::vector<std::string> inputs = {"rfc5424", "ndjson", "rfc3164_kv", "rfc3164_text"};
  std::vector<std::string> variants;  // empty: all
  std::string label;
};

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--events" && has_value) {
      args->events = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--reps" && has_value) {
      args->reps = std::atoi(argv[++i]);
    } else if (a == "--inputs" && has_value) {
      args->inputs = SplitList(argv[++i]);
    } else if (a == "--variants" && has_value) {
      args->variants = SplitList(argv[++i]);
    } else if (a == "--label" && has_value) {
      args->label = argv[++i];
    } else {
      fprintf(stderr,
              "usage: spard_bench_decoder [--events N] [--reps R] [--inputs a,b] "
              "[--variants a,b] [--label L]\n");
      return false;
    }
  }
  return args->events > 0 && args->reps > 0;
}

// "Oct  5 08:15:00": an RFC 3164 timestamp of ts_us (UTC; the zone does not matter here).
void AppendBsdTimestamp(int64_t ts_us, std::string* out) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t t = static_cast<time_t>(ts_us / 1'000'000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  snprintf(buf, sizeof buf, "%s %2d %02d:%02d:%02d", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec);
  *out += buf;
}

void AppendRfc3164Kv(const AccessEvent& e, std::string* out) {
  *out += "<86>";
  AppendBsdTimestamp(e.ts_us, out);
  *out += ' ';
  out->append(e.host);
  *out += ' ';
  out->append(e.system);
  *out += "[4711]: user=\"";
  out->append(e.user);  // may hold a backslash: quoted, as a sender would
  *out += "\" action=";
  out->append(e.action);
  *out += " object=";
  out->append(e.object);
  *out += " subject=";
  out->append(e.subject);
  *out += '\n';
}

void AppendRfc3164Text(const AccessEvent& e, std::string* out) {
  *out += "<86>";
  AppendBsdTimestamp(e.ts_us, out);
  *out += ' ';
  out->append(e.host);
  *out += " journal[4711]: Journal ";
  out->append(e.subject);
  *out += " \xC3\xB6ppnad av ";  // "öppnad av"
  out->append(e.user);
  *out += " (";
  out->append(e.unit);
  *out += ")\n";
}

std::vector<std::string> MakeLines(const std::string& input, uint64_t n) {
  GeneratorOptions o;
  o.count = n;
  EventGenerator gen(o);
  std::vector<std::string> lines;
  lines.reserve(n);
  AccessEvent e;
  std::string line;
  for (uint64_t i = 0; i < n; ++i) {
    gen.Get(i, &e);
    line.clear();
    if (input == "rfc5424") {
      spard::bench::AppendRfc5424(e, &line);
    } else if (input == "ndjson") {
      spard::bench::AppendNdjson(e, &line);
    } else if (input == "rfc3164_kv") {
      AppendRfc3164Kv(e, &line);
    } else if (input == "rfc3164_text") {
      AppendRfc3164Text(e, &line);
    } else {
      return {};
    }
    line.pop_back();  // the framer strips the LF
    lines.push_back(line);
  }
  return lines;
}

struct Variant {
  std::string name;
  spard::DecoderOptions options;
};

spard::MappingSpec Spec(std::string name) {
  spard::MappingSpec s;
  s.name = std::move(name);
  return s;
}

spard::DecoderOptions With(const spard::DecoderOptions& base,
                           const std::vector<spard::MappingSpec>& specs) {
  spard::DecoderOptions o = base;
  auto set = spard::MappingSet::Compile(specs);
  if (!set.ok()) {
    fprintf(stderr, "%s\n", set.status().message().c_str());
    std::exit(2);
  }
  o.mappings = std::move(set).value();
  return o;
}

// The generator's systems, which are also its APP-NAMEs and TAGs.
constexpr const char* kSystems[] = {"cosmic", "procapita", "treserva",
                                    "edlevo", "lifecare",  "personec"};

// What is compared. `default` is the baseline every ratio divides by: no per-system mappings.
//   unmatched         seven mappings for other apps (by match_app): what traffic no mapping is
//                     meant for pays when mappings are configured;
//   unmatched_message the same plus one by match_message alone: an RE2 search of every message;
//   unmatched_system  the same plus one by match_system, so selection needs the default
//                     mapping's system first (the first pass is then the result);
//   candidates        one mapping for every message (no matchers) adding candidates: one pass,
//                     with the mapping's index;
//   by_system         one mapping per system by match_system, adding candidates: every message
//                     is offered twice (the worst case);
//   journal_regex     the free-text mapping of docs/ingest_formats.md (match_app "journal", one
//                     RE2 rule, a static): maps rfc3164_text, selects nothing elsewhere.
std::vector<Variant> Variants() {
  std::vector<Variant> v;
  spard::DecoderOptions base;
  base.rfc3164_timezone = "Europe/Stockholm";
  v.push_back({"default", base});

  std::vector<spard::MappingSpec> others;
  for (int i = 0; i < 7; ++i) {
    spard::MappingSpec s = Spec("other-" + std::to_string(i));
    s.match_app = "other-app-" + std::to_string(i);
    s.candidates[spard::TargetIndex(spard::Target::kUser)] = {"kv:anvandare"};
    others.push_back(s);
  }
  v.push_back({"unmatched", With(base, others)});
  spard::MappingSpec by_message = Spec("by-message");
  by_message.match_message = " Arende \\d+ ";
  by_message.regex = {R"(Arende (?P<object>\d+) av (?P<user>\S+))"};
  others.push_back(by_message);
  v.push_back({"unmatched_message", With(base, others)});

  spard::MappingSpec by_other_system = Spec("by-other-system");
  by_other_system.match_system = "other-system";
  others.push_back(by_other_system);
  v.push_back({"unmatched_system", With(base, others)});

  spard::MappingSpec all = Spec("all");
  all.candidates[spard::TargetIndex(spard::Target::kUser)] = {"kv:anvandare", "sd:operator",
                                                              "json:actor.login"};
  all.candidates[spard::TargetIndex(spard::Target::kObject)] = {"kv:arende", "json:record.id"};
  v.push_back({"candidates", With(base, {all})});

  std::vector<spard::MappingSpec> per_system;
  for (const char* system : kSystems) {
    spard::MappingSpec s = Spec(std::string("system-") + system);
    s.match_system = system;
    s.candidates = all.candidates;
    per_system.push_back(s);
  }
  v.push_back({"by_system", With(base, per_system)});

  spard::MappingSpec journal = Spec("journal");
  journal.match_app = "journal";
  journal.regex = {
      R"(^(?P<object>Journal (?P<subject>\S+)) \x{f6}ppnad av (?P<user>\S+) \((?P<attrs_unit>.+)\)$)"};
  journal.statics = {{"action", "read"}};
  v.push_back({"journal_regex", With(base, {journal})});
  return v;
}

struct Sample {
  double seconds = 0;
  uint64_t events = 0;
  uint64_t quarantined = 0;
};

Sample DecodeAll(const spard::DecoderOptions& options, const std::vector<std::string>& lines) {
  spard::Decoder decoder(options);
  spard::IngestBatch batch;
  spard::MessageSource source;
  source.listener = spard::Listener::kTcp;
  source.peer = "10.0.0.7:51234";
  source.received_us = 1'791'000'000'000'000;  // inside the generator's span
  Sample s;
  constexpr size_t kBatch = 1024;  // a receiver hands batches of about this size to the store
  const auto start = Clock::now();
  for (size_t i = 0; i < lines.size(); ++i) {
    decoder.Decode(lines[i], source, false, &batch);
    if (batch.events.size() + batch.quarantined.size() == kBatch) {
      s.events += batch.events.size();
      s.quarantined += batch.quarantined.size();
      batch = spard::IngestBatch();
    }
  }
  s.events += batch.events.size();
  s.quarantined += batch.quarantined.size();
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return s;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double PeakRssMib() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return 2;
  double load[1] = {0};
  getloadavg(load, 1);
  std::vector<Variant> variants;
  for (Variant& v : Variants()) {
    if (args.variants.empty() ||
        std::find(args.variants.begin(), args.variants.end(), v.name) != args.variants.end()) {
      variants.push_back(std::move(v));
    }
  }
  if (variants.empty()) {
    fprintf(stderr, "no such variant\n");
    return 2;
  }
  for (const std::string& input : args.inputs) {
    const std::vector<std::string> lines = MakeLines(input, args.events);
    if (lines.empty()) {
      fprintf(stderr, "unknown input %s\n", input.c_str());
      return 2;
    }
    uint64_t bytes = 0;
    for (const std::string& l : lines) bytes += l.size();
    fprintf(stderr, "%s: %zu lines, %llu bytes\n", input.c_str(), lines.size(),
            static_cast<unsigned long long>(bytes));
    std::vector<std::vector<double>> seconds(variants.size());
    std::vector<Sample> last(variants.size());
    for (size_t i = 0; i < variants.size(); ++i) (void)DecodeAll(variants[i].options, lines);
    for (int r = 0; r < args.reps; ++r) {
      for (size_t i = 0; i < variants.size(); ++i) {
        last[i] = DecodeAll(variants[i].options, lines);
        seconds[i].push_back(last[i].seconds);
      }
    }
    double default_rate = 0;
    for (size_t i = 0; i < variants.size(); ++i) {
      const double median = Median(seconds[i]);
      const double rate = static_cast<double>(lines.size()) / median;
      if (variants[i].name == "default") default_rate = rate;
      const auto [min_it, max_it] = std::minmax_element(seconds[i].begin(), seconds[i].end());
      printf(
          "{\"bench\":\"decoder\",\"label\":\"%s\",\"input\":\"%s\",\"variant\":\"%s\","
          "\"events\":%zu,\"reps\":%d,\"events_per_s\":%.0f,\"bytes_per_s\":%.0f,"
          "\"ns_per_event\":%.1f,\"ns_per_event_min\":%.1f,\"ns_per_event_max\":%.1f,"
          "\"stored\":%llu,\"quarantined\":%llu,\"ratio_to_default\":%.3f,"
          "\"peak_rss_mib\":%.1f,\"loadavg_1m\":%.2f}\n",
          args.label.c_str(), input.c_str(), variants[i].name.c_str(), lines.size(), args.reps,
          rate, static_cast<double>(bytes) / median,
          median * 1e9 / static_cast<double>(lines.size()),
          *min_it * 1e9 / static_cast<double>(lines.size()),
          *max_it * 1e9 / static_cast<double>(lines.size()),
          static_cast<unsigned long long>(last[i].events),
          static_cast<unsigned long long>(last[i].quarantined),
          default_rate > 0 ? rate / default_rate : 0.0, PeakRssMib(), load[0]);
      fflush(stdout);
    }
  }
  return 0;
}
