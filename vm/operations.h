// Operations on values with Python's meaning: arithmetic, comparison, truth, str() and repr(),
// subscripts, membership. The eval loop handles int fast paths inline and calls these otherwise.
// Each raises a ScriptError with CPython's exception type and message.
#pragma once

#include <string>

#include "vm/opcode.h"
#include "vm/value.h"

namespace gilsim {

class ThreadState;

// The operator's symbol as TypeError messages show it: "+", "<", "** or pow()".
const char* op_symbol(Op op);

bool truthy(ThreadState& ts, const Value& v);
Value binary_op(ThreadState& ts, Op op, const Value& a, const Value& b);  // BINARY_* / INPLACE_*
Value unary_op(ThreadState& ts, Op op, const Value& v);                   // UNARY_*
bool compare(ThreadState& ts, Op op, const Value& a, const Value& b);     // COMPARE_*
bool equal(ThreadState& ts, const Value& a, const Value& b);

std::string to_str(ThreadState& ts, const Value& v);   // str(v), print's form
std::string to_repr(ThreadState& ts, const Value& v);  // repr(v), as inside a printed list

Value subscript(ThreadState& ts, const Value& container, const Value& index);
void store_subscript(ThreadState& ts, const Value& container, const Value& index, Value item);
void delete_subscript(ThreadState& ts, const Value& container, const Value& index);  // del c[i]
std::int64_t length(ThreadState& ts, const Value& v);  // len(v); TypeError if it has none

// Checked int arithmetic: OverflowError instead of undefined behaviour.
std::int64_t checked_add(std::int64_t a, std::int64_t b);
std::int64_t checked_sub(std::int64_t a, std::int64_t b);
std::int64_t checked_mul(std::int64_t a, std::int64_t b);
// An integral float (already truncated, floored or rounded) as an int, as int() makes it: NaN is a
// ValueError, an infinity or a value outside the 64-bit range an OverflowError.
std::int64_t int_of_float(double integral);

}  // namespace gilsim
