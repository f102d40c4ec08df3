#include "cli/app.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "cli/man_page.h"

namespace spard::cli {

namespace {

constexpr std::string_view kDescription =
    "the command-line client of spard: who accessed what, and when";

// Shown by `spar --help` and as the man page's last sections.
const std::vector<ManSection>& Sections() {
  static const std::vector<ManSection> sections = {
      {"OUTPUT",
       "On a terminal: a table, times in local time, cut to the terminal's width, and a\n"
       "total line. Otherwise ndjson: one JSON object per event and line, as spard\n"
       "writes it. --format table|json|csv|ndjson chooses; csv and ndjson stream\n"
       "straight from spard page after page, json is one document\n"
       "{\"events\":[...],\"more\":BOOL}. `count` prints a bare number unless --format\n"
       "json, ndjson or csv is given. `extract` writes spard's json document when not on\n"
       "a terminal, and --format html is the printable extract for the person.\n"
       "\n"
       "Dates and times without an offset (--from 2026-10-01, --to 2026-10-01T17:00) are\n"
       "local time ($TZ, else the system's zone); a time that a DST change skips means\n"
       "the moment the clocks jumped, one it repeats its first occurrence."},
      {"EXIT STATUS",
       "0  success\n"
       "1  no match: events or count found no event (an extract with no access is\n"
       "   still an answer: 0)\n"
       "2  usage: a bad option or value, or a parameter spard refused (HTTP 400)\n"
       "3  failure: cannot connect, the token was refused (401, 403), spard failed\n"
       "   (5xx), the connection broke, or the output could not be written; for\n"
       "   import: an input not stored (unreadable, conflicting, interrupted), or the\n"
       "   data directory in use by a running spard"},
      {"ENVIRONMENT",
       "SPAR_URL    spard's API when --url is not given\n"
       "SPAR_TOKEN  the token when --token is not given\n"
       "TZ          the zone for local dates and times (default: the system's)\n"
       "NO_COLOR    when set and not empty: no colors"},
      {"FILES",
       "./var/spard/admin.token  the token when neither --token nor SPAR_TOKEN is\n"
       "                         given (DIR/admin.token with --data-dir DIR)\n"
       "./var/spard/             where import stores (DIR with --data-dir DIR)"},
  };
  return sections;
}

std::string RootFooter() {
  std::string s;
  for (const ManSection& section : Sections()) {
    s += "\n" + std::string(section.title) + ":\n";
    std::string_view text = section.text;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      s += line.empty() ? "\n" : "  " + std::string(line) + "\n";
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
  }
  return s;
}

std::string CommandFooter(const CommandInfo& info) {
  std::string s;
  if (!info.examples.empty()) {
    s += "\nExamples:\n";
    for (const Example& e : info.examples) {
      s += "  " + std::string(e.command) + "\n      " + std::string(e.explanation) + "\n";
    }
  }
  s += "\nGlobal options (--url, --token, --data-dir, --format, --no-color, --verbose) may\n"
       "stand before or after the command; see spar --help.\n";
  return s;
}

// Words of text in lines of at most `width` columns (a longer word gets a line of its own).
std::string Wrap(std::string_view text, size_t width) {
  std::string out;
  size_t line = 0;
  while (!text.empty()) {
    size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    if (line > 0 && line + 1 + word.size() > width) {
      out += '\n';
      line = 0;
    } else if (line > 0) {
      out += ' ';
      ++line;
    }
    out += word;
    line += word.size();
  }
  return out;
}

// CLI11's help, made to read like the rest of spar: commands listed with their one-line
// summary (their own help shows the full description), texts wrapped for an 80-column
// terminal, an option's value shown by name only (its description says the rest).
class HelpFormatter final : public CLI::Formatter {
 public:
  static constexpr size_t kWidth = 80;

  void AddSummary(std::string name, std::string summary) {
    summaries_[std::move(name)] = std::move(summary);
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    auto it = summaries_.find(sub->get_name());
    std::string text = it != summaries_.end() ? it->second : sub->get_description();
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_name(), Wrap(text, kWidth - get_column_width()),
                             get_column_width());
    return out.str();
  }
  std::string make_description(const CLI::App* app) const override {
    std::string d = app->get_description();
    return d.empty() ? d : Wrap(d, kWidth) + "\n";
  }
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_type_size() == 0) return "";
    std::string type = opt->get_type_name();
    return " " + type.substr(0, type.find(':'));
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    return Wrap(opt->get_description(), kWidth - get_column_width());
  }

 private:
  std::map<std::string, std::string> summaries_;
};

void Print(FILE* f, std::string_view s) {
  std::fwrite(s.data(), 1, s.size(), f);
  std::fflush(f);
}

}  // namespace

SparApp::SparApp() : app_(std::make_unique<CLI::App>(std::string(kDescription), "spar")) {
  CLI::App& app = *app_;
  auto formatter = std::make_shared<HelpFormatter>();
  formatter->column_width(26);
  formatter->label("SUBCOMMAND", "COMMAND");
  formatter->label("Subcommands", "Commands");
  for (const CommandInfo* info : RegisteredCommands()) {
    formatter->AddSummary(std::string(info->name), std::string(info->summary));
  }
  app.formatter(formatter);
  app.require_subcommand(0, 1);
  app.fallthrough();
  const char* global = "Global options";
  app.set_help_flag("-h,--help", "print this help (spar COMMAND --help: the command's)")
      ->group(global);
  app.set_version_flag("--version", std::string(kSparVersion), "print spar's version")
      ->group(global);
  app.add_option("--url", globals_.url,
                 "spard's API (default: $SPAR_URL, else http://127.0.0.1:8514)")
      ->type_name("URL")
      ->group(global);
  app.add_option("--token", globals_.token,
                 "bearer token (default: $SPAR_TOKEN, else the token file); other users can "
                 "see it in ps, so prefer SPAR_TOKEN")
      ->type_name("TOKEN")
      ->group(global);
  app.add_option("--data-dir", globals_.data_dir,
                 "spard's data directory: where the token is read from (DIR/admin.token) and "
                 "where import writes (default: ./var/spard)")
      ->type_name("DIR")
      ->group(global);
  app.add_option("--format", globals_.format,
                 "table, json, csv or ndjson (default: table on a terminal, ndjson otherwise); "
                 "html for extract")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "csv", "ndjson", "html"}))
      ->group(global);
  app.add_flag("--no-color", globals_.no_color, "no colors in tables")->group(global);
  app.add_flag("-v,--verbose", globals_.verbose,
               "print every HTTP request with its status, time and size on stderr")
      ->group(global);
  // Hidden (no group): the man page generator and the page size for tests.
  app.add_flag("--generate-man", generate_man_, "print spar(1) in roff")->group("");
  app.add_option("--page-size", globals_.page_size, "events per request (1..10000)")
      ->check(CLI::Range(1, 10000))
      ->group("");
  app.footer(RootFooter());

  for (const CommandInfo* info : RegisteredCommands()) {
    CLI::App* sub = app.add_subcommand(std::string(info->name), std::string(info->summary));
    sub->group("Commands");
    if (!info->description.empty()) sub->description(std::string(info->description));
    sub->footer(CommandFooter(*info));
    std::unique_ptr<Command> command = info->make();
    command->Configure(sub);
    commands_.push_back(Entry{info, sub, std::move(command)});
  }
}

std::string SparApp::ManPage() const {
  std::vector<const CommandInfo*> infos;
  for (const Entry& e : commands_) infos.push_back(e.info);
  return RenderManPage(*app_, infos, kSparVersion, Sections());
}

int SparApp::Run(int argc, const char* const* argv, const Environment& env) {
  try {
    app_->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const std::string name = e.get_name();
    if (name == "CallForHelp" || name == "CallForAllHelp" || name == "CallForVersion") {
      std::ostringstream out, err;
      int code = app_->exit(e, out, err);
      env.out->Write(out.str());
      (void)env.out->Flush();
      return code;
    }
    std::vector<CLI::App*> parsed = app_->get_subcommands();
    std::string help = parsed.empty() ? "spar --help" : "spar " + parsed[0]->get_name() + " --help";
    Print(env.err, "spar: " + std::string(e.what()) + "\nRun '" + help + "' for usage.\n");
    return static_cast<int>(ExitCode::kUsage);
  }
  if (generate_man_) {
    env.out->Write(ManPage());
    return env.out->Flush().ok() ? 0 : static_cast<int>(ExitCode::kFailure);
  }
  Entry* chosen = nullptr;
  for (Entry& e : commands_) {
    if (e.app->parsed()) chosen = &e;
  }
  if (chosen == nullptr) {
    std::string names;
    for (const Entry& e : commands_) names += (names.empty() ? "" : ", ") + e.app->get_name();
    Print(env.err, "spar: which command? " + names + " (spar --help says more)\n");
    return static_cast<int>(ExitCode::kUsage);
  }
  if (!globals_.format.empty()) {
    std::vector<std::string_view> formats = chosen->command->Formats();
    if (std::find(formats.begin(), formats.end(), globals_.format) == formats.end()) {
      std::string offered;
      for (size_t i = 0; i < formats.size(); ++i) {
        if (i > 0) offered += i + 1 == formats.size() ? " or " : ", ";
        offered += formats[i];
      }
      Print(env.err, "spar: --format " + globals_.format + ": " + chosen->app->get_name() +
                         " writes " + offered + "\nRun 'spar " + chosen->app->get_name() +
                         " --help' for usage.\n");
      return static_cast<int>(ExitCode::kUsage);
    }
  }
  Context ctx(globals_, env);
  Result<ExitCode> result = chosen->command->Run(&ctx);
  Status flushed = env.out->Flush();
  if (!result.ok()) {
    ctx.Note(result.status().message());
    return static_cast<int>(ExitCodeFor(result.status()));
  }
  if (!flushed.ok()) {
    ctx.Note(flushed.message());
    return static_cast<int>(ExitCode::kFailure);
  }
  return static_cast<int>(*result);
}

}  // namespace spard::cli
