// Parsing and validating spard.toml.
//
// Everything about a key lives in one row of kKeys below: its table and name, the Config field
// it fills, the rule its value must satisfy, and its one-line comment. Parse() walks the parsed
// TOML against that table (anything not in it is an error), and DefaultToml(), DescribeConfig()
// and the Markdown reference are rendered from it, so the docs cannot drift from the parser.
//
// The `[[mapping]]` array of tables is the one part whose shape is not "table.key = value": its
// keys are in kMappingKeys, and its values are checked with ingest/mapping_set.h's functions —
// the ones MappingSet::Compile uses — so a mapping accepted here is one the decoder compiles.
//
// toml++ reports syntax errors by throwing toml::parse_error, and the date library reports an
// unknown zone with std::runtime_error; both are caught here and become a Status, so nothing
// thrown leaves this file.

#include "config/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <date/tz.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config_schema.h"

namespace spard {
namespace {

// ---------------------------------------------------------------------------------------------
// Rules for values.

// An integer key; accepted when min <= value <= max. The bounds catch unit slips (bytes written
// where MiB are meant) and values that would exhaust memory or threads, not tuning choices.
struct UintRule {
  uint64_t& (*field)(Config&);
  uint64_t min;
  uint64_t max;
};

// A string key; accepted when check() returns true. check() may set *note to say what exactly
// is wrong. `expected` describes the accepted values in error messages and docs.
struct StringRule {
  std::string& (*field)(Config&);
  bool (*check)(std::string_view value, std::string* note);
  std::string_view expected;
};

// A boolean key: true or false.
struct BoolRule {
  bool& (*field)(Config&);
};

// A key whose value is a table of names to integers (per-system settings):
//   systems = { procapita = 730, "treserva" = 3650 }   or   [retention.systems] ...
struct UintMapRule {
  std::map<std::string, uint64_t>& (*field)(Config&);
  uint64_t min;
  uint64_t max;
};

// [extract.systems]: a table of system names to tables of the per-system extract settings:
//   [extract.systems.procapita]            or   systems = { procapita = { show_user = true } }
//   show_user = true
//   unit_field = "attrs.vardenhet"
// Each of show_user, unit_field and unit is optional; one left out takes the [extract] value.
struct ExtractSystemsRule {
  std::map<std::string, ExtractSystemConfig>& (*field)(Config&);
};

struct KeySpec {
  std::string_view table;
  std::string_view name;
  std::variant<StringRule, UintRule, BoolRule, UintMapRule, ExtractSystemsRule> rule;
  std::string_view comment;  // one line; no '|' (it becomes a Markdown table cell)
};

struct TableSpec {
  std::string_view name;
  std::string_view comment;  // may span lines ('\n'); each becomes a "# " line
};

// The Config field `(config.*kTable).*kField` as a plain function pointer, so a schema row
// names its field once and a type mismatch between row and field does not compile.
template <auto kTable, auto kField>
auto& Member(Config& config) {
  return (config.*kTable).*kField;
}

// Where the problem lies in `s`, or "" when `s` is a valid HOST:PORT. Shared by ParseHostPort()
// and the listen.* rule so that both accept exactly the same strings.
std::string_view HostPortProblem(std::string_view s, std::string* host_out, uint16_t* port_out) {
  if (s.find('\0') != std::string_view::npos) return "contains a NUL byte";
  std::string_view host;
  std::string_view rest;  // ":PORT"
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return "missing ']' after the IPv6 address";
    host = s.substr(1, close - 1);
    rest = s.substr(close + 1);
    in6_addr addr6;
    if (host.empty() || host.size() >= INET6_ADDRSTRLEN ||
        inet_pton(AF_INET6, std::string(host).c_str(), &addr6) != 1) {
      return "not an IPv6 address inside the brackets";
    }
    if (rest.empty()) return "missing \":PORT\"";
    if (rest.front() != ':') return "expected ':' after ']'";
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return "missing \":PORT\"";
    host = s.substr(0, colon);
    rest = s.substr(colon);
    if (host.find(':') != std::string_view::npos) {
      return "put an IPv6 address in brackets, e.g. \"[::1]:5514\"";
    }
    if (host.empty()) return "missing HOST (0.0.0.0 listens on every IPv4 address)";
    in_addr addr4;
    if (host.size() >= INET_ADDRSTRLEN ||
        inet_pton(AF_INET, std::string(host).c_str(), &addr4) != 1) {
      bool looks_numeric = host.find_first_not_of("0123456789.") == std::string_view::npos;
      return looks_numeric ? "not an IPv4 address"
                           : "HOST must be an IP address; names are not resolved";
    }
  }
  std::string_view digits = rest.substr(1);
  if (digits.empty()) return "missing PORT after ':'";
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return "PORT must be a number from 0 to 65535";
  }
  uint32_t port = 0;
  for (char c : digits) port = port * 10 + static_cast<uint32_t>(c - '0');
  if (port > 65535) return "PORT must be a number from 0 to 65535";
  if (host_out != nullptr) host_out->assign(host);
  if (port_out != nullptr) *port_out = static_cast<uint16_t>(port);
  return {};
}

bool IsHostPortOrOff(std::string_view value, std::string* note) {
  if (value.empty()) return true;
  std::string_view problem = HostPortProblem(value, nullptr, nullptr);
  note->assign(problem);
  return problem.empty();
}

bool IsDirectoryPath(std::string_view value, std::string* /*note*/) {
  return !value.empty() && value.find('\0') == std::string_view::npos;
}

bool IsLogLevel(std::string_view value, std::string* /*note*/) {
  return value == "trace" || value == "debug" || value == "info" || value == "warn" ||
         value == "error";
}

// Checked with the date library's tz support, which ingest should also convert with, so that a
// name accepted here is one ingest can load. Debian builds date-tz with USE_OS_TZDB, so
// date::locate_zone() reads /usr/share/zoneinfo. Lookup is by name in the database's list, never
// by opening a path built from `value`, so "../../etc/passwd" is simply not found.
bool IsTimeZoneOrHost(std::string_view value, std::string* note) {
  if (value.empty()) return true;
  try {
    (void)date::get_tzdb();
  } catch (const std::exception& e) {
    *note = fmt::format("the time-zone database cannot be read ({}); install tzdata", e.what());
    return false;
  }
  try {
    (void)date::locate_zone(std::string(value));
    return true;
  } catch (const std::exception&) {
    *note = "no such zone under /usr/share/zoneinfo";
    return false;
  }
}

bool IsPathOrEmpty(std::string_view value, std::string* /*note*/) {
  return value.find('\0') == std::string_view::npos;
}

bool IsNameList(std::string_view value, std::string* note) {
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == '*' || c == ',' || c == ' ';
    if (!ok) {
      *note = fmt::format("'{}' is not allowed in a host name", c);
      return false;
    }
  }
  return true;
}

bool IsWitness(std::string_view value, std::string* note) {
  if (value.empty()) return true;
  if (!value.starts_with("udp://") && !value.starts_with("tcp://")) {
    *note = "start with udp:// or tcp://";
    return false;
  }
  std::string_view rest = value.substr(6);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    *note = "missing HOST:PORT";
    return false;
  }
  return true;
}

bool IsClockOrEmpty(std::string_view value, std::string* /*note*/) {
  if (value.empty()) return true;
  return value.size() == 5 && value[2] == ':' && value[0] >= '0' && value[0] <= '2' &&
         value[1] >= '0' && value[1] <= '9' && value[3] >= '0' && value[3] <= '5' &&
         value[4] >= '0' && value[4] <= '9' && (value[0] < '2' || value[1] <= '3');
}

bool IsTlsVersion(std::string_view value, std::string* /*note*/) {
  return value == "1.2" || value == "1.3";
}

// "attrs.KEY": an attribute of the event, KEY as in the API's "attrs" object ("attrs.unit",
// "attrs.vardenhet"; nested JSON attributes have dotted keys: "attrs.unit.name"). "" for none.
bool IsUnitField(std::string_view value, std::string* note) {
  if (value.empty()) return true;
  if (value.find('\0') != std::string_view::npos) {
    *note = "contains a NUL byte";
    return false;
  }
  if (!value.starts_with("attrs.") || value.size() == 6) {
    *note = "name an attribute as attrs.KEY";
    return false;
  }
  return true;
}

bool IsText(std::string_view value, std::string* note) {
  if (value.find('\0') == std::string_view::npos) return true;
  *note = "contains a NUL byte";
  return false;
}

constexpr std::string_view kUnitFieldExpected = R"("attrs.KEY" or "")";
constexpr std::string_view kTimeZoneExpected =
    R"(an IANA time-zone name such as "Europe/Stockholm", or "" for the host's zone)";
constexpr std::string_view kExtractSystemKeys[] = {"show_user", "unit_field", "unit"};

constexpr std::string_view kHostPortExpected = R"("HOST:PORT" or "")";

// ---------------------------------------------------------------------------------------------
// The schema. Order here is the order of DefaultToml() and of the docs.

constexpr TableSpec kTables[] = {
    {"listen",
     "Where spard listens. Each value is \"HOST:PORT\", or \"\" to turn that listener off.\n"
     "HOST is an IP address: IPv4, or IPv6 in brackets (\"[::1]:5514\"); 0.0.0.0 or [::] for\n"
     "every interface. Port 0 lets the kernel pick; once every listener is bound, the actual\n"
     "addresses are written to listen.json in the data directory."},
    {"storage", "The event store (RocksDB)."},
    {"ingest", "Receiving events: the queue to the store writer, group commit, message limits."},
    {"index", "The user, object, subject and time indexes."},
    {"http", "The HTTP API and web UI, served on listen.http."},
    {"tls",
     "Syslog over TLS (RFC 5425) on listen.syslog_tls. The listener is on once cert_file is\n"
     "set. SIGHUP reloads the certificate, key and CA files (new connections use them)."},
    {"integrity",
     "Riktighet: every event is a leaf of a Merkle tree; spard signs its head (Ed25519, key in\n"
     "<data_dir>/integrity.key), appends it to <data_dir>/sth.log and sends it to a witness."},
    {"retention",
     "Gallring: events older than their system's retention are purged daily, except under a\n"
     "legal hold. The leaf hashes that keep the log verifiable are kept."},
    {"extract",
     "Logguttag: the extract a person gets of the accesses to records about them\n"
     "(GET /v1/subjects/{subject}/extract, spar extract). A system can override show_user,\n"
     "unit_field and unit in a table [extract.systems.NAME] (then leave out systems = {})."},
    {"log", "spard's own log, written to stderr (journald under systemd)."},
};

// clang-format off
const KeySpec kKeys[] = {
    {"listen", "syslog_tcp",
     StringRule{&Member<&Config::listen, &ListenConfig::syslog_tcp>, IsHostPortOrOff,
                kHostPortExpected},
     "Syslog (RFC 6587 octet-counted or LF-framed) and JSON lines over TCP."},
    {"listen", "syslog_udp",
     StringRule{&Member<&Config::listen, &ListenConfig::syslog_udp>, IsHostPortOrOff,
                kHostPortExpected},
     "Syslog over UDP, one message per datagram."},
    {"listen", "http",
     StringRule{&Member<&Config::listen, &ListenConfig::http>, IsHostPortOrOff,
                kHostPortExpected},
     "HTTP API, /metrics and the web UI."},
    {"listen", "syslog_tls",
     StringRule{&Member<&Config::listen, &ListenConfig::syslog_tls>, IsHostPortOrOff,
                kHostPortExpected},
     "Syslog over TLS (RFC 5425), usually port 6514; off until a certificate is configured."},
    {"listen", "relp",
     StringRule{&Member<&Config::listen, &ListenConfig::relp>, IsHostPortOrOff,
                kHostPortExpected},
     "RELP, rsyslog's acknowledged protocol."},

    {"storage", "data_dir",
     StringRule{&Member<&Config::storage, &StorageConfig::data_dir>, IsDirectoryPath,
                "a non-empty directory path"},
     "Store, admin.token and listen.json live here; --data-dir overrides it."},
    {"storage", "block_cache_mb",
     UintRule{&Member<&Config::storage, &StorageConfig::block_cache_mb>, 1, 262144},
     "RocksDB block cache shared by all column families, in MiB."},
    {"storage", "write_buffer_mb",
     UintRule{&Member<&Config::storage, &StorageConfig::write_buffer_mb>, 1, 65536},
     "Memtable budget for all column families together, in MiB."},

    {"ingest", "queue_max_mb",
     UintRule{&Member<&Config::ingest, &IngestConfig::queue_max_mb>, 1, 65536},
     "Parsed events awaiting the store writer, in MiB; TCP readers pause when full."},
    {"ingest", "max_batch_events",
     UintRule{&Member<&Config::ingest, &IngestConfig::max_batch_events>, 1, 1048576},
     "Most events per group commit, i.e. per synced write batch."},
    // 480: RFC 5424 section 6.1 says receivers MUST accept messages of 480 octets.
    {"ingest", "max_message_bytes",
     UintRule{&Member<&Config::ingest, &IngestConfig::max_message_bytes>, 480, 16777216},
     "Longer messages are stored truncated and flagged."},
    {"ingest", "http_max_body_mb",
     UintRule{&Member<&Config::ingest, &IngestConfig::http_max_body_mb>, 1, 4096},
     "Largest POST /v1/ingest body, in MiB; larger ones get 413."},
    {"ingest", "rfc3164_timezone",
     StringRule{&Member<&Config::ingest, &IngestConfig::rfc3164_timezone>, IsTimeZoneOrHost,
                kTimeZoneExpected},
     "Zone of RFC 3164 timestamps, which carry none; \"\" is the host's zone."},

    {"ingest", "max_connections",
     UintRule{&Member<&Config::ingest, &IngestConfig::max_connections>, 1, 1048576},
     "Most connections open at once per TCP, TLS or RELP listener."},
    {"ingest", "max_connections_per_ip",
     UintRule{&Member<&Config::ingest, &IngestConfig::max_connections_per_ip>, 1, 1048576},
     "Most connections from one address per listener (slowloris guard)."},
    {"ingest", "idle_timeout_s",
     UintRule{&Member<&Config::ingest, &IngestConfig::idle_timeout_s>, 0, 31536000},
     "Close a TCP/TLS connection silent this long, in seconds; 0: never."},
    {"ingest", "udp_receive_buffer_kb",
     UintRule{&Member<&Config::ingest, &IngestConfig::udp_receive_buffer_kb>, 64, 1048576},
     "UDP receive buffer in KiB; the kernel caps it at net.core.rmem_max."},

    {"index", "segment_max_events",
     UintRule{&Member<&Config::index, &IndexConfig::segment_max_events>, 1, 67108864},
     "Events per in-memory index segment before it is sealed into sorted tables."},

    {"http", "query_threads",
     UintRule{&Member<&Config::http, &HttpConfig::query_threads>, 1, 256},
     "Threads that run queries, off the network thread."},
    {"http", "max_connections",
     UintRule{&Member<&Config::http, &HttpConfig::max_connections>, 1, 65536},
     "Most HTTP connections open at once."},

    {"tls", "cert_file",
     StringRule{&Member<&Config::tls, &TlsConfig::cert_file>, IsPathOrEmpty,
                R"(a path to a PEM file, or "")"},
     "Server certificate chain (PEM); \"\" keeps the TLS listener off."},
    {"tls", "key_file",
     StringRule{&Member<&Config::tls, &TlsConfig::key_file>, IsPathOrEmpty,
                R"(a path to a PEM file, or "")"},
     "Private key of cert_file (PEM); keep it readable by spard's user only."},
    {"tls", "ca_file",
     StringRule{&Member<&Config::tls, &TlsConfig::ca_file>, IsPathOrEmpty,
                R"(a path to a PEM file, or "")"},
     "CA certificates that client certificates must chain to (PEM)."},
    {"tls", "verify_client", BoolRule{&Member<&Config::tls, &TlsConfig::verify_client>},
     "Mutual TLS: refuse a client without a valid certificate from ca_file."},
    {"tls", "allowed_client_names",
     StringRule{&Member<&Config::tls, &TlsConfig::allowed_client_names>, IsNameList,
                R"(comma-separated host names, or "")"},
     "With verify_client: client certificate CN or DNS names allowed; \"\" allows any."},
    {"tls", "min_version",
     StringRule{&Member<&Config::tls, &TlsConfig::min_version>, IsTlsVersion,
                R"("1.2" or "1.3")"},
     "Oldest TLS version accepted."},

    {"integrity", "sth_interval_s",
     UintRule{&Member<&Config::integrity, &IntegrityConfig::sth_interval_s>, 1, 86400},
     "Sign a tree head this often, in seconds, when the log grew; also at shutdown."},
    {"integrity", "witness",
     StringRule{&Member<&Config::integrity, &IntegrityConfig::witness>, IsWitness,
                R"("udp://HOST:PORT", "tcp://HOST:PORT" or "")"},
     "A syslog receiver elsewhere that gets every signed tree head; \"\" for none."},

    {"retention", "days",
     UintRule{&Member<&Config::retention, &RetentionConfig::days>, 1, 36500},
     "Days events are kept unless their system has its own; 1827 is HSLF-FS 2016:40."},
    {"retention", "systems",
     UintMapRule{&Member<&Config::retention, &RetentionConfig::systems>, 1, 36500},
     "Days per system, e.g. { procapita = 730, cosmic = 3650 }; others use days."},
    {"retention", "purge_at",
     StringRule{&Member<&Config::retention, &RetentionConfig::purge_at>, IsClockOrEmpty,
                R"(a local time "HH:MM", or "" for no automatic purge)"},
     "Local time of the daily purge; \"\" purges only on request (spar purge)."},

    {"extract", "show_user",
     BoolRule{&Member<&Config::extract, &ExtractConfig::show_user>},
     "Show which user account made each access; off: when, where and what only (C-579/21)."},
    {"extract", "unit_field",
     StringRule{&Member<&Config::extract, &ExtractConfig::unit_field>, IsUnitField,
                kUnitFieldExpected},
     "Where an event names the unit that accessed it: an attribute, as attrs.KEY."},
    {"extract", "unit",
     StringRule{&Member<&Config::extract, &ExtractConfig::unit>, IsText,
                R"(any text, or "")"},
     "The unit shown when an event has none in unit_field, e.g. \"Socialtjänsten\"."},
    {"extract", "timezone",
     StringRule{&Member<&Config::extract, &ExtractConfig::timezone>, IsTimeZoneOrHost,
                kTimeZoneExpected},
     "Zone of the times in the HTML extract; \"\" is the host's zone."},
    {"extract", "issuer",
     StringRule{&Member<&Config::extract, &ExtractConfig::issuer>, IsText,
                R"(any text, or "")"},
     "Who issues extracts, printed at the top of the HTML one, e.g. \"Exempel kommun\"."},
    {"extract", "systems",
     ExtractSystemsRule{&Member<&Config::extract, &ExtractConfig::systems>},
     "Per system: { procapita = { show_user = true, unit_field = \"attrs.vardenhet\" } }."},

    {"log", "level",
     StringRule{&Member<&Config::log, &LogConfig::level>, IsLogLevel,
                R"(one of "trace", "debug", "info", "warn", "error")"},
     "Least severe message that is logged: trace, debug, info, warn or error."},
};
// clang-format on

// The keys of one [[mapping]] table (ingest/mapping_set.h has the semantics). The per-target
// keys are one row; parsing, suggestions and the docs' reference come from this table.
enum class MappingKey : uint8_t {
  kName,
  kMatchApp,
  kMatchSystem,
  kMatchMessage,
  kTarget,
  kRegex,
  kStatic
};

struct MappingKeySpec {
  MappingKey key;
  std::string_view name;
  std::string_view type;
  std::string_view allowed;
  std::string_view comment;  // one line; no '|'
};

constexpr std::string_view kTargetKeys =
    "system, user, action, object, subject, outcome, client_ip, host, reason, ts";

constexpr MappingKeySpec kMappingKeys[] = {
    {MappingKey::kName, "name", "string", "letters, digits, `.`, `_`, `-`; unique; required",
     "Names the mapping in errors, in the attribute spard.mapping of each event it maps, and in "
     "/metrics."},
    {MappingKey::kMatchApp, "match_app", "string", "a name, compared exactly",
     "Only messages whose APP-NAME (RFC 5424), TAG (RFC 3164) or CEF Device Product is this."},
    {MappingKey::kMatchSystem, "match_system", "string", "a name, compared exactly",
     "Only messages whose system as the default mapping finds it (else this mapping's static "
     "system) is this."},
    {MappingKey::kMatchMessage, "match_message", "string", "an RE2 regular expression",
     "Only messages it matches somewhere in (the message as received)."},
    {MappingKey::kTarget, kTargetKeys, "array of strings",
     "`\"SOURCE:NAME\"` with SOURCE `json`, `sd` (`sd:PARAM` or `sd:SD-ID.PARAM`), `kv`, `cef`, "
     "`cefheader` or `header`",
     "Where that field is found, tried in order before the default mapping's candidates."},
    {MappingKey::kRegex, "regex", "array of strings",
     "RE2 with named groups, each a target name or `attrs_NAME`",
     "Rules over the message text; the first that matches fills its groups' fields (ahead of "
     "any other source) and attributes."},
    {MappingKey::kStatic, "static", "table",
     "`TARGET = \"value\"` (not ts), `\"attrs.NAME\" = \"value\"`",
     "Field values used when the message gives none; attributes added when it lacks them."},
};

constexpr std::string_view kMappingTable = "mapping";

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;  // clang before 17 does not deduce it for aggregates

const TableSpec* FindTable(std::string_view name) {
  for (const TableSpec& t : kTables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const KeySpec* FindKey(std::string_view table, std::string_view name) {
  for (const KeySpec& k : kKeys) {
    if (k.table == table && k.name == name) return &k;
  }
  return nullptr;
}

std::string DottedKey(const KeySpec& k) { return fmt::format("{}.{}", k.table, k.name); }

std::string_view TypeName(const KeySpec& k) {
  if (std::holds_alternative<UintRule>(k.rule)) return "integer";
  if (std::holds_alternative<BoolRule>(k.rule)) return "boolean";
  if (std::holds_alternative<UintMapRule>(k.rule)) return "table";
  if (std::holds_alternative<ExtractSystemsRule>(k.rule)) return "table";
  return "string";
}

std::string AllowedText(const KeySpec& k) {
  return std::visit(
      Overloaded{[](const StringRule& r) { return std::string(r.expected); },
                 [](const UintRule& r) { return fmt::format("{} to {}", r.min, r.max); },
                 [](const BoolRule&) { return std::string("true or false"); },
                 [](const UintMapRule& r) {
                   return fmt::format("a table of names to integers from {} to {}", r.min, r.max);
                 },
                 [](const ExtractSystemsRule&) {
                   return std::string(
                       "a table of system names to tables of show_user, unit_field and unit");
                 }},
      k.rule);
}

// ---------------------------------------------------------------------------------------------
// Rendering values.

// A TOML basic string. Control characters use \uXXXX so the output is always valid TOML.
std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string ValueToml(const KeySpec& k, Config& config) {
  return std::visit(
      Overloaded{[&](const StringRule& r) { return TomlString(r.field(config)); },
                 [&](const UintRule& r) { return fmt::format("{}", r.field(config)); },
                 [&](const BoolRule& r) { return std::string(r.field(config) ? "true" : "false"); },
                 [&](const UintMapRule& r) {
                   std::string out = "{";
                   for (const auto& [name, v] : r.field(config)) {
                     out +=
                         fmt::format("{}{} = {}", out.size() > 1 ? ", " : " ", TomlString(name), v);
                   }
                   return out + (out.size() > 1 ? " }" : "}");
                 },
                 [&](const ExtractSystemsRule& r) {
                   std::string out = "{";
                   for (const auto& [name, system] : r.field(config)) {
                     std::string inner;
                     auto add = [&inner](std::string_view key, const std::string& value) {
                       inner += fmt::format("{}{} = {}", inner.empty() ? " " : ", ", key, value);
                     };
                     if (system.show_user) add("show_user", *system.show_user ? "true" : "false");
                     if (system.unit_field) add("unit_field", TomlString(*system.unit_field));
                     if (system.unit) add("unit", TomlString(*system.unit));
                     out += fmt::format("{}{} = {{{}}}", out.size() > 1 ? ", " : " ",
                                        TomlString(name), inner.empty() ? "" : inner + " ");
                   }
                   return out + (out.size() > 1 ? " }" : "}");
                 }},
      k.rule);
}

// A value as it appears in "(got ...)": long strings are cut (on a UTF-8 boundary) so that one
// pasted log line does not bury the message.
std::string DescribeNode(const toml::node& node) {
  constexpr size_t kMaxShown = 60;
  switch (node.type()) {
    case toml::node_type::string: {
      std::string_view s = node.as_string()->get();
      if (s.size() <= kMaxShown) return TomlString(s);
      size_t cut = kMaxShown;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      return TomlString(s.substr(0, cut)) + "...";
    }
    case toml::node_type::integer:
      return fmt::format("integer {}", node.as_integer()->get());
    case toml::node_type::floating_point: {
      // fmt prints 64.0 as "64"; keep the ".0" that made it a float in the first place.
      std::string f = fmt::format("{}", node.as_floating_point()->get());
      if (f.find_first_of(".eEni") == std::string::npos) f += ".0";
      return "float " + f;
    }
    case toml::node_type::boolean:
      return fmt::format("boolean {}", node.as_boolean()->get());
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// ---------------------------------------------------------------------------------------------
// Checking a parsed document.

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean listen.syslog_tcp?)" for a likely typo or a key put in the wrong table, else "".
// `table` is "" for a top-level name.
std::string Suggestion(std::string_view table, std::string_view name) {
  std::string best;
  size_t best_distance = 3;  // more than two edits away is not a typo
  auto consider = [&](std::string candidate, std::string_view typed, std::string_view against) {
    size_t d = EditDistance(typed, against);
    if (d < best_distance && d < against.size()) {
      best_distance = d;
      best = std::move(candidate);
    }
  };
  if (table.empty()) {
    for (const TableSpec& t : kTables) consider(std::string(t.name), name, t.name);
    consider(std::string(kMappingTable), name, kMappingTable);
  } else {
    for (const KeySpec& k : kKeys) {
      if (k.table == table) consider(DottedKey(k), name, k.name);
    }
  }
  if (best.empty()) {
    // The right name in the wrong place: `data_dir = ...` at the top, or under [listen].
    for (const KeySpec& k : kKeys) {
      if (k.name == name) {
        best = DottedKey(k);
        break;
      }
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean {}?)", best);
}

struct Problem {
  uint32_t line;
  std::string text;
};

class Checker {
 public:
  explicit Checker(std::string_view source) : source_(source) {}

  void Check(const toml::table& root, Config* config) {
    for (auto&& [table_key, table_node] : root) {
      if (table_key.str() == kMappingTable) {
        const toml::node& node = table_node;
        CheckMappings(table_key, node, config);
        continue;
      }
      const TableSpec* table = FindTable(table_key.str());
      if (table == nullptr) {
        std::string_view what = table_node.is_table() ? "unknown table" : "unknown key";
        Add(table_key.source(), table_key.str(),
            fmt::format("{}{}", what, Suggestion("", table_key.str())));
        continue;
      }
      const toml::table* keys = table_node.as_table();
      if (keys == nullptr) {
        Add(table_key.source(), table_key.str(),
            fmt::format("expected a table [{}] (got {})", table->name, DescribeNode(table_node)));
        continue;
      }
      for (auto&& [key, node] : *keys) {
        const KeySpec* spec = FindKey(table->name, key.str());
        std::string dotted = fmt::format("{}.{}", table->name, key.str());
        if (spec == nullptr) {
          Add(key.source(), dotted,
              fmt::format("unknown key{}", Suggestion(table->name, key.str())));
          continue;
        }
        // A named reference: clang before 16 cannot capture a structured binding.
        const toml::node& value = node;
        std::visit([&](const auto& rule) { Apply(rule, dotted, value, config); }, spec->rule);
      }
    }
  }

  // OK, or one InvalidArgument listing every problem in file order.
  Status ToStatus() {
    if (problems_.empty()) return Status::Ok();
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const Problem& a, const Problem& b) { return a.line < b.line; });
    std::string message;
    for (const Problem& p : problems_) {
      if (!message.empty()) message += '\n';
      message += p.text;
    }
    return Status::InvalidArgument(message);
  }

 private:
  // [[mapping]] tables into config->mappings; every problem reported under "mapping[i].key".
  void CheckMappings(const toml::key& key, const toml::node& node, Config* config) {
    const toml::array* array = node.as_array();
    if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
      Add(key.source(), kMappingTable,
          fmt::format("expected [[mapping]] tables (got {})", DescribeNode(node)));
      return;
    }
    std::vector<MappingSpec> specs;
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      const std::string prefix = fmt::format("{}[{}]", kMappingTable, i);
      MappingSpec spec;
      for (auto&& [k, v] : table) {
        const toml::node& value = v;
        CheckMappingKey(prefix, k, value, &spec);
      }
      if (table.find("name") == table.end()) {
        Add(table.source(), prefix, "missing key name (every [[mapping]] needs a unique name)");
      }
      for (size_t j = 0; j < specs.size() && !spec.name.empty(); ++j) {
        if (specs[j].name == spec.name) {
          Add(table.get("name")->source(), prefix + ".name",
              fmt::format("\"{}\" is already {}[{}]'s name", spec.name, kMappingTable, j));
        }
      }
      specs.push_back(std::move(spec));
    }
    config->mappings = std::move(specs);
  }

  void CheckMappingKey(const std::string& prefix, const toml::key& k, const toml::node& value,
                       MappingSpec* spec) {
    const std::string_view name = k.str();
    const std::string dotted = fmt::format("{}.{}", prefix, name);
    Target target;
    if (TargetFromName(name, &target)) {
      auto& out = spec->candidates[TargetIndex(target)];
      StringList(dotted, value, "\"SOURCE:NAME\" strings", &out,
                 [](std::string_view s) { return ParseMappingCandidate(s, nullptr); });
      return;
    }
    if (name == "regex") {
      StringList(dotted, value, "RE2 patterns", &spec->regex, CheckMappingRegex);
      return;
    }
    if (name == "static") {
      CheckStatics(dotted, value, spec);
      return;
    }
    std::string* field = name == "name"            ? &spec->name
                         : name == "match_app"     ? &spec->match_app
                         : name == "match_system"  ? &spec->match_system
                         : name == "match_message" ? &spec->match_message
                                                   : nullptr;
    if (field == nullptr) {
      Add(k.source(), dotted, fmt::format("unknown key{}", MappingSuggestion(name)));
      return;
    }
    const toml::value<std::string>* s = value.as_string();
    if (s == nullptr) {
      Add(value.source(), dotted, fmt::format("expected a string (got {})", DescribeNode(value)));
      return;
    }
    Status st;
    if (name == "name") {
      st = CheckMappingName(s->get());
    } else if (s->get().empty()) {
      st = Status::InvalidArgument("must not be empty (leave the key out to match any)");
    } else if (name == "match_message") {
      st = CheckMatchMessage(s->get());
    }
    if (!st.ok()) {
      Add(value.source(), dotted, st.message());
      return;
    }
    *field = s->get();
  }

  // A string, or an array of strings, each accepted by check(); "KEY[j]" names a bad element.
  template <class CheckFn>
  void StringList(const std::string& key, const toml::node& node, std::string_view what,
                  std::vector<std::string>* out, CheckFn check) {
    auto one = [&](const std::string& item_key, const toml::node& item) {
      const toml::value<std::string>* s = item.as_string();
      if (s == nullptr) {
        Add(item.source(), item_key, fmt::format("expected a string (got {})", DescribeNode(item)));
        return;
      }
      if (Status st = check(s->get()); !st.ok()) {
        Add(item.source(), item_key, st.message());
        return;
      }
      out->push_back(s->get());
    };
    if (node.is_string()) {
      one(key, node);
      return;
    }
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      Add(node.source(), key,
          fmt::format("expected an array of {} (got {})", what, DescribeNode(node)));
      return;
    }
    for (size_t j = 0; j < array->size(); ++j) {
      one(fmt::format("{}[{}]", key, j), *array->get(j));
    }
  }

  // [mapping.static]: TARGET = "value", "attrs.NAME" = "value", or a nested attrs table.
  void CheckStatics(const std::string& key, const toml::node& node, MappingSpec* spec) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      Add(node.source(), key,
          fmt::format("expected a table [mapping.static] (got {})", DescribeNode(node)));
      return;
    }
    auto one = [&](std::string name, const toml::node& value) {
      const std::string dotted = fmt::format("{}.{}", key, name);
      const toml::value<std::string>* s = value.as_string();
      if (s == nullptr) {
        Add(value.source(), dotted, fmt::format("expected a string (got {})", DescribeNode(value)));
        return;
      }
      if (Status st = CheckMappingStatic(name, s->get()); !st.ok()) {
        Add(value.source(), dotted, st.message());
        return;
      }
      for (const auto& [given, unused] : spec->statics) {
        if (given == name) {
          Add(value.source(), dotted, "given twice");
          return;
        }
      }
      spec->statics.emplace_back(std::move(name), s->get());
    };
    for (auto&& [k, v] : *table) {
      const toml::node& value = v;
      const toml::table* attrs = value.as_table();
      if (k.str() == "attrs" && attrs != nullptr) {
        for (auto&& [ak, av] : *attrs) {
          const toml::node& attr_value = av;
          one(fmt::format("attrs.{}", ak.str()), attr_value);
        }
        continue;
      }
      one(std::string(k.str()), value);
    }
  }

  static std::string MappingSuggestion(std::string_view name) {
    std::string best;
    size_t best_distance = 3;
    auto consider = [&](std::string_view candidate) {
      const size_t d = EditDistance(name, candidate);
      if (d < best_distance && d < candidate.size()) {
        best_distance = d;
        best = std::string(candidate);
      }
    };
    for (const MappingKeySpec& k : kMappingKeys) {
      if (k.key != MappingKey::kTarget) consider(k.name);
    }
    for (size_t t = 0; t < kTargetCount; ++t) consider(TargetName(static_cast<Target>(t)));
    return best.empty() ? std::string() : fmt::format(" (did you mean {}?)", best);
  }

  void Apply(const StringRule& rule, const std::string& key, const toml::node& node,
             Config* config) {
    const toml::value<std::string>* value = node.as_string();
    std::string note;
    if (value == nullptr || !rule.check(value->get(), &note)) {
      Add(node.source(), key,
          fmt::format("expected {} (got {}{}{})", rule.expected, DescribeNode(node),
                      note.empty() ? "" : "; ", note));
      return;
    }
    rule.field(*config) = value->get();
  }

  void Apply(const UintRule& rule, const std::string& key, const toml::node& node, Config* config) {
    const toml::value<int64_t>* value = node.as_integer();
    if (value == nullptr) {
      Add(node.source(), key,
          fmt::format("expected an integer from {} to {} (got {})", rule.min, rule.max,
                      DescribeNode(node)));
      return;
    }
    int64_t n = value->get();
    if (n < 0 || static_cast<uint64_t>(n) < rule.min || static_cast<uint64_t>(n) > rule.max) {
      Add(node.source(), key,
          fmt::format("must be between {} and {} (got {})", rule.min, rule.max, n));
      return;
    }
    rule.field(*config) = static_cast<uint64_t>(n);
  }

  void Apply(const UintMapRule& rule, const std::string& key, const toml::node& node,
             Config* config) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      Add(node.source(), key,
          fmt::format("expected a table of names to integers (got {})", DescribeNode(node)));
      return;
    }
    std::map<std::string, uint64_t> out;
    for (auto&& [name, value] : *table) {
      const std::string dotted = fmt::format("{}.{}", key, name.str());
      const toml::value<int64_t>* v = value.as_integer();
      if (v == nullptr || v->get() < static_cast<int64_t>(rule.min) ||
          v->get() > static_cast<int64_t>(rule.max)) {
        Add(value.source(), dotted,
            fmt::format("expected an integer from {} to {} (got {})", rule.min, rule.max,
                        DescribeNode(value)));
        continue;
      }
      out[std::string(name.str())] = static_cast<uint64_t>(v->get());
    }
    rule.field(*config) = std::move(out);
  }

  void Apply(const ExtractSystemsRule& rule, const std::string& key, const toml::node& node,
             Config* config) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      Add(node.source(), key,
          fmt::format("expected a table of system names to tables (got {})", DescribeNode(node)));
      return;
    }
    std::map<std::string, ExtractSystemConfig> out;
    for (auto&& [name, value] : *table) {
      const std::string dotted = fmt::format("{}.{}", key, name.str());
      const toml::table* settings = value.as_table();
      if (settings == nullptr) {
        Add(value.source(), dotted,
            fmt::format("expected a table of show_user, unit_field and unit (got {})",
                        DescribeNode(value)));
        continue;
      }
      ExtractSystemConfig system;
      for (auto&& [setting, setting_value] : *settings) {
        const toml::node& v = setting_value;
        const std::string setting_key = fmt::format("{}.{}", dotted, setting.str());
        if (setting.str() == "show_user") {
          if (const toml::value<bool>* b = v.as_boolean()) {
            system.show_user = b->get();
          } else {
            Add(v.source(), setting_key,
                fmt::format("expected true or false (got {})", DescribeNode(v)));
          }
        } else if (setting.str() == "unit_field") {
          CheckString(v, setting_key, IsUnitField, kUnitFieldExpected, &system.unit_field);
        } else if (setting.str() == "unit") {
          CheckString(v, setting_key, IsText, R"(any text, or "")", &system.unit);
        } else {
          std::string hint;
          for (std::string_view known : kExtractSystemKeys) {
            if (EditDistance(setting.str(), known) <= 2) {
              hint = fmt::format(" (did you mean {}.{}?)", dotted, known);
              break;
            }
          }
          Add(setting.source(), setting_key,
              fmt::format("unknown key{}; a system takes show_user, unit_field and unit", hint));
        }
      }
      out[std::string(name.str())] = std::move(system);
    }
    rule.field(*config) = std::move(out);
  }

  // A string setting checked by `check`; stored in *out when it passes.
  void CheckString(const toml::node& node, const std::string& key,
                   bool (*check)(std::string_view, std::string*), std::string_view expected,
                   std::optional<std::string>* out) {
    const toml::value<std::string>* value = node.as_string();
    std::string note;
    if (value == nullptr || !check(value->get(), &note)) {
      Add(node.source(), key,
          fmt::format("expected {} (got {}{}{})", expected, DescribeNode(node),
                      note.empty() ? "" : "; ", note));
      return;
    }
    *out = value->get();
  }

  void Apply(const BoolRule& rule, const std::string& key, const toml::node& node, Config* config) {
    const toml::value<bool>* value = node.as_boolean();
    if (value == nullptr) {
      Add(node.source(), key, fmt::format("expected true or false (got {})", DescribeNode(node)));
      return;
    }
    rule.field(*config) = value->get();
  }

  void Add(const toml::source_region& where, std::string_view key, std::string_view what) {
    uint32_t line = where.begin.line;
    std::string text = line > 0 ? fmt::format("{}:{}: {}: {}", source_, line, key, what)
                                : fmt::format("{}: {}: {}", source_, key, what);
    problems_.push_back({line, std::move(text)});
  }

  std::string_view source_;
  std::vector<Problem> problems_;
};

void AppendCommentLines(std::string_view text, std::string* out) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    *out += line.empty() ? "#\n" : fmt::format("# {}\n", line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// A TOML key: bare when it can be, else quoted ("attrs.unit").
std::string TomlKey(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(key) : TomlString(key);
}

// A regular expression reads best as a TOML literal string: '\d' instead of "\\d".
std::string TomlPattern(std::string_view s) {
  const bool literal = std::none_of(s.begin(), s.end(), [](char c) {
    return c == '\'' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  return literal ? fmt::format("'{}'", s) : TomlString(s);
}

std::string TomlArray(const std::vector<std::string>& items,
                      std::string (*render)(std::string_view)) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + render(items[i]);
  return out + "]";
}

void RenderMappings(const std::vector<MappingSpec>& mappings, std::string* out) {
  for (const MappingSpec& m : mappings) {
    *out += fmt::format("\n[[{}]]\nname = {}\n", kMappingTable, TomlString(m.name));
    if (!m.match_app.empty()) *out += fmt::format("match_app = {}\n", TomlString(m.match_app));
    if (!m.match_system.empty()) {
      *out += fmt::format("match_system = {}\n", TomlString(m.match_system));
    }
    if (!m.match_message.empty()) {
      *out += fmt::format("match_message = {}\n", TomlPattern(m.match_message));
    }
    for (size_t t = 0; t < kTargetCount; ++t) {
      if (m.candidates[t].empty()) continue;
      *out +=
          fmt::format("{} = {}\n", TargetName(static_cast<Target>(t)),
                      TomlArray(m.candidates[t], [](std::string_view c) { return TomlString(c); }));
    }
    if (!m.regex.empty()) *out += fmt::format("regex = {}\n", TomlArray(m.regex, TomlPattern));
    if (m.statics.empty()) continue;
    *out += fmt::format("[{}.static]\n", kMappingTable);
    for (const auto& [key, value] : m.statics) {
      *out += fmt::format("{} = {}\n", TomlKey(key), TomlString(value));
    }
  }
}

// The default configuration has no [[mapping]]; it shows one, commented out. A test parses the
// example with the comment marks removed, so it stays a valid mapping.
constexpr std::string_view kMappingExample = R"toml(
Per-system mappings. When a system's messages keep who, what or which record where the default
mapping (SPEC section 3) does not look, a [[mapping]] table says where: extra candidates per
field ("json:KEY", "sd:PARAM", "kv:KEY", "cef:KEY", "cefheader:NAME", "header:NAME"), RE2 rules
with named groups for free text, and static values. The first table whose match_* keys all hold
maps the message; with none, the default mapping does. See docs/configuration.md.

[[mapping]]
name = "procapita-journal"
match_app = "procapita"
# "Journal 19121212-1212 öppnad av anna.k (Vårdenhet Norr)"
regex = [
  '^(?P<object>Journal (?P<subject>\d{8}-\d{4})) öppnad av (?P<user>\S+) \((?P<attrs_unit>.+)\)',
]
# Its other messages carry key=value pairs, the user as anvandare=...
user = ["kv:anvandare"]
[mapping.static]
action = "read"
"attrs.kommun" = "Exempelby")toml";

std::string RenderToml(const Config& config, std::string_view header, bool mapping_example) {
  Config copy = config;  // the field accessors take a mutable Config
  std::string out;
  AppendCommentLines(header, &out);
  for (const TableSpec& table : kTables) {
    out += '\n';
    AppendCommentLines(table.comment, &out);
    out += fmt::format("[{}]\n", table.name);
    for (const KeySpec& k : kKeys) {
      if (k.table != table.name) continue;
      std::string comment(k.comment);
      if (std::holds_alternative<UintRule>(k.rule)) {
        comment += fmt::format(" Range: {}.", AllowedText(k));
      }
      AppendCommentLines(comment, &out);
      out += fmt::format("{} = {}\n", k.name, ValueToml(k, copy));
    }
  }
  if (mapping_example && config.mappings.empty()) {
    out += '\n';
    AppendCommentLines(kMappingExample.substr(1), &out);
  }
  RenderMappings(config.mappings, &out);
  return out;
}

constexpr size_t kMaxConfigFileBytes = 1 << 20;

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<Config> Config::Parse(std::string_view toml_text, std::string_view source_name) {
  std::string source(source_name.empty() ? "config" : source_name);
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", source, e.source().begin.line,
                                               e.source().begin.column, e.description()));
  }
  Config config;
  Checker checker(source);
  checker.Check(root, &config);
  Status status = checker.ToStatus();
  if (!status.ok()) return status;
  return config;
}

Result<Config> Config::Load(const std::string& path) {
  auto fail = [&](std::string_view reason) {
    return Status::IOError(fmt::format("{}: cannot read the config file: {}", path, reason));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (file == nullptr) return fail(std::generic_category().message(errno));
  std::string text;
  char buffer[16384];
  while (true) {
    size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    text.append(buffer, n);
    if (text.size() > kMaxConfigFileBytes) return fail("larger than 1 MiB");
    if (n < sizeof(buffer)) break;
  }
  // A directory opens fine and fails on read (EISDIR).
  if (std::ferror(file.get())) return fail(std::generic_category().message(errno));
  return Parse(text, path);
}

std::string Config::DefaultToml() {
  return RenderToml(
      Config{},
      "spard configuration (TOML). This is the built-in default; every key is optional, and a\n"
      "key left out keeps the value shown here. Unknown keys and bad values stop start-up with a\n"
      "message naming the key and its line. Printed by `spard --print-default-config`; each key\n"
      "is explained in docs/configuration.md.",
      /*mapping_example=*/true);
}

bool ParseHostPort(std::string_view s, std::string* host, uint16_t* port) {
  return HostPortProblem(s, host, port).empty();
}

std::vector<ConfigKeyInfo> DescribeConfig(const Config& config) {
  Config copy = config;
  std::vector<ConfigKeyInfo> keys;
  for (const TableSpec& table : kTables) {
    for (const KeySpec& k : kKeys) {
      if (k.table != table.name) continue;
      ConfigKeyInfo info{
          k.table, k.name, DottedKey(k), TypeName(k), ValueToml(k, copy), AllowedText(k),
          0,       0,      k.comment};
      if (const UintRule* rule = std::get_if<UintRule>(&k.rule)) {
        info.type = "integer";
        info.min = rule->min;
        info.max = rule->max;
      }
      keys.push_back(std::move(info));
    }
  }
  return keys;
}

std::string ConfigToToml(const Config& config) {
  return RenderToml(config, "spard configuration (TOML).", /*mapping_example=*/false);
}

std::string ConfigReferenceMarkdown() {
  Config defaults;
  std::string out;
  for (const TableSpec& table : kTables) {
    if (!out.empty()) out += '\n';
    out += fmt::format("### `[{}]`\n\n", table.name);
    std::string comment(table.comment);
    std::replace(comment.begin(), comment.end(), '\n', ' ');
    out += comment + "\n\n";
    out += "| Key | Type | Default | Accepted values | Meaning |\n";
    out += "| --- | --- | --- | --- | --- |\n";
    for (const KeySpec& k : kKeys) {
      if (k.table != table.name) continue;
      out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", DottedKey(k), TypeName(k),
                         ValueToml(k, defaults), AllowedText(k), k.comment);
    }
  }
  out += fmt::format(
      "\n### `[[{}]]`\n\nPer-system mappings, any number, none by default; tried in file order, "
      "the first whose match_* keys all hold maps the message, else the default mapping of SPEC "
      "section 3. Each table:\n\n",
      kMappingTable);
  out += "| Key | Type | Accepted values | Meaning |\n";
  out += "| --- | --- | --- | --- |\n";
  for (const MappingKeySpec& k : kMappingKeys) {
    std::string names;
    std::string_view rest = k.name;  // "system, user, ..." for the per-target row
    while (!rest.empty()) {
      const size_t comma = rest.find(", ");
      names += fmt::format("{}`{}`", names.empty() ? "" : ", ", rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 2);
    }
    out += fmt::format("| {} | {} | {} | {} |\n", names, k.type, k.allowed, k.comment);
  }
  return out;
}

}  // namespace spard
