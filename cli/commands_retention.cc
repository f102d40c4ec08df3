// spar purge and spar hold: gallring on request, and the legal holds that stop it
// (store/retention.h). Admin token.

#include <simdjson.h>

#include "cli/answer.h"
#include "cli/command.h"
#include "cli/context.h"
#include "cli/event_output.h"
#include "cli/table.h"
#include "cli/time_args.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace spard::cli {

namespace {

class PurgeCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    app->add_flag("--dry-run,-n", dry_run_, "count what would be purged; remove nothing");
  }

  Result<ExitCode> Run(Context* ctx) override {
    auto http = ctx->Http();
    if (!http.ok()) return http.status();
    Params params;
    if (dry_run_) params.emplace_back("dry_run", "true");
    auto body = SendBody(*http, "POST", "/v1/admin/purge", params, {});
    if (!body.ok()) return body.status();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(*body).get(doc)) {
      return UnexpectedAnswer(*body);
    }
    if (ctx->format_given() && ctx->format() != OutputFormat::kTable) {
      ctx->out()->Write(simdjson::minify(doc) + "\n");
      return ExitCode::kOk;
    }
    std::string out = dry_run_ ? "would purge " : "purged ";
    out += CountNoun(AnswerUint(doc["purged"]), "event", "events");
    simdjson::dom::object by_system;
    if (!doc["by_system"].get_object().get(by_system) && by_system.size() > 0) {
      std::string parts;
      for (auto [system, n] : by_system) {
        if (!parts.empty()) parts += ", ";
        parts += std::string(system) + " " + std::to_string(AnswerUint(n));
      }
      out += " (" + parts + ")";
    }
    out += "; " + std::to_string(AnswerUint(doc["held"])) + " kept under a legal hold; " +
           std::to_string(AnswerUint(doc["examined"])) + " past the shortest retention examined";
    uint64_t record = 0;
    if (!doc["record_id"].get_uint64().get(record)) {
      out += "; purge record: event " + std::to_string(record);
    }
    ctx->out()->Write(out + "\n");
    return ExitCode::kOk;
  }

 private:
  bool dry_run_ = false;
};

class HoldCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    app->require_subcommand(1, 1);
    CLI::App* add = app->add_subcommand("add", "place a legal hold: its events are not purged");
    add->add_option("--subject", subject_, "a person, in any personnummer form");
    add->add_option("--user", user_, "a user");
    add->add_option("--object", object_, "a record");
    add->add_option("--system", system_,
                    "a whole system (with the options above: only that system's events)");
    add->add_option("--from", from_, "only events from this local date or time on");
    add->add_option("--to", to_, "only events before this local date or time");
    add->add_option("--reason", reason_, "why (shown in the audit trail)")->required();
    add->add_option("--case", case_number_, "the case number (diarienummer)")->required();
    add->callback([this] { action_ = Action::kAdd; });
    CLI::App* list = app->add_subcommand("list", "list legal holds");
    list->callback([this] { action_ = Action::kList; });
    CLI::App* remove = app->add_subcommand("remove", "lift a legal hold");
    remove->add_option("ID", remove_id_, "the hold's id (spar hold list)")->required();
    remove->callback([this] { action_ = Action::kRemove; });
  }

  Result<ExitCode> Run(Context* ctx) override {
    auto http = ctx->Http();
    if (!http.ok()) return http.status();
    switch (action_) {
      case Action::kAdd:
        return Add(ctx, *http);
      case Action::kList:
        return List(ctx, *http);
      case Action::kRemove: {
        auto body = SendBody(*http, "DELETE", "/v1/holds/" + remove_id_, {}, {});
        if (!body.ok()) {
          if (body.status().IsNotFound()) {
            return Status::NotFound("no hold has the id " + remove_id_ +
                                    " (spar hold list shows them)");
          }
          return body.status();
        }
        ctx->Note("lifted hold " + remove_id_);
        return ExitCode::kOk;
      }
    }
    return Status::Internal("no hold action");
  }

 private:
  enum class Action { kAdd, kList, kRemove };

  Result<ExitCode> Add(Context* ctx, HttpClient* http) {
    // One scope: the subject, user or object (optionally within a system), or a system.
    int given = !subject_.empty() + !user_.empty() + !object_.empty();
    if (given > 1) {
      return Status::InvalidArgument("give one of --subject, --user, --object (or --system alone)");
    }
    std::string scope, value;
    if (!subject_.empty()) {
      scope = "subject", value = subject_;
    } else if (!user_.empty()) {
      scope = "user", value = user_;
    } else if (!object_.empty()) {
      scope = "object", value = object_;
    } else if (!system_.empty()) {
      scope = "system", value = system_;
    } else {
      return Status::InvalidArgument("say what to hold: --subject, --user, --object or --system");
    }
    std::string body;
    JsonWriter w(&body);
    w.StartObject();
    w.Key("scope");
    w.String(scope);
    w.Key("value");
    w.String(value);
    if (!system_.empty() && scope != "system") {
      w.Key("system");
      w.String(system_);
    }
    for (auto [name, arg] : {std::pair<const char*, std::string*>{"from", &from_}, {"to", &to_}}) {
      if (arg->empty()) continue;
      auto when = ResolveTimeArg(std::string("--") + name, *arg, ctx->zone(), ctx->NowMicros());
      if (!when.ok()) return when.status();
      w.Key(name);
      w.String(*when);
    }
    w.Key("reason");
    w.String(reason_);
    w.Key("case_number");
    w.String(case_number_);
    w.EndObject();
    auto answer = SendBody(http, "POST", "/v1/holds", {}, body);
    if (!answer.ok()) return answer.status();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(*answer).get(doc)) {
      return UnexpectedAnswer(*answer);
    }
    if (ctx->format_given() && ctx->format() != OutputFormat::kTable) {
      ctx->out()->Write(simdjson::minify(doc) + "\n");
    } else {
      ctx->out()->Write("hold " + std::to_string(AnswerUint(doc["id"])) + " placed on " + scope +
                        " " + std::string(AnswerString(doc["value"])) + " (" + case_number_ +
                        ")\n");
    }
    return ExitCode::kOk;
  }

  Result<ExitCode> List(Context* ctx, HttpClient* http) {
    auto answer = GetBody(http, "/v1/holds", {});
    if (!answer.ok()) return answer.status();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array holds;
    if (parser.parse(*answer).get(doc) || doc["holds"].get_array().get(holds)) {
      return UnexpectedAnswer(*answer);
    }
    const OutputFormat format = ctx->format();
    if (format == OutputFormat::kJson) {
      ctx->out()->Write(simdjson::minify(doc) + "\n");
      return ExitCode::kOk;
    }
    if (format != OutputFormat::kTable) {
      for (simdjson::dom::element h : holds) ctx->out()->Write(simdjson::minify(h) + "\n");
      return ExitCode::kOk;
    }
    LocalTimeFormatter times(ctx->zone());
    Table table({{"id", 0, 4},
                 {"scope", 0, 7},
                 {"value", 0, 14},
                 {"system", 0, 8},
                 {"from", 0, 10},
                 {"to", 0, 10},
                 {"case", 0, 10},
                 {"reason", 0, 20},
                 {"by", 0, 8}},
                ctx->terminal().width, ctx->terminal().color, ctx->out());
    size_t n = 0;
    for (simdjson::dom::element h : holds) {
      ++n;
      table.AddRow(
          {std::to_string(AnswerUint(h["id"])), std::string(AnswerString(h["scope"])),
           std::string(AnswerString(h["value"])), std::string(AnswerString(h["system"])),
           LocalTimeOf(AnswerString(h["from"]), &times), LocalTimeOf(AnswerString(h["to"]), &times),
           std::string(AnswerString(h["case_number"])), std::string(AnswerString(h["reason"])),
           std::string(AnswerString(h["created_by"]))});
    }
    table.Flush();
    ctx->out()->Write(CountNoun(n, "hold", "holds") + "\n");
    return ExitCode::kOk;
  }

  Action action_ = Action::kList;
  std::string subject_, user_, object_, system_, from_, to_, reason_, case_number_, remove_id_;
};

const bool kPurgeRegistered = RegisterCommand({
    .name = "purge",
    .summary = "run gallring now: purge events past retention (admin token)",
    .description =
        "Removes the events older than their system's retention ([retention] in the config), "
        "except those under a legal hold, as the daily purge does; their leaf hashes are kept, "
        "so every signed tree head and every proof for the remaining events still verifies. "
        "Each run is logged as a signed purge record (an event of system spard). --dry-run "
        "counts without removing.",
    .examples =
        {
            {"spar purge --dry-run", "How many events the next purge removes, per system."},
            {"spar purge", "Purges now."},
        },
    .order = 80,
    .make = [] { return std::unique_ptr<Command>(new PurgeCommand); },
});

const bool kHoldRegistered = RegisterCommand({
    .name = "hold",
    .summary = "place, list and lift legal holds (admin token)",
    .description =
        "A legal hold keeps events from gallring while an investigation or a case needs them: "
        "the events of a person (any personnummer form), a user, a record, or a whole system, "
        "optionally within a system and a period. A reason and a case number are required; "
        "each change is logged as an event of system spard.",
    .examples =
        {
            {"spar hold add --subject 19650412-1234 --reason \"complaint\" --case KS-2026-117",
             "Keeps every access to this person's records."},
            {"spar hold add --user anna.k --system procapita --from 2026-01-01 --reason "
             "\"incident\" --case IS-2026-9",
             "Keeps what anna.k did in procapita since New Year."},
            {"spar hold list", "Every hold."},
            {"spar hold remove 3", "Lifts hold 3."},
        },
    .order = 85,
    .make = [] { return std::unique_ptr<Command>(new HoldCommand); },
});

}  // namespace

}  // namespace spard::cli
