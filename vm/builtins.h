// Builtins: the functions every script can call, and the methods of the built-in types.
//
// Each is a static NativeDef. Their global slots come first in every program, in the order of
// builtin_names(), and start bound to them (Interp's constructor).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vm/objects.h"

namespace gilsim {

const std::vector<std::string>& builtin_names();
const std::vector<const NativeDef*>& builtin_defs();  // same order as builtin_names()

// The method `name` of v's type, or nullptr (AttributeError for the caller to raise).
const NativeDef* find_method(const Value& v, std::string_view name);

// Checks a native call's argument count, raising TypeError with CPython's wording.
void check_arity(const NativeDef& def, int nargs);

}  // namespace gilsim
