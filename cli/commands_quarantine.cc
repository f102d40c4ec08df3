// spar quarantine: the messages spard kept but could not index (SPEC §3), for an admin to look
// at and fix the mapping for.

#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "cli/answer.h"
#include "cli/command.h"
#include "cli/context.h"
#include "cli/event_output.h"
#include "cli/table.h"
#include "cli/time_args.h"
#include "common/time_format.h"

namespace spard::cli {

namespace {

// Quarantined messages can be large; a smaller page keeps each answer's memory modest.
constexpr size_t kQuarantinePage = 1000;

class QuarantineCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    limit_opt_ = app->add_option("--limit", limit_, "at most N messages (default 100; 0: all)")
                     ->type_name("N");
    app->add_flag("--all", all_, "every quarantined message (--limit 0)")->excludes(limit_opt_);
  }

  Result<ExitCode> Run(Context* ctx) override {
    auto http = ctx->Http();
    if (!http.ok()) return http.status();
    const OutputFormat format = ctx->format();
    std::unique_ptr<Table> table;
    LocalTimeFormatter times(ctx->zone());
    if (format == OutputFormat::kTable) {
      table = std::make_unique<Table>(std::vector<Table::Column>{{"id", 0, 4},
                                                                 {"received", 19, 19},
                                                                 {"listener", 0, 8},
                                                                 {"peer", 0, 16},
                                                                 {"reason", 0, 30},
                                                                 {"raw", 0, 40}},
                                      ctx->terminal().width, ctx->terminal().color, ctx->out());
    } else if (format == OutputFormat::kCsv) {
      ctx->out()->Write("id,received,reason,listener,peer,truncated,raw\r\n");
    }
    uint64_t remaining = all_ || limit_ == 0 ? std::numeric_limits<uint64_t>::max() : limit_;
    const size_t page = std::min(kQuarantinePage, ctx->options().page_size);
    std::string after;
    uint64_t rows = 0;
    bool more = false;
    simdjson::dom::parser parser;
    while (remaining > 0) {
      Params params = {{"limit", std::to_string(std::min<uint64_t>(page, remaining))}};
      if (!after.empty()) params.emplace_back("after", after);
      auto body = GetBody(*http, "/v1/quarantine", params);
      if (!body.ok()) return body.status();
      simdjson::dom::element doc;
      simdjson::dom::array records;
      if (parser.parse(*body).get(doc) || doc["quarantine"].get_array().get(records)) {
        return UnexpectedAnswer(*body);
      }
      for (simdjson::dom::element r : records) {
        Write(ctx, format, r, table.get(), &times, rows == 0);
        ++rows;
        --remaining;
      }
      if (table) table->Flush();
      SPARD_RETURN_IF_ERROR(ctx->out()->Flush());
      uint64_t next = 0;
      if (doc["next_after"].get_uint64().get(next)) break;  // null: the end
      after = std::to_string(next);
      more = remaining == 0;
    }
    switch (format) {
      case OutputFormat::kTable: {
        std::string total = CountNoun(rows, "message", "messages");
        if (more) total += " (more are quarantined: raise --limit, or --all)";
        ctx->out()->Write(total + "\n");
        break;
      }
      case OutputFormat::kJson:
        ctx->out()->Write(rows == 0 ? "{\"quarantine\":[]," : "\n],");
        ctx->out()->Write(more ? "\"more\":true}\n" : "\"more\":false}\n");
        break;
      default:
        break;
    }
    if (more && format != OutputFormat::kTable) {
      ctx->Note("stopped at --limit " + std::to_string(limit_) + "; more messages are quarantined");
    }
    return ExitCode::kOk;
  }

 private:
  static void Write(Context* ctx, OutputFormat format, simdjson::dom::element r, Table* table,
                    LocalTimeFormatter* times, bool first) {
    uint64_t id = 0;
    if (r["id"].get_uint64().get(id)) id = 0;
    std::string_view received = AnswerString(r["received"]);
    simdjson::dom::element source;
    std::string_view listener, peer;
    if (!r["source"].get(source)) {
      listener = AnswerString(source["listener"]);
      peer = AnswerString(source["peer"]);
    }
    bool truncated = false;
    if (r["truncated"].get_bool().get(truncated)) truncated = false;
    switch (format) {
      case OutputFormat::kNdjson:
        ctx->out()->Write(simdjson::minify(r) + "\n");
        break;
      case OutputFormat::kJson:
        ctx->out()->Write(first ? "{\"quarantine\":[\n" : ",\n");
        ctx->out()->Write(simdjson::minify(r));
        break;
      case OutputFormat::kCsv: {
        std::string line = std::to_string(id) + ",";
        AppendCsvField(&line, received);
        line += ",";
        AppendCsvField(&line, AnswerString(r["reason"]));
        line += ",";
        AppendCsvField(&line, listener);
        line += ",";
        AppendCsvField(&line, peer);
        line += truncated ? ",true," : ",false,";
        AppendCsvField(&line, AnswerString(r["raw"]));
        line += "\r\n";
        ctx->out()->Write(line);
        break;
      }
      case OutputFormat::kTable: {
        int64_t us = 0;
        table->AddRow({std::to_string(id),
                       ParseRfc3339(received, &us) ? times->Format(us) : std::string(received),
                       std::string(listener), std::string(peer),
                       std::string(AnswerString(r["reason"])),
                       std::string(AnswerString(r["raw"]))});
        break;
      }
    }
  }

  uint64_t limit_ = 100;
  bool all_ = false;
  CLI::Option* limit_opt_ = nullptr;
};

const bool kRegistered = RegisterCommand({
    .name = "quarantine",
    .summary = "list quarantined messages (admin token)",
    .description =
        "Lists the messages spard kept byte-exact but could not index: unparsable, or "
        "without user, object or ts. Oldest first. Needs an admin token. Exit status 0 even "
        "when there are none.",
    .examples =
        {
            {"spar quarantine", "The first 100, as a table on a terminal."},
            {"spar quarantine --all --format ndjson | jq -r .raw",
             "Every quarantined message as it arrived."},
        },
    .order = 60,
    .make = [] { return std::unique_ptr<Command>(new QuarantineCommand); },
});

}  // namespace

}  // namespace spard::cli
