#include "vm/opcode.h"

namespace gilsim {

namespace {
struct OpInfo {
  std::string_view name;
  std::string_view comment;
};

constexpr OpInfo kInfo[] = {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) {#name, comment},
#include "vm/opcodes.def"
#undef OPCODE
};
static_assert(sizeof(kInfo) / sizeof(kInfo[0]) == kOpCount);
}  // namespace

std::string_view op_name(Op op) { return kInfo[static_cast<int>(op)].name; }
std::string_view op_comment(Op op) { return kInfo[static_cast<int>(op)].comment; }

int op_stack_effect(Op op, int arg) {
  (void)arg;  // only some effects read it
  switch (op) {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) \
  case Op::name:                                    \
    return effect;
#include "vm/opcodes.def"
#undef OPCODE
  }
  return 0;
}

bool op_is_jump(Op op) {
  switch (op) {
    case Op::JUMP_FORWARD:
    case Op::JUMP_BACKWARD:
    case Op::POP_JUMP_IF_FALSE:
    case Op::POP_JUMP_IF_TRUE:
    case Op::JUMP_IF_NOT_LT:
    case Op::POP_JUMP_BACKWARD_IF_TRUE:
    case Op::JUMP_BACKWARD_IF_LT:
    case Op::SETUP_EXCEPT:  // lang-func: the handler's offset
    case Op::SETUP_WITH:    // lang2: the handler's offset
    case Op::FOR_ITER:
    case Op::SEND:                        // lang12: where yield from goes on
    case Op::JUMP_BACKWARD_NO_INTERRUPT:  // lang12: yield from's loop
      return true;
    default:
      return false;
  }
}

}  // namespace gilsim
