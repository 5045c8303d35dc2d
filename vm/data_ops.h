// The work behind the lang-data block of opcodes (opcodes.def): building tuples, dicts, sets,
// slices and f-strings from the stack, and unpacking. The eval loop's handlers call these.
#pragma once

#include <cstdint>
#include <vector>

#include "vm/opcode.h"
#include "vm/value.h"

namespace gilsim {

class ThreadState;

// BUILD_TUPLE, BUILD_MAP, BUILD_SET, BUILD_SLICE, BUILD_STRING: the top values become one;
// each returns the new stack top.
Value* build_tuple(ThreadState& ts, Value* sp, std::uint32_t n);
// BUILD_MAP, BUILD_SET: a dict of the `pairs` key/value pairs, a set of the n values, at first[..]
// (left empty); the caller saves its frame around the call (a user __hash__ may run).
Value build_map(ThreadState& ts, Value* first, std::uint32_t pairs);
Value build_set(ThreadState& ts, Value* first, std::uint32_t n);
Value* build_slice(Value* sp, std::uint32_t n);
Value* build_string(Value* sp, std::uint32_t n);

// The items of `iterable` for `a, b = x` (exactly `before` items, starred false) or
// `a, *b, c = x` (at least before + after; the middle ones become a list in their place), in
// order. ValueError with CPython's messages otherwise.
std::vector<Value> unpack_items(ThreadState& ts, const Value& iterable, std::uint32_t before,
                                std::uint32_t after, bool starred);

// LIST_EXTEND, SET_UPDATE, DICT_UPDATE.
void extend_container(ThreadState& ts, Op op, const Value& target, const Value& source);

// The binary operators of the lang-data block (& | ^ << >> and the in-place set forms) on ints,
// sets and dicts (d | e), and set difference.
bool is_data_binary_op(Op op);
Value data_binary_op(ThreadState& ts, Op op, const Value& a, const Value& b);

// FORMAT_VALUE: conversion 0 none, 1 !s, 2 !r, 3 !a; spec null when the field has none.
Value format_field(ThreadState& ts, const Value& v, int conversion, const Value* spec);

}  // namespace gilsim
