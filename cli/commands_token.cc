// spar token create|list|revoke: the tokens that may use spard (docs/access_control.md). Admin.

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

std::string Systems(simdjson::dom::element token) {
  simdjson::dom::array systems;
  std::string out;
  if (token["systems"].get_array().get(systems)) return out;
  for (simdjson::dom::element s : systems) {
    if (!out.empty()) out += ",";
    out += AnswerString(s);
  }
  return out;
}

// GET /v1/tokens, parsed: `doc` is the answer, `tokens` its array.
Status FetchTokens(HttpClient* http, simdjson::dom::parser* parser, simdjson::dom::element* doc,
                   simdjson::dom::array* tokens) {
  auto answer = GetBody(http, "/v1/tokens", {});
  if (!answer.ok()) return answer.status();
  if (parser->parse(*answer).get(*doc) || (*doc)["tokens"].get_array().get(*tokens)) {
    return UnexpectedAnswer(*answer);
  }
  return Status::Ok();
}

class TokenCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    app->require_subcommand(1, 1);
    CLI::App* create =
        app->add_subcommand("create", "create a token; its secret is printed once, on stdout");
    create->add_option("--role", role_, "ingest, investigator, reviewer or admin")
        ->required()
        ->check(CLI::IsMember({"ingest", "investigator", "reviewer", "admin"}));
    create->add_option("--name", name_,
                       "who it is for, shown as the user of its audit events (default: "
                       "ROLE-ID)");
    create->add_option("--systems", systems_, "limit it to these systems (comma-separated)")
        ->delimiter(',')
        ->type_name("A,B");
    create
        ->add_option("--expires", expires_,
                     "refused from this local date or time on (2027-06-30, 2027-06-30T17:00)")
        ->type_name("WHEN");
    create->callback([this] { action_ = Action::kCreate; });

    CLI::App* list = app->add_subcommand("list", "list tokens (never their secrets)");
    list->callback([this] { action_ = Action::kList; });

    CLI::App* revoke = app->add_subcommand("revoke", "revoke a token at once, by id or name");
    revoke->add_option("TOKEN", revoke_, "the id (from spar token list) or the name")->required();
    revoke->callback([this] { action_ = Action::kRevoke; });
  }

  Result<ExitCode> Run(Context* ctx) override {
    auto http = ctx->Http();
    if (!http.ok()) return http.status();
    switch (action_) {
      case Action::kCreate:
        return Create(ctx, *http);
      case Action::kList:
        return List(ctx, *http);
      case Action::kRevoke:
        return Revoke(ctx, *http);
    }
    return Status::Internal("no token action");
  }

 private:
  enum class Action { kCreate, kList, kRevoke };

  Result<ExitCode> Create(Context* ctx, HttpClient* http) {
    std::string body;
    JsonWriter w(&body);
    w.StartObject();
    if (!name_.empty()) {
      w.Key("name");
      w.String(name_);
    }
    w.Key("role");
    w.String(role_);
    if (!systems_.empty()) {
      w.Key("systems");
      w.StartArray();
      for (const std::string& s : systems_) w.String(s);
      w.EndArray();
    }
    if (!expires_.empty()) {
      auto when = ResolveTimeArg("--expires", expires_, ctx->zone(), ctx->NowMicros());
      if (!when.ok()) return when.status();
      w.Key("expires");
      w.String(*when);
    }
    w.EndObject();
    auto answer = SendBody(http, "POST", "/v1/tokens", {}, body);
    if (!answer.ok()) return answer.status();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(*answer).get(doc) || AnswerString(doc["token"]).empty()) {
      return UnexpectedAnswer(*answer);
    }
    if (ctx->format_given() && ctx->format() != OutputFormat::kTable) {
      ctx->out()->Write(simdjson::minify(doc) + "\n");
    } else {
      // The secret alone on stdout (for `$(spar token create ...)`); the rest on stderr.
      ctx->out()->Write(std::string(AnswerString(doc["token"])) + "\n");
      std::string what = "created token " + std::string(AnswerString(doc["name"])) + " (id " +
                         std::string(AnswerString(doc["id"])) + ", " +
                         std::string(AnswerString(doc["role"]));
      if (std::string s = Systems(doc); !s.empty()) what += ", systems " + s;
      if (std::string_view e = AnswerString(doc["expires"]); !e.empty())
        what += ", expires " + std::string(e);
      ctx->Note(what + "): it is shown only this once");
    }
    return ExitCode::kOk;
  }

  Result<ExitCode> List(Context* ctx, HttpClient* http) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array tokens;
    SPARD_RETURN_IF_ERROR(FetchTokens(http, &parser, &doc, &tokens));
    const OutputFormat format = ctx->format();
    if (format == OutputFormat::kJson) {
      ctx->out()->Write(simdjson::minify(doc) + "\n");
      return ExitCode::kOk;
    }
    LocalTimeFormatter times(ctx->zone());
    std::unique_ptr<Table> table;
    if (format == OutputFormat::kTable) {
      table = std::make_unique<Table>(std::vector<Table::Column>{{"id", 16, 16},
                                                                 {"name", 0, 12},
                                                                 {"role", 0, 12},
                                                                 {"systems", 0, 10},
                                                                 {"created", 19, 19},
                                                                 {"expires", 0, 19}},
                                      ctx->terminal().width, ctx->terminal().color, ctx->out());
    } else if (format == OutputFormat::kCsv) {
      ctx->out()->Write("id,name,role,systems,created,expires,expired\r\n");
    }
    size_t n = 0;
    for (simdjson::dom::element t : tokens) {
      ++n;
      bool expired = false;
      if (t["expired"].get_bool().get(expired)) expired = false;
      switch (format) {
        case OutputFormat::kNdjson:
          ctx->out()->Write(simdjson::minify(t) + "\n");
          break;
        case OutputFormat::kCsv: {
          std::string line;
          for (std::string_view cell :
               {AnswerString(t["id"]), AnswerString(t["name"]), AnswerString(t["role"])}) {
            AppendCsvField(&line, cell);
            line += ",";
          }
          AppendCsvField(&line, Systems(t));
          line += ",";
          AppendCsvField(&line, AnswerString(t["created"]));
          line += ",";
          AppendCsvField(&line, AnswerString(t["expires"]));
          line += expired ? ",true\r\n" : ",false\r\n";
          ctx->out()->Write(line);
          break;
        }
        case OutputFormat::kTable: {
          std::string expires = LocalTimeOf(AnswerString(t["expires"]), &times);
          if (expired) expires += " (expired)";
          table->AddRow({std::string(AnswerString(t["id"])), std::string(AnswerString(t["name"])),
                         std::string(AnswerString(t["role"])), Systems(t),
                         LocalTimeOf(AnswerString(t["created"]), &times), expires});
          break;
        }
        default:
          break;
      }
    }
    if (table) {
      table->Flush();
      ctx->out()->Write(CountNoun(n, "token", "tokens") + "\n");
    }
    return ExitCode::kOk;
  }

  Result<ExitCode> Revoke(Context* ctx, HttpClient* http) {
    // A name is looked up in the list; an id is used as given.
    std::string id = revoke_;
    std::string name;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array tokens;
    SPARD_RETURN_IF_ERROR(FetchTokens(http, &parser, &doc, &tokens));
    // An exact id first, then a name (names are unique; a name that looks like another
    // token's id must not shadow it).
    bool found = false;
    for (bool by_id : {true, false}) {
      for (simdjson::dom::element t : tokens) {
        if (AnswerString(t[by_id ? "id" : "name"]) == revoke_) {
          id = AnswerString(t["id"]);
          name = AnswerString(t["name"]);
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) {
      return Status::NotFound("no token has the id or name " + revoke_ +
                              " (spar token list shows them)");
    }
    auto revoked = SendBody(http, "DELETE", "/v1/tokens/" + id, {}, {});
    if (!revoked.ok()) return revoked.status();
    ctx->Note("revoked token " + name + " (id " + id + "): refused from now on");
    return ExitCode::kOk;
  }

  Action action_ = Action::kList;
  std::string role_, name_, expires_, revoke_;
  std::vector<std::string> systems_;
};

const bool kRegistered = RegisterCommand({
    .name = "token",
    .summary = "create, list and revoke tokens (admin token)",
    .description =
        "Manages who may use spard (docs/access_control.md). `create` prints the new token's "
        "secret on stdout, once: spard keeps only its hash. `list` shows every token, never a "
        "secret. `revoke` takes effect on the token's next request. Each of these is logged "
        "as an event of system spard. Needs an admin token.",
    .examples =
        {
            {"spar token create --role investigator --name anna.karlsson --systems "
             "procapita,treserva --expires 2027-06-30",
             "An investigator who may read two systems' events until midsummer."},
            {"SPAR_TOKEN=$(spar token create --role ingest --name procapita-fwd --systems "
             "procapita)",
             "A token for a forwarder that may only send procapita's events."},
            {"spar token list", "Every token: id, name, role, systems, created, expires."},
            {"spar token revoke anna.karlsson", "Revokes by name (or by id)."},
        },
    .order = 70,
    .make = [] { return std::unique_ptr<Command>(new TokenCommand); },
});

}  // namespace

}  // namespace spard::cli
