// spard_gen: writes generated access events (bench/event_generator.h) to a file.
//
//   spard_gen --count N --format rfc5424|ndjson|rfc3164|cef|mixed [--shuffled] [--seed S] [--days
//   D]
//             [--start YYYY-MM-DD] [--jitter-ms J] [--sidecar FILE [--samples K]] -o FILE|-
//
// N takes k/M suffixes. The sidecar is JSON for the HTTP benchmarks: the byte sizes of the same
// events in both formats (so a run can relate store size to raw NDJSON without writing it), and
// sample events with the query values an investigator would use and the exact counts those
// queries must return. A one-line JSON summary (events/s, bytes/s) goes to stderr.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/event_generator.h"

namespace {

using spard::bench::AccessEvent;
using spard::bench::EventGenerator;
using spard::bench::GeneratorOptions;
using spard::bench::OutputFormat;

constexpr int64_t kDayUs = 86400'000000;

[[noreturn]] void Usage(const char* why) {
  fprintf(stderr,
          "spard_gen: %s\n"
          "usage: spard_gen --count N --format rfc5424|ndjson|rfc3164|cef|mixed [--shuffled] "
          "[--seed S]\n"
          "                 [--days D] [--start YYYY-MM-DD] [--jitter-ms J]\n"
          "                 [--sidecar FILE [--samples K]]\n"
          "                 -o FILE|-\n",
          why);
  exit(2);
}

uint64_t ParseCount(std::string_view s) {
  uint64_t mult = 1;
  if (!s.empty() && (s.back() == 'k' || s.back() == 'K')) mult = 1000;
  if (!s.empty() && (s.back() == 'm' || s.back() == 'M')) mult = 1000000;
  if (mult != 1) s.remove_suffix(1);
  if (s.empty()) Usage("bad number");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') Usage("bad number");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v * mult;
}

// "YYYY-MM-DD" -> µs at midnight UTC (days_from_civil).
int64_t ParseDate(std::string_view s) {
  unsigned y, m, d;
  if (s.size() != 10 || sscanf(std::string(s).c_str(), "%4u-%2u-%2u", &y, &m, &d) != 3 || m < 1 ||
      m > 12 || d < 1 || d > 31) {
    Usage("bad --start (want YYYY-MM-DD)");
  }
  int yy = static_cast<int>(y) - (m <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468) * kDayUs;
}

class Output {
 public:
  explicit Output(const std::string& path) {
    if (path == "-") {
      fd_ = 1;
    } else {
      fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd_ < 0) throw std::runtime_error("cannot create " + path + ": " + strerror(errno));
      owned_ = true;
    }
    buffer_.reserve(kFlushBytes + 4096);
  }
  ~Output() {
    if (owned_) close(fd_);
  }
  std::string* buffer() { return &buffer_; }
  void MaybeFlush() {
    if (buffer_.size() >= kFlushBytes) Flush();
  }
  void Flush() {
    const char* p = buffer_.data();
    size_t left = buffer_.size();
    while (left > 0) {
      ssize_t n = write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(std::string("write: ") + strerror(errno));
      p += n;
      left -= static_cast<size_t>(n);
    }
    written_ += buffer_.size();
    buffer_.clear();
  }
  uint64_t written() const { return written_ + buffer_.size(); }

 private:
  static constexpr size_t kFlushBytes = 4 << 20;
  int fd_ = -1;
  bool owned_ = false;
  std::string buffer_;
  uint64_t written_ = 0;
};

void AppendJson(std::string* out, std::string_view v) {
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

// Query bounds are whole days: "2026-10-01T00:00:00Z" rather than "...00.000Z".
std::string Rfc3339(int64_t us) {
  std::string s;
  spard::bench::AppendTimestamp(us, &s);
  if (s.ends_with(".000Z")) s.replace(s.size() - 5, 5, "Z");
  return s;
}

// One sampled event and the queries built from it, with their expected answers.
struct Sample {
  AccessEvent event;
  int64_t object_from = 0, object_to = 0;  // 7 days containing the event
  int64_t user_from = 0, user_to = 0;      // the event's UTC day
  uint64_t object_count = 0, user_count = 0, subject_count = 0;
};

int64_t DayStart(int64_t us) { return us - ((us % kDayUs) + kDayUs) % kDayUs; }

}  // namespace

int main(int argc, char** argv) {
  GeneratorOptions options;
  OutputFormat format = OutputFormat::kRfc5424;
  std::string output, sidecar, format_name = "rfc5424";
  size_t sample_count = 64;
  bool have_count = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    if (a == "--count") {
      options.count = ParseCount(value());
      have_count = true;
    } else if (a == "--format") {
      format_name = value();
      if (format_name == "rfc5424") {
        format = OutputFormat::kRfc5424;
      } else if (format_name == "ndjson") {
        format = OutputFormat::kNdjson;
      } else if (format_name == "rfc3164") {
        format = OutputFormat::kRfc3164;
      } else if (format_name == "cef") {
        format = OutputFormat::kCef;
      } else if (format_name == "mixed") {
        format = OutputFormat::kMixed;
      } else {
        Usage("unknown --format");
      }
    } else if (a == "--shuffled") {
      options.shuffled = true;
    } else if (a == "--seed") {
      options.seed = ParseCount(value());
    } else if (a == "--days") {
      options.days = static_cast<int>(ParseCount(value()));
    } else if (a == "--jitter-ms") {
      options.jitter_us = static_cast<int64_t>(ParseCount(value())) * 1000;
    } else if (a == "--start") {
      options.start_us = ParseDate(value());
    } else if (a == "--sidecar") {
      sidecar = value();
    } else if (a == "--samples") {
      sample_count = ParseCount(value());
    } else if (a == "-o" || a == "--output") {
      output = value();
    } else if (a == "-h" || a == "--help") {
      Usage("help");
    } else {
      Usage("unknown argument");
    }
  }
  if (!have_count || output.empty()) Usage("--count and -o are required");

  try {
    const auto start = std::chrono::steady_clock::now();
    EventGenerator gen(options);
    Output out(output);

    // Sidecar bookkeeping: sample events spread evenly over time rank (so they follow the
    // office-hours density) and the exact answers of the queries built from them.
    std::vector<Sample> samples;
    std::vector<std::vector<uint32_t>> by_object, by_user, by_subject;
    std::vector<uint64_t> system_events(gen.system_count());
    uint64_t rfc_bytes = 0, ndjson_bytes = 0;
    std::string scratch;
    const bool want_sidecar = !sidecar.empty();
    if (want_sidecar) {
      sample_count = std::min<uint64_t>(std::max<size_t>(sample_count, 1), options.count);
      samples.resize(sample_count);
      by_object.resize(options.objects);
      by_user.resize(options.users);
      by_subject.resize(options.subjects);
      for (size_t k = 0; k < sample_count; ++k) {
        Sample& s = samples[k];
        // Filled in place: its views into its own buffers stay valid (samples never grows).
        gen.GetByRank((2 * k + 1) * options.count / (2 * sample_count), &s.event);
        const int64_t day = DayStart(s.event.ts_us);
        s.object_from = day - 3 * kDayUs;
        s.object_to = day + 4 * kDayUs;
        s.user_from = day;
        s.user_to = day + kDayUs;
        by_object[s.event.object_index].push_back(static_cast<uint32_t>(k));
        by_user[s.event.user_index].push_back(static_cast<uint32_t>(k));
        by_subject[s.event.subject_index].push_back(static_cast<uint32_t>(k));
      }
    }

    AccessEvent e;
    for (uint64_t i = 0; i < options.count; ++i) {
      gen.Get(i, &e);
      std::string* buf = out.buffer();
      const size_t before = buf->size();
      AppendLine(format, e, buf);
      if (want_sidecar) {
        // The size of this event in the other format(s).
        const size_t line = buf->size() - before;
        scratch.clear();
        switch (format) {
          case OutputFormat::kRfc5424:
            rfc_bytes += line;
            AppendNdjson(e, &scratch);
            ndjson_bytes += scratch.size();
            break;
          case OutputFormat::kNdjson:
            ndjson_bytes += line;
            AppendRfc5424(e, &scratch);
            rfc_bytes += scratch.size();
            break;
          case OutputFormat::kRfc3164:
          case OutputFormat::kCef:
          case OutputFormat::kMixed:
            AppendNdjson(e, &scratch);
            ndjson_bytes += scratch.size();
            scratch.clear();
            AppendRfc5424(e, &scratch);
            rfc_bytes += scratch.size();
            break;
        }
        ++system_events[e.system_index];
        for (uint32_t k : by_object[e.object_index]) {
          Sample& s = samples[k];
          if (e.ts_us >= s.object_from && e.ts_us < s.object_to) ++s.object_count;
        }
        for (uint32_t k : by_user[e.user_index]) {
          Sample& s = samples[k];
          if (e.ts_us >= s.user_from && e.ts_us < s.user_to) ++s.user_count;
        }
        for (uint32_t k : by_subject[e.subject_index]) ++samples[k].subject_count;
      }
      out.MaybeFlush();
    }
    out.Flush();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (want_sidecar) {
      const int64_t end_us = options.start_us + options.days * kDayUs;
      std::string j = "{";
      j += "\"seed\":" + std::to_string(options.seed);
      j += ",\"count\":" + std::to_string(options.count);
      j += ",\"days\":" + std::to_string(options.days);
      j += ",\"start\":\"" + Rfc3339(options.start_us) + "\"";
      j += ",\"end\":\"" + Rfc3339(end_us) + "\"";
      j += ",\"format\":\"" + format_name + "\"";
      j += ",\"shuffled\":" + std::string(options.shuffled ? "true" : "false");
      j += ",\"file_bytes\":" + std::to_string(out.written());
      j += ",\"rfc5424_bytes\":" + std::to_string(rfc_bytes);
      j += ",\"ndjson_bytes\":" + std::to_string(ndjson_bytes);
      j += ",\"systems\":[";
      for (size_t s = 0; s < gen.system_count(); ++s) {
        if (s > 0) j += ",";
        j += "{\"name\":";
        AppendJson(&j, gen.system_name(s));
        j += ",\"events\":" + std::to_string(system_events[s]) + "}";
      }
      j += "],\"samples\":[";
      for (size_t k = 0; k < samples.size(); ++k) {
        const Sample& s = samples[k];
        const AccessEvent& ev = s.event;
        if (k > 0) j += ",";
        j += "\n{\"rank\":" + std::to_string(ev.rank);
        j += ",\"ts\":\"" + Rfc3339(ev.ts_us) + "\"";
        j += ",\"system\":";
        AppendJson(&j, ev.system);
        j += ",\"user\":";
        AppendJson(&j, ev.user);
        j += ",\"object\":";
        AppendJson(&j, ev.object);
        j += ",\"subject\":";
        AppendJson(&j, ev.subject);
        j += ",\"subject_normal\":";
        AppendJson(&j, gen.subject_normal(ev.subject_index));
        j += ",\"subject_forms\":[";
        for (int form = 0; form < 3; ++form) {
          char buf[16];
          size_t n = gen.FormatSubject(ev.subject_index, form, ev.ts_us, buf);
          if (form > 0) j += ",";
          AppendJson(&j, std::string_view(buf, n));
        }
        j += "]";
        j += ",\"object_query\":{\"from\":\"" + Rfc3339(s.object_from) + "\",\"to\":\"" +
             Rfc3339(s.object_to) + "\",\"count\":" + std::to_string(s.object_count) + "}";
        j += ",\"user_query\":{\"from\":\"" + Rfc3339(s.user_from) + "\",\"to\":\"" +
             Rfc3339(s.user_to) + "\",\"count\":" + std::to_string(s.user_count) + "}";
        j += ",\"subject_query\":{\"count\":" + std::to_string(s.subject_count) + "}";
        j += "}";
      }
      j += "]}\n";
      Output side(sidecar);
      side.buffer()->append(j);
      side.Flush();
    }

    fprintf(stderr,
            "{\"bench\":\"gen\",\"format\":\"%s\",\"shuffled\":%s,\"events\":%llu,"
            "\"bytes\":%llu,\"bytes_per_event\":%.1f,\"wall_s\":%.3f,\"events_per_s\":%.0f,"
            "\"bytes_per_s\":%.0f}\n",
            format_name.c_str(), options.shuffled ? "true" : "false",
            static_cast<unsigned long long>(options.count),
            static_cast<unsigned long long>(out.written()),
            static_cast<double>(out.written()) / static_cast<double>(options.count), wall,
            static_cast<double>(options.count) / wall, static_cast<double>(out.written()) / wall);
  } catch (const std::exception& ex) {
    fprintf(stderr, "spard_gen: %s\n", ex.what());
    return 1;
  }
  return 0;
}
