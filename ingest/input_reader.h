// InputReader: the bytes of one file to import (or of stdin), decompressed as they are read.
//
// The compression is recognised by the first bytes, not by the file name: gzip (1f 8b; several
// members one after another, as `cat a.gz b.gz` or pigz write them, read as one stream), zstd
// (28 b5 2f fd; any number of frames; skippable frames skipped), anything else is read as it
// is. Memory is bounded and independent of the input's size: a 256 KiB read buffer and the
// decompressor's state (for zstd its window: 8 MiB for what `zstd -19` writes, at most 128 MiB,
// zstd's own default limit, beyond which the input is refused).
//
// A damaged or cut-off compressed stream is an error (Corruption, naming the input), returned
// after every byte before the damage.
//
// Thread-safety: one thread per reader.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spard {

enum class Compression { kNone, kGzip, kZstd };
std::string_view CompressionName(Compression c);  // "none", "gzip", "zstd"

class InputReader {
 public:
  // Opens `path`; "-" is standard input, read from `stdin_fd`. An error naming the path when it
  // cannot be opened or read (NotFound, PermissionDenied, IOError; InvalidArgument for a
  // directory).
  static Result<std::unique_ptr<InputReader>> Open(const std::string& path, int stdin_fd = 0);
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  // Fills `out` with up to out.size() decompressed bytes and returns how many; 0 only at the
  // end of the input. When a signal interrupts a blocking read, returns Unavailable
  // ("interrupted") having consumed nothing: the caller may stop, or call again.
  Result<size_t> Read(std::span<char> out);

  Compression compression() const;
  // Bytes of the input itself (compressed, when it is) consumed so far, and the input's size
  // when known (a regular file): for progress.
  uint64_t input_bytes_read() const;
  std::optional<uint64_t> input_size() const;
  // The path as given, or "-".
  const std::string& path() const;

 private:
  struct Impl;
  explicit InputReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spard
