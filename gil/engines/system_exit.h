// What an uncaught SystemExit (sys.exit) does, as in CPython (modules13): it prints no traceback;
// it ends its thread quietly (threading ignores it); on the main thread it gives the run its exit
// status: 0 for no code or None, the int code, or 1 after printing a code that is not an int.
// Both engines ask this one function, with the failure their thread ended with.
#pragma once

#include <optional>
#include <string>

#include "vm/thread_state.h"

namespace gilsim {

// The exit status `f` asks for when it is a SystemExit (and in `message` the text to print on
// stderr, with its newline, or nothing), or nullopt for any other failure.
std::optional<int> system_exit_status(const ScriptFailure& f, std::string& message);

}  // namespace gilsim
