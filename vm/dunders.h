// Operators and builtins on instances of user classes (lang2, issue 12): the special methods
// CPython looks up on the type. Each operation in vm/operations.cpp (and len, iter, next, hash,
// abs, calls) hands an instance operand to these first.
//
// They run the method with call_nested (vm/interpreter.h), a nested eval run: on the sim engine
// such a method cannot wait on a lock, a queue or a sleep (a clear RuntimeError, see
// check_can_block). __enter__/__exit__ and property accessors are not here: the eval loop runs
// them as frames (vm/interpreter.cpp), so they may wait.
#pragma once

#include <cstdint>
#include <optional>

#include "vm/opcode.h"
#include "vm/thread_state.h"

namespace gilsim {

// The NotImplemented singleton a binary method returns to let the other operand try.
const Value& not_implemented();

// a OP b through __add__ / __radd__ (__iadd__ first for the in-place forms), or nothing when
// neither operand's class handles it.
std::optional<Value> instance_binary(ThreadState& ts, Op op, const Value& a, const Value& b);
std::optional<Value> instance_unary(ThreadState& ts, Op op, const Value& v);  // __neg__...
// a OP b for == != < <= > >=, the reflected method tried second; nothing when both decline.
std::optional<bool> instance_compare(ThreadState& ts, Op op, const Value& a, const Value& b);
bool instance_truthy(ThreadState& ts, const Value& v);                         // __bool__, __len__
std::optional<std::int64_t> instance_length(ThreadState& ts, const Value& v);  // __len__
std::optional<bool> instance_contains(ThreadState& ts, const Value& container, const Value& item);
std::optional<Value> instance_getitem(ThreadState& ts, const Value& v, const Value& index);
bool instance_setitem(ThreadState& ts, const Value& v, const Value& index, const Value& item);
bool instance_delitem(ThreadState& ts, const Value& v, const Value& index);
std::optional<std::int64_t> instance_hash(ThreadState& ts, const Value& v);  // __hash__
// iter(v) through __iter__ (an iterator whose __next__ is called), or nothing.
std::optional<Value> instance_iter(ThreadState& ts, const Value& v);
// next(v) through __next__: false at StopIteration; nothing when v has no __next__.
std::optional<bool> instance_next(ThreadState& ts, const Value& v, Value& out);

}  // namespace gilsim
