#include "vm/native_module.h"

namespace gilsim {

const NativeModule* find_native_module(std::string_view name) {
  for (const NativeModule* m : {&math_module(), &time_module(), &gilsim_module()})
    if (m->name == name) return m;
  return nullptr;
}

}  // namespace gilsim
