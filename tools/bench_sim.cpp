// `gilsim bench` section sim (issue 6): being written.
#include <fmt/format.h>

#include "tools/bench.h"

namespace gilsim {

int run_sim_bench(const BenchOptions&) {
  fmt::print("sim: not written yet\n");
  return 0;
}

}  // namespace gilsim
