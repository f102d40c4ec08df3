// Follow: `spar events --follow` — prints matching events as they arrive, like `tail -f`, until
// Ctrl-C.
//
// spard answers in ts order, but events arrive late (a forwarder's queue, a clock behind), so
// "everything after the last (ts, id) printed" would miss an event whose ts is earlier than one
// already shown. Each poll therefore asks, ascending and paged like any question, for the events
// from a window start a little behind the newest ts seen:
//
//   window = max(start, min(newest ts printed, now) - lag)
//
// and prints those whose (ts, id) it has not printed. Printed positions are forgotten once they
// fall behind the window, so memory stays at the events of one --lag. Capping at now keeps one
// source with a clock in the future from hiding the others. An event that arrives more than --lag
// behind both is not shown (a plain query for the period finds it).
//
// Losing the connection does not end it: spar says so once, keeps polling, and says when spard
// answers again. Other errors (a refused token, a bad filter) end it.
//
// Thread-safety: one thread.

#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "cli/event_output.h"
#include "cli/event_pager.h"
#include "common/clock.h"

namespace spard::cli {

struct FollowOptions {
  int64_t start_us = 0;  // first ts of interest (--from, --since, else --lag before the start)
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds lag{10000};
  // Checked before each poll; Interrupted() when empty (tests stop after a number of polls).
  std::function<bool()> stop;
};

// query: the filters without from/to, wire format and page size; order and limit are ignored.
// Runs until Interrupted() (or options.stop()) and returns OK then; *rows counts the events
// printed.
Status Follow(HttpClient* http, const EventQuery& query, const FollowOptions& options,
              const Clock& clock, EventOutput* out,
              const std::function<void(std::string_view)>& note, uint64_t* rows);

}  // namespace spard::cli
