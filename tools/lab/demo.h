// `gilsim demo`: see docs/ for what it does.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace gilsim {

// Adds the `demo` subcommand and its flags to `app`; `run` is set to what runs it once parsed.
CLI::App* add_demo_command(CLI::App& app, std::function<int()>& run);

}  // namespace gilsim
