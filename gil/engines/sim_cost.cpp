#include "gil/engines/sim_cost.h"

#include <cmath>

namespace gilsim {

// Each opcode's cost is stated once, in vm/opcodes.def's cost_ps column (with how it was
// calibrated), so a new opcode cannot be left out of the model.
std::int32_t default_cost_ps(Op op) { return op_cost_ps(op); }

std::array<std::int32_t, 256> cost_table(double scale) {
  std::array<std::int32_t, 256> table{};
  for (int i = 0; i < kOpCount; ++i)
    table[static_cast<size_t>(i)] =
        static_cast<std::int32_t>(std::lround(default_cost_ps(static_cast<Op>(i)) * scale));
  return table;
}

}  // namespace gilsim
