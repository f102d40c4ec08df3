#include "cli/output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli/interrupt.h"

namespace spard::cli {

FdOutput::FdOutput(int fd, size_t buffer_bytes) : fd_(fd), capacity_(buffer_bytes) {
  buffer_.reserve(capacity_);
}

FdOutput::~FdOutput() { (void)Flush(); }

void FdOutput::Write(std::string_view s) {
  if (buffer_.size() + s.size() > capacity_) {
    WriteOut(buffer_);
    buffer_.clear();
    if (s.size() >= capacity_) {
      WriteOut(s);
      return;
    }
  }
  buffer_.append(s);
}

Status FdOutput::Flush() {
  WriteOut(buffer_);
  buffer_.clear();
  return status_;
}

void FdOutput::WriteOut(std::string_view s) {
  while (!s.empty() && status_.ok()) {
    ssize_t n = ::write(fd_, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) {
        // Ctrl-C while the reader is slow: what did not fit is dropped, quietly, since the
        // user asked to stop; spar finishes its last line and exits 0.
        if (Interrupted()) return;
        continue;
      }
      status_ = Status::IOError(std::string("cannot write the output: ") + std::strerror(errno));
      return;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace spard::cli
