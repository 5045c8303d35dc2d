// The gilsim module: what only the simulator has, for programs that also run under CPython
// (there tools/python/gilsim.py stands in for it; docs/stdlib.md §2). io, native, native_hold,
// param, now_ms and thread_name are the very builtins of docs/language.md §5, so a program
// that imports them and a script that calls the builtins run the same code. The annotations
// (mark, span, counter) need their events in the engines and exporters: docs/stdlib.md §5.
// import_extension(name) stands for loading a C extension without a Py_mod_gil slot
// (docs/policies/free-threaded.md).
#include <stdexcept>
#include <string_view>

#include "vm/builtins.h"
#include "vm/native_module.h"

namespace gilsim {

namespace {

const NativeDef* builtin(std::string_view name) {
  const auto& names = builtin_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return builtin_defs()[i];
  throw std::logic_error("the gilsim module names a builtin that does not exist");
}

}  // namespace

const NativeModule& gilsim_module() {
  static const NativeModule m{
      "gilsim",
      {builtin("io"), builtin("native"), builtin("native_hold"), builtin("param"),
       builtin("now_ms"), builtin("thread_name"), builtin("import_extension")},
      {}};
  return m;
}

}  // namespace gilsim
