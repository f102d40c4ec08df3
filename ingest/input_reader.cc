#include "ingest/input_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

namespace spard {

namespace {

constexpr size_t kRawBufferBytes = 256 << 10;
constexpr unsigned char kGzipMagic[] = {0x1f, 0x8b};
constexpr unsigned char kZstdMagic[] = {0x28, 0xb5, 0x2f, 0xfd};

bool StartsWith(std::string_view data, const unsigned char* magic, size_t n) {
  return data.size() >= n && std::memcmp(data.data(), magic, n) == 0;
}

Status OpenError(const std::string& path, int err) {
  std::string msg = "cannot open " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(msg);
  return Status::IOError(msg);
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "none";
}

struct InputReader::Impl {
  std::string path;
  int fd = -1;
  bool owns_fd = false;
  Compression compression = Compression::kNone;
  std::optional<uint64_t> size;
  uint64_t read_bytes = 0;

  // Raw (possibly compressed) bytes read ahead: [pos, end) not consumed yet.
  std::unique_ptr<char[]> raw = std::make_unique<char[]>(kRawBufferBytes);
  size_t pos = 0, end = 0;
  bool eof = false;
  bool done = false;  // the decompressed stream ended

  z_stream zs{};
  bool zs_open = false;
  bool gzip_member_open = false;  // inside a gzip member (its end not reached)
  ZSTD_DCtx* zstd = nullptr;
  bool zstd_frame_open = false;  // inside a zstd frame (ZSTD_decompressStream did not say 0)
  Status pending;                // an error to report on the next Read

  ~Impl() {
    if (zs_open) inflateEnd(&zs);
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
    if (owns_fd && fd >= 0) ::close(fd);
  }

  size_t avail() const { return end - pos; }

  // Reads into `dst`; 0 at the end. EINTR -> Unavailable.
  Result<size_t> ReadFd(char* dst, size_t n) {
    while (true) {
      ssize_t r = ::read(fd, dst, n);
      if (r >= 0) {
        read_bytes += static_cast<uint64_t>(r);
        return static_cast<size_t>(r);
      }
      if (errno == EINTR) return Status::Unavailable("interrupted");
      return Status::IOError("reading " + path + ": " + std::strerror(errno));
    }
  }

  // Refills the raw buffer when it is empty. Returns false at the end of the input.
  Result<bool> FillRaw() {
    if (avail() > 0) return true;
    if (eof) return false;
    pos = end = 0;
    auto n = ReadFd(raw.get(), kRawBufferBytes);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      eof = true;
      return false;
    }
    end = *n;
    return true;
  }

  Status Corrupt(std::string_view what) const {
    return Status::Corruption(path + ": " + std::string(what));
  }

  Result<size_t> ReadPlain(std::span<char> out) {
    if (avail() > 0) {
      size_t n = std::min(avail(), out.size());
      std::memcpy(out.data(), raw.get() + pos, n);
      pos += n;
      return n;
    }
    if (eof) return size_t{0};
    auto n = ReadFd(out.data(), out.size());
    if (n.ok() && *n == 0) eof = true;
    return n;
  }

  // An error after some output: the output is handed out first, the error on the next call.
  Result<size_t> Fail(Status s, size_t produced) {
    if (produced == 0) return s;
    pending = std::move(s);
    return produced;
  }

  Result<size_t> ReadGzip(std::span<char> out) {
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    auto produced = [&] { return out.size() - zs.avail_out; };
    while (zs.avail_out > 0 && !done) {
      auto more = FillRaw();
      if (!more.ok()) return Fail(more.status(), produced());
      if (!gzip_member_open) {
        // Between members: another member, zero padding (ignored, as gzip does), or the end.
        while (*more && raw[pos] == '\0') {
          ++pos;
          more = FillRaw();
          if (!more.ok()) return Fail(more.status(), produced());
        }
        if (!*more) {
          done = true;
          break;
        }
        if (static_cast<unsigned char>(raw[pos]) != kGzipMagic[0]) {
          return Fail(Corrupt("data after the end of the gzip stream"), produced());
        }
        if (inflateReset(&zs) != Z_OK) return Corrupt("gzip: cannot reset the decompressor");
        gzip_member_open = true;
      }
      if (!*more) {
        return Fail(Corrupt("unexpected end of gzip data (the file is cut off)"), produced());
      }
      zs.next_in = reinterpret_cast<Bytef*>(raw.get() + pos);
      zs.avail_in = static_cast<uInt>(avail());
      int rc = inflate(&zs, Z_NO_FLUSH);
      pos = end - zs.avail_in;
      if (rc == Z_STREAM_END) {
        gzip_member_open = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Fail(Corrupt(std::string("gzip: ") + (zs.msg != nullptr ? zs.msg : "bad data")),
                    produced());
      }
    }
    return produced();
  }

  Result<size_t> ReadZstd(std::span<char> out) {
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    while (ob.pos < ob.size && !done) {
      auto more = FillRaw();
      if (!more.ok()) return Fail(more.status(), ob.pos);
      ZSTD_inBuffer ib{raw.get() + pos, avail(), 0};
      if (!*more) {
        if (!zstd_frame_open) {
          done = true;
          break;
        }
        // The input ended inside a frame; the decoder may still hold output of its last block.
        const size_t before = ob.pos;
        size_t rc = ZSTD_decompressStream(zstd, &ob, &ib);
        if (ZSTD_isError(rc)) {
          return Fail(Corrupt(std::string("zstd: ") + ZSTD_getErrorName(rc)), ob.pos);
        }
        zstd_frame_open = rc != 0;
        if (ob.pos > before || !zstd_frame_open) continue;
        return Fail(Corrupt("unexpected end of zstd data (the file is cut off)"), ob.pos);
      }
      size_t rc = ZSTD_decompressStream(zstd, &ob, &ib);
      pos += ib.pos;
      if (ZSTD_isError(rc)) {
        return Fail(Corrupt(std::string("zstd: ") + ZSTD_getErrorName(rc)), ob.pos);
      }
      zstd_frame_open = rc != 0;
    }
    return ob.pos;
  }
};

InputReader::InputReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InputReader::~InputReader() = default;

Result<std::unique_ptr<InputReader>> InputReader::Open(const std::string& path, int stdin_fd) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  if (path == "-") {
    impl->fd = stdin_fd;
  } else {
    impl->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (impl->fd < 0) return OpenError(path, errno);
    impl->owns_fd = true;
  }
  struct stat st = {};
  if (::fstat(impl->fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + " is a directory");
    if (S_ISREG(st.st_mode)) {
      impl->size = static_cast<uint64_t>(st.st_size);
      ::posix_fadvise(impl->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
  }
  // Enough of the start to recognise the format (a short read from a pipe is retried).
  while (impl->end < sizeof(kZstdMagic) && !impl->eof) {
    auto n = impl->ReadFd(impl->raw.get() + impl->end, kRawBufferBytes - impl->end);
    if (!n.ok()) {
      if (n.status().code() == Status::Code::kUnavailable) continue;  // EINTR while opening
      return n.status();
    }
    if (*n == 0) impl->eof = true;
    impl->end += *n;
  }
  std::string_view head(impl->raw.get(), impl->end);
  if (StartsWith(head, kZstdMagic, sizeof(kZstdMagic))) {
    impl->compression = Compression::kZstd;
    impl->zstd = ZSTD_createDCtx();
    if (impl->zstd == nullptr) return Status::ResourceExhausted("zstd: cannot allocate");
  } else if (StartsWith(head, kGzipMagic, sizeof(kGzipMagic))) {
    impl->compression = Compression::kGzip;
    if (inflateInit2(&impl->zs, 15 + 16) != Z_OK) {  // 15: any window; +16: gzip wrapper only
      return Status::ResourceExhausted("zlib: cannot allocate");
    }
    impl->zs_open = true;
  }
  return std::unique_ptr<InputReader>(new InputReader(std::move(impl)));
}

Result<size_t> InputReader::Read(std::span<char> out) {
  if (out.empty()) return size_t{0};
  if (!impl_->pending.ok()) {
    Status s = impl_->pending;
    // An interruption is reported once; damage sticks.
    if (s.code() == Status::Code::kUnavailable) impl_->pending = Status::Ok();
    return s;
  }
  switch (impl_->compression) {
    case Compression::kNone:
      return impl_->ReadPlain(out);
    case Compression::kGzip:
      return impl_->ReadGzip(out);
    case Compression::kZstd:
      return impl_->ReadZstd(out);
  }
  return size_t{0};
}

Compression InputReader::compression() const { return impl_->compression; }
uint64_t InputReader::input_bytes_read() const { return impl_->read_bytes; }
std::optional<uint64_t> InputReader::input_size() const { return impl_->size; }
const std::string& InputReader::path() const { return impl_->path; }

}  // namespace spard
