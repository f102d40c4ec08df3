// Per-system mappings: the `[[mapping]]` tables of spard.toml, checked and compiled for the
// Decoder (issue 4; docs/configuration.md and docs/ingest_formats.md show them in use).
//
// A MappingSpec is one table as configured, in plain strings:
//   - matchers, each optional; all given must hold, and the first mapping whose matchers hold is
//     used (none: the default mapping of SPEC §3; a mapping without matchers takes everything):
//       match_app      equals the message's RFC 5424 APP-NAME, RFC 3164 TAG or CEF Device
//                      Product (any of them; exact, case-sensitive);
//       match_system   equals the system the default mapping finds, or, when the message names
//                      none, the mapping's own static system;
//       match_message  an RE2 that matches somewhere in the message (the whole message as
//                      received, without leading whitespace and trailing line ends);
//   - per target, extra candidates "SOURCE:NAME", tried before the default ones, in order:
//       json:KEY          a flattened JSON key, nested or dotted alike ("actor.login")
//       sd:PARAM          an RFC 5424 SD-PARAM in any SD element
//       sd:SD-ID.PARAM    the same, only in element SD-ID (split at the last '.')
//       kv:KEY            a key=value pair in a syslog MSG
//       cef:KEY           a CEF extension, by key or by its custom label ("cs1Label" value)
//       cefheader:NAME    a CEF header field: cefVersion, deviceVendor, deviceProduct,
//                         deviceVersion, deviceEventClassId, name, severity
//       header:NAME       a syslog header field: TIMESTAMP, HOSTNAME, APP-NAME, TAG, MNEMONIC
//   - regex: RE2 rules over the message text (the syslog MSG; a CEF message without syslog
//     header as a whole; the "message", else "msg", string of a JSON object). The first rule
//     that matches (anywhere: add ^ and $ to anchor) offers its named groups: a target's name
//     ("user", "client_ip", "ts") or "attrs_X" for the attribute X. A group offers ahead of
//     every other candidate of its target; a group that did not take part offers nothing;
//   - static: a target's value when nothing else gives one (never "ts"), or "attrs.X", an
//     attribute added when the message has no attribute X.
//
// Compiled, each mapping is a Mapping (ingest/mapping.h) whose candidates per target are: the
// regex group, the configured candidates, the default list, the static value — in that order of
// priority — and its MappingIndex. RE2 objects are compiled once, here.
//
// Thread-safety: a MappingSet is immutable once compiled and shared (through DecoderOptions) by
// every Decoder built from the same configuration, across threads: RE2 matching is thread-safe,
// and the per-mapping selection counters are relaxed atomics.

#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "ingest/mapping.h"

namespace re2 {
class RE2;
}

namespace spard {

// One `[[mapping]]` table as configured. Empty strings and lists mean "not given".
struct MappingSpec {
  std::string name;  // required; letters, digits, '.', '_', '-'; shown in errors and events
  std::string match_app;
  std::string match_system;
  std::string match_message;  // RE2
  // candidates[TargetIndex(t)]: "SOURCE:NAME" strings, most preferred first.
  std::array<std::vector<std::string>, kTargetCount> candidates;
  std::vector<std::string> regex;                            // RE2 rules with named groups
  std::vector<std::pair<std::string, std::string>> statics;  // "system" or "attrs.X" -> value

  bool operator==(const MappingSpec&) const = default;
};

// The attribute that records which per-system mapping made an event (its name). Events mapped
// by the default mapping do not carry it.
inline constexpr std::string_view kMappingAttr = "spard.mapping";

// Checks of single values, for config validation (which names the key and line) and Compile().
// Each returns OK or InvalidArgument saying what is wrong with the value.
Status CheckMappingName(std::string_view name);
// "SOURCE:NAME" as above; on success *out is the candidate (may be null).
Status ParseMappingCandidate(std::string_view text, FieldSource* out);
// An extraction rule: valid RE2, at least one named group, every group name a target or
// "attrs_X".
Status CheckMappingRegex(std::string_view pattern);
// match_message: valid RE2.
Status CheckMatchMessage(std::string_view pattern);
// A static entry: key a target other than ts, or "attrs.X"; value non-empty; system not "spard".
Status CheckMappingStatic(std::string_view key, std::string_view value);

// What selection looks at; the Decoder fills it in after parsing the message.
struct MappingSubject {
  std::string_view message;              // without leading whitespace and trailing line ends
  std::array<std::string_view, 2> apps;  // APP-NAME or TAG, and CEF Device Product; "" if absent
  std::string_view system;               // the default mapping's system; "" if none
};

// One compiled `[[mapping]]`.
struct CompiledMapping {
  // A named group of a rule: what it fills.
  struct Group {
    int index = 0;         // capturing group number (1-based, as RE2 counts)
    bool is_attr = false;  // "attrs_X": the attribute `attr`; else the target `target`
    Target target = Target::kUser;
    std::string attr;
  };
  struct Rule {
    std::unique_ptr<re2::RE2> re;
    std::vector<Group> groups;
  };

  CompiledMapping();
  ~CompiledMapping();
  CompiledMapping(const CompiledMapping&) = delete;
  CompiledMapping& operator=(const CompiledMapping&) = delete;

  // True when every matcher given holds for `s`.
  bool Matches(const MappingSubject& s) const;

  std::string name;
  std::string match_app;
  std::string match_system;
  std::unique_ptr<re2::RE2> match_message;  // null when not given
  std::vector<Rule> rules;
  std::unique_ptr<MappingIndex> index;
  // static_values[TargetIndex(t)]: the static value of t, "" for none.
  std::array<std::string, kTargetCount> static_values;
  std::vector<std::pair<std::string, std::string>> static_attrs;  // "X" (from "attrs.X") -> value
  // How many messages this mapping was chosen for, since start (for /metrics).
  mutable std::atomic<uint64_t> selected{0};
};

class MappingSet {
 public:
  // Checks every spec (the checks above, plus unique names) and compiles them. Errors name the
  // table and key, "mapping[2].user[0]: ...", counting from 0, and stop at the first.
  static Result<std::shared_ptr<const MappingSet>> Compile(const std::vector<MappingSpec>& specs);

  MappingSet(const MappingSet&) = delete;
  MappingSet& operator=(const MappingSet&) = delete;
  ~MappingSet();

  size_t size() const { return mappings_.size(); }
  const CompiledMapping& at(size_t i) const { return *mappings_[i]; }
  // True when some mapping has match_system: selection then needs the default mapping's system.
  bool needs_system() const { return needs_system_; }
  // The most capturing groups of any rule, plus one for the whole match.
  int max_submatches() const { return max_submatches_; }

  // The first mapping whose matchers hold for `s`, or null. Mappings with match_app are found
  // by a binary search on the app names, so many mappings for other apps cost a message little.
  const CompiledMapping* Select(const MappingSubject& s) const;

 private:
  MappingSet() = default;

  std::vector<std::unique_ptr<CompiledMapping>> mappings_;
  // Positions in mappings_, ascending: of the mappings without match_app, and per match_app
  // value (sorted by it) of the mappings with that one.
  std::vector<uint32_t> any_app_;
  std::vector<std::pair<std::string, std::vector<uint32_t>>> by_app_;
  bool needs_system_ = false;
  int max_submatches_ = 1;
};

}  // namespace spard
