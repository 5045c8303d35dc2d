#include "vm/stdlib_sources.h"

namespace gilsim {

const StdlibSource* find_stdlib_source(std::string_view module) {
  for (const auto& s : stdlib_sources())
    if (s.module == module) return &s;
  return nullptr;
}

}  // namespace gilsim
