// spar import as a user runs it (in process): the lines it prints, its exit statuses and
// messages, and the progress line's text.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/app.h"
#include "cli/progress_bar.h"
#include "cli/table.h"
#include "store/store.h"
#include "tests/test_util.h"

namespace spard::cli {
namespace {

struct Outcome {
  int code;
  std::string out, err;
};

Outcome Run(std::vector<const char*> args, int in_fd = -1) {
  args.insert(args.begin(), "spar");
  StringOutput out;
  char* err_buf = nullptr;
  size_t err_len = 0;
  FILE* err = open_memstream(&err_buf, &err_len);
  Environment e;
  e.out = &out;
  e.err = err;
  e.in_fd = in_fd;
  e.getenv = [](const char*) -> const char* { return nullptr; };
  ManualClock clock(1'795'000'000'000'000);
  e.clock = &clock;
  e.zone = date::locate_zone("Europe/Stockholm");
  SparApp app;
  int code = app.Run(static_cast<int>(args.size()), args.data(), e);
  std::fclose(err);
  Outcome r{code, out.text(), std::string(err_buf, err_len)};
  std::free(err_buf);
  return r;
}

std::string WriteFile(const testing::TempDir& dir, const std::string& name,
                      const std::string& text) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const char* kLines =
    "{\"ts\":\"2026-10-05T08:16:00+02:00\",\"system\":\"treserva\",\"user\":\"bo\","
    "\"object\":\"treserva:77\"}\n"
    "<134>1 2026-10-05T08:15:00Z app01 procapita - - [a@1 user=\"anna\" object=\"p:1\"]\n"
    "{\"ts\":\"2026-10-05T08:17:00Z\",\"user\":\"cilla\",\"object\":\"x:9\"}\n"
    "garbage\n";

TEST_CASE("import prints a line per input and a summary; a second run adds nothing",
          "[cli][import]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string file = WriteFile(dir, "a.log", kLines);
  Outcome r = Run({"import", "--data-dir", data.c_str(), file.c_str(), "--system", "edlevo"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"outcome\":\"imported\"") &&
                        Catch::Contains("\"events\":3,\"quarantined\":1") &&
                        Catch::Contains("{\"inputs\":1,\"events\":3,\"quarantined\":1,"));
  // The data directory is private, like spard's.
  struct stat st = {};
  REQUIRE(::stat(data.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  r = Run({"--format", "table", "import", "--data-dir", data.c_str(), file.c_str()});
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith(file + ": already imported (3 events, 1 quarantined); "
                                             "nothing added\n"));
  CHECK_THAT(r.out, Catch::Contains("imported 1 input: 0 events, 0 quarantined in "));

  // The events are where spard will find them, the default system where none was named.
  Metrics metrics;
  StoreOptions so;
  so.data_dir = data;
  auto store = Store::Open(so, &metrics);
  REQUIRE(store.ok());
  CHECK((*store)->last_event_id() == 3);
  std::string storage;
  auto e = (*store)->GetEvent(3, &storage);
  REQUIRE(e.ok());
  CHECK((*e)->field(Field::kSystem) == "edlevo");
  CHECK((*e)->field(Field::kUser) == "cilla");
}

TEST_CASE("import --dry-run decodes and counts without a data directory", "[cli][import]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string file = WriteFile(dir, "a.log", kLines);
  Outcome r =
      Run({"--format", "table", "import", "--dry-run", "--data-dir", data.c_str(), file.c_str()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith(file + ": (dry run) 3 events, 1 quarantined in "));
  CHECK_FALSE(std::filesystem::exists(data));
}

TEST_CASE("import reads standard input as -", "[cli][import]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread writer([&] {
    ssize_t n = ::write(fds[1], kLines, std::strlen(kLines));
    (void)n;
    ::close(fds[1]);
  });
  Outcome r = Run({"import", "--data-dir", data.c_str(), "-"}, fds[0]);
  writer.join();
  ::close(fds[0]);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"input\":\"-\"") && Catch::Contains("\"events\":3"));
}

TEST_CASE("import refuses a data directory another process holds, saying what to do",
          "[cli][import]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  Metrics metrics;
  StoreOptions so;
  so.data_dir = data;
  auto held = Store::Open(so, &metrics);  // as a running spard would
  REQUIRE(held.ok());
  const std::string file = WriteFile(dir, "a.log", kLines);
  Outcome r = Run({"import", "--data-dir", data.c_str(), file.c_str()});
  CHECK(r.code == 3);
  CHECK(r.err == "spar: cannot import into " + data +
                     ": another process has it open (a running spard?); stop spard first, spar "
                     "import works offline\n");
  CHECK(r.out.empty());
}

TEST_CASE("import: usage errors exit 2, inputs that fail exit 3 after the others",
          "[cli][import]") {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string file = WriteFile(dir, "a.log", kLines);
  Outcome r = Run({"import", "--data-dir", data.c_str(), "--system", "spard", file.c_str()});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains("reserved"));
  r = Run({"import", "--data-dir", data.c_str()});
  CHECK(r.code == 2);
  r = Run({"import", "--data-dir", data.c_str(), "-", "-"});
  CHECK(r.code == 2);

  const std::string missing = dir.path() + "/missing.log";
  r = Run({"import", "--data-dir", data.c_str(), missing.c_str(), file.c_str()});
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Catch::Contains("cannot open " + missing) &&
                        Catch::Contains("1 of 2 inputs were not imported"));
  CHECK_THAT(r.out, Catch::Contains("\"outcome\":\"failed\"") &&
                        Catch::Contains("\"outcome\":\"imported\"") &&
                        Catch::Contains("\"events\":3"));
}

TEST_CASE("the progress line: bar, bytes, rate, ETA, counts, then the name as room allows",
          "[cli][import]") {
  ProgressSnapshot s;
  s.name = "/var/log/archive/procapita.log.gz";
  s.done_bytes = 512ull << 20;
  s.total_bytes = 1024ull << 20;
  s.events = 2031337;
  s.quarantined = 3;
  s.events_per_s = 412345.6;
  s.eta_s = 92;
  CHECK(FormatProgress(s, 200) ==
        "[##########..........]  50%  512 MiB/1.00 GiB  412,345 events/s  ETA 1:32  "
        "2,031,337 events  3 quarantined  /var/log/archive/procapita.log.gz");
  // Narrow: the name is cut, then dropped, then the bar goes.
  CHECK(FormatProgress(s, 130).size() <= 132);  // "…" is three bytes, one column
  CHECK_THAT(FormatProgress(s, 130), Catch::EndsWith("…"));
  CHECK_THAT(FormatProgress(s, 100), Catch::StartsWith(" 50%"));
  CHECK(DisplayWidth(FormatProgress(s, 40)) <= 40);

  ProgressSnapshot pipe;
  pipe.name = "(stdin)";
  pipe.done_bytes = 1536;
  pipe.events = 1;
  CHECK(FormatProgress(pipe, 200) == "1.50 KiB  0 events/s  1 event  0 quarantined  (stdin)");
  pipe.checking = true;
  CHECK_THAT(FormatProgress(pipe, 200), Catch::Contains("checking what is stored"));

  CHECK(GroupDigits(0) == "0");
  CHECK(GroupDigits(999) == "999");
  CHECK(GroupDigits(1000) == "1,000");
  CHECK(GroupDigits(5000000) == "5,000,000");
  CHECK(FormatBytes(1023) == "1023 B");
  CHECK(FormatBytes(1178491066) == "1.10 GiB");
  CHECK(FormatDuration(42) == "42s");
  CHECK(FormatDuration(3723) == "1:02:03");
}

}  // namespace
}  // namespace spard::cli
