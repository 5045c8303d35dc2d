#include "vm/module_object.h"

#include <fmt/format.h>

#include <mutex>

#include "vm/errors.h"
#include "vm/native_module.h"
#include "vm/objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

// A global slot of the running interpreter, read and written as LOAD_GLOBAL/STORE_GLOBAL do.
Value read_slot(ThreadState& ts, std::uint32_t slot) {
  if (!ts.lock_objects) return ts.interp.globals[slot];
  std::lock_guard g(ts.interp.globals_mu);
  return ts.interp.globals[slot];
}

void write_slot(ThreadState& ts, std::uint32_t slot, Value v) {
  Value old;  // released outside the lock
  if (ts.lock_objects) {
    std::lock_guard g(ts.interp.globals_mu);
    old = std::move(ts.interp.globals[slot]);
    ts.interp.globals[slot] = std::move(v);
  } else {
    old = std::move(ts.interp.globals[slot]);
    ts.interp.globals[slot] = std::move(v);
  }
}

Value native_value(ThreadState& ts, const NativeModule& m, const std::string& name) {
  for (const NativeDef* d : m.functions)
    if (name == d->name) return Value::native(d);
  for (const auto& [n, v] : m.constants)
    if (n == name) return v;
  return m.make(ts, name);
}

const std::uint32_t* find_attr(const ModuleInfo& info, const std::string& name) {
  for (const auto& [n, slot] : info.attrs)
    if (n == name) return &slot;
  return nullptr;
}

}  // namespace

Value import_module(ThreadState& ts, std::uint32_t index, Value& body) {
  const Program& program = ts.interp.program();
  const ModuleInfo& info = program.modules[index];
  Value m = read_slot(ts, info.slot);
  if (!m.is_unset()) return m;
  // Bound before the body runs, as CPython enters sys.modules first: an import cycle sees the
  // module half-made instead of running it again.
  m = Value::adopt(new ModuleObj(&info));
  write_slot(ts, info.slot, m);
  if (const std::uint32_t* name = find_attr(info, "__name__"))
    write_slot(ts, *name, make_str(info.name));
  if (info.native) {
    for (const auto& [n, slot] : info.attrs)
      if (n != "__name__") write_slot(ts, slot, native_value(ts, *info.native, n));
  }
  if (info.body >= 0)
    body = Value::adopt(new FunctionObj(program.functions[static_cast<size_t>(info.body)].get()));
  return m;
}

Value module_attribute(ThreadState& ts, const Value& module, const std::string& name) {
  const ModuleInfo& info = *module.as<ModuleObj>()->info;
  if (const std::uint32_t* slot = find_attr(info, name)) {
    Value v = read_slot(ts, *slot);
    if (!v.is_unset()) return v;
  }
  for (const auto& [n, index] : info.submodules) {
    if (n != name) continue;
    Value sub = read_slot(ts, ts.interp.program().modules[index].slot);
    if (!sub.is_unset()) return sub;
  }
  if (name == "__name__") return make_str(info.name);
  raise("AttributeError", fmt::format("module '{}' has no attribute '{}'", info.name, name));
}

Value import_from(ThreadState& ts, const Value& module, const std::string& name) {
  const ModuleInfo& info = *module.as<ModuleObj>()->info;
  try {
    return module_attribute(ts, module, name);
  } catch (const ScriptError& e) {
    if (e.type != "AttributeError") throw;
  }
  raise("ImportError", fmt::format("cannot import name '{}' from '{}' ({})", name, info.name,
                                   info.native ? "unknown location" : info.file));
}

void set_module_attribute(ThreadState& ts, const Value& module, const std::string& name, Value v) {
  const ModuleInfo& info = *module.as<ModuleObj>()->info;
  // A module's globals are fixed at compile time: a name it never binds has no slot.
  const std::uint32_t* slot = find_attr(info, name);
  if (!slot)
    raise(
        "AttributeError",
        fmt::format("module '{}' has no attribute '{}' (gilsim cannot add attributes to a module)",
                    info.name, name));
  write_slot(ts, *slot, std::move(v));
}

std::string module_repr(const Value& module) {
  const ModuleInfo& info = *module.as<ModuleObj>()->info;
  if (info.native) return fmt::format("<module '{}' (built-in)>", info.name);
  return fmt::format("<module '{}' from '{}'>", info.name, info.file);
}

}  // namespace gilsim
