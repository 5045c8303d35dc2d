// NativeModule: a module written in C++ (math, time, sys, os, _thread, _random...), as a table of
// functions and constants. The import hook (docs/stdlib.md §4) turns one into a module object; a
// module written in Python comes from vm/stdlib_sources.h instead.
//
// The tables are built once and never change: they may be read from any thread.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "vm/objects.h"
#include "vm/value.h"

namespace gilsim {

struct NativeModule {
  std::string_view name;
  std::vector<const NativeDef*> functions;
  std::vector<std::pair<std::string_view, Value>> constants;  // ints and floats only
};

// The native module named `name`, or nullptr.
const NativeModule* find_native_module(std::string_view name);

// Each module's table, defined in vm/modules/<name>_module.cpp.
const NativeModule& math_module();
const NativeModule& time_module();
const NativeModule& gilsim_module();

}  // namespace gilsim
