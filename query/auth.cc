#include "query/auth.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/coding.h"

namespace spard {

namespace {

constexpr std::string_view kTokenPrefix = "token/";
constexpr std::string_view kAdminCreatedKey = "admin_token_created";
constexpr std::string_view kSecretPrefix = "spard_";
constexpr char kVersion = 0x01;

std::string Sha256Hex(std::string_view s) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

std::string NewSecret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  return std::string(kSecretPrefix) + b64;
}

// token value := 0x01 role:u8 name:string systems:varint32 string{systems} expires:varint64
//                created:varint64 (0x01 values written before `created` existed end earlier)
std::string EncodePrincipal(const Principal& p) {
  std::string v;
  v.push_back(kVersion);
  v.push_back(static_cast<char>(p.role));
  PutLengthPrefixed(&v, p.name);
  PutVarint32(&v, static_cast<uint32_t>(p.systems.size()));
  for (const auto& s : p.systems) PutLengthPrefixed(&v, s);
  PutVarint64(&v, static_cast<uint64_t>(p.expires_us));
  PutVarint64(&v, static_cast<uint64_t>(p.created_us));
  return v;
}

bool DecodePrincipal(std::string_view in, Principal* p) {
  if (in.size() < 2 || in[0] != kVersion) return false;
  uint8_t role = static_cast<uint8_t>(in[1]);
  if (role < 1 || role > 4) return false;
  p->role = static_cast<Role>(role);
  in.remove_prefix(2);
  std::string_view name;
  uint32_t n;
  if (!GetLengthPrefixed(&in, &name) || !GetVarint32(&in, &n) || n > in.size()) return false;
  p->name = std::string(name);
  p->systems.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!GetLengthPrefixed(&in, &s)) return false;
    p->systems.emplace_back(s);
  }
  uint64_t expires, created = 0;
  if (!GetVarint64(&in, &expires)) return false;
  if (!in.empty() && !GetVarint64(&in, &created)) return false;
  if (!in.empty()) return false;
  p->expires_us = static_cast<int64_t>(expires);
  p->created_us = static_cast<int64_t>(created);
  return true;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIngest:
      return "ingest";
    case Role::kInvestigator:
      return "investigator";
    case Role::kReviewer:
      return "reviewer";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

bool RoleFromName(std::string_view name, Role* out) {
  for (Role r : {Role::kIngest, Role::kInvestigator, Role::kReviewer, Role::kAdmin}) {
    if (RoleName(r) == name) {
      *out = r;
      return true;
    }
  }
  return false;
}

TokenStore::TokenStore(Store* store) : store_(store) {
  // libsodium must be initialised once before use; repeated calls are cheap and safe.
  if (sodium_init() < 0) abort();
}

bool Principal::MaySee(std::string_view system) const {
  if (role == Role::kAdmin) return true;
  if (system == "spard") return false;
  if (systems.empty()) return true;
  return std::find(systems.begin(), systems.end(), system) != systems.end();
}

Result<std::string> TokenStore::Create(Principal* principal) {
  std::string& name = principal->name;
  if (!name.empty() &&
      (name.size() > 64 || name == "-" || !std::all_of(name.begin(), name.end(), [](char c) {
         return isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' ||
                c == '-';
       }))) {
    return Status::InvalidArgument("name: 1 to 64 of A-Z a-z 0-9 . _ @ -");
  }
  if (principal->role == Role::kAdmin && !principal->systems.empty()) {
    return Status::InvalidArgument("systems: an admin token cannot be limited to systems");
  }
  for (const std::string& s : principal->systems) {
    if (s.empty()) return Status::InvalidArgument("systems: a system name is empty");
    if (s == "spard") return Status::InvalidArgument("systems: spard is for admin tokens only");
  }
  std::string secret = NewSecret();
  std::string hash = Sha256Hex(secret);
  principal->id = hash.substr(0, 16);
  // Unnamed: named after its role and id, so the audit trail still tells tokens apart.
  if (name.empty())
    name = std::string(RoleName(principal->role)) + "-" + principal->id.substr(0, 8);
  std::lock_guard lock(mu_);
  auto existing = List();
  if (!existing.ok()) return existing.status();
  for (const Principal& p : *existing) {
    if (p.name == name)
      return Status::Conflict("a token named " + name + " exists (id " + p.id + ")");
  }
  SPARD_RETURN_IF_ERROR(
      store_->PutMeta(std::string(kTokenPrefix) + hash, EncodePrincipal(*principal)));
  return secret;
}

Result<std::vector<Principal>> TokenStore::List() const {
  std::vector<Principal> out;
  Database* db = store_->database();
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->meta()));
  const rocksdb::Slice prefix(kTokenPrefix.data(), kTokenPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Principal p;
    if (!DecodePrincipal(std::string_view(it->value().data(), it->value().size()), &p)) {
      return Status::Corruption("a token record does not decode");
    }
    p.id = std::string(it->key().data() + prefix.size(), 16);
    out.push_back(std::move(p));
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading tokens"));
  std::sort(out.begin(), out.end(),
            [](const Principal& a, const Principal& b) { return a.created_us < b.created_us; });
  return out;
}

Result<Principal> TokenStore::Revoke(std::string_view id) {
  if (id.size() != 16) return Status::NotFound("no token " + std::string(id));
  std::lock_guard lock(mu_);
  Database* db = store_->database();
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->meta()));
  const std::string prefix = std::string(kTokenPrefix) + std::string(id);
  it->Seek(prefix);
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading tokens"));
    return Status::NotFound("no token " + std::string(id));
  }
  Principal p;
  if (!DecodePrincipal(std::string_view(it->value().data(), it->value().size()), &p)) {
    return Status::Corruption("a token record does not decode");
  }
  p.id = std::string(id);
  if (p.role == Role::kAdmin) {
    auto all = List();
    if (!all.ok()) return all.status();
    const auto admins = std::count_if(all->begin(), all->end(),
                                      [](const Principal& t) { return t.role == Role::kAdmin; });
    if (admins <= 1) {
      return Status::Conflict("token " + std::string(id) +
                              " is the last admin token: create another admin token first");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  SPARD_RETURN_IF_ERROR(FromRocks(db->db()->Delete(wo, db->meta(), it->key()), "revoking"));
  return p;
}

Result<bool> TokenStore::EnsureAdminToken(const std::string& path) {
  auto created = store_->GetMeta(kAdminCreatedKey);
  if (!created.ok()) return created.status();
  if (created->has_value()) return false;
  Principal admin;
  admin.name = "admin";
  admin.role = Role::kAdmin;
  admin.created_us = static_cast<int64_t>(time(nullptr)) * 1000000;
  std::string secret = NewSecret();
  // Write the file before recording the token: a crash in between leaves a stale file that the
  // next start replaces, never a token whose secret nobody has.
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + strerror(errno));
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot write " + path + ": " + strerror(errno));
  }
  SPARD_RETURN_IF_ERROR(
      store_->PutMeta(std::string(kTokenPrefix) + Sha256Hex(secret), EncodePrincipal(admin)));
  SPARD_RETURN_IF_ERROR(store_->PutMeta(kAdminCreatedKey, "1"));
  return true;
}

Result<Principal> TokenStore::Authenticate(std::string_view authorization, int64_t now_us) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) != 0) {
    return Status::Unauthenticated("missing bearer token");
  }
  std::string_view secret = authorization.substr(kBearer.size());
  while (!secret.empty() && secret.back() == ' ') secret.remove_suffix(1);
  if (secret.size() > 256) return Status::Unauthenticated("invalid token");
  std::string hash = Sha256Hex(secret);
  auto value = store_->GetMeta(std::string(kTokenPrefix) + hash);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Status::Unauthenticated("invalid token");
  Principal p;
  if (!DecodePrincipal(**value, &p)) return Status::Corruption("token record does not decode");
  p.id = hash.substr(0, 16);
  if (p.expires_us != 0 && now_us >= p.expires_us) {
    return Status::Unauthenticated("token expired");
  }
  return p;
}

}  // namespace spard
