#include "daemon/daemon.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <date/tz.h>
#include <re2/re2.h>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/json_writer.h"
#include "common/metrics.h"
#include "config/decoder_options.h"
#include "ingest/http_ingest.h"
#include "ingest/mapping_set.h"
#include "ingest/quarantine_reprocess.h"
#include "ingest/relp_listener.h"
#include "ingest/tcp_listener.h"
#include "ingest/tls_context.h"
#include "ingest/udp_listener.h"
#include "query/api.h"
#include "query/auth.h"
#include "query/extract_api.h"
#include "query/http_server.h"
#include "query/integrity_api.h"
#include "query/retention_api.h"
#include "query/token_api.h"
#include "store/integrity.h"
#include "store/store.h"

namespace spard {

namespace {

std::string EndpointText(const asio::ip::address& address, uint16_t port) {
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

// Written atomically (temp file + rename) so a reader never sees half of it.
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return Status::IOError("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), mode);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

struct Daemon::Impl {
  Config config;
  Metrics metrics;
  const Clock* clock = SystemClock::Default();
  // First, so it outlives every I/O object below (members are destroyed in reverse order, and
  // a timer or socket destroyed after its io_context is a use-after-free).
  asio::io_context io{1};
  std::unique_ptr<Store> store;
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<Integrity> integrity;
  std::unique_ptr<asio::steady_timer> sth_timer;
  std::unique_ptr<Purger> purger;
  std::unique_ptr<asio::steady_timer> purge_timer;
  std::unique_ptr<asio::thread_pool> pool;
  std::unique_ptr<TcpListener> tcp;
  std::unique_ptr<TlsServerContext> tls_context;
  std::unique_ptr<TcpListener> tls;
  std::unique_ptr<UdpListener> udp;
  std::unique_ptr<RelpListener> relp;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<HttpIngest> http_ingest;
  std::string listen_json_path;
  bool reprocessing = false;  // io thread only: one quarantine re-processing at a time

  std::unique_ptr<asio::signal_set> signals;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);

  // Shutdown coordination between the io thread and Run() (main thread).
  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;  // GUARDED_BY(mu)
  int stop_signal = 0;          // GUARDED_BY(mu)
  bool io_done = false;         // GUARDED_BY(mu)
  bool unclean_io = false;

  ~Impl();
  Status Open();
  void Shutdown();
  void StartSthTimer();
  void StartPurgeTimer();
  void SignTreeHead();
};

namespace {

// What the log extract shows, from [extract]; the zone of its HTML times is loaded here so that
// a missing zone database stops start-up instead of failing an extract later.
Result<std::shared_ptr<const ExtractSettings>> ExtractSettingsFrom(const ExtractConfig& c) {
  auto settings = std::make_shared<ExtractSettings>();
  settings->show_user = c.show_user;
  settings->unit_field = c.unit_field;
  settings->unit = c.unit;
  settings->issuer = c.issuer;
  for (const auto& [name, system] : c.systems) {
    settings->systems[name] = {system.show_user, system.unit_field, system.unit};
  }
  try {
    settings->zone = c.timezone.empty() ? date::current_zone() : date::locate_zone(c.timezone);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("extract.timezone: cannot load the zone \"" + c.timezone +
                                   "\": " + e.what());
  }
  spdlog::info("log extracts show times in {}; users shown by default: {}", settings->zone->name(),
               c.show_user ? "yes" : "no");
  return std::shared_ptr<const ExtractSettings>(std::move(settings));
}

}  // namespace

Status Daemon::Impl::Open() {
  const std::string& data_dir = config.storage.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::IOError("cannot create data directory " + data_dir + ": " + ec.message());
  // The log is personal data: the directory is readable by spard's user only.
  ::chmod(data_dir.c_str(), 0700);
  listen_json_path = data_dir + "/listen.json";

  StoreOptions so;
  so.data_dir = data_dir;
  so.block_cache_bytes = config.storage.block_cache_mb << 20;
  so.write_buffer_bytes = config.storage.write_buffer_mb << 20;
  so.writer.queue_max_bytes = config.ingest.queue_max_mb << 20;
  so.writer.max_batch_events = config.ingest.max_batch_events;
  so.segment_max_events = config.index.segment_max_events;
  auto opened = Store::Open(so, &metrics);
  if (!opened.ok()) return opened.status();
  store = std::move(opened).value();
  // The store is ours (RocksDB's lock): a listen.json left by a killed predecessor is stale,
  // and must not say "ready" before this process is.
  std::filesystem::remove(listen_json_path, ec);
  spdlog::info("store open at {} (last event id {})", data_dir, store->last_event_id());

  tokens = std::make_unique<TokenStore>(store.get());
  auto created = tokens->EnsureAdminToken(data_dir + "/admin.token");
  if (!created.ok()) return created.status();
  if (*created) spdlog::info("created the admin token in {}/admin.token (mode 0600)", data_dir);

  auto integ = Integrity::Open(store.get(), data_dir, config.integrity.witness);
  if (!integ.ok()) return integ.status();
  integrity = std::move(integ).value();

  RetentionPolicy policy;
  policy.default_days = static_cast<int64_t>(config.retention.days);
  for (const auto& [system, days] : config.retention.systems) {
    policy.system_days[system] = static_cast<int64_t>(days);
  }
  spdlog::info("retention: {}; daily purge {}", policy.Describe(),
               config.retention.purge_at.empty() ? "off" : "at " + config.retention.purge_at);
  purger = std::make_unique<Purger>(store.get(), integrity.get(), std::move(policy));

  auto extract = ExtractSettingsFrom(config.extract);
  if (!extract.ok()) return extract.status();

  pool = std::make_unique<asio::thread_pool>(config.http.query_threads);

  // One set of options for every decoder — listeners, POST /v1/ingest, quarantine
  // re-processing — so all of them map with the same [[mapping]] tables.
  auto decoder_options = DecoderOptionsFromConfig(config);
  if (!decoder_options.ok()) return decoder_options.status();
  const DecoderOptions decoder = std::move(decoder_options).value();
  if (decoder.mappings != nullptr) {
    for (size_t i = 0; i < decoder.mappings->size(); ++i) {
      const CompiledMapping& m = decoder.mappings->at(i);
      spdlog::info("mapping {}: match_app {}, match_system {}, match_message {}; {} rule(s)",
                   m.name, m.match_app.empty() ? "(any)" : m.match_app,
                   m.match_system.empty() ? "(any)" : m.match_system,
                   m.match_message == nullptr ? "(any)" : m.match_message->pattern(),
                   m.rules.size());
      // Names come from the configuration, not from events, so they may be label values.
      metrics.AddCallbackGauge(
          "spard_ingest_mapping_selected",
          "Messages each [[mapping]] was chosen for since start (decoded or re-processed)",
          [set = decoder.mappings, i] { return static_cast<double>(set->at(i).selected.load()); },
          {{"mapping", m.name}});
    }
  }
  {
    // Resolve the zone once here to say which one is used (every decoder resolves its own).
    Decoder probe(decoder);
    if (!probe.time_zone_status().ok()) {
      return Status::InvalidArgument("ingest.rfc3164_timezone: " +
                                     probe.time_zone_status().message());
    }
    spdlog::info("RFC 3164 and CEF times without an offset are read in {}", probe.time_zone());
  }
  TcpListenerOptions tcp_options;
  tcp_options.decoder = decoder;
  tcp_options.max_connections = config.ingest.max_connections;
  tcp_options.max_connections_per_ip = config.ingest.max_connections_per_ip;
  tcp_options.idle_timeout = std::chrono::seconds(config.ingest.idle_timeout_s);
  std::string listen_json;
  JsonWriter lj(&listen_json);
  lj.StartObject();
  std::string host;
  uint16_t port;

  if (!config.listen.syslog_tcp.empty()) {
    ParseHostPort(config.listen.syslog_tcp, &host, &port);
    TcpListenerOptions o = tcp_options;
    tcp = std::make_unique<TcpListener>(io, store->writer(), o, &metrics, clock);
    auto ep = tcp->Listen(host, port);
    if (!ep.ok()) return Status::IOError("listen.syslog_tcp: " + ep.status().message());
    lj.Key("syslog_tcp");
    lj.String(EndpointText(ep->address(), ep->port()));
    tcp->set_on_connection_end([this] {
      std::lock_guard lock(mu);
      cv.notify_all();
    });
  }
  if (!config.listen.syslog_tls.empty() && !config.tls.cert_file.empty()) {
    TlsOptions t;
    t.cert_file = config.tls.cert_file;
    t.key_file = config.tls.key_file.empty() ? config.tls.cert_file : config.tls.key_file;
    t.ca_file = config.tls.ca_file;
    t.verify_client = config.tls.verify_client;
    t.allowed_names = SplitNameList(config.tls.allowed_client_names);
    t.tls13_only = config.tls.min_version == "1.3";
    auto ctx = TlsServerContext::Create(t);
    if (!ctx.ok()) return ctx.status();
    tls_context = std::move(ctx).value();
    ParseHostPort(config.listen.syslog_tls, &host, &port);
    TcpListenerOptions o = tcp_options;
    o.listener = Listener::kTls;
    o.tls = tls_context.get();
    tls = std::make_unique<TcpListener>(io, store->writer(), o, &metrics, clock);
    auto ep = tls->Listen(host, port);
    if (!ep.ok()) return Status::IOError("listen.syslog_tls: " + ep.status().message());
    lj.Key("syslog_tls");
    lj.String(EndpointText(ep->address(), ep->port()));
    tls->set_on_connection_end([this] {
      std::lock_guard lock(mu);
      cv.notify_all();
    });
  } else if (!config.listen.syslog_tls.empty()) {
    spdlog::info("syslog over TLS is off: set tls.cert_file (and tls.key_file) to turn it on");
  }
  if (!config.listen.syslog_udp.empty()) {
    ParseHostPort(config.listen.syslog_udp, &host, &port);
    UdpListenerOptions o;
    o.decoder = decoder;
    o.receive_buffer_bytes = static_cast<int>(config.ingest.udp_receive_buffer_kb * 1024);
    udp = std::make_unique<UdpListener>(io, store->writer(), o, &metrics, clock);
    auto ep = udp->Listen(host, port);
    if (!ep.ok()) return Status::IOError("listen.syslog_udp: " + ep.status().message());
    lj.Key("syslog_udp");
    lj.String(EndpointText(ep->address(), ep->port()));
  }
  if (!config.listen.http.empty()) {
    ParseHostPort(config.listen.http, &host, &port);
    HttpServerOptions o;
    o.max_body_bytes = config.ingest.http_max_body_mb << 20;
    o.max_connections = config.http.max_connections;
    http = std::make_unique<HttpServer>(io, *pool, o, &metrics);
    http->set_on_connection_end([this] {
      std::lock_guard lock(mu);
      cv.notify_all();
    });
    ApiContext api{store.get(), tokens.get(), &metrics, clock, pool.get()};
    RegisterQueryApi(http.get(), api);
    RegisterIntegrityApi(http.get(), api, integrity.get());
    RegisterRetentionApi(http.get(), api, purger.get());
    RegisterTokenApi(http.get(), api);
    RegisterExtractApi(http.get(), api, *extract);
    http_ingest = std::make_unique<HttpIngest>(store->writer(), decoder, &metrics, clock);
    http->Route(boost::beast::http::verb::post, "/v1/ingest",
                [this, api](HttpRequest& r) -> asio::awaitable<HttpResponse> {
                  Principal p;
                  if (auto refusal = Authorize(api, r, {Role::kIngest, Role::kAdmin}, &p)) {
                    co_return *refusal;
                  }
                  HttpIngestResult result = co_await http_ingest->Handle(r.body, r.peer, p.systems);
                  co_return HttpResponse::Json(result.status, std::move(result.body));
                });
    // Re-processing needs the decoder, which lives in ingest/: registered here, not in query/.
    http->Route(boost::beast::http::verb::post, "/v1/quarantine/reprocess",
                [this, api, decoder](HttpRequest& r) -> asio::awaitable<HttpResponse> {
                  Principal p;
                  if (auto refusal = Authorize(api, r, {Role::kAdmin}, &p)) co_return *refusal;
                  ReprocessFilter filter;
                  for (const auto& [k, v] : r.params) {
                    char* end = nullptr;
                    unsigned long long n = strtoull(v.c_str(), &end, 10);
                    bool numeric = !v.empty() && end == v.c_str() + v.size();
                    if (k == "reason") {
                      filter.reason_prefix = v;
                    } else if (k == "after" && numeric) {
                      filter.after_id = n;
                    } else if (k == "limit" && numeric && n > 0) {
                      filter.limit = n;
                    } else {
                      co_return HttpResponse::Error(
                          400, k + (k == "after" || k == "limit" ? ": expected a number"
                                                                 : ": unknown parameter"));
                    }
                  }
                  if (reprocessing) {
                    co_return HttpResponse::Error(409, "a re-processing is already running");
                  }
                  reprocessing = true;
                  ReprocessResult result =
                      co_await ReprocessQuarantine(store.get(), decoder, filter);
                  reprocessing = false;
                  if (!result.status.ok())
                    co_return HttpResponse::Error(500, result.status.ToString());
                  spdlog::info("quarantine re-processed by {}: {} examined, {} moved to the store",
                               p.name, result.examined, result.reprocessed);
                  co_return HttpResponse::Json(
                      200, fmt::format("{{\"examined\":{},\"reprocessed\":{},\"remaining\":{},"
                                       "\"last_id\":{}}}",
                                       result.examined, result.reprocessed, result.remaining,
                                       result.last_id));
                });
    auto ep = http->Listen(host, port);
    if (!ep.ok()) return Status::IOError("listen.http: " + ep.status().message());
    lj.Key("http");
    lj.String(EndpointText(ep->address(), ep->port()));
  }
  if (!config.listen.relp.empty()) {
    ParseHostPort(config.listen.relp, &host, &port);
    RelpListenerOptions o;
    o.decoder = decoder;
    o.max_connections = config.ingest.max_connections;
    // omrelp resends at most its window (128 by default) after a reconnect.
    o.recent_raw_hashes = store->RecentRawHashes(4096);
    relp = std::make_unique<RelpListener>(io, store->writer(), o, &metrics, clock);
    auto ep = relp->Listen(host, port);
    if (!ep.ok()) return Status::IOError("listen.relp: " + ep.status().message());
    lj.Key("relp");
    lj.String(EndpointText(ep->address(), ep->port()));
    relp->set_on_connection_end([this] {
      std::lock_guard lock(mu);
      cv.notify_all();
    });
  }
  lj.EndObject();

  StartSthTimer();
  StartPurgeTimer();
  if (tcp) tcp->Start();
  if (tls) tls->Start();
  if (udp) udp->Start();
  if (relp) relp->Start();
  if (http) http->Start();
  SPARD_RETURN_IF_ERROR(WriteFileAtomically(listen_json_path, listen_json + "\n", 0644));
  spdlog::info("listening: {}", listen_json);
  return Status::Ok();
}

void Daemon::Impl::SignTreeHead() {
  auto sth = integrity->SignIfChanged(clock->NowMicros());
  if (!sth.ok()) {
    spdlog::error("integrity: cannot sign the tree head: {}", sth.status().ToString());
  } else if (sth->has_value()) {
    spdlog::debug("integrity: signed tree head at size {}", (*sth)->tree_size);
  }
}

// Every integrity.sth_interval_s: sign the tree head if the log grew (on the pool: it writes).
void Daemon::Impl::StartSthTimer() {
  sth_timer = std::make_unique<asio::steady_timer>(io);
  asio::co_spawn(
      io,
      [this]() -> asio::awaitable<void> {
        boost::system::error_code ec;
        while (true) {
          sth_timer->expires_after(std::chrono::seconds(config.integrity.sth_interval_s));
          co_await sth_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;  // cancelled: shutting down
          auto work = [this]() {
            SignTreeHead();
            return true;
          };
          co_await RunOn(pool->get_executor(), work);
        }
      },
      asio::detached);
}

// The next occurrence of local time hh:mm after now (the host's zone, DST included).
std::chrono::microseconds UntilNextLocal(int hh, int mm, int64_t now_us) {
  using namespace std::chrono;
  const date::time_zone* zone = date::current_zone();
  sys_time<microseconds> now{microseconds(now_us)};
  auto local_now = zone->to_local(now);
  auto today = date::floor<date::days>(local_now);
  for (int add = 0; add < 3; ++add) {
    auto local = today + date::days(add) + hours(hh) + minutes(mm);
    // A time skipped by a DST change runs at the first instant after the jump.
    auto at = zone->to_sys(local, date::choose::earliest);
    if (at > now) return duration_cast<microseconds>(at - now);
  }
  return hours(24);
}

// The daily gallring at retention.purge_at (local time).
void Daemon::Impl::StartPurgeTimer() {
  purge_timer = std::make_unique<asio::steady_timer>(io);
  const std::string& at = config.retention.purge_at;
  if (at.empty()) return;
  const int hh = std::stoi(at.substr(0, 2)), mm = std::stoi(at.substr(3, 2));
  asio::co_spawn(
      io,
      [this, hh, mm]() -> asio::awaitable<void> {
        boost::system::error_code ec;
        while (true) {
          purge_timer->expires_after(UntilNextLocal(hh, mm, clock->NowMicros()));
          co_await purge_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
          auto work = [this]() {
            auto report = purger->Run(clock->NowMicros(), false, "spard");
            if (!report.ok()) spdlog::error("gallring failed: {}", report.status().ToString());
            return true;
          };
          co_await RunOn(pool->get_executor(), work);
        }
      },
      asio::detached);
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Daemon::~Daemon() = default;

Result<std::unique_ptr<Daemon>> Daemon::Start(const Config& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  Status s = impl->Open();
  if (!s.ok()) return s;
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

void Daemon::Impl::Shutdown() {
  sd_notify(0, "STOPPING=1");
  spdlog::info("stopping (signal {}): no new connections; storing what was read", stop_signal);
  // Stop the receivers on their own thread.
  asio::post(io, [this] {
    if (tcp) tcp->Stop();
    if (tls) tls->Stop();
    if (udp) udp->Stop();
    if (relp) relp->Stop();
    if (http) http->Stop();
  });
  // Wait for every connection to submit what it read. Bounded: a peer stuck in the middle of
  // an HTTP request must not hold the shutdown forever (TCP syslog connections end as soon as
  // their reads are cancelled).
  {
    std::unique_lock lock(mu);
    bool idle = cv.wait_for(lock, std::chrono::seconds(30), [this] {
      return (!tcp || tcp->connections() == 0) && (!tls || tls->connections() == 0) &&
             (!relp || relp->connections() == 0) && (!http || http->connections() == 0);
    });
    if (!idle) spdlog::warn("some connections did not finish within 30 s; closing anyway");
  }
  // Everything read is queued: write it all.
  store->writer()->Close();
  // The last signed tree head covers every event stored.
  SignTreeHead();
  // Let the io thread finish what is left (coroutines waking up to a closed sink) and return.
  asio::post(io, [this] {
    boost::system::error_code ec;
    signals->cancel(ec);
    sth_timer->cancel();
    purge_timer->cancel();
  });
  work.reset();
  {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [this] { return io_done; })) {
      spdlog::warn("network thread still busy after 10 s; stopping it");
      io.stop();
      cv.wait(lock, [this] { return io_done; });
      unclean_io = true;
    }
  }
  pool->join();
  uint64_t last = store->last_event_id();
  store->Close();
  std::error_code ec;
  std::filesystem::remove(listen_json_path, ec);
  spdlog::info("stopped cleanly; last event id {}", last);
}

Daemon::Impl::~Impl() {
  if (unclean_io) {
    // Coroutine frames that never finished still reference the receivers; destroying either
    // first is undefined behaviour. The store is closed: let the process exit reclaim them.
    (void)tcp.release();
    (void)tls.release();
    (void)udp.release();
    (void)relp.release();
    (void)http.release();
    (void)http_ingest.release();
    (void)signals.release();
    (void)sth_timer.release();
    (void)purge_timer.release();
  }
}

int Daemon::Run() {
  Impl& d = *impl_;
  d.signals = std::make_unique<asio::signal_set>(d.io, SIGTERM, SIGINT, SIGHUP);
  // SIGHUP reloads what can be reloaded (TLS certificates); SIGTERM/SIGINT stop.
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&d, &on_signal](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          if (d.tls_context) {
            Status s = d.tls_context->Reload();
            if (s.ok()) {
              spdlog::info("SIGHUP: TLS certificate, key and CA reloaded");
            } else {
              spdlog::error("SIGHUP: TLS reload failed, keeping the old certificates: {}",
                            s.message());
            }
          } else {
            spdlog::info("SIGHUP: nothing to reload");
          }
          d.signals->async_wait(on_signal);
          return;
        }
        std::lock_guard lock(d.mu);
        d.stop_requested = true;
        d.stop_signal = signo;
        d.cv.notify_all();
      };
  d.signals->async_wait(on_signal);
  std::thread io_thread([&d] {
    d.io.run();
    std::lock_guard lock(d.mu);
    d.io_done = true;
    d.cv.notify_all();
  });
  sd_notify(0, "READY=1");
  {
    std::unique_lock lock(d.mu);
    d.cv.wait(lock, [&d] { return d.stop_requested; });
  }
  d.Shutdown();
  io_thread.join();
  return 0;
}

}  // namespace spard
