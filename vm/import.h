// Import: which modules a program may import, found at compile time (docs/stdlib.md §4).
//
// A module is a native table (vm/native_module.h: math, time, sys, os, _thread, gilsim), a
// Python source embedded from vm/stdlib/ (threading, queue, concurrent.futures...), or a package
// that only holds submodules (concurrent). Any other name is refused before the program runs,
// with docs/language.md's message.
#pragma once

#include <string>
#include <string_view>

namespace gilsim {

struct NativeModule;
struct StdlibSource;

struct ModuleSpec {
  enum class Kind { Native, Python, Package } kind;
  const NativeModule* native = nullptr;
  const StdlibSource* source = nullptr;
};

// The module `name` ("threading", "concurrent.futures", "concurrent"); false when gilsim has none.
bool find_module(std::string_view name, ModuleSpec& out);

// "module 'socket' is not available in gilsim (see docs/language.md)"
std::string module_not_available(std::string_view name);

}  // namespace gilsim
