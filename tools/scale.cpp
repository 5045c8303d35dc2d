#include "tools/scale.h"

#include <fmt/format.h>

namespace gilsim {

CLI::App* add_scale_command(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("scale", "(being written)");
  run = [] {
    fmt::print(stderr, "gilsim scale: not written yet\n");
    return 2;
  };
  return cmd;
}

}  // namespace gilsim
