#include "cli/filter_options.h"

#include "cli/time_args.h"

namespace spard::cli {

namespace {

constexpr const char* kFieldHelp[] = {
    "the account that made the access (e.g. anna.a)",
    "the record accessed (e.g. procapita:000123)",
    "the person the record is about; any form of a personnummer finds all forms",
    "the system that logged the access (e.g. procapita, cosmic)",
    "what was done: read, search, create, update, delete, print, export, ...",
    "success or denied (as the system logged it)",
};

}  // namespace

void FilterOptions::Add(CLI::App* app, bool fields) {
  for (size_t i = 0; fields && i < fields_.size(); ++i) {
    FieldOption& f = fields_[i];
    f.option = app->add_option(std::string("--") + f.name, f.value, kFieldHelp[i])
                   ->type_name("TEXT")
                   ->group("Filters");
  }
  from_opt_ = app->add_option("--from", from_,
                              "events at or after this time: a date (2026-10-01, local "
                              "midnight), a local date-time (2026-10-01T08:00), RFC 3339 with "
                              "an offset or Z, today, yesterday")
                  ->type_name("TIME")
                  ->group("Filters");
  to_opt_ = app->add_option("--to", to_, "events before this time (exclusive); forms as --from")
                ->type_name("TIME")
                ->group("Filters");
  since_opt_ = app->add_option("--since", since_,
                               "events of the last DURATION: 30m, 24h, 7d, 2w (instead of --from)")
                   ->type_name("DURATION")
                   ->group("Filters")
                   ->excludes(from_opt_);
}

Result<Params> FilterOptions::ToParams(const date::time_zone* zone, int64_t now_us) const {
  Params params;
  for (const FieldOption& f : fields_) {
    if (f.option == nullptr || f.option->count() == 0) continue;
    if (f.value.empty()) {
      return Status::InvalidArgument(std::string("--") + f.name +
                                     ": must not be empty (leave it out to match every value)");
    }
    params.emplace_back(f.name, f.value);
  }
  if (from_opt_ != nullptr && from_opt_->count() > 0) {
    auto from = ResolveTimeArg("--from", from_, zone, now_us);
    if (!from.ok()) return from.status();
    params.emplace_back("from", *from);
  }
  if (since_opt_ != nullptr && since_opt_->count() > 0) {
    auto since = ParseDuration("--since", since_);
    if (!since.ok()) return since.status();
    params.emplace_back("from", FormatWithOffset(now_us - since->count() * 1000, zone));
  }
  if (has_to()) {
    auto to = ResolveTimeArg("--to", to_, zone, now_us);
    if (!to.ok()) return to.status();
    params.emplace_back("to", *to);
  }
  return params;
}

}  // namespace spard::cli
