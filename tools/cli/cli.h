// The `gilsim` command line: subcommands and their flags (names fixed by DESIGN.md).
#pragma once

namespace gilsim {

// Parses the arguments and runs the subcommand. Returns the process exit status:
// 0 success, 1 runtime error in the script, 2 usage or syntax error, 124 on --timeout.
int run_cli(int argc, char** argv);

}  // namespace gilsim
