// Loading a script: read the file, compile it, and report a syntax error the way users expect:
//
//   script.gil:3:9: SyntaxError: expected ':'
//       if x > 1
//               ^
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "vm/code.h"
#include "vm/errors.h"

namespace gilsim {

// The error text for a syntax error in `source`: location line, the source line, a caret.
std::string format_syntax_error(const Source& source, const SyntaxError& e);

// Reads and compiles `path`. On failure writes the problem to stderr and returns nullptr;
// `exit_code` is then 2 (unreadable file or syntax error).
std::shared_ptr<const Program> load_script(const std::string& path, int& exit_code);

// Compiles text held in memory (benchmarks, tests).
std::shared_ptr<const Program> compile_text(const std::string& name, std::string text);

}  // namespace gilsim
