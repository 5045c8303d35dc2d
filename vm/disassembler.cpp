#include "vm/disassembler.h"

#include <fmt/format.h>

#include <set>

#include "vm/objects.h"
#include "vm/pyformat.h"

namespace gilsim {

namespace {

std::string constant_repr(const Value& v) {
  switch (v.tag()) {
    case Tag::None:
      return "None";
    case Tag::Bool:
      return v.as_bool() ? "True" : "False";
    case Tag::Int:
      return std::to_string(v.as_int());
    case Tag::Float:
      return format_float(v.as_float());
    default:
      break;
  }
  if (v.is(ObjType::Str)) return repr_string(v.as<StrObj>()->text);
  return "?";
}

std::string local_name(const Code& code, std::uint32_t i) {
  return i < code.local_names.size() ? code.local_names[i] : "?";
}

// What an operand means, or "" when the number speaks for itself.
std::string meaning(const Program& program, const Code& code, Op op, std::uint32_t arg) {
  switch (op) {
    case Op::LOAD_CONST:
      return constant_repr(code.constants.at(arg));
    case Op::LOAD_FAST:
    case Op::STORE_FAST:
    case Op::BINARY_ADD_STORE_FAST:
    case Op::INPLACE_ADD_STORE_FAST:
      return local_name(code, arg);
    case Op::LOAD_FAST_LOAD_FAST:
      return local_name(code, arg & 0xffff) + ", " + local_name(code, arg >> 16);
    case Op::LOAD_FAST_LOAD_CONST:
      return local_name(code, arg & 0xffff) + ", " + constant_repr(code.constants.at(arg >> 16));
    case Op::LOAD_GLOBAL:
    case Op::STORE_GLOBAL:
      return program.global_names.at(arg);
    case Op::LOAD_ATTR:
    case Op::LOAD_METHOD:
      return code.names.at(arg);
    case Op::MAKE_FUNCTION:
      return "code object " + program.functions.at(arg)->name;
    default:
      break;
  }
  if (op_is_jump(op)) return fmt::format("to {}", arg);
  return "";
}

}  // namespace

std::string disassemble_code(const Program& program, const Code& code) {
  std::string out =
      fmt::format("Disassembly of {} (line {}, {} parameter{}, {} local{}, max stack {}):\n",
                  code.name, code.first_line, code.num_params, code.num_params == 1 ? "" : "s",
                  code.local_names.size(), code.local_names.size() == 1 ? "" : "s", code.max_stack);
  std::set<std::uint32_t> targets;
  for (const Position& p : code.positions) {
    auto op = static_cast<Op>(code.bytes[p.offset]);
    if (op_is_jump(op)) targets.insert(read_operand(&code.bytes[p.offset + 1], 4));
  }
  int last_line = -1;
  for (const Position& p : code.positions) {
    auto op = static_cast<Op>(code.bytes[p.offset]);
    int width = op_operand_width(op);
    std::string line_col = p.line != last_line ? fmt::format("{:>4}", p.line) : "    ";
    last_line = p.line;
    std::string marker = targets.count(p.offset) ? ">>" : "  ";
    std::string text = fmt::format("{}  {} {:>6} {:<26}", line_col, marker, p.offset, op_name(op));
    if (width > 0) {
      std::uint32_t arg = read_operand(&code.bytes[p.offset + 1], width);
      std::string what = meaning(program, code, op, arg);
      if (op == Op::LOAD_FAST_LOAD_FAST || op == Op::LOAD_FAST_LOAD_CONST)
        text += fmt::format("{:>6},{:<4}", arg & 0xffff, arg >> 16);
      else
        text += fmt::format("{:>6}", arg);
      if (!what.empty()) text += fmt::format(" ({})", what);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + '\n';
  }
  return out;
}

std::string disassemble(const Program& program) {
  std::string out = disassemble_code(program, *program.module);
  for (const auto& fn : program.functions) out += '\n' + disassemble_code(program, *fn);
  return out;
}

std::string opcode_table() {
  std::string out =
      fmt::format("{:<26} {:>5} {:>6} {:>5}  {}\n", "opcode", "bytes", "stack", "ticks", "meaning");
  for (int i = 0; i < kOpCount; ++i) {
    auto op = static_cast<Op>(i);
    int width = op_operand_width(op);
    // Variable effects are shown for an operand of 1.
    std::string effect = fmt::format("{:+d}", op_stack_effect(op, 1));
    out += fmt::format("{:<26} {:>5} {:>6} {:>5}  {}\n", op_name(op), 1 + width, effect,
                       op_ticks(op) ? "yes" : "no", op_comment(op));
  }
  return out;
}

}  // namespace gilsim
