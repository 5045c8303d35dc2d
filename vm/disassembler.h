// Disassembler: `gilsim dis`, in the spirit of CPython's dis module.
//
// One helper per operand shape (constant, local, global, name, jump, count), as clox's debug.c.
// Every line: source line (when it changes), jump-target marker, offset, opcode, operand and what
// the operand means.
#pragma once

#include <string>

#include "vm/code.h"

namespace gilsim {

std::string disassemble(const Program& program);  // module, then each function
std::string disassemble_code(const Program& program, const Code& code);
std::string opcode_table();  // every opcode with its width, stack effect, tick flag and comment

}  // namespace gilsim
