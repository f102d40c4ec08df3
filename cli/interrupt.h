// Ctrl-C for commands that run until stopped (`events --follow`).
//
// After InstallInterruptHandler(), SIGINT and SIGTERM set a flag instead of killing the process,
// interrupt a blocking socket read (the handler is installed without SA_RESTART, so the read
// fails with EINTR and the command can finish its output cleanly) and wake SleepFor(). A second
// Ctrl-C kills the process as usual (SA_RESETHAND), in case something does not stop.
//
// Thread-safety: Interrupted() and SleepFor() from any thread; install once, from main's thread.

#pragma once

#include <chrono>

namespace spard::cli {

void InstallInterruptHandler();

// True once SIGINT or SIGTERM arrived after InstallInterruptHandler().
bool Interrupted();

// Sleeps for `d`; returns early (false) when interrupted, true after the full time.
bool SleepFor(std::chrono::milliseconds d);

}  // namespace spard::cli
