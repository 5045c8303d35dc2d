// The call protocol (lang-func, issue 12 part B): how arguments reach a callee.
//
// On the value stack a call looks like [callee, positional..., keyword values...]; the keyword
// names come from the caller's Code (kwnames) as one vector. A script function's frame takes the
// argument slots as its first locals, and the callee slot keeps the function object (so
// stack[frame.base - 1] is always the running function: super() and closures read it there).
// A plain positional call whose count matches Code::fast_argc skips all of this (the eval loop's
// fast path); everything else (defaults, keywords, keyword-only parameters, cells, closures,
// builtins with keywords, bound methods) goes through enter_function / call_at below.
//
// Builtins receive keywords as a KwArgs (vm/objects.h): see NativeDef::fn_kw.
#pragma once

#include <string>
#include <vector>

#include "vm/objects.h"
#include "vm/thread_state.h"

namespace gilsim {

// Makes room for a frame of `code` whose locals start at `base`; the stack may move.
inline void reserve_frame(ThreadState& ts, std::uint32_t base, const Code& code) {
  size_t need = base + code.local_names.size() + static_cast<size_t>(code.max_stack) + 1;
  ts.grow_stack_for_frame(need);
}

// Binds the arguments at stack[base ..) (npos positional values, then one value per name in
// `kwnames`, which may be null) to fn's parameters and pushes its frame: defaults filled in,
// cells made, the closure loaded. Raises TypeError with CPython's messages.
void enter_function(ThreadState& ts, const FunctionObj* fn, std::uint32_t base, int npos,
                    const std::vector<std::string>* kwnames);

// Calls the callee at stack[at] with the arguments above it (as enter_function). For a script
// function (also through a bound method) it pushes the frame and returns true: the eval loop
// goes on in the callee. Otherwise it runs the call at once, stores the result in stack[at],
// clears the argument slots and returns false.
bool call_at(ThreadState& ts, std::uint32_t at, int npos, const std::vector<std::string>* kwnames);

// Calls a builtin with npos positional arguments then the keyword values named by kwnames.
Value call_native_kw(ThreadState& ts, const NativeDef& def, Value* args, int npos,
                     const std::vector<std::string>* kwnames);

// lang2: f(**m). merge_keywords adds the mapping's items to the call's keyword dict (CPython's
// DICT_MERGE errors name the callee); call_with_dict turns [callee, list, dict] at stack[at]
// into [callee, positional..., keyword values...] and calls it as call_at does.
void merge_keywords(ThreadState& ts, const Value& callee, const Value& dict, const Value& mapping);
bool call_with_dict(ThreadState& ts, std::uint32_t at);

// CPython's "f() missing 2 required positional arguments: 'a' and 'b'" list: 'a', 'a' and 'b',
// 'a', 'b', and 'c'.
std::string quoted_name_list(const std::vector<std::string>& names);

}  // namespace gilsim
