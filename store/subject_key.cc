#include "store/subject_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace spard {

namespace {

constexpr std::string_view kFileTag = "spard-subject-key-v1 ";

std::string Hex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

}  // namespace

SubjectKey::SubjectKey(std::string_view secret) {
  crypto_auth_hmacsha256_init(&keyed_, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
}

std::string SubjectKey::Term(std::string_view normalised_subject) const {
  crypto_auth_hmacsha256_state st = keyed_;
  crypto_auth_hmacsha256_update(&st,
                                reinterpret_cast<const unsigned char*>(normalised_subject.data()),
                                normalised_subject.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), kTermBytes);
}

Result<SubjectKey> SubjectKey::LoadOrCreate(const std::string& path, bool create) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::ifstream in(path);
  if (in) {
    std::string line;
    std::getline(in, line);
    unsigned char secret[kSecretBytes];
    size_t len = 0;
    const std::string_view hex =
        std::string_view(line).substr(std::min(line.size(), kFileTag.size()));
    if (!line.starts_with(kFileTag) ||
        sodium_hex2bin(secret, sizeof(secret), hex.data(), hex.size(), nullptr, &len, nullptr) !=
            0 ||
        len != kSecretBytes) {
      sodium_memzero(line.data(), line.size());
      return Status::Corruption(path + ": not a spard subject key file");
    }
    sodium_memzero(line.data(), line.size());
    SubjectKey key(std::string_view(reinterpret_cast<const char*>(secret), sizeof(secret)));
    sodium_memzero(secret, sizeof(secret));
    return key;
  }
  if (errno != ENOENT) return Status::IOError("cannot read " + path + ": " + strerror(errno));
  if (!create) {
    return Status::NotFound(path +
                            " is missing: the subject index cannot be read without it (restore "
                            "it from the backup of this data directory)");
  }
  unsigned char secret[kSecretBytes];
  randombytes_buf(secret, sizeof(secret));
  std::string text = std::string(kFileTag) + Hex(secret, sizeof(secret)) + "\n";
  // Only ever called with the store's RocksDB LOCK held, so no other spard writes it meanwhile.
  // Written to a temporary file created 0600 (never readable by others, not even for a
  // moment), synced, renamed into place, and the directory synced: after a crash the key is
  // either absent (and the store, whose format marker is written after this, still empty) or
  // whole.
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  sodium_memzero(text.data(), text.size());
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + path + ": " + strerror(err));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  SubjectKey key(std::string_view(reinterpret_cast<const char*>(secret), sizeof(secret)));
  sodium_memzero(secret, sizeof(secret));
  return key;
}

}  // namespace spard
