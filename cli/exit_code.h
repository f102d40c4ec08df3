// ExitCode: what spar's exit status means, and how a Status maps onto it.
//
//   0  ok
//   1  no match: `events` or `count` found nothing (like grep)
//   2  usage: a bad option or value, or a parameter the server refused (HTTP 400)
//   3  failure: cannot connect, the token was refused (401/403), a server error (5xx), the
//      connection broke mid-answer, or the output could not be written
//
// Thread-safety: pure functions.

#pragma once

#include "common/status.h"

namespace spard::cli {

enum class ExitCode : int {
  kOk = 0,
  kNoMatch = 1,
  kUsage = 2,
  kFailure = 3,
};

// kUsage for InvalidArgument (the caller's input is wrong), kFailure for any other error.
// Must not be called with an OK Status.
ExitCode ExitCodeFor(const Status& s);

}  // namespace spard::cli
