// ModuleObj: what `import threading` binds. A module's attributes are its globals, which live in
// the importing interpreter's global slots (Program::modules, vm/code.h), so the object holds
// only the module's description and reads the running thread's interpreter: a module copied into
// a forked process (spawn_process) sees that process's values, as after a real fork.
#pragma once

#include <cstdint>
#include <string>

#include "vm/code.h"
#include "vm/value.h"

namespace gilsim {

struct ModuleObj final : Obj {
  explicit ModuleObj(const ModuleInfo* info) : Obj(ObjType::Module), info(info) {}
  const ModuleInfo* const info;  // owned by the Program, which outlives every value
};

// IMPORT_NAME: the module object of Program::modules[index]. On its first import in this
// interpreter the object is made and bound (a native module's attributes with it) and `body` is
// set to a function running the module's code, which the caller runs as a frame returning the
// module; otherwise `body` is left None.
Value import_module(ThreadState& ts, std::uint32_t index, Value& body);

// module.name, and `from module import name` (ImportError with CPython's message).
Value module_attribute(ThreadState& ts, const Value& module, const std::string& name);
Value import_from(ThreadState& ts, const Value& module, const std::string& name);
void set_module_attribute(ThreadState& ts, const Value& module, const std::string& name, Value v);

// <module 'threading' from '<gilsim>/threading.py'>, <module 'time' (built-in)>
std::string module_repr(const Value& module);

}  // namespace gilsim
