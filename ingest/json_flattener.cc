#include "ingest/json_flattener.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <limits>

namespace spard {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING,
              "kJsonPadding must be simdjson's padding");

namespace ondemand = simdjson::ondemand;

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    const size_t start = ++i;
    while (i < n && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t start = i;
    while (i < n && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == n;
}

}  // namespace

struct JsonFlattener::Impl {
  ondemand::parser parser;

  // Per-call state.
  std::string_view input;
  FlatJson* out = nullptr;
  ondemand::document* doc = nullptr;
  size_t arena_limit = 0;

  using Span = FlatJson::Span;

  Span InputSpan(const char* p, size_t n) const {
    return Span{static_cast<uint32_t>(p - input.data()), static_cast<uint32_t>(n), true};
  }

  // The byte offset the parser reached, for error messages.
  std::string Where() {
    const char* loc = nullptr;
    if (doc->current_location().get(loc) != simdjson::SUCCESS || loc < input.data() ||
        loc > input.data() + input.size()) {
      return {};
    }
    return fmt::format(" at byte {}", loc - input.data());
  }

  Status Error(simdjson::error_code e) {
    return Status::InvalidArgument(std::string(simdjson::error_message(e)) + Where());
  }

  Status Error(std::string_view what, const char* at) {
    return Status::InvalidArgument(fmt::format("{} at byte {}", what, at - input.data()));
  }

  // Appends `prefix` "." `leaf` (or just `leaf` without a prefix) to the arena, refusing to grow
  // it past arena_limit. `leaf` must not point into the arena; `prefix` may (it is re-read after
  // the reserve, when the arena can no longer move).
  Status Append(const Span* prefix, std::string_view leaf, Span* span) {
    std::string& arena = out->arena_;
    const size_t n = (prefix ? prefix->size + 1 : 0) + leaf.size();
    if (arena.size() + n > arena_limit) {
      return Status::InvalidArgument(
          fmt::format("flattened keys and values exceed {} bytes", arena_limit));
    }
    const Span result{static_cast<uint32_t>(arena.size()), static_cast<uint32_t>(n), false};
    arena.reserve(arena.size() + n);
    if (prefix) {
      const std::string_view parent = out->View(*prefix);
      arena.append(parent.data(), parent.size());
      arena.push_back('.');
    }
    arena.append(leaf);
    *span = result;
    return Status::Ok();
  }

  // A string whose opening quote is at `quote`: if it has no backslash, its content as a span
  // of the input. Returns false when it has escapes (the caller unescapes through simdjson).
  bool PlainString(const char* quote, Span* span) const {
    const char* p = quote + 1;
    const char* end = input.data() + input.size();
    const char* q = p;
    while (q < end && *q != '"' && *q != '\\') ++q;
    if (q >= end || *q != '"') return false;
    *span = InputSpan(p, static_cast<size_t>(q - p));
    return true;
  }

  // simdjson's on-demand iterator skips a value it was not asked to consume without checking
  // what follows it (so {"a":"b":1,"c":{}]} would iterate as {"a":"b"}). A scalar must be
  // followed by ',' or its container's closing bracket; raw_json_token() reaches exactly to the
  // next structural character, so this is where to look.
  Status CheckFollower(std::string_view token, char close) {
    const char* next = token.data() + token.size();
    if (next >= input.data() + input.size() || (*next != ',' && *next != close)) {
      return Error(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'", next);
    }
    return Status::Ok();
  }

  Status Scalar(ondemand::value& v, ondemand::json_type type, std::string_view token,
                JsonKind* kind) {
    switch (type) {
      case ondemand::json_type::number:
        *kind = JsonKind::kNumber;
        if (!IsJsonNumber(token)) return Error("bad number", token.data());
        return Status::Ok();
      case ondemand::json_type::boolean:
        *kind = JsonKind::kBool;
        if (token != "true" && token != "false") return Error("bad literal", token.data());
        return Status::Ok();
      case ondemand::json_type::null:
        *kind = JsonKind::kNull;
        if (token != "null") return Error("bad literal", token.data());
        return Status::Ok();
      case ondemand::json_type::string: {
        *kind = JsonKind::kString;
        std::string_view unused;
        if (auto e = v.get_string().get(unused)) return Error(e);
        return Status::Ok();
      }
      case ondemand::json_type::object:
      case ondemand::json_type::array:
        break;
    }
    return Status::Internal("not a scalar");
  }

  // Checks a value inside an array completely (arrays are kept as text, but must be JSON).
  // `depth` is the depth the value has if it is an object or array (the top level is 1);
  // `close` is the closing bracket of the container holding it.
  Status Validate(ondemand::value v, int depth, char close) {
    ondemand::json_type type;
    if (auto e = v.type().get(type)) return Error(e);
    const bool container =
        type == ondemand::json_type::object || type == ondemand::json_type::array;
    if (container && depth > kMaxJsonDepth) {
      return Error("nesting deeper than 32", v.raw_json_token().data());
    }
    if (type == ondemand::json_type::object) {
      ondemand::object obj;
      if (auto e = v.get_object().get(obj)) return Error(e);
      for (auto field_result : obj) {
        ondemand::field field;
        if (auto e = std::move(field_result).get(field)) return Error(e);
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return Error(e);
        SPARD_RETURN_IF_ERROR(Validate(field.value(), depth + 1, '}'));
      }
      return Status::Ok();
    }
    if (type == ondemand::json_type::array) {
      ondemand::array arr;
      if (auto e = v.get_array().get(arr)) return Error(e);
      for (auto element : arr) {
        ondemand::value ev;
        if (auto e = element.get(ev)) return Error(e);
        SPARD_RETURN_IF_ERROR(Validate(ev, depth + 1, ']'));
      }
      return Status::Ok();
    }
    const std::string_view token = v.raw_json_token();
    SPARD_RETURN_IF_ERROR(CheckFollower(token, close));
    JsonKind kind;
    return Scalar(v, type, TrimRight(token), &kind);
  }

  // Appends every leaf of `obj`; `prefix` is the dotted path to it (has_prefix false at the top).
  Status Object(ondemand::object& obj, Span prefix, bool has_prefix, int depth) {
    for (auto field_result : obj) {
      ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return Error(e);

      // The key: a view into the input when it is top-level and has no escapes.
      const char* key_raw = field.key().raw();
      Span key;
      std::string_view leaf;
      if (PlainString(key_raw - 1, &key)) {
        leaf = out->View(key);
      } else {
        // Unescaped into the parser's string buffer, which outlives this iteration step.
        if (auto e = field.unescaped_key().get(leaf)) return Error(e);
        if (!has_prefix) SPARD_RETURN_IF_ERROR(Append(nullptr, leaf, &key));
      }
      if (has_prefix) SPARD_RETURN_IF_ERROR(Append(&prefix, leaf, &key));

      ondemand::value v = field.value();
      ondemand::json_type type;
      if (auto e = v.type().get(type)) return Error(e);
      FlatJson::Entry entry;
      entry.key = key;
      switch (type) {
        case ondemand::json_type::object: {
          if (depth + 1 > kMaxJsonDepth) {
            return Error("nesting deeper than 32", v.raw_json_token().data());
          }
          ondemand::object child;
          if (auto e = v.get_object().get(child)) return Error(e);
          SPARD_RETURN_IF_ERROR(Object(child, key, /*has_prefix=*/true, depth + 1));
          continue;
        }
        case ondemand::json_type::array: {
          if (depth + 1 > kMaxJsonDepth) {
            return Error("nesting deeper than 32", v.raw_json_token().data());
          }
          ondemand::array arr;
          if (auto e = v.get_array().get(arr)) return Error(e);
          for (auto element : arr) {
            ondemand::value ev;
            if (auto e = element.get(ev)) return Error(e);
            SPARD_RETURN_IF_ERROR(Validate(ev, depth + 2, ']'));
          }
          bool unused;
          if (auto e = arr.reset().get(unused)) return Error(e);
          std::string_view text;
          if (auto e = arr.raw_json().get(text)) return Error(e);
          text = TrimRight(text);
          entry.kind = JsonKind::kArray;
          entry.value = InputSpan(text.data(), text.size());
          break;
        }
        case ondemand::json_type::string: {
          entry.kind = JsonKind::kString;
          const std::string_view token = v.raw_json_token();
          SPARD_RETURN_IF_ERROR(CheckFollower(token, '}'));
          if (!PlainString(token.data(), &entry.value)) {
            std::string_view unescaped;
            if (auto e = v.get_string().get(unescaped)) return Error(e);
            SPARD_RETURN_IF_ERROR(Append(nullptr, unescaped, &entry.value));
          }
          break;
        }
        case ondemand::json_type::number:
        case ondemand::json_type::boolean:
        case ondemand::json_type::null: {
          const std::string_view raw_token = v.raw_json_token();
          SPARD_RETURN_IF_ERROR(CheckFollower(raw_token, '}'));
          const std::string_view token = TrimRight(raw_token);
          SPARD_RETURN_IF_ERROR(Scalar(v, type, token, &entry.kind));
          entry.value = InputSpan(token.data(), token.size());
          break;
        }
      }
      out->entries_.push_back(entry);
    }
    return Status::Ok();
  }
};

void FlatJson::Clear() {
  input_ = {};
  arena_.clear();
  entries_.clear();
}

JsonFlattener::JsonFlattener() : impl_(std::make_unique<Impl>()) {}
JsonFlattener::~JsonFlattener() = default;

Status JsonFlattener::Flatten(std::string_view json, size_t readable, FlatJson* out) {
  out->Clear();
  if (readable < json.size() + kJsonPadding) {
    return Status::InvalidArgument("input lacks simdjson padding");
  }
  if (json.size() > std::numeric_limits<uint32_t>::max() / 8) {
    return Status::InvalidArgument("document too large");
  }
  out->input_ = json;
  Impl& impl = *impl_;
  impl.input = json;
  impl.out = out;
  impl.arena_limit = 4 * json.size() + 4096;

  ondemand::document doc;
  if (auto e = impl.parser.iterate(simdjson::padded_string_view(json.data(), json.size(), readable))
                   .get(doc)) {
    out->Clear();
    return Status::InvalidArgument(simdjson::error_message(e));
  }
  impl.doc = &doc;
  Status status = [&]() -> Status {
    ondemand::json_type type;
    if (auto e = doc.type().get(type)) return impl.Error(e);
    if (type != ondemand::json_type::object) {
      return Status::InvalidArgument("top level is not an object");
    }
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) return impl.Error(e);
    SPARD_RETURN_IF_ERROR(impl.Object(obj, {}, /*has_prefix=*/false, 1));
    const char* loc = nullptr;
    if (doc.current_location().get(loc) == simdjson::SUCCESS) {
      return impl.Error("content after the object", loc);
    }
    return Status::Ok();
  }();
  impl.doc = nullptr;
  impl.out = nullptr;
  if (!status.ok()) out->Clear();
  return status;
}

}  // namespace spard
