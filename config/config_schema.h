// The schema of spard.toml seen from outside: every key with its type, the values it accepts
// and its one-line meaning, in the order DefaultToml() prints them.
//
// The schema itself is one table in config.cc; Parse(), DefaultToml(), these views and the
// key reference in docs/configuration.md are all generated from it, so a key cannot be
// documented but not parsed, or parsed but not printed. The tests hold the doc to it.
//
// Thread-safety: pure functions over values.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace spard {

struct ConfigKeyInfo {
  std::string_view table;  // "listen"
  std::string_view name;   // "syslog_tcp"
  std::string dotted_key;  // "listen.syslog_tcp"
  std::string_view type;   // "string", "integer" or "boolean"
  std::string value;       // its value in the described Config, as TOML: "\"127.0.0.1:5514\""
  std::string allowed;     // what Parse accepts: "1 to 65536", "\"HOST:PORT\" or \"\""
  uint64_t min = 0;        // integers: the accepted range; 0 and 0 for strings
  uint64_t max = 0;
  std::string_view comment;  // one line: what the key means
};

// Every key of the schema with its value in `config`, in schema order.
std::vector<ConfigKeyInfo> DescribeConfig(const Config& config);

// `config` as TOML, every key written out, commented, grouped by table. Parses back to `config`.
// Config::DefaultToml() is this for Config{} under an explanatory header.
std::string ConfigToToml(const Config& config);

// The key reference of docs/configuration.md (Markdown: one table per TOML table). The doc
// embeds it between the two marker lines below; tests/config/config_test.cc checks it is
// current and rewrites it when run with SPARD_UPDATE_DOCS=1.
std::string ConfigReferenceMarkdown();
inline constexpr std::string_view kReferenceBeginMarker =
    "<!-- BEGIN config reference: generated from config/config.cc; do not edit by hand -->";
inline constexpr std::string_view kReferenceEndMarker = "<!-- END config reference -->";

}  // namespace spard
