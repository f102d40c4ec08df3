#include "cli/answer.h"

#include "common/time_format.h"

namespace spard::cli {

std::string_view AnswerString(simdjson::simdjson_result<simdjson::dom::element> field) {
  std::string_view s;
  return field.get_string().get(s) ? std::string_view() : s;
}

uint64_t AnswerUint(simdjson::simdjson_result<simdjson::dom::element> field) {
  uint64_t n = 0;
  return field.get_uint64().get(n) ? 0 : n;
}

std::string LocalTimeOf(std::string_view rfc3339, LocalTimeFormatter* times) {
  int64_t us = 0;
  if (rfc3339.empty() || !ParseRfc3339(rfc3339, &us)) return std::string(rfc3339);
  return times->Format(us);
}

Status UnexpectedAnswer(std::string_view body) {
  return Status::Corruption("unexpected answer from spard: " + std::string(body.substr(0, 80)));
}

}  // namespace spard::cli
