// spar import: archived logs into a data directory, offline (SPEC §5). The engine is
// ingest/file_importer.h; this file owns the command line, the progress bar and the summary.
//
// The store is opened in bulk-load mode (store/store.h): no WAL, atomic flushes, everything
// written out before the command reports success. That is safe here, and only here, because
// nothing is acknowledged to anyone before the end, and each input's progress record travels in
// the same atomic write as the events it counts: a crash keeps a prefix that a re-run completes.

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "cli/command.h"
#include "cli/context.h"
#include "cli/event_output.h"
#include "cli/interrupt.h"
#include "cli/progress_bar.h"
#include "common/json_writer.h"
#include "config/config.h"
#include "config/decoder_options.h"
#include "ingest/file_importer.h"
#include "store/store.h"

namespace spard::cli {

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double PerSecond(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

std::string Rate(uint64_t n, double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  return std::string(buf) + " (" + GroupDigits(static_cast<uint64_t>(PerSecond(n, seconds))) +
         " events/s)";
}

// The store logs through spdlog; in spar that goes to stderr, warnings and worse only.
void QuietStoreLogging() {
  auto logger = spdlog::get("spar");
  if (!logger) {
    logger = spdlog::stderr_logger_mt("spar");
    logger->set_pattern("spar: %l: %v");
  }
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

struct InputLine {
  std::string input;
  ImportResult result;
  double seconds = 0;
};

class ImportCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    app->add_option("FILE", files_,
                    "files to import: plain, .gz or .zst (recognised by content), - for stdin")
        ->required()
        ->type_name("FILE");
    app->add_option("--system", system_,
                    "the system of events whose message names none (see the description)")
        ->type_name("S");
    app->add_option("--config", config_path_,
                    "spard's configuration file: its storage.data_dir (unless --data-dir is "
                    "given), ingest.rfc3164_timezone, ingest.max_message_bytes and the [[mapping]] "
                    "tables apply")
        ->type_name("FILE");
    app->add_flag("--dry-run", dry_run_,
                  "read and decode only: count what would be stored and quarantined, store "
                  "nothing (needs no data directory)");
    app->add_flag("--force", force_,
                  "import inputs again from their start even if an earlier import stored them "
                  "(their events are then stored twice)");
    // Hidden: messages per batch (tests use small batches to get many progress records), and
    // the store written as spard writes it, synced WAL per batch (the benchmark's comparison).
    app->add_option("--batch", batch_, "messages per batch")
        ->check(CLI::Range(1, 1 << 20))
        ->group("");
    app->add_flag("--synced", synced_, "write through the synced WAL, as spard does")->group("");
  }

  Result<ExitCode> Run(Context* ctx) override {
    const auto started = Clock::now();
    if (system_ == "spard") {
      return Status::InvalidArgument(
          "--system: \"spard\" is reserved for spard's own audit trail; name the system the "
          "logs come from");
    }
    if (std::count(files_.begin(), files_.end(), "-") > 1) {
      return Status::InvalidArgument("FILE: - (standard input) can be read only once");
    }
    Config config;
    if (!config_path_.empty()) {
      auto loaded = Config::Load(config_path_);
      if (!loaded.ok()) return Status::InvalidArgument(loaded.status().message());
      config = std::move(loaded).value();
    }
    std::string data_dir = ctx->options().data_dir;
    if (data_dir.empty()) {
      data_dir = config_path_.empty() ? std::string(kDefaultDataDir) : config.storage.data_dir;
    }

    ImportOptions options;
    // The same time zone, limits and [[mapping]] tables as spard's listeners.
    auto decoder_options = DecoderOptionsFromConfig(config);
    if (!decoder_options.ok()) return Status::InvalidArgument(decoder_options.status().message());
    options.decoder = std::move(decoder_options).value();
    options.default_system = system_;
    options.force = force_;
    options.batch_messages = batch_;
    options.stdin_fd = ctx->env().in_fd;
    options.clock = &ctx->clock();
    options.stop = [] { return Interrupted(); };
    {
      Decoder probe(options.decoder);
      if (!probe.time_zone_status().ok()) {
        return Status::InvalidArgument("ingest.rfc3164_timezone: " +
                                       probe.time_zone_status().message());
      }
    }

    std::unique_ptr<Store> store;
    Metrics metrics;
    if (!dry_run_) {
      auto opened = OpenStore(data_dir, config, &metrics);
      if (!opened.ok()) return opened.status();
      store = std::move(opened).value();
    }

    InstallInterruptHandler();
    FileImporter importer(store.get(), options);
    std::unique_ptr<ProgressBar> bar;
    if (ctx->env().err_terminal.is_tty) {
      bar = std::make_unique<ProgressBar>(ctx->env().err, ctx->env().err_terminal.width);
    }
    std::vector<InputLine> lines;
    size_t failed = 0;
    bool interrupted = false;
    BeginOutput(ctx);
    for (const std::string& file : files_) {
      ImportLive live;
      if (bar) {
        std::optional<uint64_t> size;
        struct stat st = {};
        if (file != "-" && ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
          size = static_cast<uint64_t>(st.st_size);
        }
        bar->Start(&live, file == "-" ? "(stdin)" : file, size);
      }
      const auto t = Clock::now();
      InputLine line{file, importer.Import(file, &live), 0};
      line.seconds = Seconds(t);
      if (bar) bar->Stop();
      const ImportOutcome o = line.result.outcome;
      if (o == ImportOutcome::kFailed || o == ImportOutcome::kConflict) {
        ++failed;
        ctx->Note(line.result.status.message());
      }
      WriteLine(ctx, line);
      SPARD_RETURN_IF_ERROR(ctx->out()->Flush());
      lines.push_back(std::move(line));
      if (o == ImportOutcome::kInterrupted) {
        interrupted = true;
        break;
      }
    }
    // Nothing counts as imported until it is on disk: the index's last segment, then every
    // memtable (the writes skipped the WAL).
    Status persisted = store ? store->Persist() : Status::Ok();
    if (store) store->Close();
    if (!persisted.ok()) {
      return Status::IOError("the import could not be written out: " + persisted.message() +
                             "; run the same command again");
    }
    WriteSummary(ctx, lines, Seconds(started));
    SPARD_RETURN_IF_ERROR(ctx->out()->Flush());
    if (interrupted) {
      ctx->Note("interrupted; what was read is stored: run the same command again to continue");
      return ExitCode::kFailure;
    }
    if (failed > 0) {
      ctx->Note(std::to_string(failed) + " of " + std::to_string(files_.size()) +
                (files_.size() == 1 ? " input was" : " inputs were") + " not imported");
      return ExitCode::kFailure;
    }
    return ExitCode::kOk;
  }

 private:
  Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir, const Config& config,
                                           Metrics* metrics) {
    // Like spard: the data directory holds personal data and is readable by its owner only.
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
      return Status::IOError("cannot create data directory " + data_dir + ": " + ec.message());
    }
    ::chmod(data_dir.c_str(), 0700);
    QuietStoreLogging();
    StoreOptions so;
    so.data_dir = data_dir;
    so.block_cache_bytes = config.storage.block_cache_mb << 20;
    so.write_buffer_bytes = config.storage.write_buffer_mb << 20;
    so.writer.queue_max_bytes = config.ingest.queue_max_mb << 20;
    so.writer.max_batch_events = std::max<uint64_t>(config.ingest.max_batch_events, batch_);
    so.segment_max_events = config.index.segment_max_events;
    so.bulk_load = !synced_;
    auto opened = Store::Open(so, metrics);
    if (!opened.ok() && opened.status().code() == Status::Code::kUnavailable) {
      return Status::Unavailable("cannot import into " + data_dir +
                                 ": another process has it open (a running spard?); stop "
                                 "spard first, spar import works offline");
    }
    return opened;
  }

  void BeginOutput(Context* ctx) {
    if (ctx->format() == OutputFormat::kCsv) {
      ctx->out()->Write(
          "input,outcome,compression,bytes,resumed_at,events,quarantined,seconds\r\n");
    } else if (ctx->format() == OutputFormat::kJson) {
      ctx->out()->Write("{\"inputs\":[");
    }
  }

  void WriteLine(Context* ctx, const InputLine& line) {
    const ImportResult& r = line.result;
    switch (ctx->format()) {
      case OutputFormat::kTable: {
        std::string text = line.input + (dry_run_ ? ": (dry run) " : ": ");
        switch (r.outcome) {
          case ImportOutcome::kAlreadyImported:
            text += "already imported (" + GroupDigits(r.total_events) + " events, " +
                    GroupDigits(r.total_quarantined) + " quarantined); nothing added";
            break;
          case ImportOutcome::kConflict:
          case ImportOutcome::kFailed:
            text += std::string(ImportOutcomeName(r.outcome)) + "; " + GroupDigits(r.events) +
                    " events, " + GroupDigits(r.quarantined) + " quarantined stored before that";
            break;
          default:
            if (r.outcome == ImportOutcome::kInterrupted) text += "interrupted; ";
            if (r.resumed_at > 0) text += "resumed after " + FormatBytes(r.resumed_at) + "; ";
            text += GroupDigits(r.events) + " events, " + GroupDigits(r.quarantined) +
                    " quarantined in " + Rate(r.events + r.quarantined, line.seconds);
        }
        ctx->out()->Write(text + "\n");
        break;
      }
      case OutputFormat::kCsv: {
        std::string row;
        AppendCsvField(&row, line.input);
        row += ",";
        AppendCsvField(&row, ImportOutcomeName(r.outcome));
        char tail[160];
        std::snprintf(tail, sizeof tail, ",%s,%llu,%llu,%llu,%llu,%.3f\r\n",
                      std::string(CompressionName(r.compression)).c_str(),
                      static_cast<unsigned long long>(r.content_bytes),
                      static_cast<unsigned long long>(r.resumed_at),
                      static_cast<unsigned long long>(r.events),
                      static_cast<unsigned long long>(r.quarantined), line.seconds);
        ctx->out()->Write(row + tail);
        break;
      }
      case OutputFormat::kJson:
      case OutputFormat::kNdjson: {
        std::string json;
        JsonWriter w(&json);
        w.StartObject();
        w.Key("input");
        w.String(line.input);
        w.Key("outcome");
        w.String(ImportOutcomeName(r.outcome));
        if (!r.status.ok()) {
          w.Key("error");
          w.String(r.status.message());
        }
        w.Key("compression");
        w.String(CompressionName(r.compression));
        w.Key("bytes");
        w.Uint(r.content_bytes);
        w.Key("resumed_at");
        w.Uint(r.resumed_at);
        w.Key("events");
        w.Uint(r.events);
        w.Key("quarantined");
        w.Uint(r.quarantined);
        w.Key("total_events");
        w.Uint(r.total_events);
        w.Key("total_quarantined");
        w.Uint(r.total_quarantined);
        w.Key("seconds");
        w.Double(line.seconds);
        if (dry_run_) {
          w.Key("dry_run");
          w.Bool(true);
        }
        w.EndObject();
        if (ctx->format() == OutputFormat::kJson) {
          ctx->out()->Write((first_json_ ? "\n" : ",\n") + json);
          first_json_ = false;
        } else {
          ctx->out()->Write(json + "\n");
        }
        break;
      }
    }
  }

  void WriteSummary(Context* ctx, const std::vector<InputLine>& lines, double seconds) {
    uint64_t events = 0, quarantined = 0;
    for (const InputLine& l : lines) {
      events += l.result.events;
      quarantined += l.result.quarantined;
    }
    switch (ctx->format()) {
      case OutputFormat::kTable:
        ctx->out()->Write(std::string(dry_run_ ? "read (dry run) " : "imported ") +
                          CountText(lines.size()) + ": " + GroupDigits(events) + " events, " +
                          GroupDigits(quarantined) + " quarantined in " +
                          Rate(events + quarantined, seconds) + "\n");
        break;
      case OutputFormat::kCsv: {
        char row[160];
        std::snprintf(row, sizeof row, "(total),total,,,,%llu,%llu,%.3f\r\n",
                      static_cast<unsigned long long>(events),
                      static_cast<unsigned long long>(quarantined), seconds);
        ctx->out()->Write(row);
        break;
      }
      case OutputFormat::kJson:
      case OutputFormat::kNdjson: {
        std::string json;
        JsonWriter w(&json);
        w.StartObject();
        if (ctx->format() == OutputFormat::kNdjson) {
          w.Key("inputs");
          w.Uint(lines.size());
        }
        w.Key("events");
        w.Uint(events);
        w.Key("quarantined");
        w.Uint(quarantined);
        w.Key("seconds");
        w.Double(seconds);
        w.Key("events_per_s");
        w.Double(PerSecond(events + quarantined, seconds));
        w.EndObject();
        if (ctx->format() == OutputFormat::kNdjson) {
          ctx->out()->Write(json + "\n");
        } else {
          ctx->out()->Write("\n]," + json.substr(1) + "\n");  // the summary closes the document
        }
        break;
      }
    }
  }

  static std::string CountText(size_t n) {
    return n == 1 ? "1 input" : std::to_string(n) + " inputs";
  }

  std::vector<std::string> files_;
  std::string system_;
  std::string config_path_;
  bool force_ = false;
  bool dry_run_ = false;
  bool synced_ = false;
  size_t batch_ = 16384;
  bool first_json_ = true;
};

const bool kRegistered = RegisterCommand({
    .name = "import",
    .summary = "load archived logs into a data directory, offline",
    .description =
        "Reads each FILE (plain, gzip or zstd, recognised by its first bytes; - is standard "
        "input), frames it like spard's TCP listener (a line per message, or RFC 6587 octet "
        "counting), and stores every message exactly as spard would have: format detected per "
        "message, the same mapping, the same index, the same hash tree; a message that cannot "
        "be parsed or lacks user, object or ts goes to quarantine. Works on the data "
        "directory (--data-dir, default ./var/spard) while spard is stopped, and refuses when "
        "a running spard has it open. --system S is the system of events whose message names "
        "none (JSON without system or service.name, RFC 5424 with APP-NAME -, RFC 3164 without "
        "a TAG, CEF with an empty Device Product); a message that names one keeps it. An input "
        "is known by its content (the SHA-256 of its first 64 KiB, decompressed), and what is "
        "stored of it is recorded with every batch: importing it again adds nothing "
        "(\"already imported\"), an interrupted or crashed import continues where it stopped, "
        "and a file that grew since adds only what is new. A progress bar on a terminal; a "
        "line per input and a summary at the end (a table on a terminal, else ndjson). Ctrl-C "
        "stops after the current batch. Exit status 0 when every input is stored, 3 when one "
        "could not be (or was interrupted).",
    .examples =
        {
            {"spar import /var/log/archive/procapita-2026-*.log.gz",
             "Load a year of archived logs into ./var/spard (spard stopped)."},
            {"zcat old.gz | spar import --system treserva -",
             "From a pipe; events without a system are treserva's."},
            {"spar import --config /etc/spard/spard.toml export.zst",
             "Into spard's configured data directory, with its time zone for RFC 3164."},
        },
    .order = 70,
    .make = [] { return std::unique_ptr<Command>(new ImportCommand); },
});

}  // namespace

}  // namespace spard::cli
