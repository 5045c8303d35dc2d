// Exceptions (lang-func): raising, matching and reporting Python exceptions.
//
// A Python exception is an InstanceObj whose class descends from BaseException. Inside the eval
// loop it travels as a C++ PyRaise; the VM's own runtime errors (ScriptError, raised everywhere
// with raise()) become instances of the built-in class of the same name when they reach the
// eval loop, so `except ZeroDivisionError` catches them. A ScriptError whose type is not a
// Python exception class (StepLimitError) cannot be caught: it ends the thread as before.
#pragma once

#include <string>

#include "vm/classes.h"

namespace gilsim {

struct PyRaise {
  Value exc;
  bool reraise = false;  // re-raised (bare raise, end of a finally): the traceback goes on
};

// Raises KeyError(key), the key itself as its argument (str(e) is repr(key), as in CPython).
[[noreturn]] void raise_key_error(const Value& key);
// lang12: StopIteration(value) (no argument for None): what a generator's return value becomes.
[[noreturn]] void raise_stop_iteration(const Value& value);

// An exception instance of a built-in class with one message argument (none when empty).
Value make_exception(std::string_view type, const std::string& message);
// The exception for a ScriptError, or None when its type cannot be caught.
Value exception_from_error(const std::string& type, const std::string& message);
// raise X: X an exception instance or class (instantiated with no arguments).
Value exception_from_raise(ThreadState& ts, const Value& v, const char* what);
bool is_exception(const Value& v);
// An instance of StopIteration or a subclass (what ends a __next__ or a generator).
bool is_stop_iteration(const Value& exc);
ExceptionState& exc_state(const Value& exc);
// except T: T a class or a list of classes.
bool exception_matches(ThreadState& ts, const Value& exc, const Value& spec);
// str(e) as the traceback's last line prints it ("" with no args, the one arg, or the args).
std::string exception_message(ThreadState& ts, const Value& exc);
std::string exception_type_name(const Value& exc);

}  // namespace gilsim
