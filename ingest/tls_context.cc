#include "ingest/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace spard {

namespace ssl = boost::asio::ssl;

std::vector<std::string> SplitNameList(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view part = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

bool HostNameMatches(std::string_view pattern, std::string_view name) {
  auto equal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  if (pattern.starts_with("*.")) {
    size_t dot = name.find('.');
    return dot != std::string_view::npos && dot > 0 && equal(pattern.substr(1), name.substr(dot));
  }
  return equal(pattern, name);
}

namespace {

// The subject CN and DNS subjectAltNames of a certificate.
std::vector<std::string> CertificateNames(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gen = sk_GENERAL_NAME_value(sans, i);
      if (gen->type == GEN_DNS) {
        const unsigned char* data = ASN1_STRING_get0_data(gen->d.dNSName);
        names.emplace_back(reinterpret_cast<const char*>(data),
                           static_cast<size_t>(ASN1_STRING_length(gen->d.dNSName)));
      }
    }
    GENERAL_NAMES_free(sans);
  }
  char cn[256];
  int len = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  if (len > 0) names.emplace_back(cn, static_cast<size_t>(len));
  return names;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> TlsServerContext::Build(const TlsOptions& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use | (o.tls13_only ? ssl::context::no_tlsv1_2 : 0),
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(),
                                o.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
  // No TLS 1.3 session tickets: syslog connections are long-lived, so resumption buys nothing,
  // and a simple client that never reads them resets the connection on close (unread data),
  // which makes its kernel drop the last messages it sent before spard read them.
  SSL_CTX_set_num_tickets(ctx->native_handle(), 0);
  ctx->use_certificate_chain_file(o.cert_file, ec);
  if (ec) return Status::InvalidArgument("tls.cert_file " + o.cert_file + ": " + ec.message());
  ctx->use_private_key_file(o.key_file, ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("tls.key_file " + o.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::InvalidArgument("tls.key_file " + o.key_file +
                                   " does not belong to tls.cert_file " + o.cert_file);
  }
  if (!o.ca_file.empty()) {
    ctx->load_verify_file(o.ca_file, ec);
    if (ec) return Status::InvalidArgument("tls.ca_file " + o.ca_file + ": " + ec.message());
  }
  if (o.verify_client) {
    if (o.ca_file.empty()) {
      return Status::InvalidArgument("tls.verify_client needs tls.ca_file");
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    std::vector<std::string> allowed = o.allowed_names;
    ctx->set_verify_callback([allowed](bool preverified, ssl::verify_context& vc) {
      if (!preverified) return false;
      X509_STORE_CTX* store = vc.native_handle();
      if (X509_STORE_CTX_get_error_depth(store) != 0 || allowed.empty()) return true;
      for (const std::string& name : CertificateNames(X509_STORE_CTX_get_current_cert(store))) {
        for (const std::string& pattern : allowed) {
          if (HostNameMatches(pattern, name)) return true;
        }
      }
      return false;
    });
  }
  return ctx;
}

Result<std::unique_ptr<TlsServerContext>> TlsServerContext::Create(const TlsOptions& options) {
  auto built = Build(options);
  if (!built.ok()) return built.status();
  std::unique_ptr<TlsServerContext> c(new TlsServerContext(options));
  c->current_ = std::move(built).value();
  return c;
}

std::shared_ptr<ssl::context> TlsServerContext::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

Status TlsServerContext::Reload() {
  auto built = Build(options_);
  if (!built.ok()) return built.status();
  std::lock_guard lock(mu_);
  current_ = std::move(built).value();
  return Status::Ok();
}

}  // namespace spard
