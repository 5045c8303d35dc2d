// `gilsim bench`: figures measured side by side in one run, never asserted by a test.
#pragma once

#include <string>

namespace gilsim {

struct BenchOptions {
  int repeat = 5;            // timed rounds per figure; the median is reported
  std::string python = "python3";
  std::string lua = "lua5.4";  // run too when installed, for the project's Lua 5.4 goal
  double scale = 1.0;        // multiplies the iteration counts (smaller for a quick look)
};

int run_bench(const BenchOptions& options);

}  // namespace gilsim
