// `gilsim crosscheck`: each workload under each policy on both engines, the headline figures side
// by side with their ratio (docs/engines.md says what agreement to expect).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace gilsim {

// Adds the `crosscheck` subcommand and its flags to `app`; `run` is set to what runs it.
CLI::App* add_crosscheck_command(CLI::App& app, std::function<int()>& run);

}  // namespace gilsim
