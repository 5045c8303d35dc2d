#include "gil/sim_cost.h"

#include <cmath>

namespace gilsim {

namespace {

// Costs in picoseconds, from CPython 3.11 on the project machine
// (docs/reference/cpython-3.11-measurements.md, table B): a specialised simple instruction
// (LOAD_FAST, STORE_FAST, a jump) takes about 2 ns, an int operation or comparison about 3.5 ns.
// A gilsim superinstruction costs what the CPython instructions it stands for cost together.
// `%` and `//` are not specialised in 3.11 (BINARY_OP's generic path into long_mod / long_div): the
// arith loop, whose other instructions are simple, puts one at about 24 ns.
// Checked by `gilsim bench --only sim`: the count loop models 19.0 ns per iteration (CPython:
// 18.8-19.6), the arith loop 61 ns (CPython: 61.1), the range loop 13 ns (CPython: 13.1).
constexpr std::int32_t kSimple = 2'000;
constexpr std::int32_t kIntOp = 3'500;

}  // namespace

std::int32_t default_cost_ps(Op op) {
  switch (op) {
    case Op::NOP:
    case Op::RESUME:
      return 1'000;
    case Op::POP_TOP:
    case Op::DUP_TOP:
    case Op::DUP_TOP_TWO:
    case Op::ROT_TWO:
    case Op::ROT_THREE:
    case Op::LOAD_CONST:
    case Op::LOAD_FAST:
    case Op::STORE_FAST:
    case Op::JUMP_FORWARD:
    case Op::POP_JUMP_IF_FALSE:
    case Op::POP_JUMP_IF_TRUE:
    case Op::POP_JUMP_BACKWARD_IF_TRUE:
      return kSimple;
    case Op::POP_N:
      return kSimple * 2;
    case Op::JUMP_BACKWARD:  // with the eval breaker check
      return 3'000;
    case Op::LOAD_FAST_LOAD_FAST:
    case Op::LOAD_FAST_LOAD_CONST:
      return 2 * kSimple;
    case Op::LOAD_GLOBAL:  // LOAD_GLOBAL_MODULE / _BUILTIN
      return 3'000;
    case Op::STORE_GLOBAL:  // a dict store
      return 6'000;
    case Op::LOAD_ATTR:
    case Op::LOAD_METHOD:
      return 6'000;
    case Op::CALL_METHOD:  // a builtin method: list.append, lock.acquire, ...
      return 25'000;
    case Op::CALL:  // a Python function (frame set-up) or a builtin
      return 30'000;
    case Op::RETURN_VALUE:
      return 8'000;
    case Op::MAKE_FUNCTION:
      return 30'000;
    case Op::BUILD_LIST:
      return 20'000;
    case Op::BINARY_SUBSCR:  // BINARY_SUBSCR_LIST_INT
      return 4'000;
    case Op::STORE_SUBSCR:
      return 5'000;
    case Op::UNARY_NEGATIVE:
    case Op::UNARY_POSITIVE:
    case Op::UNARY_NOT:
      return kIntOp;
    case Op::BINARY_ADD:
    case Op::BINARY_SUBTRACT:
    case Op::INPLACE_ADD:
    case Op::COMPARE_LT:
    case Op::COMPARE_LE:
    case Op::COMPARE_GT:
    case Op::COMPARE_GE:
    case Op::COMPARE_EQ:
    case Op::COMPARE_NE:
    case Op::COMPARE_IS:
    case Op::COMPARE_IS_NOT:
      return kIntOp;
    case Op::BINARY_MULTIPLY:
    case Op::INPLACE_MULTIPLY:
      return 4'500;
    case Op::BINARY_TRUE_DIVIDE:  // not specialised in 3.11: the generic number protocol
      return 12'000;
    case Op::BINARY_FLOOR_DIVIDE:
    case Op::BINARY_MODULO:
      return 24'000;
    case Op::BINARY_POWER:
      return 40'000;
    case Op::COMPARE_IN:
    case Op::COMPARE_NOT_IN:
      return 10'000;
    case Op::BINARY_ADD_STORE_FAST:
    case Op::INPLACE_ADD_STORE_FAST:
    case Op::JUMP_IF_NOT_LT:
    case Op::JUMP_BACKWARD_IF_LT:
      return kIntOp + kSimple;
    case Op::GET_ITER:
      return 10'000;
    case Op::FOR_ITER:  // FOR_ITER_RANGE with its STORE_FAST: 13 ns with the JUMP_BACKWARD
      return 8'000;
    case Op::BEFORE_WITH:  // a call to __enter__ / __exit__
    case Op::WITH_EXIT:
    case Op::WITH_EXCEPT_START:
      return 25'000;
    // lang-data: builds and unpacks like BUILD_LIST; appends like a list.append without the call
    case Op::BUILD_TUPLE:
    case Op::BUILD_MAP:
    case Op::BUILD_SET:
    case Op::BUILD_SLICE:
    case Op::BUILD_STRING:
    case Op::LIST_TO_TUPLE:
      return 20'000;
    case Op::UNPACK_SEQUENCE:  // UNPACK_SEQUENCE_TWO_TUPLE and friends
    case Op::UNPACK_EX:
      return 6'000;
    case Op::LIST_APPEND:
    case Op::SET_ADD:
    case Op::MAP_ADD:
      return 8'000;
    case Op::LIST_EXTEND:
    case Op::SET_UPDATE:
    case Op::DICT_UPDATE:
      return 25'000;
    case Op::FORMAT_VALUE:
      return 30'000;
    case Op::BINARY_AND:
    case Op::BINARY_OR:
    case Op::BINARY_XOR:
    case Op::BINARY_LSHIFT:
    case Op::BINARY_RSHIFT:
    case Op::UNARY_INVERT:
    case Op::INPLACE_SUBTRACT:
    case Op::INPLACE_AND:
    case Op::INPLACE_OR:
    case Op::INPLACE_XOR:
      return kIntOp;
    case Op::DELETE_SUBSCR:
      return 6'000;
  }
  return kSimple;
}

std::array<std::int32_t, 256> cost_table(double scale) {
  std::array<std::int32_t, 256> table{};
  for (int i = 0; i < kOpCount; ++i)
    table[static_cast<size_t>(i)] =
        static_cast<std::int32_t>(std::lround(default_cost_ps(static_cast<Op>(i)) * scale));
  return table;
}

}  // namespace gilsim
