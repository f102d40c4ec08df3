// spar: the command-line client of spard (SPEC §5). Everything lives in spar_cli; this file
// only connects it to the process (stdout, the environment, the clock).
#include <unistd.h>

#include <cstdio>
#include <exception>

#include "cli/app.h"
#include "cli/output.h"

int main(int argc, char** argv) {
  spard::cli::FdOutput out(STDOUT_FILENO);
  try {
    spard::cli::SparApp app;
    return app.Run(argc, argv, spard::cli::Environment::Process(&out));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spar: internal error: %s\n", e.what());
    return static_cast<int>(spard::cli::ExitCode::kFailure);
  }
}
