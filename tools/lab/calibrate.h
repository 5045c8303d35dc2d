// `gilsim calibrate`: measures this machine and writes a machine profile
// (tools/cli/machine_profile.h) that `--profile F` hands to the sim engine (docs/fidelity.md
// "Machine profiles").
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace gilsim {

// Adds the subcommand; `run` is set to what runs it once the command line is parsed.
CLI::App* add_calibrate_command(CLI::App& app, std::function<int()>& run);

}  // namespace gilsim
