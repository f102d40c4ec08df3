// spar verify: is the log complete and unaltered? (store/verify.h has what is checked.)
//
// Offline with --data-dir (a stopped store, read-only: nothing is written), or asking the running
// spard (POST /v1/integrity/verify, admin token). Exit 0 only when everything holds; 1 when a
// problem was found (each one printed, the first bad event id or signed tree head named); 3 when
// the verification itself could not run.

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "cli/answer.h"
#include "cli/command.h"
#include "cli/context.h"
#include "store/db.h"
#include "store/integrity.h"
#include "store/verify.h"

namespace spard::cli {

namespace {

Result<PublicKey> ParsePublicKey(std::string_view b64) {
  PublicKey key{};
  size_t len = 0;
  if (sodium_base642bin(key.data(), key.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != key.size()) {
    return Status::InvalidArgument(
        "--public-key: expected the base64 Ed25519 key of `spar verify --print-public-key`");
  }
  return key;
}

// RocksDB holds <db>/LOCK with an fcntl lock while spard runs. Read-only opens do not take it,
// so ask for it ourselves: a running spard's store is verified through --url instead.
Status RefuseIfRunning(const std::string& data_dir) {
  const std::string lock = data_dir + "/db/LOCK";
  // Read-only is enough for F_GETLK, and works on a copy the user cannot write to.
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no spard store in " + data_dir);
    return Status::IOError("cannot open " + lock + ": " + std::strerror(errno));
  }
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  ::close(fd);
  if (held) {
    return Status::Unavailable("spard is running on " + data_dir + " (pid " +
                               std::to_string(fl.l_pid) +
                               "); verify it through the server: spar verify --url URL");
  }
  return Status::Ok();
}

// "verifying  45%  1234567/2740000 events  250000 events/s" on stderr, at most 10 times a
// second, when stderr is a terminal.
class Progress {
 public:
  explicit Progress(bool on) : on_(on), start_(std::chrono::steady_clock::now()) {}
  void Update(uint64_t done, uint64_t all) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double s = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r\x1b[Kverifying %3.0f%%  %llu/%llu events  %.0f events/s",
                 all ? 100.0 * static_cast<double>(done) / static_cast<double>(all) : 0.0,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(all),
                 s > 0 ? static_cast<double>(done) / s : 0.0);
    std::fflush(stderr);
  }
  void Done() {
    if (on_) std::fputs("\r\x1b[K", stderr);
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point start_, last_{};
};

class VerifyCommand final : public Command {
 public:
  void Configure(CLI::App* app) override {
    app->add_flag("--print-public-key", print_key_,
                  "print the log's Ed25519 public key (base64) and exit; keep it somewhere "
                  "else and pass it to --public-key");
    app->add_option("--public-key", public_key_,
                    "check signed tree heads against this key (base64), not the one the store "
                    "names: detects a store rewritten and re-signed with a new key")
        ->type_name("KEY");
    app->add_flag("--no-indexes", no_indexes_,
                  "skip the index check (events, tree and signatures only)");
  }

  Result<ExitCode> Run(Context* ctx) override {
    const bool offline = !ctx->options().data_dir.empty() && ctx->options().url.empty();
    std::optional<PublicKey> pinned;
    if (!public_key_.empty()) {
      auto k = ParsePublicKey(public_key_);
      if (!k.ok()) return k.status();
      pinned = *k;
    }
    return offline ? RunOffline(ctx, pinned) : RunOnline(ctx, pinned);
  }

 private:
  Result<ExitCode> RunOffline(Context* ctx, const std::optional<PublicKey>& pinned) {
    const std::string& dir = ctx->options().data_dir;
    SPARD_RETURN_IF_ERROR(RefuseIfRunning(dir));
    DatabaseOptions o;
    o.path = dir + "/db";
    o.read_only = true;
    o.create_if_missing = false;
    o.block_cache_bytes = 64ull << 20;
    auto db = Database::Open(o);
    if (!db.ok()) return db.status();
    if (print_key_) {
      std::string k;
      if (!(*db)
               ->db()
               ->Get(rocksdb::ReadOptions(), (*db)->meta(), "integrity_public_key", &k)
               .ok() ||
          k.size() != 32) {
        return Status::NotFound("the store in " + dir + " has no signing key yet");
      }
      ctx->out()->Write(Base64(k) + "\n");
      return ExitCode::kOk;
    }
    Progress progress(isatty(STDERR_FILENO) == 1);
    VerifyOptions vo;
    vo.check_indexes = !no_indexes_;
    vo.public_key = pinned;
    vo.progress = [&](uint64_t done, uint64_t all) { progress.Update(done, all); };
    auto start = std::chrono::steady_clock::now();
    auto report = VerifyStore(**db, vo);
    progress.Done();
    if (!report.ok()) return report.status();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return Print(ctx, VerifyReportJson(*report, seconds), *report, seconds);
  }

  Result<ExitCode> RunOnline(Context* ctx, const std::optional<PublicKey>& pinned) {
    auto http = ctx->Http();
    if (!http.ok()) return http.status();
    simdjson::dom::parser parser;
    if (print_key_ || pinned) {
      auto body = GetBody(*http, "/v1/integrity/public-key", {});
      if (!body.ok()) return body.status();
      simdjson::dom::element doc;
      std::string_view key;
      if (parser.parse(*body).get(doc) || doc["public_key"].get_string().get(key)) {
        return UnexpectedAnswer(*body);
      }
      if (print_key_) {
        ctx->out()->Write(std::string(key) + "\n");
        return ExitCode::kOk;
      }
      if (key !=
          Base64(std::string_view(reinterpret_cast<const char*>(pinned->data()), pinned->size()))) {
        ctx->out()->Write(
            "FAILED: spard signs with another key than --public-key: its signed tree heads "
            "cannot be trusted\n");
        return ExitCode::kNoMatch;
      }
    }
    if (no_indexes_) ctx->Note("--no-indexes applies to --data-dir only; spard checks them");
    auto body = SendBody(*http, "POST", "/v1/integrity/verify", {}, {});
    if (!body.ok()) return body.status();
    simdjson::dom::element doc;
    if (parser.parse(*body).get(doc)) {
      return UnexpectedAnswer(*body);
    }
    VerifyReport report;
    double seconds = 0;
    simdjson::dom::array problems;
    bool fields_ok = !doc["events"].get_uint64().get(report.events) &&
                     !doc["purged"].get_uint64().get(report.purged) &&
                     !doc["tree_size"].get_uint64().get(report.tree_size) &&
                     !doc["sths_checked"].get_uint64().get(report.sths_checked) &&
                     !doc["index_entries"].get_uint64().get(report.index_entries) &&
                     !doc["bytes_hashed"].get_uint64().get(report.bytes_hashed) &&
                     !doc["seconds"].get_double().get(seconds) &&
                     !doc["problems"].get_array().get(problems);
    if (!fields_ok) return UnexpectedAnswer(*body);
    for (simdjson::dom::element p : problems) {
      std::string_view s;
      if (!p.get_string().get(s)) report.problems.emplace_back(s);
    }
    return Print(ctx, std::string(*body), report, seconds);
  }

  static Result<ExitCode> Print(Context* ctx, const std::string& json, const VerifyReport& r,
                                double seconds) {
    if (ctx->format_given() && ctx->format() != OutputFormat::kTable) {
      ctx->out()->Write(json + "\n");
    } else {
      for (const std::string& p : r.problems) ctx->out()->Write("FAILED: " + p + "\n");
      char line[512];
      std::snprintf(line, sizeof line,
                    "%s: %llu events (%llu purged, leaf hashes kept), tree size %llu, %llu "
                    "signed tree heads, %llu index entries; %.1f MB hashed in %.1f s\n",
                    r.ok() ? "verified" : "NOT verified", static_cast<unsigned long long>(r.events),
                    static_cast<unsigned long long>(r.purged),
                    static_cast<unsigned long long>(r.tree_size),
                    static_cast<unsigned long long>(r.sths_checked),
                    static_cast<unsigned long long>(r.index_entries),
                    static_cast<double>(r.bytes_hashed) / 1e6, seconds);
      ctx->out()->Write(line);
    }
    return r.ok() ? ExitCode::kOk : ExitCode::kNoMatch;
  }

  bool print_key_ = false;
  bool no_indexes_ = false;
  std::string public_key_;
};

const bool kRegistered = RegisterCommand({
    .name = "verify",
    .summary = "check that the log is complete and unaltered",
    .description =
        "Recomputes every leaf of the hash tree from the stored events, the root of every "
        "signed tree head, checks the heads' Ed25519 signatures and that the indexes hold "
        "exactly what the events call for. With --data-dir it reads a stopped store directly "
        "(read-only); otherwise it asks the running spard (admin token). Exit status 0 when "
        "everything holds, 1 when a problem was found (each printed, naming the first bad "
        "event id or signed tree head), 3 when it could not verify.",
    .examples =
        {
            {"spar verify", "Asks the running spard to verify its store."},
            {"spar verify --data-dir /var/lib/spard",
             "Verifies a stopped store (a backup, say) without a server."},
            {"spar verify --print-public-key > spard-key.pub",
             "Saves the signing key, to keep away from the machine."},
            {"spar verify --data-dir /backup/spard --public-key \"$(cat spard-key.pub)\"",
             "Also catches a store rewritten and re-signed with a new key."},
        },
    .order = 50,
    .make = [] { return std::unique_ptr<Command>(new VerifyCommand); },
});

}  // namespace

}  // namespace spard::cli
