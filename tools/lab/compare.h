// `gilsim compare`: see docs/ for what it does.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace gilsim {

// Adds the `compare` subcommand and its flags to `app`; `run` is set to what runs it once parsed.
CLI::App* add_compare_command(CLI::App& app, std::function<int()>& run);

}  // namespace gilsim
