// Opcodes: the enum and per-opcode facts, all generated from opcodes.def.
#pragma once

#include <cstdint>
#include <string_view>

namespace gilsim {

enum class Op : std::uint8_t {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) name,
#include "vm/opcodes.def"
#undef OPCODE
};

inline constexpr int kOpCount = 0
#define OPCODE(name, width, effect, ticks, cost_ps, comment) +1
#include "vm/opcodes.def"
#undef OPCODE
    ;

namespace detail {
inline constexpr std::uint8_t kOperandWidth[] = {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) width,
#include "vm/opcodes.def"
#undef OPCODE
};
inline constexpr bool kTicks[] = {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) ticks != 0,
#include "vm/opcodes.def"
#undef OPCODE
};
inline constexpr std::int32_t kCostPs[] = {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) cost_ps,
#include "vm/opcodes.def"
#undef OPCODE
};
}  // namespace detail

std::string_view op_name(Op op);
std::string_view op_comment(Op op);
int op_stack_effect(Op op, int arg);  // net change when falling through
bool op_is_jump(Op op);               // operand is an absolute code offset

// Inline: the eval loop asks these for every instruction.
inline int op_operand_width(Op op) {
  return detail::kOperandWidth[static_cast<int>(op)];
}  // 0, 2 or 4
inline bool op_ticks(Op op) { return detail::kTicks[static_cast<int>(op)]; }  // a legacy tick
// The modelled time of one instruction in picoseconds (opcodes.def's cost_ps column): data the
// sim engine (gil/engines/sim_cost.h) scales into its table; the VM itself never reads it.
inline std::int32_t op_cost_ps(Op op) { return detail::kCostPs[static_cast<int>(op)]; }

}  // namespace gilsim
