// Running another program (python3 with tools/gilsim_shim.py) as gilsim compare needs it: argv
// as given (no shell, so no quoting trouble), stdout captured, stderr passed through.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gilsim {

// The full path of `program`: itself when it contains a '/' and is executable, else the first
// executable match on $PATH. nullopt when there is none.
std::optional<std::string> find_program(const std::string& program);

struct ExternalRun {
  int exit_code = 0;    // the program's status; 128 + N when killed by signal N; 127: no start
  double host_s = 0.0;  // wall-clock time from start to exit, start-up included
  std::string output;   // what it wrote on stdout
};

ExternalRun run_program(const std::vector<std::string>& argv);

}  // namespace gilsim
