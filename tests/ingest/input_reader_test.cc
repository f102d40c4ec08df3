// InputReader: compression recognised by content, streams of several members or frames, damage
// reported after the bytes before it, standard input.
#include "ingest/input_reader.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <thread>

#include "tests/ingest/compress_util.h"
#include "tests/test_util.h"

namespace spard {
namespace {

using testing::Gzip;
using testing::Zstd;

std::string WriteFile(const testing::TempDir& dir, const std::string& name,
                      const std::string& data) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

// Reads everything in reads of `chunk` bytes. The status is the first error, if any.
struct ReadAll {
  std::string data;
  Status status;
};
ReadAll ReadEverything(InputReader* r, size_t chunk = 4096) {
  ReadAll out;
  std::string buf(chunk, '\0');
  while (true) {
    auto n = r->Read({buf.data(), buf.size()});
    if (!n.ok()) {
      out.status = n.status();
      return out;
    }
    if (*n == 0) return out;
    out.data.append(buf.data(), *n);
  }
}

std::string Lines(size_t n) {
  std::string s;
  std::mt19937 rng(7);
  for (size_t i = 0; i < n; ++i) {
    s += "<134>1 2026-10-05T08:15:00Z host app - - [a@1 user=\"u" + std::to_string(rng() % 1000) +
         "\" object=\"o" + std::to_string(i) + "\"] line " + std::to_string(i) + "\n";
  }
  return s;
}

TEST_CASE("a plain file is read as it is, whatever its name", "[ingest][input_reader]") {
  testing::TempDir dir;
  const std::string data = Lines(5000);
  auto r = InputReader::Open(WriteFile(dir, "looks.gz", data));
  REQUIRE(r.ok());
  CHECK((*r)->compression() == Compression::kNone);
  CHECK((*r)->input_size() == data.size());
  auto all = ReadEverything(r->get(), 1000);
  REQUIRE(all.status.ok());
  CHECK(all.data == data);
  CHECK((*r)->input_bytes_read() == data.size());
}

TEST_CASE("gzip and zstd are recognised by their first bytes, not their names",
          "[ingest][input_reader]") {
  testing::TempDir dir;
  const std::string data = Lines(20000);
  for (auto [name, packed, kind] : {std::tuple{"a.log", Gzip(data), Compression::kGzip},
                                    std::tuple{"b.txt", Zstd(data), Compression::kZstd}}) {
    auto r = InputReader::Open(WriteFile(dir, name, packed));
    REQUIRE(r.ok());
    CHECK((*r)->compression() == kind);
    auto all = ReadEverything(r->get(), 777);
    REQUIRE(all.status.ok());
    CHECK(all.data == data);
    CHECK((*r)->input_bytes_read() == packed.size());
  }
}

TEST_CASE("several gzip members or zstd frames are one stream", "[ingest][input_reader]") {
  testing::TempDir dir;
  const std::string a = Lines(3000), b = "second part\n", c = Lines(10);
  // `cat a.gz b.gz c.gz`, and zero padding after the last member (as tar and tapes leave it).
  auto gz = InputReader::Open(
      WriteFile(dir, "multi.gz", Gzip(a) + Gzip(b) + Gzip(c) + std::string(100, '\0')));
  REQUIRE(gz.ok());
  auto all = ReadEverything(gz->get());
  REQUIRE(all.status.ok());
  CHECK(all.data == a + b + c);

  auto zst = InputReader::Open(WriteFile(dir, "multi.zst", Zstd(a) + Zstd(b) + Zstd(c)));
  REQUIRE(zst.ok());
  all = ReadEverything(zst->get());
  REQUIRE(all.status.ok());
  CHECK(all.data == a + b + c);
}

TEST_CASE("a cut-off compressed file is an error after the bytes before the cut",
          "[ingest][input_reader]") {
  testing::TempDir dir;
  const std::string data = Lines(50000);
  for (auto [name, packed] : {std::pair{"cut.gz", Gzip(data)}, std::pair{"cut.zst", Zstd(data)}}) {
    auto r = InputReader::Open(WriteFile(dir, name, packed.substr(0, packed.size() / 2)));
    REQUIRE(r.ok());
    auto all = ReadEverything(r->get());
    INFO(name);
    CHECK(all.status.IsCorruption());
    CHECK_THAT(all.status.message(), Catch::Contains(name) && Catch::Contains("cut off"));
    CHECK(all.data.size() > data.size() / 4);
    CHECK(data.compare(0, all.data.size(), all.data) == 0);  // a prefix, byte-exact
  }
}

TEST_CASE("garbage after a gzip member is an error", "[ingest][input_reader]") {
  testing::TempDir dir;
  auto r = InputReader::Open(WriteFile(dir, "x.gz", Gzip("hello\n") + "trailing junk"));
  REQUIRE(r.ok());
  auto all = ReadEverything(r->get());
  CHECK(all.data == "hello\n");
  CHECK(all.status.IsCorruption());
}

TEST_CASE("standard input (-) is read, here from a pipe", "[ingest][input_reader]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string packed = Gzip(Lines(2000));
  std::thread writer([&] {
    size_t off = 0;
    while (off < packed.size()) {
      // Small writes: the reader sees short reads, also while recognising the format.
      ssize_t n = ::write(fds[1], packed.data() + off, std::min<size_t>(3, packed.size() - off));
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  auto r = InputReader::Open("-", fds[0]);
  REQUIRE(r.ok());
  CHECK((*r)->compression() == Compression::kGzip);
  CHECK_FALSE((*r)->input_size().has_value());
  auto all = ReadEverything(r->get());
  writer.join();
  ::close(fds[0]);
  REQUIRE(all.status.ok());
  CHECK(all.data == Lines(2000));
}

TEST_CASE("a missing file or a directory is a clear error", "[ingest][input_reader]") {
  testing::TempDir dir;
  auto missing = InputReader::Open(dir.path() + "/nope.log");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().IsNotFound());
  CHECK_THAT(missing.status().message(), Catch::Contains("nope.log"));
  auto directory = InputReader::Open(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().IsInvalidArgument());
}

TEST_CASE("an empty input reads as nothing", "[ingest][input_reader]") {
  testing::TempDir dir;
  auto r = InputReader::Open(WriteFile(dir, "empty", ""));
  REQUIRE(r.ok());
  auto all = ReadEverything(r->get());
  CHECK(all.status.ok());
  CHECK(all.data.empty());
}

}  // namespace
}  // namespace spard
