#include "tools/demo.h"

#include <fmt/format.h>

namespace gilsim {

CLI::App* add_demo_command(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("demo", "(being written)");
  run = [] {
    fmt::print(stderr, "gilsim demo: not written yet\n");
    return 2;
  };
  return cmd;
}

}  // namespace gilsim
