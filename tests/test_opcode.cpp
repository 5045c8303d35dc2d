// The opcode table (vm/opcodes.def) and the facts generated from it.
#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "vm/opcode.h"

namespace {

using gilsim::kOpCount;
using gilsim::Op;
using gilsim::op_comment;
using gilsim::op_is_jump;
using gilsim::op_name;
using gilsim::op_operand_width;
using gilsim::op_stack_effect;
using gilsim::op_ticks;

Op nth(int i) { return static_cast<Op>(i); }

// The opcodes whose stack effect depends on the operand.
// Whether the stack-effect expression in opcodes.def mentions the operand.
bool effect_reads_arg(Op op) {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) \
  if (op == Op::name) return std::string_view(#effect).find("arg") != std::string_view::npos;
#include "vm/opcodes.def"
#undef OPCODE
  return false;
}

TEST_CASE("opcode names are unique upper-case identifiers and every opcode has a comment") {
  std::set<std::string> seen;
  for (int i = 0; i < kOpCount; ++i) {
    std::string name(op_name(nth(i)));
    CAPTURE(i);
    CAPTURE(name);
    REQUIRE(!name.empty());
    for (char c : name) CHECK((std::isupper(static_cast<unsigned char>(c)) || c == '_'));
    CHECK(seen.insert(name).second);
    CHECK(!op_comment(nth(i)).empty());
  }
  CHECK(seen.size() == static_cast<size_t>(kOpCount));
}

TEST_CASE("every opcode states its sim-engine cost once (opcodes.def's cost_ps column)") {
  for (int i = 0; i < kOpCount; ++i) {
    CAPTURE(op_name(nth(i)));
    CHECK(gilsim::op_cost_ps(nth(i)) > 0);
    CHECK(gilsim::op_cost_ps(nth(i)) <= 1'000'000);  // picoseconds: no instruction takes 1 us
  }
  // The count loop's four instructions model CPython 3.11's 19 ns (docs/engines.md).
  CHECK(gilsim::op_cost_ps(Op::LOAD_FAST_LOAD_CONST) +
            gilsim::op_cost_ps(Op::INPLACE_ADD_STORE_FAST) +
            gilsim::op_cost_ps(Op::LOAD_FAST_LOAD_FAST) +
            gilsim::op_cost_ps(Op::JUMP_BACKWARD_IF_LT) ==
        4'000 + 5'500 + 4'000 + 5'500);
}

TEST_CASE("the enum and the generated tables stay in step") {
  // The first and last entries of opcodes.def name themselves: a table that fell out of step with
  // the enum would show another name here.
  CHECK(op_name(Op::NOP) == "NOP");
  CHECK(static_cast<int>(Op::NOP) == 0);
  CHECK(op_name(Op::WITH_EXIT) == "WITH_EXIT");
  CHECK(op_name(Op::LOAD_DEREF) == "LOAD_DEREF");
  CHECK(static_cast<int>(Op::STORE_DEREF) < kOpCount);
  CHECK(op_name(Op::DELETE_SUBSCR) == "DELETE_SUBSCR");
  CHECK(static_cast<int>(Op::MAKE_CELL) == kOpCount - 1);  // lang12: the last block
  CHECK(op_name(Op::LOAD_FAST_LOAD_FAST) == "LOAD_FAST_LOAD_FAST");
  CHECK(op_name(Op::JUMP_IF_NOT_LT) == "JUMP_IF_NOT_LT");
  CHECK(op_operand_width(Op::BINARY_ADD) == 0);
  CHECK(op_operand_width(Op::LOAD_FAST) == 2);
  CHECK(op_stack_effect(Op::LOAD_CONST, 0) == 1);
  CHECK(op_stack_effect(Op::STORE_SUBSCR, 0) == -3);
}

TEST_CASE("operand widths are 0, 2 or 4 bytes") {
  for (int i = 0; i < kOpCount; ++i) {
    CAPTURE(op_name(nth(i)));
    int w = op_operand_width(nth(i));
    CHECK((w == 0 || w == 2 || w == 4));
  }
}

TEST_CASE("jumps carry a 4-byte absolute target, and exactly the branching opcodes are jumps") {
  for (int i = 0; i < kOpCount; ++i) {
    Op op = nth(i);
    std::string name(op_name(op));
    CAPTURE(name);
    // The disassembler and the compiler's patching rely on this naming: every opcode that jumps
    // says so, and nothing else does.
    bool named_jump = name.find("JUMP") != std::string::npos || op == Op::FOR_ITER ||
                      op == Op::SETUP_EXCEPT ||  // its operand is the handler's offset
                      op == Op::SETUP_WITH || op == Op::SEND;  // lang12: yield from goes on
    CHECK(op_is_jump(op) == named_jump);
    if (op_is_jump(op)) CHECK(op_operand_width(op) == 4);
  }
  for (Op op : {Op::JUMP_FORWARD, Op::JUMP_BACKWARD, Op::POP_JUMP_IF_FALSE, Op::POP_JUMP_IF_TRUE,
                Op::JUMP_IF_NOT_LT, Op::FOR_ITER})
    CHECK(op_is_jump(op));
  for (Op op : {Op::LOAD_FAST_LOAD_FAST, Op::LOAD_FAST_LOAD_CONST, Op::CALL, Op::RETURN_VALUE})
    CHECK_FALSE(op_is_jump(op));
}

TEST_CASE("stack effects that depend on the operand") {
  CHECK(op_stack_effect(Op::BUILD_LIST, 0) == 1);
  CHECK(op_stack_effect(Op::BUILD_LIST, 3) == -2);
  CHECK(op_stack_effect(Op::CALL, 0) == 0);
  CHECK(op_stack_effect(Op::CALL, 2) == -2);  // callee and 2 args out, result in
  CHECK(op_stack_effect(Op::CALL_METHOD, 0) == -1);
  CHECK(op_stack_effect(Op::CALL_METHOD, 2) == -3);  // method, self and 2 args out, result in
  CHECK(op_stack_effect(Op::POP_N, 3) == -3);
  CHECK(op_stack_effect(Op::BUILD_MAP, 2) == -3);       // two keys and two values in, a dict out
  CHECK(op_stack_effect(Op::UNPACK_SEQUENCE, 3) == 2);  // one iterable in, three items out
  CHECK(op_stack_effect(Op::UNPACK_EX, 1 | (2 << 8)) == 3);  // a, *b, c, d: four out
  CHECK(op_stack_effect(Op::FORMAT_VALUE, 4) == -1);         // the spec is popped too
  CHECK(op_stack_effect(Op::FORMAT_VALUE, 2) == 0);
  for (int i = 0; i < kOpCount; ++i) {
    Op op = nth(i);
    CAPTURE(op_name(op));
    if (!effect_reads_arg(op)) CHECK(op_stack_effect(op, 0) == op_stack_effect(op, 7));
  }
}

TEST_CASE("stack effects of the fixed-shape opcodes") {
  CHECK(op_stack_effect(Op::POP_TOP, 0) == -1);
  CHECK(op_stack_effect(Op::DUP_TOP, 0) == 1);
  CHECK(op_stack_effect(Op::DUP_TOP_TWO, 0) == 2);
  CHECK(op_stack_effect(Op::ROT_THREE, 0) == 0);
  CHECK(op_stack_effect(Op::BINARY_SUBSCR, 0) == -1);
  CHECK(op_stack_effect(Op::LOAD_METHOD, 0) == 1);
  CHECK(op_stack_effect(Op::GET_ITER, 0) == 2);  // the iterable becomes 3 slots
  CHECK(op_stack_effect(Op::FOR_ITER, 0) == 1);  // falls through with the next item
  CHECK(op_stack_effect(Op::JUMP_IF_NOT_LT, 0) == -2);
  CHECK(op_stack_effect(Op::BEFORE_WITH, 0) ==
        1);  // the manager becomes __exit__ and what __enter__ gave
  // A superinstruction has the effect of the pair it replaces.
  CHECK(op_stack_effect(Op::LOAD_FAST_LOAD_FAST, 0) == 2 * op_stack_effect(Op::LOAD_FAST, 0));
  CHECK(op_stack_effect(Op::LOAD_FAST_LOAD_CONST, 0) ==
        op_stack_effect(Op::LOAD_FAST, 0) + op_stack_effect(Op::LOAD_CONST, 0));
  CHECK(op_stack_effect(Op::JUMP_IF_NOT_LT, 0) ==
        op_stack_effect(Op::COMPARE_LT, 0) + op_stack_effect(Op::POP_JUMP_IF_FALSE, 0));
}

TEST_CASE("legacy ticks follow Python 2's fast-dispatch opcodes") {
  // Python 2.7 dispatched these with `goto fast_next_opcode`: no tick.
  for (Op op :
       {Op::LOAD_FAST, Op::LOAD_CONST, Op::STORE_FAST, Op::POP_TOP, Op::DUP_TOP, Op::ROT_TWO,
        Op::ROT_THREE, Op::JUMP_FORWARD, Op::POP_JUMP_IF_FALSE, Op::POP_JUMP_IF_TRUE, Op::NOP,
        Op::RETURN_VALUE}) {  // RETURN_VALUE leaves by `goto fast_block_end`
    CAPTURE(op_name(op));
    CHECK_FALSE(op_ticks(op));
  }
  for (Op op : {Op::LOAD_GLOBAL, Op::STORE_GLOBAL, Op::BINARY_ADD, Op::COMPARE_LT, Op::CALL,
                Op::JUMP_BACKWARD, Op::FOR_ITER}) {
    CAPTURE(op_name(op));
    CHECK(op_ticks(op));
  }
  // A pair of loads fused into one instruction ticks as the pair did: not at all.
  CHECK_FALSE(op_ticks(Op::LOAD_FAST_LOAD_FAST));
  CHECK_FALSE(op_ticks(Op::LOAD_FAST_LOAD_CONST));
}

TEST_CASE("a fused compare-and-branch ticks as often as the pair it replaces") {
  // Fusion must not move the legacy policy's switch points: `while i < n` (fused) and
  // `while n > i` (not fused) tick alike; test_interpreter.cpp checks the same end to end.
  int pair = int(op_ticks(Op::COMPARE_LT)) + int(op_ticks(Op::POP_JUMP_IF_FALSE));
  CHECK(int(op_ticks(Op::JUMP_IF_NOT_LT)) == pair);
  int back_pair = int(op_ticks(Op::COMPARE_LT)) + int(op_ticks(Op::POP_JUMP_BACKWARD_IF_TRUE));
  CHECK(int(op_ticks(Op::JUMP_BACKWARD_IF_LT)) == back_pair);
}

}  // namespace
