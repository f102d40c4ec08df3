#include "ingest/mapping_set.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <span>

#include "ingest/cef_parser.h"

namespace spard {

namespace {

constexpr std::string_view kAttrsKeyPrefix = "attrs.";    // static attributes
constexpr std::string_view kAttrsGroupPrefix = "attrs_";  // RE2 group names allow no '.'
constexpr size_t kMaxNameBytes = 64;

// RE2 reports errors as values; by default it also prints them to stderr, which a daemon
// validating its configuration must not do.
RE2::Options ReOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  return o;
}

struct SourcePrefix {
  std::string_view prefix;
  Source source;
};
constexpr SourcePrefix kPrefixes[] = {
    {"json", Source::kJsonKey},        {"sd", Source::kSdParam},
    {"kv", Source::kMsgKeyValue},      {"cef", Source::kCefExtension},
    {"cefheader", Source::kCefHeader}, {"header", Source::kSyslogHeader},
};
constexpr std::string_view kPrefixList = "json:, sd:, kv:, cef:, cefheader: or header:";

constexpr std::string_view kHeaderNames[] = {kHeaderTimestamp, kHeaderHostname, kHeaderAppName,
                                             kHeaderTag, kHeaderMnemonic};

std::string TargetList() {
  std::string out;
  for (size_t t = 0; t < kTargetCount; ++t) {
    out += out.empty() ? "" : ", ";
    out += TargetName(static_cast<Target>(t));
  }
  return out;
}

// A compiled RE2 or why it does not compile.
Status CompileRe(std::string_view pattern, std::unique_ptr<RE2>* out) {
  if (pattern.empty()) return Status::InvalidArgument("empty regular expression");
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), ReOptions());
  if (!re->ok()) {
    // Two slips RE2's message does not explain: Python's attribute-like names, and the
    // (?<name>...) spelling, which this RE2 does not know.
    std::string_view hint;
    if (re->error_code() == RE2::ErrorBadNamedCapture) {
      hint = " (group names are letters, digits and _: attrs_NAME for an attribute)";
    } else if (re->error_arg().starts_with("(?<")) {
      hint = " (write a named group as (?P<name>...))";
    }
    return Status::InvalidArgument(
        fmt::format("not a valid RE2 regular expression: {}{}", re->error(), hint));
  }
  *out = std::move(re);
  return Status::Ok();
}

// The groups of a compiled rule, or why a group name is not allowed.
Status RuleGroups(const RE2& re, std::vector<CompiledMapping::Group>* out) {
  const std::map<std::string, int>& named = re.NamedCapturingGroups();
  if (named.empty()) {
    return Status::InvalidArgument(
        "has no named group: name what it extracts, e.g. (?P<user>\\S+) or (?P<attrs_unit>.+)");
  }
  out->clear();
  for (const auto& [name, index] : named) {
    CompiledMapping::Group g;
    g.index = index;
    if (name.starts_with(kAttrsGroupPrefix) && name.size() > kAttrsGroupPrefix.size()) {
      g.is_attr = true;
      g.attr = name.substr(kAttrsGroupPrefix.size());
    } else if (!TargetFromName(name, &g.target)) {
      return Status::InvalidArgument(fmt::format(
          "group (?P<{}>...) is neither a target ({}) nor attrs_NAME", name, TargetList()));
    }
    out->push_back(std::move(g));
  }
  // Capture order, so attributes come out in the order the pattern names them.
  std::sort(out->begin(), out->end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return Status::Ok();
}

}  // namespace

Status CheckMappingName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("must not be empty");
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument(fmt::format("longer than {} bytes", kMaxNameBytes));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return Status::InvalidArgument("use letters, digits, '.', '_' and '-' only");
  }
  return Status::Ok();
}

Status ParseMappingCandidate(std::string_view text, FieldSource* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("expected SOURCE:NAME with SOURCE one of {}", kPrefixList));
  }
  const std::string_view prefix = text.substr(0, colon);
  std::string_view name = text.substr(colon + 1);
  const SourcePrefix* found = nullptr;
  for (const SourcePrefix& p : kPrefixes) {
    if (p.prefix == prefix) found = &p;
  }
  if (found == nullptr) {
    return Status::InvalidArgument(
        fmt::format("unknown source \"{}:\" (expected {})", prefix, kPrefixList));
  }
  if (name.empty()) return Status::InvalidArgument(fmt::format("no name after \"{}:\"", prefix));
  FieldSource fs;
  fs.source = found->source;
  switch (found->source) {
    case Source::kSyslogHeader:
      if (std::find(std::begin(kHeaderNames), std::end(kHeaderNames), name) ==
          std::end(kHeaderNames)) {
        return Status::InvalidArgument(fmt::format(
            "unknown syslog header field \"{}\" (expected TIMESTAMP, HOSTNAME, APP-NAME, TAG or "
            "MNEMONIC)",
            name));
      }
      break;
    case Source::kCefHeader: {
      bool known = false;
      for (size_t h = 0; h < kCefHeaderCount; ++h) {
        known = known || CefHeaderName(static_cast<CefHeader>(h)) == name;
      }
      if (!known) {
        return Status::InvalidArgument(fmt::format(
            "unknown CEF header field \"{}\" (expected cefVersion, deviceVendor, deviceProduct, "
            "deviceVersion, deviceEventClassId, name or severity)",
            name));
      }
      break;
    }
    case Source::kSdParam: {
      const size_t dot = name.rfind('.');
      if (dot != std::string_view::npos) {
        if (dot == 0 || dot + 1 == name.size()) {
          return Status::InvalidArgument(
              fmt::format("expected sd:PARAM or sd:SD-ID.PARAM (got \"{}\")", text));
        }
        fs.sd_id = std::string(name.substr(0, dot));
        name = name.substr(dot + 1);
      }
      break;
    }
    default:
      break;
  }
  fs.name = std::string(name);
  if (out != nullptr) *out = std::move(fs);
  return Status::Ok();
}

Status CheckMappingRegex(std::string_view pattern) {
  std::unique_ptr<RE2> re;
  SPARD_RETURN_IF_ERROR(CompileRe(pattern, &re));
  std::vector<CompiledMapping::Group> groups;
  return RuleGroups(*re, &groups);
}

Status CheckMatchMessage(std::string_view pattern) {
  std::unique_ptr<RE2> re;
  return CompileRe(pattern, &re);
}

Status CheckMappingStatic(std::string_view key, std::string_view value) {
  if (key.starts_with(kAttrsKeyPrefix)) {
    if (key.size() == kAttrsKeyPrefix.size()) {
      return Status::InvalidArgument("expected attrs.NAME");
    }
  } else {
    Target t;
    if (!TargetFromName(key, &t)) {
      return Status::InvalidArgument(
          fmt::format("\"{}\" is neither a target ({}) nor attrs.NAME", key, TargetList()));
    }
    if (t == Target::kTs) {
      return Status::InvalidArgument("ts cannot be static: every event needs its own time");
    }
    if (t == Target::kSystem && value == "spard") {
      return Status::InvalidArgument("system \"spard\" is reserved for spard's own audit trail");
    }
  }
  if (value.empty()) return Status::InvalidArgument("the value must not be empty");
  return Status::Ok();
}

CompiledMapping::CompiledMapping() = default;
CompiledMapping::~CompiledMapping() = default;

bool CompiledMapping::Matches(const MappingSubject& s) const {
  if (!match_app.empty() &&
      std::find(s.apps.begin(), s.apps.end(), std::string_view(match_app)) == s.apps.end()) {
    return false;
  }
  if (!match_system.empty()) {
    const std::string_view system =
        s.system.empty() ? std::string_view(static_values[TargetIndex(Target::kSystem)]) : s.system;
    if (system != match_system) return false;
  }
  if (match_message != nullptr &&
      !RE2::PartialMatch(re2::StringPiece(s.message.data(), s.message.size()), *match_message)) {
    return false;
  }
  return true;
}

MappingSet::~MappingSet() = default;

Result<std::shared_ptr<const MappingSet>> MappingSet::Compile(
    const std::vector<MappingSpec>& specs) {
  std::shared_ptr<MappingSet> set(new MappingSet());
  for (size_t i = 0; i < specs.size(); ++i) {
    const MappingSpec& spec = specs[i];
    auto fail = [i](std::string_view key, const Status& st) {
      return Status::InvalidArgument(fmt::format("mapping[{}].{}: {}", i, key, st.message()));
    };
    auto m = std::make_unique<CompiledMapping>();
    if (Status st = CheckMappingName(spec.name); !st.ok()) return fail("name", st);
    for (size_t j = 0; j < i; ++j) {
      if (specs[j].name == spec.name) {
        return fail("name", Status::InvalidArgument(
                                fmt::format("\"{}\" is already mapping[{}]'s name", spec.name, j)));
      }
    }
    m->name = spec.name;
    m->match_app = spec.match_app;
    m->match_system = spec.match_system;
    if (!spec.match_message.empty()) {
      if (Status st = CompileRe(spec.match_message, &m->match_message); !st.ok()) {
        return fail("match_message", st);
      }
    }
    for (size_t r = 0; r < spec.regex.size(); ++r) {
      CompiledMapping::Rule rule;
      Status st = CompileRe(spec.regex[r], &rule.re);
      if (st.ok()) st = RuleGroups(*rule.re, &rule.groups);
      if (!st.ok()) return fail(fmt::format("regex[{}]", r), st);
      set->max_submatches_ = std::max(set->max_submatches_, rule.re->NumberOfCapturingGroups() + 1);
      m->rules.push_back(std::move(rule));
    }
    for (const auto& [key, value] : spec.statics) {
      if (Status st = CheckMappingStatic(key, value); !st.ok()) {
        return fail(fmt::format("static.{}", key), st);
      }
      if (key.starts_with(kAttrsKeyPrefix)) {
        m->static_attrs.emplace_back(key.substr(kAttrsKeyPrefix.size()), value);
      } else {
        Target t = Target::kSystem;
        (void)TargetFromName(key, &t);
        m->static_values[TargetIndex(t)] = value;
      }
    }

    // Priority per target: the rules' group, the configured candidates, the default list, the
    // static value.
    Mapping mapping;
    for (size_t t = 0; t < kTargetCount; ++t) {
      const Target target = static_cast<Target>(t);
      const std::string name(TargetName(target));
      auto& list = mapping.targets[t];
      const bool has_group = std::any_of(m->rules.begin(), m->rules.end(), [&](const auto& rule) {
        return std::any_of(rule.groups.begin(), rule.groups.end(),
                           [&](const auto& g) { return !g.is_attr && g.target == target; });
      });
      if (has_group) list.push_back(FieldSource{Source::kRegexGroup, name, {}});
      for (size_t c = 0; c < spec.candidates[t].size(); ++c) {
        FieldSource fs;
        if (Status st = ParseMappingCandidate(spec.candidates[t][c], &fs); !st.ok()) {
          return fail(fmt::format("{}[{}]", name, c), st);
        }
        list.push_back(std::move(fs));
      }
      const auto& defaults = DefaultMapping().targets[t];
      list.insert(list.end(), defaults.begin(), defaults.end());
      if (!m->static_values[t].empty()) list.push_back(FieldSource{Source::kStatic, name, {}});
    }
    m->index = std::make_unique<MappingIndex>(mapping);
    set->needs_system_ = set->needs_system_ || !m->match_system.empty();
    const auto position = static_cast<uint32_t>(set->mappings_.size());
    if (m->match_app.empty()) {
      set->any_app_.push_back(position);
    } else {
      auto& by_app = set->by_app_;
      auto it = std::find_if(by_app.begin(), by_app.end(),
                             [&](const auto& entry) { return entry.first == m->match_app; });
      if (it == by_app.end()) it = by_app.insert(by_app.end(), {m->match_app, {}});
      it->second.push_back(position);
    }
    set->mappings_.push_back(std::move(m));
  }
  std::sort(set->by_app_.begin(), set->by_app_.end());
  return std::shared_ptr<const MappingSet>(std::move(set));
}

const CompiledMapping* MappingSet::Select(const MappingSubject& s) const {
  // The candidates, each list ascending: mappings for any app, and those for each of the
  // message's app names. Walking them merged keeps file order, so the first match wins.
  std::array<std::span<const uint32_t>, 3> lists = {std::span<const uint32_t>(any_app_)};
  size_t n = 1;
  for (std::string_view app : s.apps) {
    if (app.empty()) continue;
    const auto it = std::lower_bound(
        by_app_.begin(), by_app_.end(), app,
        [](const auto& entry, std::string_view name) { return entry.first < name; });
    if (it != by_app_.end() && it->first == app) lists[n++] = it->second;
  }
  if (n == 3 && lists[1].data() == lists[2].data()) n = 2;  // APP-NAME and product alike
  while (true) {
    size_t best = n;
    for (size_t i = 0; i < n; ++i) {
      if (!lists[i].empty() && (best == n || lists[i].front() < lists[best].front())) best = i;
    }
    if (best == n) return nullptr;
    const CompiledMapping& m = *mappings_[lists[best].front()];
    lists[best] = lists[best].subspan(1);
    if (m.Matches(s)) return &m;
  }
}

}  // namespace spard
