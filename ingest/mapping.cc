#include "ingest/mapping.h"

#include <algorithm>

namespace spard {

namespace {

// SPEC §3's mapping table, row by row; within a target, earlier rows win. Keep in step with the
// SPEC: this table is the whole of the default mapping. Rows of different source kinds only
// compete when one message offers both: JSON in a syslog MSG beats the syslog header (its "ts"
// beats TIMESTAMP), a CEF key beats the syslog header it travels in (rt, dvchost, and
// deviceProduct over APP-NAME/TAG), and RFC 5424 SD params beat key=value pairs in MSG.
struct DefaultRow {
  Target target;
  Source source;
  std::string_view name;
};

constexpr DefaultRow kDefaultRows[] = {
    {Target::kTs, Source::kJsonKey, "ts"},
    {Target::kTs, Source::kJsonKey, "@timestamp"},
    {Target::kTs, Source::kCefExtension, "rt"},
    {Target::kTs, Source::kSyslogHeader, kHeaderTimestamp},

    {Target::kSystem, Source::kJsonKey, "system"},
    {Target::kSystem, Source::kJsonKey, "service.name"},
    {Target::kSystem, Source::kCefHeader, "deviceProduct"},
    {Target::kSystem, Source::kSyslogHeader, kHeaderAppName},
    {Target::kSystem, Source::kSyslogHeader, kHeaderTag},

    {Target::kUser, Source::kJsonKey, "user"},
    {Target::kUser, Source::kJsonKey, "user.name"},
    {Target::kUser, Source::kSdParam, "user"},
    {Target::kUser, Source::kMsgKeyValue, "user"},
    {Target::kUser, Source::kCefExtension, "suser"},

    {Target::kAction, Source::kJsonKey, "action"},
    {Target::kAction, Source::kJsonKey, "event.action"},
    {Target::kAction, Source::kSdParam, "action"},
    {Target::kAction, Source::kMsgKeyValue, "action"},
    {Target::kAction, Source::kCefExtension, "act"},

    {Target::kObject, Source::kJsonKey, "object"},
    {Target::kObject, Source::kJsonKey, "file.path"},
    {Target::kObject, Source::kJsonKey, "url.path"},
    {Target::kObject, Source::kSdParam, "object"},
    {Target::kObject, Source::kMsgKeyValue, "object"},
    {Target::kObject, Source::kCefExtension, "fname"},

    {Target::kSubject, Source::kJsonKey, "subject"},
    {Target::kSubject, Source::kSdParam, "subject"},
    {Target::kSubject, Source::kMsgKeyValue, "subject"},
    {Target::kSubject, Source::kCefExtension, "duid"},

    {Target::kOutcome, Source::kJsonKey, "outcome"},
    {Target::kOutcome, Source::kJsonKey, "event.outcome"},
    {Target::kOutcome, Source::kSdParam, "outcome"},
    {Target::kOutcome, Source::kMsgKeyValue, "outcome"},
    {Target::kOutcome, Source::kCefExtension, "outcome"},

    {Target::kClientIp, Source::kJsonKey, "client_ip"},
    {Target::kClientIp, Source::kJsonKey, "source.ip"},
    {Target::kClientIp, Source::kSdParam, "client_ip"},
    {Target::kClientIp, Source::kMsgKeyValue, "client_ip"},
    {Target::kClientIp, Source::kCefExtension, "src"},

    {Target::kHost, Source::kJsonKey, "host"},
    {Target::kHost, Source::kJsonKey, "host.name"},
    {Target::kHost, Source::kCefExtension, "dvchost"},
    {Target::kHost, Source::kSyslogHeader, kHeaderHostname},

    {Target::kReason, Source::kJsonKey, "reason"},
    {Target::kReason, Source::kSdParam, "reason"},
    {Target::kReason, Source::kMsgKeyValue, "reason"},
    {Target::kReason, Source::kCefExtension, "reason"},
};

Mapping BuildDefaultMapping() {
  Mapping m;
  for (const DefaultRow& row : kDefaultRows) {
    m.targets[TargetIndex(row.target)].push_back(
        FieldSource{row.source, std::string(row.name), std::string()});
  }
  return m;
}

// Index order: source, then name length, then name. Most probes then fail on an integer
// compare instead of a string compare.
bool EntryLess(Source a_source, std::string_view a_name, Source b_source, std::string_view b_name) {
  if (a_source != b_source) return a_source < b_source;
  if (a_name.size() != b_name.size()) return a_name.size() < b_name.size();
  return a_name < b_name;
}

}  // namespace

std::string_view TargetName(Target t) {
  return t == Target::kTs ? std::string_view("ts") : FieldName(static_cast<Field>(t));
}

bool TargetFromName(std::string_view name, Target* out) {
  if (name == "ts") {
    *out = Target::kTs;
    return true;
  }
  Field f;
  if (!FieldFromName(name, &f)) return false;
  *out = TargetOf(f);
  return true;
}

const Mapping& DefaultMapping() {
  static const Mapping kMapping = BuildDefaultMapping();
  return kMapping;
}

MappingIndex::MappingIndex(const Mapping& mapping) {
  for (size_t t = 0; t < kTargetCount; ++t) {
    const auto& candidates = mapping.targets[t];
    for (size_t rank = 0; rank < candidates.size() && rank < UINT16_MAX; ++rank) {
      const FieldSource& s = candidates[rank];
      entries_.push_back(
          Entry{s.source, s.name, s.sd_id, static_cast<Target>(t), static_cast<uint16_t>(rank)});
    }
  }
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return EntryLess(a.source, a.name, b.source, b.name);
  });
  for (size_t s = 0; s <= kSourceCount; ++s) {
    const auto first = std::find_if(entries_.begin(), entries_.end(), [s](const Entry& e) {
      return static_cast<size_t>(e.source) >= s;
    });
    source_begin_[s] = static_cast<uint32_t>(first - entries_.begin());
  }
  for (const Entry& e : entries_) {
    const size_t length_bit = std::min<size_t>(e.name.size(), 63);
    length_mask_[static_cast<size_t>(e.source)] |= uint64_t{1} << length_bit;
  }
}

std::span<const MappingIndex::Entry> MappingIndex::Find(Source source,
                                                        std::string_view name) const {
  const auto s = static_cast<size_t>(source);
  if (((length_mask_[s] >> std::min<size_t>(name.size(), 63)) & 1u) == 0) return {};
  const auto begin = entries_.begin() + source_begin_[s];
  const auto end = entries_.begin() + source_begin_[s + 1];
  auto lower = std::lower_bound(begin, end, name, [](const Entry& e, std::string_view n) {
    return EntryLess(e.source, e.name, e.source, n);
  });
  auto upper = lower;
  while (upper != end && upper->name == name) ++upper;
  return {lower, upper};
}

void FieldResolver::Reset() { winners_.fill(Winner{}); }

void FieldResolver::Offer(Source source, std::string_view name, std::string_view value,
                          uint32_t origin, std::string_view sd_id) {
  for (const MappingIndex::Entry& e : index_->Find(source, name)) {
    if (!e.sd_id.empty() && e.sd_id != sd_id) continue;
    Winner& w = winners_[TargetIndex(e.target)];
    if (e.rank < w.rank) w = Winner{value, source, origin, e.rank};
  }
}

bool FieldResolver::Used(Source source, uint32_t origin) const {
  for (const Winner& w : winners_) {
    if (w.rank != UINT16_MAX && w.source == source && w.origin == origin) return true;
  }
  return false;
}

}  // namespace spard
