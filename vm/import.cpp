#include "vm/import.h"

#include <fmt/format.h>

#include "vm/native_module.h"
#include "vm/stdlib_sources.h"

namespace gilsim {

bool find_module(std::string_view name, ModuleSpec& out) {
  if (const NativeModule* m = find_native_module(name)) {
    out = ModuleSpec{ModuleSpec::Kind::Native, m, nullptr};
    return true;
  }
  if (const StdlibSource* s = find_stdlib_source(name)) {
    out = ModuleSpec{ModuleSpec::Kind::Python, nullptr, s};
    return true;
  }
  // A package is a prefix of an embedded module's dotted name (concurrent of concurrent.futures).
  for (const StdlibSource& s : stdlib_sources()) {
    if (s.module.size() > name.size() && s.module.substr(0, name.size()) == name &&
        s.module[name.size()] == '.') {
      out = ModuleSpec{ModuleSpec::Kind::Package, nullptr, nullptr};
      return true;
    }
  }
  return false;
}

std::string module_not_available(std::string_view name) {
  return fmt::format("module '{}' is not available in gilsim (see docs/language.md)", name);
}

}  // namespace gilsim
