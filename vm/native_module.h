// NativeModule: a module written in C++ (math, time, sys, os, _thread, _random...), as a table of
// functions and constants. The import hook (docs/stdlib.md §4) turns one into a module object; a
// module written in Python comes from vm/stdlib_sources.h instead.
//
// The tables are built once and never change: they may be read from any thread.
#pragma once

#include <initializer_list>
#include <string>
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

// A class made by a native module (_random.Random, _thread._local): a subclass of object whose
// methods are `methods` (NativeDefs with is_method set), made in each interpreter that imports it.
Value make_native_class(std::string name, std::initializer_list<const NativeDef*> methods);

// _thread._start / _process.start: fn() on a new thread (or process: spawn_process), fn being a
// bound method (its self passed first) or any callable; the handle.
Value spawn_callable(ThreadState& ts, const Value& fn, bool process);

// Each module's table, defined in vm/modules/<name>_module.cpp.
const NativeModule& math_module();
const NativeModule& time_module();
const NativeModule& gilsim_module();
const NativeModule& sys_module();
const NativeModule& os_module();
const NativeModule& thread_module();   // _thread
const NativeModule& random_module();   // _random
const NativeModule& process_module();  // _process
const NativeModule& gc_module();

}  // namespace gilsim
