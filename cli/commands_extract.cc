// spar extract: the log extract (logguttag) of one person — every access to records about them,
// oldest first — from GET /v1/subjects/{subject}/extract (docs/extract.md).
//
// A table on a terminal; json otherwise (the server's document, streamed through); csv, ndjson
// and html on request. -o FILE writes the answer to a file that appears only once the whole
// answer is in it (a temporary file renamed at the end), mode 0600 since it holds personal data.

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/context.h"
#include "cli/event_output.h"
#include "cli/filter_options.h"
#include "cli/interrupt.h"
#include "cli/row_scanner.h"
#include "cli/table.h"
#include "cli/time_args.h"
#include "common/time_format.h"

namespace spard::cli {

namespace {

// A path segment: RFC 3986 unreserved bytes as they are, every other byte percent-encoded.
std::string EncodePathSegment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The format -o FILE implies by its name, when --format is not given.
std::optional<std::string> FormatOfFileName(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    if (path.size() < suffix.size()) return false;
    std::string_view tail = path.substr(path.size() - suffix.size());
    for (size_t i = 0; i < tail.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) return false;
    }
    return true;
  };
  if (ends(".html") || ends(".htm")) return "html";
  if (ends(".csv")) return "csv";
  if (ends(".ndjson") || ends(".jsonl")) return "ndjson";
  if (ends(".json")) return "json";
  return std::nullopt;
}

// -o FILE: written to FILE.XXXXXX (mode 0600) and renamed to FILE by Commit(); removed if the
// command fails, so a FILE that exists is always a whole extract.
class FileTarget {
 public:
  ~FileTarget() {
    output_.reset();
    if (fd_ >= 0) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
  }

  Status Open(const std::string& path) {
    path_ = path;
    std::string pattern = path + ".XXXXXX";
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0)
      return Status::IOError("-o " + path + ": cannot create it: " + std::strerror(errno));
    temp_ = pattern;
    output_ = std::make_unique<FdOutput>(fd_);
    return Status::Ok();
  }

  Output* output() { return output_.get(); }

  Status Commit() {
    Status s = output_->Flush();
    if (!s.ok()) return Status::IOError("-o " + path_ + ": " + s.message());
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return Status::IOError("-o " + path_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      return Status::IOError(
          "-o " + path_ + ": cannot rename the finished file into place: " + std::strerror(errno));
    }
    temp_.clear();
    return Status::Ok();
  }

 private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  std::unique_ptr<FdOutput> output_;
};

// The table of a terminal: one row per access, from the ndjson answer.
class AccessTable {
 public:
  AccessTable(Output* out, size_t width, bool color, const date::time_zone* zone)
      : out_(out),
        times_(zone),
        table_({{"ts", 19, 19},
                {"system", 0, 10},
                {"unit", 0, 16},
                {"action", 0, 8},
                {"outcome", 0, 7},
                {"user", 0, 12}},
               width, color, out, [](size_t column, std::string_view cell) -> std::string_view {
                 if (column == 4 && !cell.empty() && cell != "success") return "\x1b[31m";
                 return {};
               }) {}

  Status Row(std::string_view line) {
    padded_.assign(line);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object access;
    if (parser_.iterate(padded_.data(), line.size(), padded_.size()).get(doc) ||
        doc.get_object().get(access)) {
      return Status::Corruption("unexpected row from spard: " + std::string(line.substr(0, 80)));
    }
    static constexpr std::string_view kKeys[] = {"ts",     "system",  "unit",
                                                 "action", "outcome", "user"};
    std::vector<std::string> cells(std::size(kKeys));
    for (auto field : access) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      for (size_t i = 0; i < std::size(kKeys); ++i) {
        if (key != kKeys[i]) continue;
        std::string_view value;
        if (!field.value().get_string().get(value)) cells[i] = std::string(value);
        break;
      }
    }
    int64_t ts_us = 0;
    if (ParseRfc3339(cells[0], &ts_us)) cells[0] = times_.Format(ts_us);
    table_.AddRow(std::move(cells));
    ++rows_;
    return Status::Ok();
  }

  Status Finish() {
    if (rows_ > 0) table_.Flush();
    out_->Write(CountNoun(rows_, "access", "accesses") + "\n");
    return out_->Flush();
  }

 private:
  Output* out_;
  LocalTimeFormatter times_;
  Table table_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
  uint64_t rows_ = 0;
};

class ExtractCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    app->add_option("SUBJECT", subject_,
                    "the person: a personnummer or samordningsnummer in any written form "
                    "(19650412-1234, 196504121234, 650412-1234, 6504121234, 650412+1234); the "
                    "extract covers every form")
        ->required()
        ->type_name("");
    window_.Add(app, /*fields=*/false);
    app->add_option("-o,--output", output_,
                    "write the extract to FILE (mode 0600), complete or not at all; without "
                    "--format the name chooses it (.html, .csv, .ndjson, else json)")
        ->type_name("FILE");
    app->add_option("--lang", lang_, "language of the html extract: sv (default) or en")
        ->type_name("LANG")
        ->check(CLI::IsMember({"sv", "en"}));
  }

  std::vector<std::string_view> Formats() const override {
    return {"table", "json", "csv", "ndjson", "html"};
  }

  Result<ExitCode> Run(Context* ctx) override {
    if (subject_.empty()) return Status::InvalidArgument("SUBJECT: must not be empty");
    auto params = window_.ToParams(ctx->zone(), ctx->NowMicros());
    if (!params.ok()) return params.status();
    const bool to_file = !output_.empty() && output_ != "-";
    std::string format = ctx->options().format;
    if (format.empty()) {
      if (to_file) {
        format = FormatOfFileName(output_).value_or("json");
      } else {
        format = ctx->terminal().is_tty ? "table" : "json";
      }
    }
    params->emplace_back("format", format == "table" ? "ndjson" : format);
    if (!lang_.empty()) params->emplace_back("lang", lang_);
    auto http = ctx->Http();
    if (!http.ok()) return http.status();

    FileTarget file;
    Output* out = ctx->out();
    if (to_file) {
      // Ctrl-C ends the request (not the process), so the temporary file is removed.
      InstallInterruptHandler();
      SPARD_RETURN_IF_ERROR(file.Open(output_));
      out = file.output();
    }
    const std::string path = "/v1/subjects/" + EncodePathSegment(subject_) + "/extract";
    if (format == "table") {
      const bool terminal = !to_file && ctx->terminal().is_tty;
      AccessTable table(out, terminal ? ctx->terminal().width : 0,
                        terminal && ctx->terminal().color, ctx->zone());
      RowScanner rows(WireFormat::kNdjson);
      RowFn on_row = [&table](std::string_view row) { return table.Row(row); };
      BodyFn on_body = [&rows, &on_row](std::string_view piece) {
        return rows.Feed(piece, on_row);
      };
      SPARD_RETURN_IF_ERROR((*http)->Get(path, *params, on_body));
      SPARD_RETURN_IF_ERROR(rows.Finish());
      SPARD_RETURN_IF_ERROR(table.Finish());
    } else {
      // The server's bytes as they arrive, through the output's buffer.
      BodyFn on_body = [out](std::string_view piece) {
        out->Write(piece);
        return Status::Ok();
      };
      SPARD_RETURN_IF_ERROR((*http)->Get(path, *params, on_body));
      SPARD_RETURN_IF_ERROR(out->Flush());
    }
    if (to_file) SPARD_RETURN_IF_ERROR(file.Commit());
    // An extract with no access is still the answer to the person's request: exit 0.
    return ExitCode::kOk;
  }

 private:
  std::string subject_;
  FilterOptions window_;
  std::string output_;
  std::string lang_;
};

const bool kRegistered = RegisterCommand({
    .name = "extract",
    .summary = "the log extract (logguttag) of one person: every access to their records",
    .description =
        "Prints every access to records about one person, oldest first: when, in which system, "
        "by which unit, what was done, and who where spard's configuration shows users for that "
        "system (extract.show_user). The subject may be written in any form of a personnummer or "
        "samordningsnummer; the extract covers all of them. --from/--to/--since limit the "
        "period (default: everything stored). A table on a terminal, json otherwise; --format "
        "html gives the printable document for the person (Swedish, or English with --lang en), "
        "csv one for a spreadsheet. Needs an investigator or admin token; a token limited to "
        "some systems gets only theirs. Exit status 0 also when there is no access: an empty "
        "extract is an answer too.",
    .examples =
        {
            {"spar extract 19650412-1234",
             "Every access to this person's records, as a table on a terminal."},
            {"spar extract 650412-1234 --from 2026-01-01 --to 2027-01-01 --format html -o "
             "logguttag.html",
             "The printable extract of one year for the person, in Swedish."},
            {"spar extract 196504121234 --since 90d --lang en -o extract.html",
             "The last 90 days in English; the file name chooses html."},
            {"spar extract 19650412-1234 --format csv > accesses.csv",
             "The same rows for a spreadsheet."},
        },
    .order = 30,
    .make = [] { return std::unique_ptr<Command>(new ExtractCommand); },
});

}  // namespace

}  // namespace spard::cli
