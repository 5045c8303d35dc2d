// The Python sources of gilsim's standard library modules (threading, queue, concurrent.futures,
// ...), embedded into the binary at build time from vm/stdlib/ by vm/stdlib/embed.cmake.
//
// The compiler's import hook looks a module up here (docs/stdlib.md §4); tracebacks and `gilsim
// dis` name a source by its `file`, "<gilsim>/threading.py". The table is immutable and may be
// read from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace gilsim {

struct StdlibSource {
  std::string_view module;  // "threading", "concurrent.futures"
  std::string_view file;    // "<gilsim>/concurrent/futures.py"
  std::string_view text;    // the source, UTF-8
};

// Every embedded module, sorted by file.
const std::vector<StdlibSource>& stdlib_sources();

// The module's source, or nullptr when gilsim has no Python source for it.
const StdlibSource* find_stdlib_source(std::string_view module);

}  // namespace gilsim
