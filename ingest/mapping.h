// Mapping: where each canonical field of an event comes from, as data (SPEC §3).
//
// A Mapping lists, for every target (a canonical Field, or the event time), candidate sources
// in priority order: a flattened JSON key, an RFC 5424 SD-PARAM, a key=value key in the MSG, a
// syslog header field. A format decoder offers the values it found to a FieldResolver, which
// keeps for each target the offered value of highest priority; whatever no target took becomes
// an attribute. One list serves all formats because each decoder only offers its own source
// kinds.
//
// Per-system mappings (config `[[mapping]]`, ingest/mapping_set.h) are Mappings too: the
// configured candidates, then this default list, with two more source kinds around them: the
// named groups of an RE2 rule over the message text (first) and static values (last). The
// resolver and the index treat them like any other source.
//
// Thread-safety: Mapping and MappingIndex are immutable after construction and may be shared;
// a FieldResolver is per-thread scratch.

#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"

namespace spard {

// What a mapping fills: one of the canonical Fields (same numbering) or the event time.
enum class Target : uint8_t {
  kSystem = 0,
  kUser,
  kAction,
  kObject,
  kSubject,
  kOutcome,
  kClientIp,
  kHost,
  kReason,
  kTs,
};
inline constexpr size_t kTargetCount = kFieldCount + 1;
inline constexpr Target TargetOf(Field f) { return static_cast<Target>(f); }
inline constexpr size_t TargetIndex(Target t) { return static_cast<size_t>(t); }
// "ts" or the field's name.
std::string_view TargetName(Target t);
// The inverse of TargetName; false for an unknown name.
bool TargetFromName(std::string_view name, Target* out);

// Where a candidate value is looked up.
enum class Source : uint8_t {
  kJsonKey,       // a flattened JSON key: "user", "user.name" (nested or dotted alike); also the
                  // JSON object in a syslog MSG ("@cee:" or bare)
  kSdParam,       // an RFC 5424 SD-PARAM by PARAM-NAME, in any SD element (or only `sd_id`)
  kMsgKeyValue,   // a key=value pair in a syslog MSG
  kSyslogHeader,  // a syslog header field by name: "TIMESTAMP", "HOSTNAME", "APP-NAME" (RFC
                  // 5424), "TAG", "MNEMONIC" (RFC 3164; the Cisco "%PIX-6-302014" without '%')
  kCefHeader,     // a CEF header field by its ArcSight name: "deviceProduct", "name", ...
  kCefExtension,  // a CEF extension by key ("suser"), or by its label for a labelled custom
                  // field (cs1=... cs1Label=Case -> "Case")
  kRegexGroup,    // a named group of a per-system mapping's RE2 rule, by the target's name
  kStatic,        // a per-system mapping's static value, by the target's name
};
inline constexpr size_t kSourceCount = 8;

// Header field names offered under Source::kSyslogHeader (RFC 5424 §6.2 spelling; RFC 3164
// §4.1.3 for TAG).
inline constexpr std::string_view kHeaderTimestamp = "TIMESTAMP";
inline constexpr std::string_view kHeaderHostname = "HOSTNAME";
inline constexpr std::string_view kHeaderAppName = "APP-NAME";
inline constexpr std::string_view kHeaderTag = "TAG";
inline constexpr std::string_view kHeaderMnemonic = "MNEMONIC";

struct FieldSource {
  Source source = Source::kJsonKey;
  std::string name;   // key, PARAM-NAME or header field name
  std::string sd_id;  // kSdParam only: match only params of this SD-ID; empty = any element
};

struct Mapping {
  // targets[TargetIndex(t)]: the candidates for t, most preferred first.
  std::array<std::vector<FieldSource>, kTargetCount> targets;
};

// The default mapping of SPEC §3 (JSON canonical then ECS names; CEF keys; syslog header fields,
// SD params, key=value pairs in MSG). A Cisco MNEMONIC maps to nothing by default (it is kept
// as the attribute "mnemonic"); a per-system mapping may take it as system.
const Mapping& DefaultMapping();

// A Mapping compiled for lookup by (source kind, name): a binary search per offered value, within
// the entries of that source kind, after a bitmask test of the name's length (most names a
// message offers, e.g. CEF keys and SD params that map to nothing, stop there).
class MappingIndex {
 public:
  struct Entry {
    Source source;
    std::string name;
    std::string sd_id;
    Target target;
    uint16_t rank;  // position in the target's candidate list; lower wins
  };

  explicit MappingIndex(const Mapping& mapping);

  // The entries whose source kind and name equal the arguments (any sd_id).
  std::span<const Entry> Find(Source source, std::string_view name) const;

 private:
  std::vector<Entry> entries_;  // sorted by (source, name length, name)
  // Per source kind: its entries are entries_[source_begin_[s], source_begin_[s + 1]).
  std::array<uint32_t, kSourceCount + 1> source_begin_{};
  // Per source kind: bit n set when some entry's name is n bytes long (bit 63: 63 or longer).
  std::array<uint64_t, kSourceCount> length_mask_{};
};

// Per-message resolution: Offer() every value a message carries, then read the winners.
class FieldResolver {
 public:
  // What won a target: the offered value and where it came from.
  struct Winner {
    std::string_view value;
    Source source = Source::kJsonKey;
    uint32_t origin = 0;  // the decoder's index of the offered item (JSON pair, SD param, ...)
    uint16_t rank = UINT16_MAX;
  };

  explicit FieldResolver(const MappingIndex* index) : index_(index) {}

  // Forgets all offers.
  void Reset();
  // Forgets all offers and resolves against `index` from now on (a per-system mapping's).
  void Reset(const MappingIndex* index) {
    index_ = index;
    Reset();
  }

  // Offers `value`, found under `name` in a source of kind `source` (for kSdParam, in element
  // `sd_id`). `origin` is echoed back in Winner so the decoder can tell used items from
  // leftovers. Empty values are never offered by decoders (they do not make a field present).
  void Offer(Source source, std::string_view name, std::string_view value, uint32_t origin,
             std::string_view sd_id = {});

  bool has(Target t) const { return winners_[TargetIndex(t)].rank != UINT16_MAX; }
  const Winner& winner(Target t) const { return winners_[TargetIndex(t)]; }
  // True when the item (source, origin) won some target, i.e. it is not a leftover.
  bool Used(Source source, uint32_t origin) const;

 private:
  const MappingIndex* index_;
  std::array<Winner, kTargetCount> winners_{};
};

}  // namespace spard
