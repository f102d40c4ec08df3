// Output: where spar writes its answer. FdOutput is stdout with a buffer of its own (flushed at
// page ends, so a terminal sees rows as pages arrive and a pipe gets big writes); StringOutput
// collects everything for tests.
//
// Thread-safety: one thread per Output.

#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace spard::cli {

// --format: a table on a terminal; json, csv, ndjson for programs.
enum class OutputFormat { kTable, kJson, kCsv, kNdjson };

class Output {
 public:
  virtual ~Output() = default;
  virtual void Write(std::string_view s) = 0;
  // Writes out what is buffered. IOError if any write so far failed (the first error sticks).
  virtual Status Flush() = 0;
};

class FdOutput final : public Output {
 public:
  explicit FdOutput(int fd, size_t buffer_bytes = size_t{64} << 10);
  ~FdOutput() override;  // flushes, ignoring errors
  FdOutput(const FdOutput&) = delete;
  FdOutput& operator=(const FdOutput&) = delete;

  void Write(std::string_view s) override;
  Status Flush() override;

 private:
  void WriteOut(std::string_view s);

  int fd_;
  size_t capacity_;
  std::string buffer_;
  Status status_;
};

class StringOutput final : public Output {
 public:
  void Write(std::string_view s) override { text_.append(s); }
  Status Flush() override { return Status::Ok(); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace spard::cli
