// Compiler: syntax tree to Code objects.
//
// One pass per function. Names are resolved as Python does: a name assigned anywhere in a function
// is local unless declared `global`; everything else is global, and a global that was never
// assigned falls back to the builtin of that name. The stack depth is tracked instruction by
// instruction from the opcode table's effects, giving each Code its max_stack.
#pragma once

#include <memory>

#include "vm/code.h"
#include "vm/source.h"

namespace gilsim {

// The builtin names, in the order of their global slots (see builtins.cpp).
const std::vector<std::string>& builtin_names();

// Parses and compiles. Throws SyntaxError on the first problem.
std::shared_ptr<const Program> compile(std::shared_ptr<const Source> source);

}  // namespace gilsim
