// SubjectKey: the installation secret that keys the subject index.
//
// The subject index is a list of personnummer. Its keys are not the normalised subject but
// HMAC-SHA256(secret, normalised subject), cut to 16 bytes, so a copy of the index tables (a
// backup of db/ without the key, a leaked SST file) does not say whose records were accessed
// and cannot be searched by guessing: there are only ~10^9 personnummer, so an unkeyed hash
// would be reversed in minutes. The secret is 32 random bytes in <data_dir>/subject.key (0600),
// created with the store; without it the subject index cannot be read (events still can).
//
// Thread-safety: immutable after construction; Term() may be called from any thread.

#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace spard {

class SubjectKey {
 public:
  static constexpr size_t kSecretBytes = 32;
  static constexpr size_t kTermBytes = 16;  // 128 bits: no collision among 10^10 subjects

  // A key from 32 secret bytes.
  explicit SubjectKey(std::string_view secret);

  // Reads the key file, or, when it does not exist and `create` is set, writes a new random
  // one (mode 0600). Corruption for a malformed file; NotFound when missing and !create.
  static Result<SubjectKey> LoadOrCreate(const std::string& path, bool create);

  // The index term of a normalised subject: kTermBytes raw bytes.
  std::string Term(std::string_view normalised_subject) const;

 private:
  crypto_auth_hmacsha256_state keyed_;  // after init with the secret: copied per Term()
};

}  // namespace spard
