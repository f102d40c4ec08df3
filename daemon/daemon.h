// Daemon: spard's process — wiring the store, the receivers and the API together, and their
// lifecycle.
//
// Start-up: open the store (re-indexing what a crash left in memory), make sure the admin token
// exists, bind every configured listener, write <data_dir>/listen.json, and only then report
// ready (sd_notify READY=1).
//
// Shutdown (SIGTERM, SIGINT): stop accepting; cancel reads, each TCP connection submitting what
// it had read; let HTTP requests in progress finish; drain the queue into the store; close.
// Every byte read from a connection before the signal is stored.
//
// Thread-safety: Run() from the main thread; RequestStop() from anywhere.

#pragma once

#include <memory>

#include "common/status.h"
#include "config/config.h"

namespace spard {

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> Start(const Config& config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Serves until a stop signal, then shuts down in order. Returns the process exit code.
  int Run();

 private:
  struct Impl;
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spard
