// spar count: how many events match the filters.

#include <simdjson.h>

#include "cli/answer.h"
#include "cli/command.h"
#include "cli/context.h"
#include "cli/filter_options.h"

namespace spard::cli {

namespace {

class CountCommand final : public Command {
 public:
  void Configure(CLI::App* app) override { filters_.Add(app); }

  Result<ExitCode> Run(Context* ctx) override {
    auto params = filters_.ToParams(ctx->zone(), ctx->NowMicros());
    if (!params.ok()) return params.status();
    auto http = ctx->Http();
    if (!http.ok()) return http.status();
    auto body = GetBody(*http, "/v1/events/count", *params, size_t{64} << 10);
    if (!body.ok()) return body.status();
    uint64_t count = 0;
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(*body);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc) || doc["count"].get_uint64().get(count)) {
      return UnexpectedAnswer(*body);
    }
    std::string n = std::to_string(count);
    switch (ctx->format_given() ? ctx->format() : OutputFormat::kTable) {
      case OutputFormat::kJson:
      case OutputFormat::kNdjson:
        ctx->out()->Write("{\"count\":" + n + "}\n");
        break;
      case OutputFormat::kCsv:
        ctx->out()->Write("count\r\n" + n + "\r\n");
        break;
      case OutputFormat::kTable:
        ctx->out()->Write(n + "\n");
        break;
    }
    return count == 0 ? ExitCode::kNoMatch : ExitCode::kOk;
  }

 private:
  FilterOptions filters_;
};

const bool kRegistered = RegisterCommand({
    .name = "count",
    .summary = "count the events that match the filters",
    .description =
        "Prints how many events match every filter given (the same filters as events), as a "
        "bare number; {\"count\":N} with --format json or ndjson, a CSV with --format csv. "
        "Exit status 1 when the count is 0.",
    .examples =
        {
            {"spar count --subject 19650412-1234 --from 2026-01-01",
             "How many accesses to this person's records since new year?"},
            {"n=$(spar count --system treserva --since 24h)",
             "Yesterday's volume from one system, in a script."},
        },
    .order = 20,
    .make = [] { return std::unique_ptr<Command>(new CountCommand); },
});

}  // namespace

}  // namespace spard::cli
