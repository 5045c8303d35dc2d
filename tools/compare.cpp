#include "tools/compare.h"

#include <fmt/format.h>

namespace gilsim {

CLI::App* add_compare_command(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("compare", "(being written)");
  run = [] {
    fmt::print(stderr, "gilsim compare: not written yet\n");
    return 2;
  };
  return cmd;
}

}  // namespace gilsim
