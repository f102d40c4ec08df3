// FileImporter against a real store in bulk-load mode (as spar opens it): every message stored
// once, whatever the compression; re-runs, interruptions, grown, cut and different inputs.
#include "ingest/file_importer.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "ingest/import_progress.h"
#include "tests/ingest/compress_util.h"
#include "tests/test_util.h"

namespace spard {
namespace {

using testing::Gzip;
using testing::Zstd;

constexpr int64_t kNow = 1'795'000'000'000'000;  // 2026-11-18

// n messages in four formats; every 97th is not a log line at all.
std::string MixedLines(size_t n, size_t first = 0) {
  std::string s;
  for (size_t k = first; k < first + n; ++k) {
    const std::string i = std::to_string(k);
    switch (k % 97 == 96 ? 4 : k % 4) {
      case 0:
        s += "<134>1 2026-10-05T08:15:00.000Z app01 procapita - - [access@53000 user=\"u" + i +
             "\" action=\"read\" object=\"procapita:" + i + "\" subject=\"19650412-1234\"] case " +
             i + "\n";
        break;
      case 1:
        s += "{\"ts\":\"2026-10-05T08:16:00+02:00\",\"system\":\"treserva\",\"user\":\"u" + i +
             "\",\"action\":\"print\",\"object\":\"treserva:" + i + "\"}\n";
        break;
      case 2:
        s += "<38>Oct  5 08:17:00 host1 lifecare: user=u" + i +
             " action=read object=lifecare:" + i + "\n";
        break;
      case 3:
        s += "CEF:0|Cosmic|Cosmic|1.0|100|read|3|rt=Oct 05 2026 08:18:00 suser=u" + i +
             " fname=cosmic:" + i + " act=read\n";
        break;
      default:
        s += "not a log line " + i + "\n";
    }
  }
  return s;
}
size_t BadLines(size_t n, size_t first = 0) {
  size_t bad = 0;
  for (size_t k = first; k < first + n; ++k) bad += k % 97 == 96;
  return bad;
}

class World {
 public:
  World() { Open(); }

  void Open() {
    StoreOptions so;
    so.data_dir = dir.path() + "/data";
    so.bulk_load = true;
    so.segment_max_events = 1500;  // several segments on disk, some in memory
    auto s = Store::Open(so, &metrics);
    REQUIRE(s.ok());
    store = std::move(s).value();
  }
  void Reopen() {
    REQUIRE(store->Persist().ok());
    store->Close();
    store.reset();
    Open();
  }

  std::string Write(const std::string& name, const std::string& data) {
    std::string path = dir.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  ImportResult Import(const std::string& path, ImportOptions o = {}) {
    o.clock = &clock;
    if (o.batch_messages == 16384) o.batch_messages = 500;
    FileImporter importer(store.get(), o);
    return importer.Import(path, nullptr);
  }

  // The raw messages of all events, in id order.
  std::vector<std::string> Raws() {
    std::vector<std::string> out;
    std::string storage;
    for (uint64_t id = 1; id <= store->last_event_id(); ++id) {
      auto e = store->GetEvent(id, &storage);
      REQUIRE(e.ok());
      REQUIRE(e->has_value());
      out.emplace_back((*e)->raw);
    }
    return out;
  }
  std::vector<QuarantineRecord> Quarantine() {
    std::vector<QuarantineRecord> q;
    REQUIRE(store->ListQuarantine(0, 1'000'000, &q).ok());
    return q;
  }

  testing::TempDir dir;
  Metrics metrics;
  ManualClock clock{kNow};
  std::unique_ptr<Store> store;
};

// The lines of `text` that are log lines (not the bad ones), without their LF.
std::vector<std::string> GoodLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = text.substr(start, nl - start);
    if (!line.starts_with("not a log line")) out.push_back(line);
  }
  return out;
}

TEST_CASE("an import stores every message once: events and quarantine, marked as imported",
          "[ingest][file_importer]") {
  World w;
  const std::string text = MixedLines(4000);
  const std::string path = w.Write("mixed.log.gz", Gzip(text));
  ImportResult r = w.Import(path);
  REQUIRE(r.status.ok());
  CHECK(r.outcome == ImportOutcome::kImported);
  CHECK(r.compression == Compression::kGzip);
  CHECK(r.content_bytes == text.size());
  CHECK(r.events == 4000 - BadLines(4000));
  CHECK(r.quarantined == BadLines(4000));
  CHECK(w.Raws() == GoodLines(text));

  std::string storage;
  auto e = w.store->GetEvent(1, &storage);
  REQUIRE(e.ok());
  CHECK((*e)->listener == Listener::kImport);
  CHECK((*e)->peer == path);
  CHECK((*e)->received_us == kNow);
  auto q = w.Quarantine();
  REQUIRE(q.size() == BadLines(4000));
  CHECK(q[0].raw == "not a log line 96");
  CHECK(q[0].reason == "unsupported format");
  CHECK(q[0].listener == Listener::kImport);

  // Indexed like live events: the index answers for a user, and the segments are on disk.
  w.Reopen();
  CHECK(w.store->index()->indexed_through() == w.store->last_event_id());
}

TEST_CASE("the same content again adds nothing, plain, gzip, zstd or from a pipe",
          "[ingest][file_importer]") {
  World w;
  const std::string text = MixedLines(3000);
  REQUIRE(w.Import(w.Write("a.log", text)).outcome == ImportOutcome::kImported);
  const uint64_t last = w.store->last_event_id();
  for (const std::string& path :
       {w.Write("copy.log", text), w.Write("a.gz", Gzip(text)), w.Write("a.zst", Zstd(text))}) {
    ImportResult r = w.Import(path);
    INFO(path);
    CHECK(r.outcome == ImportOutcome::kAlreadyImported);
    CHECK(r.events == 0);
    CHECK(r.total_events == last);
  }
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([&] {
    const std::string packed = Gzip(text);
    ssize_t n = ::write(fds[1], packed.data(), packed.size());
    (void)n;
    ::close(fds[1]);
  });
  ImportOptions o;
  o.stdin_fd = fds[0];
  ImportResult r = w.Import("-", o);
  writer.join();
  ::close(fds[0]);
  CHECK(r.outcome == ImportOutcome::kAlreadyImported);
  w.Reopen();
  CHECK(w.store->last_event_id() == last);
  CHECK(w.Quarantine().size() == BadLines(3000));
}

TEST_CASE("an interrupted import continues where it stopped, without duplicates",
          "[ingest][file_importer]") {
  World w;
  const std::string text = MixedLines(30000);  // about 12 reads of 256 KiB
  const std::string path = w.Write("big.log.zst", Zstd(text));
  int polls = 0;
  ImportOptions stop_early;
  stop_early.stop = [&] { return ++polls >= 4; };
  ImportResult first = w.Import(path, stop_early);
  REQUIRE(first.outcome == ImportOutcome::kInterrupted);
  CHECK(first.events > 0);
  CHECK(first.events < 30000 / 2);
  // What the interrupted run stored survives a restart, with its record.
  w.Reopen();
  CHECK(w.store->last_event_id() == first.events);

  ImportResult second = w.Import(path);
  REQUIRE(second.outcome == ImportOutcome::kImported);
  CHECK(second.resumed_at > 0);
  CHECK(first.events + second.events == 30000 - BadLines(30000));
  CHECK(second.total_events == 30000 - BadLines(30000));
  CHECK(w.Raws() == GoodLines(text));
  CHECK(w.Quarantine().size() == BadLines(30000));
  CHECK(w.Import(path).outcome == ImportOutcome::kAlreadyImported);
}

TEST_CASE("a file that grew since its import adds only what is new", "[ingest][file_importer]") {
  World w;
  const std::string day1 = MixedLines(2000), day2 = MixedLines(1000, 2000);
  REQUIRE(day1.size() > kImportHeadBytes);
  const std::string path = w.Write("app.log", day1);
  REQUIRE(w.Import(path).outcome == ImportOutcome::kImported);
  w.Write("app.log", day1 + day2);
  ImportResult r = w.Import(path);
  REQUIRE(r.outcome == ImportOutcome::kImported);
  CHECK(r.resumed_at == day1.size());
  CHECK(r.events == 1000 - BadLines(1000, 2000));
  CHECK(w.Raws() == GoodLines(day1 + day2));
}

TEST_CASE("an input that starts like an imported one but differs is refused unless forced",
          "[ingest][file_importer]") {
  World w;
  const std::string a = MixedLines(3000);
  REQUIRE(w.Import(w.Write("a.log", a)).outcome == ImportOutcome::kImported);
  const uint64_t last = w.store->last_event_id();

  // The same first 64 KiB, then something else.
  std::string b = a;
  b.replace(b.rfind("u2999"), 5, "u9999");
  const std::string b_path = w.Write("b.log", b);
  ImportResult r = w.Import(b_path);
  CHECK(r.outcome == ImportOutcome::kConflict);
  CHECK_THAT(r.status.message(),
             Catch::Contains("b.log") && Catch::Contains("a.log") && Catch::Contains("--force"));
  CHECK(w.store->last_event_id() == last);

  // A cut-off copy (ends before what is stored) cannot be checked: refused too.
  const std::string cut = a.substr(0, a.find('\n', a.size() / 2) + 1);
  r = w.Import(w.Write("cut.log", cut));
  CHECK(r.outcome == ImportOutcome::kConflict);
  CHECK_THAT(r.status.message(), Catch::Contains("cut-off"));
  CHECK(w.store->last_event_id() == last);

  ImportOptions force;
  force.force = true;
  r = w.Import(b_path, force);
  CHECK(r.outcome == ImportOutcome::kImported);
  CHECK(r.events == 3000 - BadLines(3000));
  CHECK(w.store->last_event_id() == 2 * last);
}

TEST_CASE("a damaged gzip keeps what came before the damage; the intact file completes it",
          "[ingest][file_importer]") {
  World w;
  const std::string text = MixedLines(20000);
  const std::string packed = Gzip(text);
  ImportResult r = w.Import(w.Write("cut.gz", packed.substr(0, packed.size() * 2 / 3)));
  CHECK(r.outcome == ImportOutcome::kFailed);
  CHECK(r.status.IsCorruption());
  CHECK(r.events > 0);
  ImportResult rest = w.Import(w.Write("whole.gz", packed));
  CHECK(rest.outcome == ImportOutcome::kImported);
  CHECK(rest.resumed_at > 0);
  CHECK(w.Raws() == GoodLines(text));
}

TEST_CASE("octet-counted frames, CRLF and a last line without LF are messages too",
          "[ingest][file_importer]") {
  World w;
  const std::string a = "{\"ts\":1790000000,\"user\":\"a\",\"object\":\"x\"}";
  const std::string b = "{\"ts\":1790000001,\"user\":\"b\",\"object\":\"multi\\nline\"}";
  const std::string text = std::to_string(a.size()) + " " + a + "\r\n" + std::to_string(b.size()) +
                           " " + b + "\n" +
                           "{\"ts\":1790000002,\"user\":\"c\",\"object\":\"y\"}\r\n" +
                           "{\"ts\":1790000003,\"user\":\"d\",\"object\":\"z\"}";
  ImportResult r = w.Import(w.Write("framed.log", text));
  CHECK(r.outcome == ImportOutcome::kImported);
  CHECK(r.quarantined == 0);
  REQUIRE(w.Raws().size() == 4);
  CHECK(w.Raws()[0] == a);
  CHECK(w.Raws()[1] == b);
  CHECK(w.Raws()[3] == "{\"ts\":1790000003,\"user\":\"d\",\"object\":\"z\"}");
}

TEST_CASE("a default system (--system) goes to events whose message names none",
          "[ingest][file_importer]") {
  World w;
  ImportOptions o;
  o.default_system = "edlevo";
  const std::string text =
      "{\"ts\":1790000000,\"user\":\"a\",\"object\":\"x\"}\n"
      "{\"ts\":1790000000,\"system\":\"cosmic\",\"user\":\"a\",\"object\":\"x\"}\n"
      "<134>1 2026-10-05T08:15:00Z h - - - [a@1 user=\"u\" object=\"o\"]\n";
  REQUIRE(w.Import(w.Write("s.log", text), o).outcome == ImportOutcome::kImported);
  std::string storage;
  std::vector<std::string> systems;
  for (uint64_t id = 1; id <= 3; ++id) {
    auto e = w.store->GetEvent(id, &storage);
    REQUIRE(e.ok());
    systems.emplace_back((*e)->field(Field::kSystem));
  }
  CHECK(systems == std::vector<std::string>{"edlevo", "cosmic", "edlevo"});
}

TEST_CASE("an empty input stores nothing", "[ingest][file_importer]") {
  World w;
  ImportResult r = w.Import(w.Write("empty.log", ""));
  CHECK(r.outcome == ImportOutcome::kImported);
  CHECK(r.events == 0);
  CHECK(w.store->last_event_id() == 0);
}

}  // namespace
}  // namespace spard
