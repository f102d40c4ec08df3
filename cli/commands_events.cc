// spar events: the events that match the filters, oldest first — paged, streamed, or followed.

#include <memory>

#include "cli/command.h"
#include "cli/context.h"
#include "cli/event_output.h"
#include "cli/event_pager.h"
#include "cli/filter_options.h"
#include "cli/follow.h"
#include "cli/interrupt.h"
#include "cli/time_args.h"
#include "common/time_format.h"

namespace spard::cli {

namespace {

class EventsCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    filters_.Add(app);
    limit_opt_ = app->add_option("--limit", limit_,
                                 "at most N events (default 100; 0: every one); spar pages "
                                 "through spard 10,000 at a time")
                     ->type_name("N");
    app->add_flag("--all", all_, "every matching event (--limit 0)")->excludes(limit_opt_);
    app->add_option("--order", order_, "asc: oldest first (default); desc: newest first")
        ->type_name("ORDER")
        ->check(CLI::IsMember({"asc", "desc"}));
    CLI::Option* follow =
        app->add_flag("-f,--follow", follow_,
                      "keep printing matching events as they arrive, like tail -f, starting at "
                      "--from/--since or --lag ago; Ctrl-C stops (exit 0)");
    app->add_option("--interval", interval_, "with --follow: how often to ask (default 1s)")
        ->type_name("DURATION")
        ->needs(follow);
    app->add_option("--lag", lag_,
                    "with --follow: also look this far behind the newest event seen, for "
                    "events that arrive late (default 10s)")
        ->type_name("DURATION")
        ->needs(follow);
  }

  Result<ExitCode> Run(Context* ctx) override {
    if (follow_) SPARD_RETURN_IF_ERROR(CheckFollow(*ctx));
    auto params = filters_.ToParams(ctx->zone(), ctx->NowMicros());
    if (!params.ok()) return params.status();
    auto interval = ParseDuration("--interval", interval_);
    if (!interval.ok()) return interval.status();
    auto lag = ParseDuration("--lag", lag_);
    if (!lag.ok()) return lag.status();
    auto http = ctx->Http();
    if (!http.ok()) return http.status();

    EventQuery query;
    query.filters = std::move(*params);
    query.descending = order_ == "desc";
    query.limit = all_ ? 0 : limit_;
    query.wire = WireFormatFor(ctx->format());
    query.page_size = ctx->options().page_size;
    TableOptions table;
    table.width = ctx->terminal().width;
    table.color = ctx->terminal().color;
    table.zone = ctx->zone();
    table.follow = follow_;
    std::unique_ptr<EventOutput> out = NewEventOutput(ctx->format(), ctx->out(), table);

    if (follow_) {
      FollowOptions options;
      options.interval = *interval;
      options.lag = *lag;
      // Like tail -f, which starts with the last lines: start --lag back, so that an event
      // stamped just before spar started but arriving just after is not lost.
      options.start_us = ctx->NowMicros() - std::chrono::microseconds(*lag).count();
      std::erase_if(query.filters, [&](const auto& p) {
        return p.first == "from" && ParseRfc3339(p.second, &options.start_us);
      });
      InstallInterruptHandler();
      uint64_t rows = 0;
      Status s = Follow(
          *http, query, options, ctx->clock(), out.get(),
          [ctx](std::string_view note) { ctx->Note(note); }, &rows);
      SPARD_RETURN_IF_ERROR(out->Finish(rows, false));
      if (!s.ok()) return s;
      return ExitCode::kOk;
    }

    EventPager pager(*http, query);
    SPARD_RETURN_IF_ERROR(pager.Run(out.get()));
    SPARD_RETURN_IF_ERROR(out->Finish(pager.rows(), pager.more()));
    if (pager.more() && ctx->format() != OutputFormat::kTable) {
      ctx->Note("stopped at --limit " + std::to_string(query.limit) +
                "; more events match (raise --limit, or --all for every one)");
    }
    return pager.rows() == 0 ? ExitCode::kNoMatch : ExitCode::kOk;
  }

 private:
  Status CheckFollow(const Context& ctx) const {
    auto usage = [](std::string_view why) {
      return Status::InvalidArgument("--follow " + std::string(why));
    };
    if (order_ == "desc") return usage("shows events oldest first; leave out --order desc");
    if (limit_opt_->count() > 0 || all_) return usage("runs until Ctrl-C; leave out --limit/--all");
    if (filters_.has_to()) return usage("has no end; leave out --to");
    if (ctx.format() == OutputFormat::kJson) {
      return usage("writes events as they come; use --format ndjson (or csv, table)");
    }
    return Status::Ok();
  }

  FilterOptions filters_;
  uint64_t limit_ = 100;
  bool all_ = false;
  std::string order_ = "asc";
  bool follow_ = false;
  std::string interval_ = "1s";
  std::string lag_ = "10s";
  CLI::Option* limit_opt_ = nullptr;
};

const bool kRegistered = RegisterCommand({
    .name = "events",
    .summary = "list the events that match the filters, oldest first",
    .description =
        "Lists the access events that match every filter given: who (--user) did what "
        "(--action) to which record (--object), about whom (--subject), in which system, and "
        "when (--from, --to, --since). Oldest first; --order desc for newest first. spar pages "
        "through spard 10,000 events at a time and streams them, so --all is safe for any "
        "size of answer. Exit status 1 when nothing matches.",
    .examples =
        {
            {"spar events --subject 19650412-1234 --since 30d",
             "Who accessed this person's records in the last 30 days?"},
            {"spar events --user anna.a --from 2026-10-01 --to 2026-11-01 --all --format csv "
             "> anna.csv",
             "Everything one user did in October (local time), for a spreadsheet."},
            {"spar events --object procapita:000123 --order desc --limit 10",
             "The ten latest accesses to one record."},
            {"spar events --system cosmic --outcome denied --follow",
             "Refused accesses as they happen, until Ctrl-C."},
            {"spar events --action emergency_access --since 7d --all | jq -r .user",
             "Who used emergency access this week (ndjson in a pipe)."},
        },
    .order = 10,
    .make = [] { return std::unique_ptr<Command>(new EventsCommand); },
});

}  // namespace

}  // namespace spard::cli
