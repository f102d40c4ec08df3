#include "query/filter.h"

#include <algorithm>
#include <charconv>

#include "common/time_format.h"

namespace spard {

namespace {

// Parameters that are filters on a canonical field.
constexpr std::pair<std::string_view, Field> kFieldParams[] = {
    {"user", Field::kUser},     {"object", Field::kObject}, {"subject", Field::kSubject},
    {"system", Field::kSystem}, {"action", Field::kAction}, {"outcome", Field::kOutcome},
};

std::optional<std::string>* FilterField(EventFilter* f, Field field) {
  switch (field) {
    case Field::kUser:
      return &f->user;
    case Field::kObject:
      return &f->object;
    case Field::kSubject:
      return &f->subject;
    case Field::kSystem:
      return &f->system;
    case Field::kAction:
      return &f->action;
    case Field::kOutcome:
      return &f->outcome;
    default:
      return nullptr;
  }
}

Status ParseTime(std::string_view name, std::string_view value, int64_t* out) {
  // An unencoded '+' in a URL arrives as a space: "...T10:00:00 02:00" meant "+02:00".
  std::string fixed;
  if (value.size() > 19 && value.size() >= 6 && value[value.size() - 6] == ' ') {
    fixed = std::string(value);
    fixed[fixed.size() - 6] = '+';
    value = fixed;
  }
  if (!ParseDateOrRfc3339(value, out)) {
    return Status::InvalidArgument(std::string(name) +
                                   ": expected an RFC 3339 time (2026-10-01T08:00:00Z, "
                                   "2026-10-01T10:00:00+02:00) or a date (2026-10-01)");
  }
  return Status::Ok();
}

// Shared by both endpoints: filters and the time window. *handled tells whether `name` was one.
Status ParseFilterParam(std::string_view name, std::string_view value, EventFilter* f,
                        bool* handled) {
  *handled = true;
  for (const auto& [param, field] : kFieldParams) {
    if (name == param) {
      if (value.empty()) return Status::InvalidArgument(std::string(name) + ": must not be empty");
      *FilterField(f, field) = std::string(value);
      return Status::Ok();
    }
  }
  if (name == "from") return ParseTime(name, value, &f->range.from);
  if (name == "to") return ParseTime(name, value, &f->range.to);
  *handled = false;
  return Status::Ok();
}

Status CheckRepeats(const ParamList& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (params[i].first == params[j].first) {
        return Status::InvalidArgument(params[i].first + ": given more than once");
      }
    }
  }
  return Status::Ok();
}

Status CheckRange(const EventFilter& f) {
  if (f.range.from >= f.range.to) return Status::InvalidArgument("from: must be before to");
  return Status::Ok();
}

}  // namespace

const std::optional<std::string>& EventFilter::field(Field f) const {
  static const std::optional<std::string> kNone;
  switch (f) {
    case Field::kUser:
      return user;
    case Field::kObject:
      return object;
    case Field::kSubject:
      return subject;
    case Field::kSystem:
      return system;
    case Field::kAction:
      return action;
    case Field::kOutcome:
      return outcome;
    default:
      return kNone;
  }
}

bool EventFilter::InScope(std::string_view system) const {
  if (scope_systems.empty()) return true;
  return std::find(scope_systems.begin(), scope_systems.end(), system) != scope_systems.end();
}

std::string EventFilter::Canonical() const {
  std::string s;
  for (const auto& [name, field] : kFieldParams) {
    const auto& v = this->field(field);
    s += name;
    s += v ? "=" + *v : "-";
    s += '\x1f';
  }
  s += std::to_string(range.from) + '\x1f' + std::to_string(range.to);
  return s;
}

Status ParseCountRequest(const ParamList& params, EventFilter* out) {
  SPARD_RETURN_IF_ERROR(CheckRepeats(params));
  for (const auto& [name, value] : params) {
    bool handled;
    SPARD_RETURN_IF_ERROR(ParseFilterParam(name, value, out, &handled));
    if (!handled) return Status::InvalidArgument(name + ": unknown parameter");
  }
  return CheckRange(*out);
}

Status ParseEventsRequest(const ParamList& params, EventsRequest* out) {
  SPARD_RETURN_IF_ERROR(CheckRepeats(params));
  for (const auto& [name, value] : params) {
    bool handled;
    SPARD_RETURN_IF_ERROR(ParseFilterParam(name, value, &out->filter, &handled));
    if (handled) continue;
    if (name == "limit") {
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n < 1 || n > kMaxLimit) {
        return Status::InvalidArgument("limit: expected a number from 1 to " +
                                       std::to_string(kMaxLimit));
      }
      out->limit = n;
    } else if (name == "order") {
      if (value != "asc" && value != "desc") {
        return Status::InvalidArgument("order: expected asc or desc");
      }
      out->descending = value == "desc";
    } else if (name == "format") {
      if (value == "json") {
        out->format = OutputFormat::kJson;
      } else if (value == "ndjson") {
        out->format = OutputFormat::kNdjson;
      } else if (value == "csv") {
        out->format = OutputFormat::kCsv;
      } else {
        return Status::InvalidArgument("format: expected json, ndjson or csv");
      }
    } else if (name == "cursor") {
      if (value.empty()) return Status::InvalidArgument("cursor: must not be empty");
      out->cursor = value;
    } else {
      return Status::InvalidArgument(name + ": unknown parameter");
    }
  }
  return CheckRange(out->filter);
}

}  // namespace spard
