// Tests for config/config.cc: spard.toml parsing, validation, the default text and the docs.

#include "config/config.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config_schema.h"

namespace spard {
namespace {

// The message of a Parse that must fail.
std::string ParseError(std::string_view toml) {
  Result<Config> r = Config::Parse(toml, "spard.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsInvalidArgument());
  return r.status().message();
}

Config MustParse(std::string_view toml) {
  Result<Config> r = Config::Parse(toml, "spard.toml");
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string DocPath() { return std::string(SPARD_TESTDATA_DIR) + "/../../docs/configuration.md"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A temporary file removed at scope exit.
class TempFile {
 public:
  explicit TempFile(std::string_view contents) {
    char name[] = "/tmp/spard_config_test_XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()));
    close(fd);
    path_ = name;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

// --- Defaults -----------------------------------------------------------------------------------

TEST_CASE("the default TOML parses back to Config{}", "[config]") {
  Config parsed = MustParse(Config::DefaultToml());
  CHECK(parsed == Config{});
}

TEST_CASE("the defaults are the ones the SPEC names", "[config]") {
  Config c;
  CHECK(c.listen.syslog_tcp == "127.0.0.1:5514");
  CHECK(c.listen.syslog_udp == "127.0.0.1:5514");
  CHECK(c.listen.http == "127.0.0.1:8514");
  // TLS: port 6514, but only once a certificate is configured.
  CHECK(c.listen.syslog_tls == "127.0.0.1:6514");
  CHECK(c.tls.cert_file == "");
  CHECK(c.listen.relp == "127.0.0.1:20514");
  CHECK(c.storage.data_dir == "./var/spard");
}

TEST_CASE("the default TOML lists every key under its table with a comment", "[config]") {
  std::vector<std::string> lines = Lines(Config::DefaultToml());
  std::string table;
  std::set<std::string> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    INFO("line " << i + 1 << ": " << line);
    CHECK(line.size() <= 100);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      table = line.substr(1, line.size() - 2);
      continue;
    }
    size_t eq = line.find(" = ");
    REQUIRE(eq != std::string::npos);
    REQUIRE(i > 0);
    CHECK(lines[i - 1].rfind("# ", 0) == 0);  // the key's one-line comment
    CHECK(seen.insert(table + "." + line.substr(0, eq)).second);
  }
  std::set<std::string> schema;
  for (const ConfigKeyInfo& k : DescribeConfig(Config{})) {
    schema.insert(k.dotted_key);
    CHECK_FALSE(k.comment.empty());
  }
  CHECK(seen == schema);
}

TEST_CASE("an empty file gives the defaults", "[config]") {
  CHECK(MustParse("") == Config{});
  CHECK(MustParse("# only a comment\n\n") == Config{});
}

TEST_CASE("a partial file keeps the other defaults", "[config]") {
  Config c = MustParse(
      "[listen]\n"
      "http = \"0.0.0.0:9000\"\n"
      "[ingest]\n"
      "queue_max_mb = 128\n");
  Config expected;
  expected.listen.http = "0.0.0.0:9000";
  expected.ingest.queue_max_mb = 128;
  CHECK(c == expected);
}

TEST_CASE("CRLF line endings and a UTF-8 byte-order mark are accepted", "[config]") {
  CHECK(MustParse("[log]\r\nlevel = \"debug\"\r\n").log.level == "debug");
  CHECK(MustParse("\xEF\xBB\xBF[log]\nlevel = \"warn\"\n").log.level == "warn");
}

TEST_CASE("inline tables and dotted keys are the same as table sections", "[config]") {
  Config a = MustParse("listen = { http = \"127.0.0.1:1\" }\nlog.level = \"debug\"\n");
  Config b = MustParse("[listen]\nhttp = \"127.0.0.1:1\"\n[log]\nlevel = \"debug\"\n");
  CHECK(a == b);
  CHECK(a.log.level == "debug");
}

TEST_CASE("every key reaches its own field and survives a round trip", "[config]") {
  // A distinct, valid, non-default value per key: a schema row bound to the wrong field would
  // show up as a key whose value came back different.
  std::string toml;
  std::vector<std::pair<std::string, std::string>> written;
  std::string table;
  uint16_t port = 10000;
  uint64_t n = 2;
  for (const ConfigKeyInfo& k : DescribeConfig(Config{})) {
    if (k.table != table) {
      table = k.table;
      toml += "[" + table + "]\n";
    }
    std::string value;
    if (k.table == "listen") {
      value = "\"127.0.0.2:" + std::to_string(port++) + "\"";
    } else if (k.dotted_key == "storage.data_dir") {
      value = "\"/srv/spard\"";
    } else if (k.dotted_key == "ingest.rfc3164_timezone") {
      value = "\"Europe/Stockholm\"";
    } else if (k.dotted_key == "log.level") {
      value = "\"warn\"";
    } else if (k.table == "tls" && k.type == "string") {
      value = k.name == "min_version"            ? "\"1.3\""
              : k.name == "allowed_client_names" ? "\"a.example, b.example\""
                                                 : "\"/etc/spard/" + std::string(k.name) + ".pem\"";
    } else if (k.dotted_key == "retention.systems") {
      value = "{ \"lärplattform\" = 365, \"procapita\" = 730 }";  // as rendered: sorted, quoted
    } else if (k.dotted_key == "extract.unit_field") {
      value = "\"attrs.vardenhet\"";
    } else if (k.dotted_key == "extract.unit") {
      value = "\"Socialtjänsten\"";
    } else if (k.dotted_key == "extract.timezone") {
      value = "\"UTC\"";
    } else if (k.dotted_key == "extract.issuer") {
      value = "\"Exempel kommun\"";
    } else if (k.dotted_key == "extract.systems") {
      // As rendered: sorted, quoted names; only the settings given, in schema order.
      value =
          "{ \"procapita\" = { show_user = true, unit_field = \"attrs.vardenhet\" }, "
          "\"treserva\" = { unit_field = \"\", unit = \"Socialtjänsten\" }, \"x\" = {} }";
    } else if (k.dotted_key == "retention.purge_at") {
      value = "\"02:30\"";
    } else if (k.dotted_key == "integrity.witness") {
      value = "\"udp://10.0.0.9:514\"";
    } else if (k.type == "boolean") {
      value = k.value == "true" ? "false" : "true";
    } else {
      REQUIRE(k.type == "integer");
      uint64_t v = k.min + n++;
      REQUIRE(v <= k.max);
      value = std::to_string(v);
    }
    REQUIRE(value != k.value);
    toml += std::string(k.name) + " = " + value + "\n";
    written.emplace_back(k.dotted_key, value);
  }
  Config c = MustParse(toml);
  std::vector<ConfigKeyInfo> read = DescribeConfig(c);
  REQUIRE(read.size() == written.size());
  for (size_t i = 0; i < read.size(); ++i) {
    INFO(read[i].dotted_key);
    CHECK(read[i].dotted_key == written[i].first);
    CHECK(read[i].value == written[i].second);
  }
  CHECK(MustParse(ConfigToToml(c)) == c);
}

// --- Unknown keys -------------------------------------------------------------------------------

TEST_CASE("an unknown key names the dotted key and its line", "[config]") {
  CHECK(ParseError("\n[listen]\nhttp = \"127.0.0.1:1\"\nsyslog_tpc = \"127.0.0.1:2\"\n") ==
        "spard.toml:4: listen.syslog_tpc: unknown key (did you mean listen.syslog_tcp?)");
  CHECK(ParseError("[log]\ncolour = true\n") == "spard.toml:2: log.colour: unknown key");
}

TEST_CASE("per-system retention is a table of names to days", "[config]") {
  Config c = MustParse("[retention]\ndays = 3650\n\n[retention.systems]\nprocapita = 730\n");
  CHECK(c.retention.days == 3650);
  CHECK(c.retention.systems == std::map<std::string, uint64_t>{{"procapita", 730}});
  CHECK(ParseError("[retention]\nsystems = { procapita = 0 }\n") ==
        "spard.toml:2: retention.systems.procapita: expected an integer from 1 to 36500 (got "
        "integer 0)");
  CHECK(ParseError("[retention]\npurge_at = \"25:00\"\n")
            .starts_with("spard.toml:2: retention.purge_at: expected a local time"));
}

TEST_CASE("extract settings are global with per-system overrides", "[config]") {
  Config c = MustParse(
      "[extract]\n"
      "show_user = false\n"
      "issuer = \"Exempel kommun\"\n"
      "\n"
      "[extract.systems.procapita]\n"
      "show_user = true\n"
      "unit_field = \"attrs.vardenhet\"\n"
      "\n"
      "[extract.systems.treserva]\n"
      "unit = \"Socialtjänsten\"\n");
  CHECK_FALSE(c.extract.show_user);
  CHECK(c.extract.unit_field == "attrs.unit");
  CHECK(c.extract.timezone == "Europe/Stockholm");
  CHECK(c.extract.issuer == "Exempel kommun");
  REQUIRE(c.extract.systems.size() == 2);
  const ExtractSystemConfig& procapita = c.extract.systems.at("procapita");
  CHECK(procapita.show_user == std::optional<bool>(true));
  CHECK(procapita.unit_field == std::optional<std::string>("attrs.vardenhet"));
  CHECK_FALSE(procapita.unit.has_value());
  const ExtractSystemConfig& treserva = c.extract.systems.at("treserva");
  CHECK_FALSE(treserva.show_user.has_value());
  CHECK(treserva.unit == std::optional<std::string>("Socialtjänsten"));
  // The inline form is the same.
  CHECK(MustParse("extract.systems = { procapita = { show_user = true, unit_field = "
                  "\"attrs.vardenhet\" }, treserva = { unit = \"Socialtjänsten\" } }\n"
                  "extract.issuer = \"Exempel kommun\"\n") == c);
}

TEST_CASE("a bad per-system extract setting names its dotted key and line", "[config]") {
  CHECK(ParseError("[extract.systems.procapita]\nshow_usr = true\n") ==
        "spard.toml:2: extract.systems.procapita.show_usr: unknown key (did you mean "
        "extract.systems.procapita.show_user?); a system takes show_user, unit_field and unit");
  CHECK(ParseError("[extract.systems.procapita]\nshow_user = \"yes\"\n") ==
        "spard.toml:2: extract.systems.procapita.show_user: expected true or false (got \"yes\")");
  CHECK(ParseError("[extract.systems.procapita]\nunit_field = \"vardenhet\"\n") ==
        "spard.toml:2: extract.systems.procapita.unit_field: expected \"attrs.KEY\" or \"\" (got "
        "\"vardenhet\"; name an attribute as attrs.KEY)");
  CHECK(ParseError("[extract]\nsystems = { procapita = true }\n") ==
        "spard.toml:2: extract.systems.procapita: expected a table of show_user, unit_field and "
        "unit (got boolean true)");
  CHECK(ParseError("[extract]\nunit_field = \"attrs.\"\n") ==
        "spard.toml:2: extract.unit_field: expected \"attrs.KEY\" or \"\" (got \"attrs.\"; name "
        "an attribute as attrs.KEY)");
  CHECK(ParseError("[extract]\ntimezone = \"Europe/Stokholm\"\n")
            .starts_with("spard.toml:2: extract.timezone: expected an IANA time-zone name"));
}

TEST_CASE("an unknown table names it and its line", "[config]") {
  CHECK(ParseError("[listen]\n\n[lisen]\nhttp = \"\"\n") ==
        "spard.toml:3: lisen: unknown table (did you mean listen?)");
  CHECK(ParseError("[tlss]\ncert = \"x\"\n") ==
        "spard.toml:1: tlss: unknown table (did you mean tls?)");
  CHECK(ParseError("[tls]\ncert = \"x\"\n") == "spard.toml:2: tls.cert: unknown key");
  CHECK(ParseError("[tls]\nverify_client = \"yes\"\n") ==
        "spard.toml:2: tls.verify_client: expected true or false (got \"yes\")");
  CHECK(ParseError("[listen.extra]\nx = 1\n") == "spard.toml:1: listen.extra: unknown key");
}

TEST_CASE("a key in the wrong place suggests where it belongs", "[config]") {
  CHECK(ParseError("data_dir = \"/srv\"\n") ==
        "spard.toml:1: data_dir: unknown key (did you mean storage.data_dir?)");
  CHECK(ParseError("[listen]\ndata_dir = \"/srv\"\n") ==
        "spard.toml:2: listen.data_dir: unknown key (did you mean storage.data_dir?)");
}

TEST_CASE("a table given as a plain value is an error", "[config]") {
  CHECK(ParseError("listen = 5\n") ==
        "spard.toml:1: listen: expected a table [listen] (got integer 5)");
  CHECK(ParseError("[[log]]\nlevel = \"info\"\n") ==
        "spard.toml:1: log: expected a table [log] (got an array)");
}

// --- Bad values ---------------------------------------------------------------------------------

TEST_CASE("a wrong type names key, line and what is expected", "[config]") {
  CHECK(ParseError("[ingest]\nqueue_max_mb = \"64\"\n") ==
        "spard.toml:2: ingest.queue_max_mb: expected an integer from 1 to 65536 (got \"64\")");
  CHECK(ParseError("[ingest]\nqueue_max_mb = 64.0\n") ==
        "spard.toml:2: ingest.queue_max_mb: expected an integer from 1 to 65536 (got float 64.0)");
  CHECK(ParseError("[listen]\nhttp = 8514\n") ==
        "spard.toml:2: listen.http: expected \"HOST:PORT\" or \"\" (got integer 8514)");
  CHECK(ParseError("[listen]\nhttp = false\n") ==
        "spard.toml:2: listen.http: expected \"HOST:PORT\" or \"\" (got boolean false)");
  CHECK(ParseError("[log]\nlevel = [\"info\"]\n") ==
        "spard.toml:2: log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", "
        "\"error\" (got an array)");
}

TEST_CASE("an out-of-range integer names key, line and the range", "[config]") {
  CHECK(ParseError("[ingest]\nqueue_max_mb = 0\n") ==
        "spard.toml:2: ingest.queue_max_mb: must be between 1 and 65536 (got 0)");
  CHECK(ParseError("[ingest]\nqueue_max_mb = -1\n") ==
        "spard.toml:2: ingest.queue_max_mb: must be between 1 and 65536 (got -1)");
  CHECK(ParseError("[storage]\nblock_cache_mb = 268435456\n") ==
        "spard.toml:2: storage.block_cache_mb: must be between 1 and 262144 (got 268435456)");
  CHECK(ParseError("[ingest]\nmax_message_bytes = 100\n") ==
        "spard.toml:2: ingest.max_message_bytes: must be between 480 and 16777216 (got 100)");
  CHECK(MustParse("[ingest]\nqueue_max_mb = 65536\n").ingest.queue_max_mb == 65536);
  CHECK(MustParse("[ingest]\nqueue_max_mb = 1\n").ingest.queue_max_mb == 1);
}

TEST_CASE("a bad listen address says what is wrong with it", "[config]") {
  auto error = [](std::string_view value) {
    return ParseError("[listen]\nhttp = \"" + std::string(value) + "\"\n");
  };
  const std::string prefix = "spard.toml:2: listen.http: expected \"HOST:PORT\" or \"\" (got ";
  CHECK(error("localhost") == prefix + "\"localhost\"; missing \":PORT\")");
  CHECK(error("localhost:8514") ==
        prefix + "\"localhost:8514\"; HOST must be an IP address; names are not resolved)");
  CHECK(error("127.0.0.1:65536") ==
        prefix + "\"127.0.0.1:65536\"; PORT must be a number from 0 to 65535)");
  CHECK(error("127.0.0.1:") == prefix + "\"127.0.0.1:\"; missing PORT after ':')");
  CHECK(error("127.0.0.1:http") ==
        prefix + "\"127.0.0.1:http\"; PORT must be a number from 0 to 65535)");
  CHECK(error("::1:8514") ==
        prefix + "\"::1:8514\"; put an IPv6 address in brackets, e.g. \"[::1]:5514\")");
  CHECK(error("[::1]") == prefix + "\"[::1]\"; missing \":PORT\")");
  CHECK(error("[::1:8514") == prefix + "\"[::1:8514\"; missing ']' after the IPv6 address)");
  CHECK(error("[127.0.0.1]:80") ==
        prefix + "\"[127.0.0.1]:80\"; not an IPv6 address inside the brackets)");
  CHECK(error("1.2.3:80") == prefix + "\"1.2.3:80\"; not an IPv4 address)");
  CHECK(error("256.0.0.1:80") == prefix + "\"256.0.0.1:80\"; not an IPv4 address)");
  CHECK(error(":80") == prefix + "\":80\"; missing HOST (0.0.0.0 listens on every IPv4 address))");
}

TEST_CASE("IPv6 listen addresses are written in brackets", "[config]") {
  Config c = MustParse(
      "[listen]\n"
      "syslog_tcp = \"[::1]:5514\"\n"
      "syslog_udp = \"[::]:0\"\n"
      "http = \"[2001:db8::7]:8514\"\n"
      "relp = \"[::ffff:127.0.0.1]:20514\"\n");
  CHECK(c.listen.syslog_tcp == "[::1]:5514");
  CHECK(c.listen.http == "[2001:db8::7]:8514");
  std::string host;
  uint16_t port = 1;
  REQUIRE(ParseHostPort(c.listen.http, &host, &port));
  CHECK(host == "2001:db8::7");
  CHECK(port == 8514);
  REQUIRE(ParseHostPort(c.listen.syslog_udp, &host, &port));
  CHECK(host == "::");
  CHECK(port == 0);
}

TEST_CASE("an empty listen string turns that listener off", "[config]") {
  Config c = MustParse("[listen]\nsyslog_udp = \"\"\nrelp = \"\"\n");
  CHECK(c.listen.syslog_udp.empty());
  CHECK(c.listen.relp.empty());
  CHECK(c.listen.syslog_tcp == ListenConfig{}.syslog_tcp);
  // ParseHostPort itself does not treat "" as valid: "off" is the config's reading of it.
  CHECK_FALSE(ParseHostPort("", nullptr, nullptr));
}

TEST_CASE("ParseHostPort accepts IP literals and ports 0 to 65535 only", "[config]") {
  std::string host;
  uint16_t port = 0;
  REQUIRE(ParseHostPort("127.0.0.1:5514", &host, &port));
  CHECK(host == "127.0.0.1");
  CHECK(port == 5514);
  REQUIRE(ParseHostPort("0.0.0.0:65535", &host, &port));
  CHECK(port == 65535);
  CHECK(ParseHostPort("0.0.0.0:0", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("0.0.0.0:65536", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("0.0.0.0:-1", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("0.0.0.0:+80", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("0.0.0.0:123456", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("localhost:80", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("example.org:80", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("[fe80::1%eth0]:80", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("[]:80", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort("[::1]x80", nullptr, nullptr));
  CHECK_FALSE(ParseHostPort(std::string_view("127.0.0.1\0:80", 13), nullptr, nullptr));
  CHECK_FALSE(ParseHostPort(" 127.0.0.1:80", nullptr, nullptr));
}

TEST_CASE("log.level must be one of the five levels", "[config]") {
  CHECK(MustParse("[log]\nlevel = \"trace\"\n").log.level == "trace");
  CHECK(MustParse("[log]\nlevel = \"error\"\n").log.level == "error");
  CHECK(ParseError("[log]\nlevel = \"verbose\"\n") ==
        "spard.toml:2: log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", "
        "\"error\" (got \"verbose\")");
  CHECK(ParseError("[log]\nlevel = \"INFO\"\n").find("log.level") != std::string::npos);
}

TEST_CASE("ingest.rfc3164_timezone is empty or a zone in the system database", "[config]") {
  CHECK(MustParse("[ingest]\nrfc3164_timezone = \"Europe/Stockholm\"\n").ingest.rfc3164_timezone ==
        "Europe/Stockholm");
  CHECK(MustParse("[ingest]\nrfc3164_timezone = \"UTC\"\n").ingest.rfc3164_timezone == "UTC");
  CHECK(MustParse("[ingest]\nrfc3164_timezone = \"\"\n").ingest.rfc3164_timezone.empty());
  const std::string expected =
      "spard.toml:2: ingest.rfc3164_timezone: expected an IANA time-zone name such as "
      "\"Europe/Stockholm\", or \"\" for the host's zone (got ";
  CHECK(ParseError("[ingest]\nrfc3164_timezone = \"Europe/Stokholm\"\n") ==
        expected + "\"Europe/Stokholm\"; no such zone under /usr/share/zoneinfo)");
  // Looked up by name, never opened as a path.
  CHECK(ParseError("[ingest]\nrfc3164_timezone = \"../../../etc/passwd\"\n") ==
        expected + "\"../../../etc/passwd\"; no such zone under /usr/share/zoneinfo)");
}

TEST_CASE("storage.data_dir must not be empty", "[config]") {
  CHECK(ParseError("[storage]\ndata_dir = \"\"\n") ==
        "spard.toml:2: storage.data_dir: expected a non-empty directory path (got \"\")");
  CHECK(MustParse("[storage]\ndata_dir = \"/var/lib/spard\"\n").storage.data_dir ==
        "/var/lib/spard");
}

TEST_CASE("a long bad string is cut short in the message", "[config]") {
  std::string long_value(500, 'x');
  std::string message = ParseError("[listen]\nhttp = \"" + long_value + "\"\n");
  CHECK(message.size() < 200);
  CHECK(message.find(std::string(60, 'x') + "\"...") != std::string::npos);
}

TEST_CASE("every problem is reported, in file order", "[config]") {
  CHECK(ParseError("[log]\n"
                   "level = \"loud\"\n"
                   "[ingest]\n"
                   "queue_max_mb = 0\n"
                   "[listen]\n"
                   "htp = \"\"\n") ==
        "spard.toml:2: log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", "
        "\"error\" (got \"loud\")\n"
        "spard.toml:4: ingest.queue_max_mb: must be between 1 and 65536 (got 0)\n"
        "spard.toml:6: listen.htp: unknown key (did you mean listen.http?)");
}

// --- TOML syntax --------------------------------------------------------------------------------

TEST_CASE("a TOML syntax error gives source, line and column", "[config]") {
  std::string message = ParseError("[listen]\nhttp = \"127.0.0.1:1\"\nrelp = \n");
  CHECK(message.rfind("spard.toml:3:", 0) == 0);
  CHECK(message.find("expected value") != std::string::npos);
  CHECK(ParseError("[log]\nlevel = \"info\"\nlevel = \"debug\"\n").rfind("spard.toml:3:", 0) == 0);
  CHECK(ParseError("[ingest\n").rfind("spard.toml:1:", 0) == 0);
  CHECK(
      ParseError("[storage]\nblock_cache_mb = 99999999999999999999\n").rfind("spard.toml:2:", 0) ==
      0);
}

TEST_CASE("an empty source name still gives a readable prefix", "[config]") {
  Result<Config> r = Config::Parse("[nope]\n", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "config:1: nope: unknown table");
}

// --- Load ---------------------------------------------------------------------------------------

TEST_CASE("Load reads a file and names it in errors", "[config]") {
  TempFile good("[http]\nquery_threads = 4\n");
  Result<Config> r = Config::Load(good.path());
  REQUIRE(r.ok());
  CHECK(r->http.query_threads == 4);

  TempFile bad("\n[http]\nthreads = 4\n");
  Result<Config> e = Config::Load(bad.path());
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message() == bad.path() + ":3: http.threads: unknown key");
}

TEST_CASE("Load says clearly when the file cannot be read", "[config]") {
  Result<Config> missing = Config::Load("/nonexistent/spard.toml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kIOError);
  CHECK(missing.status().message() ==
        "/nonexistent/spard.toml: cannot read the config file: No such file or directory");

  Result<Config> dir = Config::Load("/tmp");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().message() == "/tmp: cannot read the config file: Is a directory");

  TempFile huge(std::string(2 << 20, '#'));
  Result<Config> big = Config::Load(huge.path());
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message() == huge.path() + ": cannot read the config file: larger than 1 MiB");
}

// --- Docs ---------------------------------------------------------------------------------------

// docs/configuration.md embeds ConfigReferenceMarkdown() between two markers. When the schema
// changes, regenerate it with: SPARD_UPDATE_DOCS=1 build/tests/config_tests "[docs]"
TEST_CASE("docs/configuration.md carries the current key reference", "[config][docs]") {
  std::string doc = ReadFile(DocPath());
  REQUIRE_FALSE(doc.empty());
  size_t begin = doc.find(kReferenceBeginMarker);
  size_t end = doc.find(kReferenceEndMarker);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  REQUIRE(begin < end);
  size_t body = begin + kReferenceBeginMarker.size() + 1;  // past the marker's newline
  std::string generated = "\n" + ConfigReferenceMarkdown() + "\n";
  std::string current = doc.substr(body, end - body);

  const char* update = std::getenv("SPARD_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1" && current != generated) {
    doc.replace(body, end - body, generated);
    std::ofstream(DocPath(), std::ios::binary | std::ios::trunc) << doc;
    current = generated;
  }
  INFO("regenerate with: SPARD_UPDATE_DOCS=1 build/tests/config_tests \"[docs]\"");
  CHECK(current == generated);

  for (const ConfigKeyInfo& k : DescribeConfig(Config{})) {
    INFO(k.dotted_key);
    CHECK(doc.find("`" + k.dotted_key + "`") != std::string::npos);
    // The comment becomes a Markdown cell and a TOML comment: keep it to one safe line.
    CHECK(k.comment.find_first_of("|<>\n") == std::string_view::npos);
  }
}

}  // namespace spard
