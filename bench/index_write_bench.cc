// spard_bench_index_write: the index write path, in process, no network.
//
// N generated events (RFC 5424 lines, built in memory before the clock starts) are written
//   store         through spard::Store: Writer::Submit in batches, wait for every on_durable,
//                 then Index::Flush() so the index segments are on disk;
//   naive         as the baseline the issue measured: the event rows plus one RocksDB key per
//                 event per index (user, object, subject, system, time) in the same WriteBatch,
//                 WAL synced per batch, into a fresh spard::Database (the store's own CF
//                 options) with 64 MiB index memtables (PERF-NOTES); then the memtables are
//                 flushed;
//   naive_sorted  the same with each batch's index keys sorted per column family first;
// in time order (with the generator's jitter) and shuffled. Each (variant, order) runs in a
// fresh child process so that peak RSS and CPU are its own. One JSON line per run.
//
// Both variants build spard::Event objects from the lines inside the timed loop (what a TCP
// receiver does after parsing), so the difference between them is the store's write path.
//
//   spard_bench_index_write [--events N] [--batch B] [--variants store,naive,naive_sorted]
//                           [--orders ordered,shuffled] [--seed S] [--dir DIR] [--keep]
//                           [--segment-events E] [--queue-mib Q] [--write-buffer-mib W]
//                           [--no-compact]

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bench/event_generator.h"
#include "common/event.h"
#include "common/metrics.h"
#include "common/personnummer.h"
#include "store/event_codec.h"
#include "store/key_codec.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using spard::bench::AccessEvent;
using spard::bench::EventGenerator;
using spard::bench::GeneratorOptions;
using spard::bench::LineFields;
using Clock = std::chrono::steady_clock;

struct Args {
  uint64_t events = 2'000'000;
  size_t batch = 4096;
  uint64_t seed = 1;
  std::vector<std::string> variants = {"store", "naive", "naive_sorted"};
  std::vector<std::string> orders = {"ordered", "shuffled"};
  std::string dir;
  bool keep = false;
  bool compact = true;  // --no-compact: stop after the write phase (for profiling it alone)
  // Store budgets; 0: the store's defaults.
  uint64_t segment_events = 0;
  uint64_t queue_mib = 0;
  uint64_t write_buffer_mib = 0;
  // Child mode: run exactly this one.
  std::string variant, order;
};

[[noreturn]] void Usage(const char* why) {
  fprintf(stderr,
          "spard_bench_index_write: %s\n"
          "usage: spard_bench_index_write [--events N] [--batch B] [--variants "
          "store,store_no_tree,naive,naive_sorted]\n"
          "         [--orders ordered,shuffled] [--seed S] [--dir DIR] [--keep] "
          "[--segment-events E]\n"
          "         [--queue-mib Q] [--write-buffer-mib W] [--no-compact]\n",
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

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t c = s.find(',');
    out.emplace_back(s.substr(0, c));
    if (c == std::string_view::npos) break;
    s.remove_prefix(c + 1);
  }
  return out;
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);  // all threads: ours, the store's and RocksDB's
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// A "Vm...:  123 kB" line of /proc/self/status, in MiB.
double ProcStatusMib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') {
      return static_cast<double>(std::stoull(line.substr(n + 1))) / 1024.0;
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so the peak is the write phase's own.
void ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

// Apparent size of every file under `dir` (what `du --apparent-size` reports); *sst gets the
// table files' share.
uint64_t DirBytes(const fs::path& dir, uint64_t* sst) {
  uint64_t total = 0;
  *sst = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    uint64_t size = it->file_size(ec);
    total += size;
    if (it->path().extension() == ".sst") *sst += size;
  }
  return total;
}

// One JSON object (or, opened with '[', array) built member by member. Keys and strings here are
// ours or RocksDB's (column family names, error messages): '"' and '\\' are escaped, control
// characters become spaces.
class JsonLine {
 public:
  explicit JsonLine(char open = '{') : close_(open == '[' ? ']' : '}') { s_.push_back(open); }
  JsonLine& Str(std::string_view key, std::string_view value) {
    Key(key);
    Quoted(value);
    return *this;
  }
  JsonLine& Num(std::string_view key, double value, int decimals) {
    Key(key);
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, value);
    s_ += buf;
    return *this;
  }
  JsonLine& Raw(std::string_view key, std::string_view json) {
    Key(key);
    s_ += json;
    return *this;
  }
  std::string Finish() { return s_ + close_; }

 private:
  void Key(std::string_view key) {
    if (s_.size() > 1) s_.push_back(',');
    if (close_ == '}') {
      Quoted(key);
      s_.push_back(':');
    }
  }
  void Quoted(std::string_view v) {
    s_.push_back('"');
    for (char c : v) {
      if (c == '"' || c == '\\') s_.push_back('\\');
      s_.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
    s_.push_back('"');
  }
  std::string s_;
  char close_;
};

// The machine is shared: the 1-minute load average says how much to trust a run.
double LoadAverage() {
  double load[1] = {-1};
  getloadavg(load, 1);
  return load[0];
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// What RocksDB's background work wrote (flushes and compactions; ingested tables are not
// counted) and how often it stalled writers, over the given column families.
struct BackgroundStats {
  double write_mib = 0;
  double compaction_cpu_s = 0;
  uint64_t stalls = 0;
};
BackgroundStats ReadBackgroundStats(rocksdb::DB* db,
                                    const std::vector<rocksdb::ColumnFamilyHandle*>& cfs) {
  BackgroundStats out;
  for (auto* cf : cfs) {
    std::map<std::string, std::string> m;
    if (!db->GetMapProperty(cf, rocksdb::DB::Properties::kCFStats, &m)) continue;
    auto num = [&](const char* key) { return m.count(key) ? std::stod(m[key]) : 0.0; };
    out.write_mib += num("compaction.Sum.WriteGB") * 1024;
    out.compaction_cpu_s += num("compaction.Sum.CompMergeCPU");
    out.stalls +=
        static_cast<uint64_t>(num("io_stalls.total_stop") + num("io_stalls.total_slowdown"));
  }
  return out;
}

// Table bytes per column family (after compaction: where the bytes on disk go).
std::map<std::string, uint64_t> BytesByColumnFamily(rocksdb::DB* db) {
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  std::map<std::string, uint64_t> out;
  for (const auto& f : files) out[f.column_family_name] += f.size;
  return out;
}

// The input: every line of the run and where its values sit, generated before timing.
struct Input {
  std::string lines;
  std::vector<uint64_t> start;  // line i is lines[start[i], start[i+1]) without its LF
  std::vector<int64_t> ts_us;
  std::vector<LineFields> fields;
  uint64_t rfc5424_bytes = 0;
  uint64_t ndjson_bytes = 0;
  uint64_t subject_mismatches = 0;  // spard's normal form disagrees with the generator's

  size_t size() const { return ts_us.size(); }
  std::string_view line(size_t i) const {
    return std::string_view(lines).substr(start[i], start[i + 1] - start[i] - 1);
  }
};

Input Generate(uint64_t events, uint64_t seed, bool shuffled) {
  GeneratorOptions options;
  options.count = events;
  options.seed = seed;
  options.shuffled = shuffled;
  EventGenerator gen(options);
  Input in;
  in.lines.reserve(events * 232);
  in.start.reserve(events + 1);
  in.ts_us.reserve(events);
  in.fields.reserve(events);
  AccessEvent e;
  std::string ndjson, normal;
  for (uint64_t i = 0; i < events; ++i) {
    gen.Get(i, &e);
    in.start.push_back(in.lines.size());
    in.fields.emplace_back();
    spard::bench::AppendRfc5424(e, &in.lines, &in.fields.back());
    in.ts_us.push_back(e.ts_us);
    ndjson.clear();
    spard::bench::AppendNdjson(e, &ndjson);
    in.ndjson_bytes += ndjson.size();
    // The generator is an independent oracle for spard's personnummer normalisation.
    normal = spard::NormalizeSubject(e.subject, e.ts_us);
    if (normal != gen.subject_normal(e.subject_index)) ++in.subject_mismatches;
  }
  in.start.push_back(in.lines.size());
  in.rfc5424_bytes = in.lines.size();
  return in;
}

// RFC 5424 PARAM-VALUE unescaping (§6.3.3), as the parser does for values that carry escapes.
std::string UnescapeSd(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() &&
        (v[i + 1] == '"' || v[i + 1] == '\\' || v[i + 1] == ']')) {
      ++i;
    }
    out.push_back(v[i]);
  }
  return out;
}

// The Event a receiver would hand the store for input line i: raw bytes copied once, fields as
// slices of them where they occur verbatim, the rest (unescaped values) copied.
void BuildEvent(const Input& in, size_t i, int64_t received_us, spard::Event* ev) {
  using spard::Field;
  *ev = spard::Event(in.line(i));
  ev->ts_us = in.ts_us[i];
  ev->has_ts = true;
  ev->received_us = received_us;
  ev->format = spard::Format::kRfc5424;
  ev->listener = spard::Listener::kTcp;
  ev->peer = "127.0.0.1:40000";
  const LineFields& f = in.fields[i];
  const std::string_view raw = ev->raw();
  static constexpr struct {
    LineFields::Name name;
    Field field;
  } kMap[] = {{LineFields::kSystem, Field::kSystem},   {LineFields::kHost, Field::kHost},
              {LineFields::kUser, Field::kUser},       {LineFields::kAction, Field::kAction},
              {LineFields::kObject, Field::kObject},   {LineFields::kSubject, Field::kSubject},
              {LineFields::kOutcome, Field::kOutcome}, {LineFields::kClientIp, Field::kClientIp},
              {LineFields::kReason, Field::kReason}};
  for (const auto& m : kMap) {
    if (f.length[m.name] == 0) continue;
    std::string_view v = raw.substr(f.offset[m.name], f.length[m.name]);
    if (f.escaped[m.name]) {
      ev->set_field(m.field, UnescapeSd(v));
    } else {
      ev->set_field(m.field, v);
    }
  }
  // The MSGID follows APP-NAME and " - "; the decoder keeps it as an attribute.
  const size_t msgid = f.offset[LineFields::kSystem] + f.length[LineFields::kSystem] + 3;
  ev->add_attr("msgid", raw.substr(msgid, raw.find(' ', msgid) - msgid));
  if (f.length[LineFields::kUnit] > 0) {
    // The SD-PARAM name sits just before its value: `unit="`.
    ev->add_attr(raw.substr(f.offset[LineFields::kUnit] - 6, 4),
                 raw.substr(f.offset[LineFields::kUnit], f.length[LineFields::kUnit]));
  }
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What one run measured.
struct Result {
  double durable_s = 0;  // every event durable and queryable
  double wall_s = 0;     // ... and the indexes written out as tables
  double cpu_s = 0;
  double compact_s = 0;
  std::vector<double> decile_s;  // when 10 %, 20 %, ... of the events were durable
  std::vector<double> batch_latency_s;
  double input_rss_mib = 0;
  double peak_rss_mib = 0;
  uint64_t disk_bytes = 0;
  uint64_t sst_bytes = 0;
  // Store only, sampled at every commit: where the memory goes.
  size_t max_index_memory = 0;               // Index::memory_bytes(): the in-memory segments
  size_t max_queue_bytes = 0;                // Writer::queued_bytes(): parsed events waiting
  BackgroundStats background;                // during the timed phase
  std::map<std::string, uint64_t> cf_bytes;  // after compaction
  std::string error;
};

// Records when each tenth of the events became durable.
class Progress {
 public:
  Progress(uint64_t total, Clock::time_point start) : total_(total), start_(start) {}
  void Add(uint64_t n, std::vector<double>* deciles) {
    done_ += n;
    while (next_ <= 10 && done_ * 10 >= next_ * total_) {
      deciles->push_back(Seconds(start_, Clock::now()));
      ++next_;
    }
  }
  uint64_t done() const { return done_; }

 private:
  uint64_t total_;
  Clock::time_point start_;
  uint64_t done_ = 0;
  uint64_t next_ = 1;
};

Result RunStore(const Input& in, const Args& args, const fs::path& dir) {
  Result r;
  spard::Metrics metrics;
  spard::StoreOptions options;
  options.data_dir = dir.string();
  if (args.segment_events > 0) options.segment_max_events = args.segment_events;
  if (args.queue_mib > 0) options.writer.queue_max_bytes = args.queue_mib << 20;
  if (args.write_buffer_mib > 0) options.write_buffer_bytes = args.write_buffer_mib << 20;
  // store_no_tree: the same without the Merkle tree, to show what the tree costs.
  options.writer.hash_tree = args.variant != "store_no_tree";
  auto opened = spard::Store::Open(options, &metrics);
  if (!opened.ok()) {
    r.error = opened.status().ToString();
    return r;
  }
  std::unique_ptr<spard::Store> store = std::move(opened).value();

  const size_t n = in.size();
  const size_t batches = (n + args.batch - 1) / args.batch;
  r.batch_latency_s.assign(batches, 0);
  std::mutex mu;
  std::condition_variable done_cv;
  std::string failure;

  r.input_rss_mib = ProcStatusMib("VmRSS");
  ResetPeakRss();
  const double cpu0 = CpuSeconds();
  const auto t0 = Clock::now();
  Progress progress(n, t0);
  for (size_t b = 0; b < batches; ++b) {
    const size_t begin = b * args.batch, end = std::min(n, begin + args.batch);
    spard::IngestBatch batch;
    batch.events.resize(end - begin);
    const int64_t received = NowUs();
    for (size_t i = begin; i < end; ++i) BuildEvent(in, i, received, &batch.events[i - begin]);
    const auto submitted = Clock::now();
    batch.on_durable = [&, b, submitted](const spard::CommitResult& result) {
      std::lock_guard lock(mu);
      r.batch_latency_s[b] = Seconds(submitted, Clock::now());
      if (!result.status.ok()) failure = result.status.ToString();
      progress.Add(result.events, &r.decile_s);
      r.max_index_memory = std::max(r.max_index_memory, store->index()->memory_bytes());
      r.max_queue_bytes = std::max(r.max_queue_bytes, store->writer()->queued_bytes());
      if (progress.done() == n || !failure.empty()) done_cv.notify_all();
    };
    if (store->writer()->Submit(&batch) != spard::SubmitResult::kAccepted) {
      r.error = "writer refused a batch";
      store->Close();  // runs the pending callbacks while what they touch still exists
      return r;
    }
  }
  {
    std::unique_lock lock(mu);
    done_cv.wait(lock, [&] { return progress.done() == n || !failure.empty(); });
    if (!failure.empty()) {
      r.error = failure;
      lock.unlock();
      store->Close();
      return r;
    }
  }
  r.durable_s = Seconds(t0, Clock::now());
  spard::Status s = store->index()->Flush();
  r.wall_s = Seconds(t0, Clock::now());
  r.cpu_s = CpuSeconds() - cpu0;
  r.peak_rss_mib = ProcStatusMib("VmHWM");
  {
    spard::Database* db = store->database();
    std::vector<rocksdb::ColumnFamilyHandle*> cfs = {db->events(), db->quarantine(), db->meta()};
    for (int k = 0; k < spard::kIndexKindCount; ++k) {
      cfs.push_back(db->index(static_cast<spard::IndexKind>(k)));
    }
    r.background = ReadBackgroundStats(db->db(), cfs);
  }
  if (!s.ok()) {
    r.error = s.ToString();
    return r;
  }
  if (!args.compact) return r;
  const auto c0 = Clock::now();
  s = store->FlushAndCompact();
  r.compact_s = Seconds(c0, Clock::now());
  if (!s.ok()) {
    r.error = s.ToString();
    return r;
  }
  r.cf_bytes = BytesByColumnFamily(store->database()->db());
  store->Close();
  r.disk_bytes = DirBytes(dir / "db", &r.sst_bytes);
  return r;
}

// --- The naive baseline -----------------------------------------------------------------------

// The store's own Database (every CF option, filter and compression choice of store/db.cc, so
// the baseline follows them as they change) with two deliberate differences, because here the
// index CFs take every key through their memtables (PERF-NOTES' configuration):
//   - index CFs get 64 MiB memtables (the store gives them 4 MiB: it only ingests tables);
//   - the shared write-buffer cap is raised to fit them, and the events CF keeps the memtable
//     size the store's defaults give it.
constexpr uint64_t kNaiveIndexMemtable = 64ull << 20;

spard::Result<std::unique_ptr<spard::Database>> OpenNaive(const fs::path& path) {
  const spard::StoreOptions defaults;
  spard::DatabaseOptions options;
  options.path = path.string();
  options.block_cache_bytes = defaults.block_cache_bytes;
  const uint64_t events_memtable = std::max<uint64_t>(defaults.write_buffer_bytes / 2, 4 << 20);
  // Two memtables (active + flushing) per CF.
  options.write_buffer_bytes = 2 * (spard::kIndexKindCount * kNaiveIndexMemtable + events_memtable);
  auto db = spard::Database::Open(options);
  if (!db.ok()) return db.status();
  rocksdb::DB* rdb = db.value()->db();
  rocksdb::Status s = rdb->SetOptions(db.value()->events(),
                                      {{"write_buffer_size", std::to_string(events_memtable)}});
  for (int k = 0; k < spard::kIndexKindCount && s.ok(); ++k) {
    s = rdb->SetOptions(db.value()->index(static_cast<spard::IndexKind>(k)),
                        {{"write_buffer_size", std::to_string(kNaiveIndexMemtable)}});
  }
  if (!s.ok()) return spard::FromRocks(s, "setting memtable sizes");
  return db;
}

Result RunNaive(const Input& in, const Args& args, const fs::path& dir, bool sorted) {
  using spard::IndexKind;
  Result r;
  auto opened = OpenNaive(dir / "db");
  if (!opened.ok()) {
    r.error = opened.status().ToString();
    return r;
  }
  std::unique_ptr<spard::Database> db = std::move(opened).value();
  rocksdb::DB* rdb = db->db();
  std::vector<rocksdb::ColumnFamilyHandle*> cfs = {db->events()};
  for (int k = 0; k < spard::kIndexKindCount; ++k)
    cfs.push_back(db->index(static_cast<IndexKind>(k)));
  rocksdb::Status s;
  const std::string kValue(1, '\x01');  // a format version byte, nothing else

  const size_t n = in.size();
  const size_t batches = (n + args.batch - 1) / args.batch;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::WriteBatch wb;
  std::vector<spard::Event> events(args.batch);
  std::string key, prefix, value, subject;
  std::array<std::vector<std::string>, spard::kIndexKindCount> keys;
  uint64_t next_id = 1;

  r.input_rss_mib = ProcStatusMib("VmRSS");
  ResetPeakRss();
  const double cpu0 = CpuSeconds();
  const auto t0 = Clock::now();
  Progress progress(n, t0);
  for (size_t b = 0; b < batches; ++b) {
    const size_t begin = b * args.batch, end = std::min(n, begin + args.batch);
    const int64_t received = NowUs();
    const auto batch_start = Clock::now();
    wb.Clear();
    for (auto& k : keys) k.clear();
    for (size_t i = begin; i < end; ++i) {
      spard::Event& ev = events[i - begin];
      BuildEvent(in, i, received, &ev);
      ev.id = next_id++;
      key.clear();
      spard::AppendEventKey(&key, ev.id);
      value.clear();
      spard::EncodeEvent(ev, &value);
      wb.Put(db->events(), key, value).PermitUncheckedError();

      const spard::IndexEntry entry{ev.ts_us, ev.id};
      const std::string_view system = ev.field(spard::Field::kSystem);
      subject = spard::NormalizeSubject(ev.field(spard::Field::kSubject), ev.ts_us);
      // Keys as store/key_codec.h lays them out: escaped term(s), 0x00, ts, id.
      auto put = [&](IndexKind kind, std::string_view term, std::string_view term2) {
        prefix.clear();
        if (kind != IndexKind::kTime) {
          spard::AppendEscapedTerm(&prefix, term);
          prefix.push_back('\0');
        }
        if (kind == IndexKind::kObject) {
          spard::AppendEscapedTerm(&prefix, term2);
          prefix.push_back('\0');
        }
        key.clear();
        spard::AppendIndexKey(&key, prefix, entry);
        if (sorted) {
          keys[static_cast<size_t>(kind)].push_back(key);
        } else {
          wb.Put(db->index(kind), key, kValue).PermitUncheckedError();
        }
      };
      put(IndexKind::kUser, ev.field(spard::Field::kUser), {});
      put(IndexKind::kObject, ev.field(spard::Field::kObject), system);
      put(IndexKind::kSubject, subject, {});
      put(IndexKind::kSystem, system, {});
      put(IndexKind::kTime, {}, {});
    }
    if (sorted) {
      for (int k = 0; k < spard::kIndexKindCount; ++k) {
        auto& v = keys[k];
        std::sort(v.begin(), v.end());
        for (const std::string& kk : v) {
          wb.Put(db->index(static_cast<IndexKind>(k)), kk, kValue).PermitUncheckedError();
        }
      }
    }
    s = rdb->Write(wo, &wb);
    if (!s.ok()) {
      r.error = s.ToString();
      return r;
    }
    r.batch_latency_s.push_back(Seconds(batch_start, Clock::now()));
    progress.Add(end - begin, &r.decile_s);
  }
  r.durable_s = Seconds(t0, Clock::now());
  // The counterpart of the store's Index::Flush(): every index entry in a table on disk.
  s = rdb->Flush(rocksdb::FlushOptions(), cfs);
  r.wall_s = Seconds(t0, Clock::now());
  r.cpu_s = CpuSeconds() - cpu0;
  r.peak_rss_mib = ProcStatusMib("VmHWM");
  r.background = ReadBackgroundStats(rdb, cfs);
  if (!s.ok()) {
    r.error = s.ToString();
    return r;
  }
  if (!args.compact) return r;
  const auto c0 = Clock::now();
  spard::Status cs = db->CompactAll();
  r.compact_s = Seconds(c0, Clock::now());
  if (!cs.ok()) {
    r.error = cs.ToString();
    return r;
  }
  r.cf_bytes = BytesByColumnFamily(rdb);
  db.reset();
  r.disk_bytes = DirBytes(dir / "db", &r.sst_bytes);
  return r;
}

// --- Driver -------------------------------------------------------------------------------------

int RunOne(const Args& args) {
  const bool shuffled = args.order == "shuffled";
  if (args.order != "ordered" && !shuffled) Usage("unknown order");
  if (args.variant != "store" && args.variant != "store_no_tree" && args.variant != "naive" &&
      args.variant != "naive_sorted") {
    Usage("unknown variant");
  }
  fprintf(stderr, "index_write: %s/%s: generating %llu events\n", args.variant.c_str(),
          args.order.c_str(), static_cast<unsigned long long>(args.events));
  const Input in = Generate(args.events, args.seed, shuffled);
  const fs::path dir = fs::path(args.dir) / (args.variant + "-" + args.order);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  fprintf(stderr, "index_write: %s/%s: writing into %s\n", args.variant.c_str(), args.order.c_str(),
          dir.c_str());
  const double load_before = LoadAverage();
  Result r = args.variant.starts_with("store")
                 ? RunStore(in, args, dir)
                 : RunNaive(in, args, dir, args.variant == "naive_sorted");
  if (!args.keep) fs::remove_all(dir, ec);

  const double n = static_cast<double>(in.size());
  JsonLine j;
  j.Str("bench", "index_write").Str("variant", args.variant).Str("order", args.order);
  if (!r.error.empty()) {
    j.Str("error", r.error);
    printf("%s\n", j.Finish().c_str());
    return 1;
  }
  JsonLine deciles('[');
  double prev = 0;
  for (double t : r.decile_s) {
    deciles.Num({}, n / 10 / std::max(t - prev, 1e-9), 0);
    prev = t;
  }
  JsonLine latency;
  latency.Num("p50", Percentile(r.batch_latency_s, 0.5) * 1e3, 2)
      .Num("p99", Percentile(r.batch_latency_s, 0.99) * 1e3, 2)
      .Num("max", Percentile(r.batch_latency_s, 1.0) * 1e3, 2);
  JsonLine by_cf;
  for (const auto& [cf, bytes] : r.cf_bytes) by_cf.Num(cf, static_cast<double>(bytes) / n, 1);
  const double ndjson_per_event = static_cast<double>(in.ndjson_bytes) / n;
  const double disk_per_event = static_cast<double>(r.disk_bytes) / n;
  j.Num("events", n, 0)
      .Num("batch_events", static_cast<double>(args.batch), 0)
      .Num("events_per_s", n / r.wall_s, 0)
      .Num("bytes_per_s", static_cast<double>(in.rfc5424_bytes) / r.wall_s, 0)
      .Num("wall_s", r.wall_s, 3)
      .Num("durable_s", r.durable_s, 3)
      .Num("durable_events_per_s", n / r.durable_s, 0)
      .Num("index_flush_s", r.wall_s - r.durable_s, 3)
      .Num("cpu_s", r.cpu_s, 3)
      .Num("cpu_us_per_event", r.cpu_s / n * 1e6, 2)
      .Raw("decile_events_per_s", deciles.Finish())
      .Raw("batch_latency_ms", latency.Finish())
      .Num("input_rss_mib", r.input_rss_mib, 0)
      .Num("peak_rss_mib", r.peak_rss_mib, 0)
      .Num("peak_rss_delta_mib", r.peak_rss_mib - r.input_rss_mib, 0)
      .Num("max_index_memory_mib", static_cast<double>(r.max_index_memory) / (1 << 20), 0)
      .Num("max_queue_mib", static_cast<double>(r.max_queue_bytes) / (1 << 20), 0)
      .Num("background_write_mib", r.background.write_mib, 0)
      .Num("compaction_cpu_s", r.background.compaction_cpu_s, 2)
      .Num("write_stalls", static_cast<double>(r.background.stalls), 0)
      .Num("compact_s", r.compact_s, 3)
      .Num("disk_bytes", static_cast<double>(r.disk_bytes), 0)
      .Num("bytes_per_event", disk_per_event, 1)
      .Num("sst_bytes_per_event", static_cast<double>(r.sst_bytes) / n, 1)
      .Raw("bytes_per_event_by_cf", by_cf.Finish())
      .Num("rfc5424_bytes_per_event", static_cast<double>(in.rfc5424_bytes) / n, 1)
      .Num("ndjson_bytes_per_event", ndjson_per_event, 1)
      .Num("ratio_to_ndjson", disk_per_event / ndjson_per_event, 3)
      .Num("subject_mismatches", static_cast<double>(in.subject_mismatches), 0)
      .Num("loadavg_1m", load_before, 2);
  printf("%s\n", j.Finish().c_str());
  fflush(stdout);
  return 0;
}

// Runs every (variant, order) in a fresh child (this binary again), so each starts from an empty
// heap and page cache state of its own making and reports its own peak RSS.
int RunAll(const Args& args, char** argv) {
  int failures = 0;
  for (const std::string& variant : args.variants) {
    for (const std::string& order : args.orders) {
      std::vector<std::string> child_args;
      for (char** a = argv; *a != nullptr; ++a) child_args.emplace_back(*a);
      child_args.insert(child_args.end(), {"--variant", variant, "--order", order});
      std::vector<char*> cargv;
      for (std::string& a : child_args) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      fflush(stdout);
      pid_t pid = fork();
      if (pid < 0) {
        perror("fork");
        return 1;
      }
      if (pid == 0) {
        execv("/proc/self/exe", cargv.data());
        perror("execv");
        _exit(127);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ++failures;
        if (WIFSIGNALED(status)) {
          printf(
              "{\"bench\":\"index_write\",\"variant\":\"%s\",\"order\":\"%s\","
              "\"error\":\"killed by signal %d\"}\n",
              variant.c_str(), order.c_str(), WTERMSIG(status));
          fflush(stdout);
        }
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    if (a == "--events") {
      args.events = ParseCount(value());
    } else if (a == "--batch") {
      args.batch = ParseCount(value());
    } else if (a == "--seed") {
      args.seed = ParseCount(value());
    } else if (a == "--variants") {
      args.variants = SplitComma(value());
    } else if (a == "--orders") {
      args.orders = SplitComma(value());
    } else if (a == "--dir") {
      args.dir = value();
    } else if (a == "--keep") {
      args.keep = true;
    } else if (a == "--no-compact") {
      args.compact = false;
    } else if (a == "--segment-events") {
      args.segment_events = ParseCount(value());
    } else if (a == "--queue-mib") {
      args.queue_mib = ParseCount(value());
    } else if (a == "--write-buffer-mib") {
      args.write_buffer_mib = ParseCount(value());
    } else if (a == "--variant") {
      args.variant = value();
    } else if (a == "--order") {
      args.order = value();
    } else {
      Usage("unknown argument");
    }
  }
  if (args.events == 0 || args.batch == 0) Usage("--events and --batch must be positive");

  if (!args.variant.empty()) {
    if (args.dir.empty()) Usage("--variant needs --dir");
    return RunOne(args);
  }
  bool made_dir = false;
  if (args.dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "spard-bench-index-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      perror("mkdtemp");
      return 1;
    }
    args.dir = tmpl;
    made_dir = true;
  }
  // The children are this command line plus --dir (so they share the directory) and their run.
  std::vector<std::string> base;
  for (int i = 0; i < argc; ++i) base.emplace_back(argv[i]);
  if (made_dir) base.insert(base.end(), {"--dir", args.dir});
  std::vector<char*> base_argv;
  for (std::string& a : base) base_argv.push_back(a.data());
  base_argv.push_back(nullptr);
  int rc = RunAll(args, base_argv.data());
  if (made_dir && !args.keep) {
    std::error_code ec;
    fs::remove_all(args.dir, ec);
  }
  return rc;
}
