// The sim engine's cost table: the virtual time each opcode takes, in picoseconds.
#pragma once

#include <array>
#include <cstdint>

#include "vm/opcode.h"

namespace gilsim {

// The default cost of one instruction, calibrated against CPython 3.11 (docs/engines.md).
std::int32_t default_cost_ps(Op op);

// The whole table, indexed by opcode, each cost multiplied by `scale`.
std::array<std::int32_t, 256> cost_table(double scale);

}  // namespace gilsim
