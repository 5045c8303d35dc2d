// The two kinds of errors a script can meet, as C++ exceptions.
//
// Both carry what the user needs to find the problem. Neither is ever thrown through a policy or
// the engine: the compiler catches SyntaxError at its entry, the eval loop catches ScriptError and
// turns it into a traceback.
#pragma once

#include <stdexcept>
#include <string>

namespace gilsim {

// A problem found before the script runs. Line and column are 1-based. `kind` is Python's class
// name (SyntaxError, IndentationError, TabError) so the conformance test can compare kinds.
struct SyntaxError : std::runtime_error {
  SyntaxError(std::string kind, std::string message, int line, int col)
      : std::runtime_error(message), kind(std::move(kind)), line(line), col(col) {}
  std::string kind;
  int line;
  int col;
};

// A Python exception raised while running: `type` is its class name as Python spells it
// (ZeroDivisionError, TypeError, ...), `message` the text after the colon.
struct ScriptError : std::runtime_error {
  ScriptError(std::string type, std::string message)
      : std::runtime_error(message), type(std::move(type)) {}
  std::string type;
};

[[noreturn]] inline void raise(std::string type, std::string message) {
  throw ScriptError(std::move(type), std::move(message));
}

}  // namespace gilsim
