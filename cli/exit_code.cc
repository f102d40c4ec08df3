#include "cli/exit_code.h"

namespace spard::cli {

ExitCode ExitCodeFor(const Status& s) {
  assert(!s.ok());
  return s.IsInvalidArgument() ? ExitCode::kUsage : ExitCode::kFailure;
}

}  // namespace spard::cli
