#include "cli/event_output.h"

#include <simdjson.h>

#include <array>

#include "cli/table.h"
#include "cli/time_args.h"

namespace spard::cli {

namespace {

class NdjsonOutput final : public EventOutput {
 public:
  explicit NdjsonOutput(Output* out) : out_(out) {}
  Status Header(std::string_view) override { return Status::Ok(); }
  Status Row(const EventRow& row) override {
    out_->Write(row.text);
    out_->Write("\n");
    return Status::Ok();
  }
  Status PageEnd() override { return out_->Flush(); }
  Status Finish(uint64_t, bool) override { return out_->Flush(); }

 private:
  Output* out_;
};

class CsvOutput final : public EventOutput {
 public:
  explicit CsvOutput(Output* out) : out_(out) {}
  Status Header(std::string_view record) override {
    if (!header_done_) out_->Write(record);
    header_done_ = true;
    return Status::Ok();
  }
  Status Row(const EventRow& row) override {
    out_->Write(row.text);
    return Status::Ok();
  }
  Status PageEnd() override { return out_->Flush(); }
  Status Finish(uint64_t, bool) override { return out_->Flush(); }

 private:
  Output* out_;
  bool header_done_ = false;
};

class JsonOutput final : public EventOutput {
 public:
  explicit JsonOutput(Output* out) : out_(out) {}
  Status Header(std::string_view) override { return Status::Ok(); }
  Status Row(const EventRow& row) override {
    out_->Write(first_ ? "{\"events\":[\n" : ",\n");
    out_->Write(row.text);
    first_ = false;
    return Status::Ok();
  }
  Status PageEnd() override { return out_->Flush(); }
  Status Finish(uint64_t, bool more) override {
    out_->Write(first_ ? "{\"events\":[]," : "\n],");
    out_->Write(more ? "\"more\":true}\n" : "\"more\":false}\n");
    return out_->Flush();
  }

 private:
  Output* out_;
  bool first_ = true;
};

// The table's columns after ts, in the order of the event's JSON keys we look for.
constexpr std::array<std::string_view, 6> kTableFields = {"system", "user",    "action",
                                                          "object", "subject", "outcome"};

std::vector<Table::Column> EventColumns() {
  return {{"ts", 19, 19},    {"system", 0, 10},  {"user", 0, 12},  {"action", 0, 8},
          {"object", 0, 20}, {"subject", 0, 13}, {"outcome", 0, 7}};
}

class TableOutput final : public EventOutput {
 public:
  TableOutput(Output* out, const TableOptions& options)
      : out_(out),
        follow_(options.follow),
        times_(options.zone),
        table_(EventColumns(), options.width, options.color, out,
               [](size_t column, std::string_view cell) -> std::string_view {
                 if (column == 6 && !cell.empty() && cell != "success") return "\x1b[31m";
                 return {};
               }) {}

  Status Header(std::string_view) override { return Status::Ok(); }

  Status Row(const EventRow& row) override {
    std::vector<std::string> cells(1 + kTableFields.size());
    cells[0] = times_.Format(row.ts_us);
    padded_.assign(row.text);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object event;
    if (parser_.iterate(padded_.data(), row.text.size(), padded_.size()).get(doc) ||
        doc.get_object().get(event)) {
      return Status::Corruption("unexpected row from spard: " +
                                std::string(row.text.substr(0, 80)));
    }
    for (auto field : event) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      for (size_t i = 0; i < kTableFields.size(); ++i) {
        if (key != kTableFields[i]) continue;
        std::string_view value;
        if (!field.value().get_string().get(value)) cells[i + 1] = std::string(value);
        break;
      }
    }
    table_.AddRow(std::move(cells));
    return Status::Ok();
  }

  Status PageEnd() override {
    if (table_.rows() > 0 || follow_) table_.Flush();
    return out_->Flush();
  }

  Status Finish(uint64_t rows, bool more) override {
    if (rows > 0) table_.Flush();
    std::string total = CountNoun(rows, "event", "events");
    if (more) total += " (more match: raise --limit, or --all for every one)";
    out_->Write(total + "\n");
    return out_->Flush();
  }

 private:
  Output* out_;
  bool follow_;
  LocalTimeFormatter times_;
  Table table_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
};

}  // namespace

std::unique_ptr<EventOutput> NewEventOutput(OutputFormat format, Output* out,
                                            const TableOptions& table) {
  switch (format) {
    case OutputFormat::kNdjson:
      return std::make_unique<NdjsonOutput>(out);
    case OutputFormat::kCsv:
      return std::make_unique<CsvOutput>(out);
    case OutputFormat::kJson:
      return std::make_unique<JsonOutput>(out);
    case OutputFormat::kTable:
      break;
  }
  return std::make_unique<TableOutput>(out, table);
}

WireFormat WireFormatFor(OutputFormat format) {
  return format == OutputFormat::kCsv ? WireFormat::kCsv : WireFormat::kNdjson;
}

std::string CountNoun(uint64_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

void AppendCsvField(std::string* out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace spard::cli
