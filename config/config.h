// spard's configuration: one TOML file (toml++), every key optional, defaults per SPEC §2.
//
// Load() rejects unknown keys and bad values with a message naming the key and the line
// ("spard.toml:12: listen.syslog_tpc: unknown key"), so a typo never silently falls back to a
// default. DefaultToml() is the full default configuration with comments; it parses back to
// Config{} (a test holds this). Parsing, the default text and the key reference in
// docs/configuration.md all come from one schema table in config.cc (see config_schema.h).
//
// Thread-safety: plain values.

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/mapping_set.h"

namespace spard {

struct ListenConfig {
  // Each "HOST:PORT" or "" for off. Port 0: the kernel picks; see <data_dir>/listen.json.
  std::string syslog_tcp = "127.0.0.1:5514";
  std::string syslog_udp = "127.0.0.1:5514";
  std::string http = "127.0.0.1:8514";
  std::string syslog_tls = "127.0.0.1:6514";  // on only once tls.cert_file is set
  std::string relp = "127.0.0.1:20514";

  bool operator==(const ListenConfig&) const = default;
};

struct StorageConfig {
  std::string data_dir = "./var/spard";
  uint64_t block_cache_mb = 256;  // RocksDB block cache shared by all column families
  uint64_t write_buffer_mb = 32;  // total memtable budget (a WriteBufferManager cap)

  bool operator==(const StorageConfig&) const = default;
};

struct IngestConfig {
  uint64_t queue_max_mb = 16;          // bound on parsed events waiting for the writer
  uint64_t max_batch_events = 16384;   // events per group commit, at most
  uint64_t max_message_bytes = 65536;  // longer messages are stored truncated and flagged
  uint64_t http_max_body_mb = 32;      // POST /v1/ingest body limit (413 above)
  std::string rfc3164_timezone = "";   // IANA name; "" is the host's zone
  uint64_t max_connections = 1024;     // per TCP/TLS/RELP listener
  uint64_t max_connections_per_ip = 256;
  uint64_t idle_timeout_s = 3600;         // close a TCP/TLS connection silent this long; 0: never
  uint64_t udp_receive_buffer_kb = 4096;  // SO_RCVBUF (the kernel caps it at net.core.rmem_max)

  bool operator==(const IngestConfig&) const = default;
};

struct IndexConfig {
  // Events per in-memory index segment before it is sealed into sorted tables.
  uint64_t segment_max_events = 131072;

  bool operator==(const IndexConfig&) const = default;
};

struct HttpConfig {
  uint64_t query_threads = 2;  // threads that run queries, off the network thread
  uint64_t max_connections = 256;

  bool operator==(const HttpConfig&) const = default;
};

// Syslog over TLS (RFC 5425) on listen.syslog_tls, and the certificates for it.
struct TlsConfig {
  std::string cert_file = "";  // PEM certificate chain; "" keeps the TLS listener off
  std::string key_file = "";   // PEM private key for cert_file
  std::string ca_file = "";    // PEM CA certificates that client certificates must chain to
  bool verify_client = false;  // mutual TLS: refuse clients without a valid certificate
  std::string allowed_client_names = "";  // comma-separated CN/DNS names; "" = any the CA signed
  std::string min_version = "1.2";        // "1.2" or "1.3"

  bool operator==(const TlsConfig&) const = default;
};

// Gallring: how long events are kept, per system.
struct RetentionConfig {
  uint64_t days = 1827;                     // HSLF-FS 2016:40: at least five years
  std::map<std::string, uint64_t> systems;  // per-system days, overriding `days`
  std::string purge_at = "03:00";           // local "HH:MM" of the daily purge; "" for none

  bool operator==(const RetentionConfig&) const = default;
};

// Riktighet: the signed tree heads over the event log.
struct IntegrityConfig {
  uint64_t sth_interval_s = 60;  // sign a tree head this often (when the log grew), and at stop
  std::string witness = "";      // "" or "udp://HOST:PORT" / "tcp://HOST:PORT": STHs sent there

  bool operator==(const IntegrityConfig&) const = default;
};

// Logguttag (GET /v1/subjects/{subject}/extract): what a person's log extract shows. Each
// system may override show_user, unit_field and unit; a key it leaves out takes the value of
// the [extract] table.
struct ExtractSystemConfig {
  std::optional<bool> show_user;
  std::optional<std::string> unit_field;
  std::optional<std::string> unit;

  bool operator==(const ExtractSystemConfig&) const = default;
};

struct ExtractConfig {
  bool show_user = false;                 // the user's identity is not shown unless a system says
  std::string unit_field = "attrs.unit";  // "attrs.KEY": where the unit is; "" for none
  std::string unit = "";                  // the unit when the event has none in unit_field
  std::string timezone = "Europe/Stockholm";  // times in the HTML document; "" is the host's zone
  std::string issuer = "";                    // who issues the extract (the HTML's header)
  std::map<std::string, ExtractSystemConfig> systems;  // per-system overrides

  bool operator==(const ExtractConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error

  bool operator==(const LogConfig&) const = default;
};

struct Config {
  ListenConfig listen;
  StorageConfig storage;
  IngestConfig ingest;
  IndexConfig index;
  HttpConfig http;
  TlsConfig tls;
  IntegrityConfig integrity;
  RetentionConfig retention;
  ExtractConfig extract;
  LogConfig log;
  // The `[[mapping]]` tables, in file order (ingest/mapping_set.h says what each key means).
  // Checked here with the same functions the decoder compiles them with; compile them with
  // MappingSet::Compile (DecoderOptionsFromConfig does) to hand them to a Decoder.
  std::vector<MappingSpec> mappings;

  // Parses TOML text on top of the defaults: keys left out keep them. `source_name` prefixes
  // error messages (a file name; "config" when empty). Every problem found is reported, one per
  // line of an InvalidArgument message, ordered by line in the file:
  //   "<source>:<line>:<col>: <what>"                   TOML syntax (parsing stops there)
  //   "<source>:<line>: <key>: unknown key"             also "unknown table"; may end with
  //                                                      " (did you mean <key>?)"
  //   "<source>:<line>: <key>: expected <rule> (got <value>)"   wrong type or bad string
  //   "<source>:<line>: <key>: must be between <min> and <max> (got <n>)"
  //   "<source>:<line>: mapping[<i>].<key>: <what>"     a [[mapping]] table, counted from 0
  // <key> is dotted ("listen.http"). Reads the time-zone database when
  // ingest.rfc3164_timezone or extract.timezone is set, so call it at start-up, not on a hot path.
  static Result<Config> Parse(std::string_view toml_text, std::string_view source_name);
  // Reads and parses a file (at most 1 MiB). An unreadable file is an IOError
  // "<path>: cannot read the config file: <reason>".
  static Result<Config> Load(const std::string& path);
  // The full default configuration as commented TOML (`spard --print-default-config`).
  static std::string DefaultToml();

  // Field-wise; the defaults round-trip test and callers comparing a reload rely on it.
  bool operator==(const Config&) const = default;
};

// Splits "HOST:PORT" ("[::1]:514" for IPv6). False when malformed or the port is out of range.
// HOST must be an IP address literal: dotted-quad IPv4, or IPv6 inside brackets (no zone id).
// Names such as "localhost" are refused: a listener binds an address, and resolving a name at
// start-up would make the bound address depend on DNS and on which family the resolver returns
// first. On success *host is the address without brackets (ready for asio::ip::make_address) and
// *port is 0-65535 (0: the kernel picks). Either out-pointer may be null.
bool ParseHostPort(std::string_view s, std::string* host, uint16_t* port);

}  // namespace spard
