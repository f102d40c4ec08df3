#include "cli/command.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>

namespace spard::cli {

namespace {

// A deque: registered infos never move, so pointers to them stay valid.
std::deque<CommandInfo>& Registry() {
  static std::deque<CommandInfo> registry;
  return registry;
}

}  // namespace

bool RegisterCommand(CommandInfo info) {
  for (const CommandInfo& c : Registry()) {
    if (c.name == info.name) {
      std::fprintf(stderr, "spar: command %.*s registered twice\n",
                   static_cast<int>(info.name.size()), info.name.data());
      std::abort();
    }
  }
  Registry().push_back(std::move(info));
  return true;
}

std::vector<const CommandInfo*> RegisteredCommands() {
  std::vector<const CommandInfo*> out;
  for (const CommandInfo& c : Registry()) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const CommandInfo* a, const CommandInfo* b) {
    return a->order != b->order ? a->order < b->order : a->name < b->name;
  });
  return out;
}

}  // namespace spard::cli
