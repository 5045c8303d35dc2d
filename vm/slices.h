// Slicing: a[i:j:k] on str, list, tuple and range, slice assignment and deletion on lists, with
// CPython's index rules (PySlice_Unpack and PySlice_AdjustIndices) and messages.
#pragma once

#include "vm/containers.h"

namespace gilsim {

Value slice_of(ThreadState& ts, const Value& container, const SliceObj& slice);
void assign_slice(ThreadState& ts, const Value& list, const SliceObj& slice, Value items);
void delete_slice(ThreadState& ts, const Value& list, const SliceObj& slice);

}  // namespace gilsim
