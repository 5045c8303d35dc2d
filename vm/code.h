// Code objects and the compiled program.
//
// A Code is one function's (or the module's) bytecode with everything needed to run and explain
// it: constants, the names its attribute and method instructions use, its locals, the maximum stack
// depth (computed by the compiler from the opcode table's stack effects) and a position for every
// instruction. Code objects are immutable once compiled and shared by every thread that runs them.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vm/opcode.h"
#include "vm/source.h"
#include "vm/value.h"

namespace gilsim {

struct Position {
  std::uint32_t offset;  // of the instruction's opcode byte
  int line;
  int col;
};

struct Code {
  std::string name;  // "<module>" or the function's name
  int first_line = 1;
  std::vector<std::uint8_t> bytes;  // opcode byte, then the operand (little-endian)
  std::vector<Value> constants;
  std::vector<std::string> names;        // attribute and method names
  std::vector<std::string> local_names;  // parameters first
  int num_params = 0;
  int max_stack = 0;
  std::vector<Position> positions;  // one per instruction, ordered by offset

  // ---- lang-func: the call protocol and closures ----
  std::string qualname;  // "f", "Foo.method", "outer.<locals>.inner": as CPython's messages name it
  int num_kwonly = 0;    // keyword-only parameters, after the num_params positional ones
  bool varargs = false;  // a *args parameter follows them (then **kwargs if varkw)
  bool varkw = false;
  // A call with exactly this many positional arguments and no keywords enters the frame without
  // binding work (no defaults, cells or closure to set up): the fast path. -1: never.
  int fast_argc = 0;
  std::vector<std::uint32_t> cell_slots;  // locals captured by inner functions: held in cells
  std::vector<std::uint32_t> free_slots;  // locals taken from the function's closure, in order
  std::vector<std::vector<std::string>> kwnames;  // CALL_KW's keyword names, by operand >> 8
  // A class body: its first class_slots locals become the class's attributes (CLASS_NAMESPACE);
  // the slots after them hold its comprehensions' loop variables, which do not leak.
  std::uint32_t class_slots = 0;
  // ---- end lang-func ----

  // The position of the instruction at `offset` (the last one starting at or before it).
  Position position_at(std::uint32_t offset) const;
};

// Reads the operand that follows the opcode byte at `at`.
inline std::uint32_t read_operand(const std::uint8_t* at, int width) {
  if (width == 2) return static_cast<std::uint32_t>(at[0] | (at[1] << 8));
  std::uint32_t v;
  std::memcpy(&v, at, 4);
  return v;
}

// ---- stdlib2: modules (docs/stdlib.md §4) ----
struct NativeModule;

// One module a program imports: compiled with the program, executed at most once per interpreter.
// Its globals are slots of the program's global table (named "threading:Lock"), so every
// interpreter (process) has its own copy of them, and so does a forked child.
struct ModuleInfo {
  std::string name;                     // "threading", "concurrent.futures"
  std::string file;                     // "<gilsim>/threading.py", "<gilsim>/time" (native)
  std::uint32_t slot = 0;               // the global holding the module object once imported
  int body = -1;                        // Program::functions index of its code; -1: none to run
  const NativeModule* native = nullptr; // a module written in C++ (vm/native_module.h)
  std::vector<std::pair<std::string, std::uint32_t>> attrs;       // attribute -> global slot
  std::vector<std::pair<std::string, std::uint32_t>> submodules;  // "futures" -> modules index
  std::shared_ptr<const Source> source;  // a Python module's text, for tracebacks
};
// ---- end stdlib2 ----

// What the compiler produces from one script: the module's code, every function's code, and the
// global names (builtins first, so a global slot of a builtin starts out bound to it).
struct Program {
  std::shared_ptr<const Source> source;
  std::unique_ptr<Code> module;
  std::vector<std::unique_ptr<Code>> functions;  // MAKE_FUNCTION's operand indexes this
  std::vector<std::string> global_names;
  std::vector<ModuleInfo> modules;  // stdlib2: IMPORT_NAME's operand indexes this
};

}  // namespace gilsim
