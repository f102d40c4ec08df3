// Reading spard's JSON answers in commands: tolerant field access (a missing or mistyped field
// reads as empty), server times shown in the local zone, and the one error for an answer that is
// not what the API promises.
//
// Thread-safety: pure functions.

#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "cli/time_args.h"
#include "common/status.h"

namespace spard::cli {

// The string, or "" when the field is missing or not a string.
std::string_view AnswerString(simdjson::simdjson_result<simdjson::dom::element> field);
inline std::string_view AnswerString(simdjson::dom::element field) {
  return AnswerString(simdjson::simdjson_result<simdjson::dom::element>(std::move(field)));
}
// The number, or 0 when the field is missing or not an unsigned integer.
uint64_t AnswerUint(simdjson::simdjson_result<simdjson::dom::element> field);
inline uint64_t AnswerUint(simdjson::dom::element field) {
  return AnswerUint(simdjson::simdjson_result<simdjson::dom::element>(std::move(field)));
}
// An RFC 3339 time of the server's in the local zone ("2026-10-05 10:15:00"); "" stays "", and
// anything that does not parse is shown as it came.
std::string LocalTimeOf(std::string_view rfc3339, LocalTimeFormatter* times);
// Corruption("unexpected answer from spard: <the first 80 bytes>").
Status UnexpectedAnswer(std::string_view body);

}  // namespace spard::cli
