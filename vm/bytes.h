// bytes (lang12): the minimal bytes type a textbook program meets (b"x" * size, len(data)).
//
// A b"..." literal, len, == and != (never equal to a str), < <= > >= (by byte), hash, repr and
// print (b'...'), truthiness, indexing (an int), slicing (vm/slices.cpp), iteration (ints),
// `in`, + and * (a new bytes object) and decode() (UTF-8). Anything
// else a bytes object is asked for is CPython's TypeError or AttributeError for an object that
// lacks it. Immutable, so any thread may read it.
#pragma once

#include <optional>
#include <string>

#include "vm/objects.h"
#include "vm/opcode.h"

namespace gilsim {

struct BytesObj final : Obj {
  explicit BytesObj(std::string data) : Obj(ObjType::Bytes), data(std::move(data)) {}
  const std::string data;
};

inline Value make_bytes(std::string data) { return Value::adopt(new BytesObj(std::move(data))); }

// CPython's bytes repr: b'...' (b"..." when it holds a ' and no "), \t \n \r \\ and \xNN
// escapes for the other bytes outside printable ASCII.
std::string bytes_repr(const std::string& data);

// a + b and a * n (n * a) when a bytes object is involved; nothing for other operations.
std::optional<Value> bytes_binary(ThreadState& ts, Op op, const Value& a, const Value& b);

// b[i]: the byte as an int, IndexError as CPython's ("index out of range").
Value bytes_item(const Value& bytes, const Value& index);

// x in b: an int in range(256) is a byte of b, a bytes object a run of bytes in b; CPython's
// TypeError and ValueError otherwise.
bool bytes_contains(const Value& bytes, const Value& x);

// b.decode(encoding="utf-8"): UTF-8 only; UnicodeDecodeError on bytes that are not.
Value m_bytes_decode(ThreadState& ts, Value* args, int nargs);

}  // namespace gilsim
