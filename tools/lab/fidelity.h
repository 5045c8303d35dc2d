// `gilsim fidelity`: every policy whose real runtime is on this machine, held against it. The
// measuring and the table are tools/lab/fidelity.py's (standard-library Python, as it starts real
// interpreters and compiles OCaml); this command finds it and runs it with this binary's path.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace gilsim {

// Adds the subcommand; `run` is set to what runs it once the command line is parsed.
CLI::App* add_fidelity_command(CLI::App& app, std::function<int()>& run);

}  // namespace gilsim
