// FilterOptions: the question options that `events` and `count` share (and that later commands
// can reuse): one per canonical field, and the time window.
//
//   --user --object --subject --system --action --outcome   exact match (subject: any written
//                                                           form of a personnummer)
//   --from --to        local dates/times or RFC 3339 (time_args.h); from inclusive, to exclusive
//   --since DURATION   from = now - DURATION (7d, 24h, 30m, 2w); excludes --from
//
// Thread-safety: one thread.

#pragma once

#include <date/tz.h>
#include <CLI/CLI.hpp>

#include <array>
#include <string>

#include "cli/http_client.h"
#include "common/status.h"

namespace spard::cli {

class FilterOptions {
 public:
  // Declares the options on app: the field filters unless `fields` is false (a command about
  // one person or one system that only takes the time window), and the time window.
  void Add(CLI::App* app, bool fields = true);
  // The API's parameters, times resolved to RFC 3339 with offsets. InvalidArgument naming the
  // option for an empty filter or a time that does not parse.
  Result<Params> ToParams(const date::time_zone* zone, int64_t now_us) const;

  bool has_to() const { return to_opt_ != nullptr && to_opt_->count() > 0; }

 private:
  struct FieldOption {
    const char* name;
    std::string value;
    CLI::Option* option = nullptr;
  };
  std::array<FieldOption, 6> fields_ = {{{"user", {}},
                                         {"object", {}},
                                         {"subject", {}},
                                         {"system", {}},
                                         {"action", {}},
                                         {"outcome", {}}}};
  std::string from_, to_, since_;
  CLI::Option* from_opt_ = nullptr;
  CLI::Option* to_opt_ = nullptr;
  CLI::Option* since_opt_ = nullptr;
};

}  // namespace spard::cli
