// Tokens and roles. A token is a random secret (256 bits) shown once; the store keeps only its
// SHA-256, under meta key "token/<hex sha256>", with the principal it stands for. A presented
// token is hashed and looked up by that hash. No secret is ever compared byte by byte, so
// response timing can only tell an attacker about SHA-256 outputs they chose, never about a
// stored secret: this is the constant-time property that matters.
//
//   token value := 0x01 role:u8 name:string systems:varint32 string{systems} expires:varint64
//   (expires: µs since the epoch, 0 = never)
//
// Thread-safety: safe for concurrent use (reads and writes go to RocksDB).

#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace spard {

enum class Role : uint8_t { kIngest = 1, kInvestigator = 2, kReviewer = 3, kAdmin = 4 };
std::string_view RoleName(Role role);
bool RoleFromName(std::string_view name, Role* out);

struct Principal {
  std::string id;  // first 16 hex digits of the token's SHA-256: names it without revealing it
  std::string name;
  Role role = Role::kIngest;
  std::vector<std::string> systems;  // empty: every system
  int64_t expires_us = 0;
  int64_t created_us = 0;

  // True when the principal may see events of `system` (spard's own audit events: admin only).
  bool MaySee(std::string_view system) const;
};

class TokenStore {
 public:
  explicit TokenStore(Store* store);

  // On first start: creates the admin token and writes its secret to `path` (mode 0600, the
  // file created exclusively). Returns true when a token was created. Never logs the secret.
  Result<bool> EnsureAdminToken(const std::string& path);

  // Creates a token for `principal`; returns the secret (shown once) and fills principal->id.
  // InvalidArgument for a bad name (1-64 of A-Z a-z 0-9 . _ @ -) or an admin token limited to
  // systems; Conflict when a token of that name exists (names are what the audit trail shows,
  // so they stay unique). Without a name, it gets one: "<role>-<first 8 of its id>".
  Result<std::string> Create(Principal* principal);
  // Every token (never their secrets), oldest first.
  Result<std::vector<Principal>> List() const;
  // Revokes the token with this id; it stops working at once. NotFound if there is none;
  // Conflict for the last admin token (nobody could create tokens any more).
  Result<Principal> Revoke(std::string_view id);

  // The principal for an "Authorization: Bearer <token>" header value. Unauthenticated when
  // missing, malformed, unknown or expired.
  Result<Principal> Authenticate(std::string_view authorization, int64_t now_us) const;

 private:
  Store* store_;
  std::mutex mu_;  // serialises Create and Revoke (their checks read what they then write)
};

}  // namespace spard
