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
  // Attributes made when the module is imported, in each interpreter (sys.argv, _thread.error):
  // their names, and the function that makes one.
  std::vector<std::string_view> made = {};
  Value (*make)(ThreadState& ts, std::string_view name) = nullptr;
};

// The native module named `name`, or nullptr.
const NativeModule* find_native_module(std::string_view name);

// lock.acquire(blocking, timeout) of a Lock() / _thread.allocate_lock() lock (timeout -1: none),
// with CPython's checks and messages (vm/modules/thread_module.cpp).
Value acquire_lock(ThreadState& ts, const Value& lock, bool blocking, double timeout);

// Each module's table, defined in vm/modules/<name>_module.cpp.
const NativeModule& math_module();
const NativeModule& time_module();
const NativeModule& gilsim_module();
const NativeModule& sys_module();
const NativeModule& os_module();
const NativeModule& thread_module();  // _thread

}  // namespace gilsim
