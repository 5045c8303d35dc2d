// String formatting with CPython 3.11's rules and messages: format(v, spec) and f-string fields
// (the format-spec mini-language), `fmt % args` (printf-style), and str.format().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vm/value.h"

namespace gilsim {

class ThreadState;

// format(v, spec) for int, bool, float and str; other types accept only an empty spec (str(v)).
std::string format_value(ThreadState& ts, const Value& v, std::string_view spec);

// `fmt % args`: args is a tuple, a dict (for %(name)s) or a single value.
std::string percent_format(ThreadState& ts, std::string_view fmt, const Value& args);

// fmt.format(*args, **kwargs); kwargs is a dict or None.
std::string str_format(ThreadState& ts, std::string_view fmt, const std::vector<Value>& args,
                       const Value& kwargs);

// ascii(): a repr with non-ASCII code points escaped (\xe9, \u20ac, \U0001f600).
std::string ascii_of(std::string_view repr);

// Code points in a UTF-8 string.
std::size_t utf8_count(std::string_view s);

}  // namespace gilsim
