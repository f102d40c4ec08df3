// TlsServerContext: the OpenSSL server context for syslog over TLS (RFC 5425), built from
// certificate files and rebuilt on demand (SIGHUP), so certificates can be renewed without a
// restart. A connection takes the context current at accept time.
//
// Mutual TLS: with verify_client, a client must present a certificate that chains to ca_file;
// with allowed_names, its subject CN or one of its DNS subjectAltNames must match one of them
// ("*.example.org" matches one label).
//
// Thread-safety: Current() and Reload() may be called from any thread.

#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace spard {

struct TlsOptions {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool verify_client = false;
  std::vector<std::string> allowed_names;  // empty: any certificate the CA signed
  bool tls13_only = false;                 // else TLS 1.2 and 1.3
};

// Splits "a.example, b.example" into names.
std::vector<std::string> SplitNameList(std::string_view list);

// True when `name` matches `pattern` (case-insensitive; "*." matches exactly one label).
bool HostNameMatches(std::string_view pattern, std::string_view name);

class TlsServerContext {
 public:
  // Fails with a message naming the file when a certificate or key cannot be loaded.
  static Result<std::unique_ptr<TlsServerContext>> Create(const TlsOptions& options);

  std::shared_ptr<boost::asio::ssl::context> Current() const;
  // Reads the files again; on failure keeps the current context and says why.
  Status Reload();

 private:
  explicit TlsServerContext(const TlsOptions& options) : options_(options) {}
  static Result<std::shared_ptr<boost::asio::ssl::context>> Build(const TlsOptions& options);

  const TlsOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // GUARDED_BY(mu_)
};

}  // namespace spard
