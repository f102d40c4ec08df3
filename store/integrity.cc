#include "store/integrity.h"

#include <fcntl.h>
#include <netdb.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "common/coding.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace spard {

namespace {

constexpr std::string_view kSthPrefix = "sth/";
constexpr std::string_view kSthBySizePrefix = "sth_size/";
constexpr std::string_view kSignedMagic = "spard-sth-v1\n";
constexpr std::string_view kKeyFilePrefix = "ed25519:";

std::string SthKey(int64_t ts) {
  std::string k(kSthPrefix);
  PutFixed64BE(&k, OrderedFromSigned(ts));
  return k;
}

std::string SthSizeKey(uint64_t size) {
  std::string k(kSthBySizePrefix);
  PutFixed64BE(&k, size);
  return k;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string SignedTreeHead::SignedBytes() const {
  std::string s(kSignedMagic);
  PutFixed64BE(&s, tree_size);
  s.append(reinterpret_cast<const char*>(root.data()), root.size());
  PutFixed64BE(&s, static_cast<uint64_t>(timestamp_us));
  return s;
}

bool SignedTreeHead::Verify(const PublicKey& key) const {
  std::string msg = SignedBytes();
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     key.data()) == 0;
}

std::string SignedTreeHead::ToJson() const {
  std::string out;
  JsonWriter w(&out);
  w.StartObject();
  w.Key("tree_size");
  w.Uint(tree_size);
  w.Key("root");
  w.String(HexOf(root));
  w.Key("timestamp");
  w.String(FormatRfc3339(timestamp_us));
  w.Key("timestamp_us");
  w.Int(timestamp_us);
  w.Key("signature");
  w.String(Base64(std::string_view(reinterpret_cast<const char*>(signature.data()), 64)));
  w.EndObject();
  return out;
}

std::string Integrity::EncodeSth(const SignedTreeHead& sth) {
  std::string v;
  v.push_back(0x01);
  PutVarint64(&v, sth.tree_size);
  v.append(reinterpret_cast<const char*>(sth.root.data()), 32);
  PutVarint64(&v, ZigZagEncode(sth.timestamp_us));
  v.append(reinterpret_cast<const char*>(sth.signature.data()), 64);
  return v;
}

bool Integrity::DecodeSth(std::string_view in, SignedTreeHead* out) {
  if (in.empty() || in[0] != 0x01) return false;
  in.remove_prefix(1);
  uint64_t ts;
  if (!GetVarint64(&in, &out->tree_size) || in.size() < 32) return false;
  std::memcpy(out->root.data(), in.data(), 32);
  in.remove_prefix(32);
  if (!GetVarint64(&in, &ts) || in.size() != 64) return false;
  out->timestamp_us = ZigZagDecode(ts);
  std::memcpy(out->signature.data(), in.data(), 64);
  return true;
}

Result<std::unique_ptr<Integrity>> Integrity::Open(Store* store, const std::string& data_dir,
                                                   const std::string& witness) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::unique_ptr<Integrity> in(new Integrity(store, data_dir, witness));
  const std::string path = data_dir + "/integrity.key";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
      spdlog::warn("{} is readable by others (mode {:o}); it should be 0600", path,
                   st.st_mode & 0777);
    }
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    std::string_view text(buf, n > 0 ? static_cast<size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    size_t len = 0;
    if (!text.starts_with(kKeyFilePrefix) ||
        sodium_base642bin(in->secret_key_.data(), in->secret_key_.size(),
                          text.data() + kKeyFilePrefix.size(), text.size() - kKeyFilePrefix.size(),
                          nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != 64) {
      return Status::Corruption(path + ": not an ed25519 key written by spard");
    }
  } else if (errno == ENOENT) {
    crypto_sign_keypair(in->public_key_.data(), in->secret_key_.data());
    std::string line =
        std::string(kKeyFilePrefix) +
        Base64(std::string_view(reinterpret_cast<const char*>(in->secret_key_.data()), 64)) + "\n";
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IOError("cannot create " + path + ": " + strerror(errno));
    Status s = WriteAll(fd, line);
    if (s.ok() && ::fsync(fd) != 0) s = Status::IOError(strerror(errno));
    ::close(fd);
    sodium_memzero(line.data(), line.size());
    if (!s.ok()) return Status::IOError("cannot write " + path + ": " + s.message());
    spdlog::info("created the integrity signing key in {} (mode 0600)", path);
  } else {
    return Status::IOError("cannot read " + path + ": " + strerror(errno));
  }
  std::memcpy(in->public_key_.data(), in->secret_key_.data() + 32, 32);
  SPARD_RETURN_IF_ERROR(
      store->PutMeta("integrity_public_key",
                     std::string_view(reinterpret_cast<const char*>(in->public_key_.data()), 32)));
  return in;
}

std::string Integrity::key_id() const {
  Hash h = HashLeaf(std::string_view(reinterpret_cast<const char*>(public_key_.data()), 32));
  return HexOf(h).substr(0, 16);
}

Result<std::optional<SignedTreeHead>> Integrity::Latest() const {
  Database* db = store_->database();
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->meta()));
  std::string end(kSthPrefix);
  end.back() += 1;  // "sth0": just past every "sth/..." key
  it->SeekForPrev(end);
  if (!it->Valid() ||
      !it->key().starts_with(rocksdb::Slice(kSthPrefix.data(), kSthPrefix.size()))) {
    SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading STHs"));
    return std::optional<SignedTreeHead>();
  }
  SignedTreeHead sth;
  if (!DecodeSth(std::string_view(it->value().data(), it->value().size()), &sth)) {
    return Status::Corruption("a stored STH does not decode");
  }
  return std::optional<SignedTreeHead>(sth);
}

Result<std::vector<SignedTreeHead>> Integrity::List(int64_t after_us, size_t limit) const {
  Database* db = store_->database();
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->meta()));
  std::vector<SignedTreeHead> out;
  const rocksdb::Slice prefix(kSthPrefix.data(), kSthPrefix.size());
  for (it->Seek(SthKey(after_us == INT64_MAX ? after_us : after_us + 1));
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    SignedTreeHead sth;
    if (!DecodeSth(std::string_view(it->value().data(), it->value().size()), &sth)) {
      return Status::Corruption("a stored STH does not decode");
    }
    out.push_back(sth);
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading STHs"));
  return out;
}

Result<std::optional<SignedTreeHead>> Integrity::FirstCovering(uint64_t leaf_count) const {
  Database* db = store_->database();
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->meta()));
  it->Seek(SthSizeKey(leaf_count));
  const rocksdb::Slice prefix(kSthBySizePrefix.data(), kSthBySizePrefix.size());
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading STHs"));
    return std::optional<SignedTreeHead>();
  }
  auto value = store_->GetMeta(std::string_view(it->value().data(), it->value().size()));
  if (!value.ok()) return value.status();
  SignedTreeHead sth;
  if (!value->has_value() || !DecodeSth(**value, &sth)) {
    return Status::Corruption("the STH index points to a missing STH");
  }
  return std::optional<SignedTreeHead>(sth);
}

Result<std::optional<SignedTreeHead>> Integrity::SignIfChanged(int64_t now_us, bool force) {
  std::lock_guard lock(mu_);
  const Writer::TreeHead head = store_->writer()->tree_head();
  auto latest = Latest();
  if (!latest.ok()) return latest.status();
  if (!force && (head.size == 0 || (latest->has_value() && (*latest)->tree_size == head.size))) {
    return std::optional<SignedTreeHead>();
  }
  SignedTreeHead sth;
  sth.tree_size = head.size;
  sth.root = head.root;
  // Strictly increasing timestamps, so the key order is the signing order.
  sth.timestamp_us = latest->has_value() ? std::max(now_us, (*latest)->timestamp_us + 1) : now_us;
  std::string msg = sth.SignedBytes();
  crypto_sign_detached(sth.signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                       secret_key_.data());
  const std::string key = SthKey(sth.timestamp_us);
  SPARD_RETURN_IF_ERROR(store_->PutMeta(key, EncodeSth(sth)));
  SPARD_RETURN_IF_ERROR(store_->PutMeta(SthSizeKey(sth.tree_size), key));

  // Off the store as well: one JSON line per STH, for operators to archive elsewhere.
  const std::string path = data_dir_ + "/sth.log";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + strerror(errno));
  std::string line = sth.ToJson();
  line.insert(line.size() - 1, ",\"key_id\":\"" + key_id() + "\"");
  line.push_back('\n');
  Status s = WriteAll(fd, line);
  if (s.ok() && ::fsync(fd) != 0) s = Status::IOError(strerror(errno));
  ::close(fd);
  if (!s.ok()) return Status::IOError("cannot append to " + path + ": " + s.message());
  if (!witness_.empty()) SendToWitness(sth);
  return std::optional<SignedTreeHead>(sth);
}

std::string Integrity::SignRecord(std::string_view record) const {
  std::string msg = "spard-record-v1\n" + std::string(record);
  std::array<uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(msg.data()),
                       msg.size(), secret_key_.data());
  return Base64(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
}

bool Integrity::VerifyRecord(std::string_view record, std::string_view signature_base64) const {
  std::string msg = "spard-record-v1\n" + std::string(record);
  std::array<uint8_t, 64> sig;
  size_t len = 0;
  if (sodium_base642bin(sig.data(), sig.size(), signature_base64.data(), signature_base64.size(),
                        nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != 64) {
    return false;
  }
  return crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(msg.data()),
                                     msg.size(), public_key_.data()) == 0;
}

void Integrity::SendToWitness(const SignedTreeHead& sth) {
  // "udp://HOST:PORT" or "tcp://HOST:PORT"; a witness that is down must not stop signing.
  const bool tcp = witness_.starts_with("tcp://");
  std::string_view rest = std::string_view(witness_).substr(6);
  size_t colon = rest.rfind(':');
  if ((!tcp && !witness_.starts_with("udp://")) || colon == std::string_view::npos) {
    spdlog::warn("integrity.witness \"{}\" is not udp://HOST:PORT or tcp://HOST:PORT", witness_);
    return;
  }
  std::string host(rest.substr(0, colon)), port(rest.substr(colon + 1));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    spdlog::warn("integrity witness {}: cannot resolve", witness_);
    return;
  }
  char hostname[256] = "-";
  ::gethostname(hostname, sizeof hostname - 1);
  std::string msg = "<110>1 " + FormatRfc3339(sth.timestamp_us) + " " + hostname +
                    " spard - STH [sth@53000 tree_size=\"" + std::to_string(sth.tree_size) +
                    "\" root=\"" + HexOf(sth.root) + "\" key_id=\"" + key_id() + "\"] " +
                    sth.ToJson();
  int fd = ::socket(res->ai_family, res->ai_socktype, 0);
  bool ok = fd >= 0;
  if (ok) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (tcp) {
      std::string frame = std::to_string(msg.size()) + " " + msg;
      ok = ::connect(fd, res->ai_addr, res->ai_addrlen) == 0 && WriteAll(fd, frame).ok();
    } else {
      ok = ::sendto(fd, msg.data(), msg.size(), 0, res->ai_addr, res->ai_addrlen) ==
           static_cast<ssize_t>(msg.size());
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (!ok) spdlog::warn("integrity witness {}: could not send the STH", witness_);
}

}  // namespace spard
