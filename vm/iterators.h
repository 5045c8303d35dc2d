// Iterators: what iter(x) returns, and the lazy builtins enumerate, zip, reversed, map, filter.
//
// One Obj type (ObjType::Iterator) with a virtual next(), so that for loops, list(), next() and the
// builtins that consume iterables treat them all alike. The eval loop keeps its own fast paths for
// range, list, tuple and str (GET_ITER's 3-slot state) and falls back to these for the rest.
// An iterator belongs to the thread that uses it: like CPython's, it is not meant to be shared
// between threads without a lock (under `none` the containers it reads still take their mutexes).
#pragma once

#include <optional>
#include <vector>

#include "vm/objects.h"

namespace gilsim {

class ThreadState;

struct IterObj : Obj {
  IterObj() : Obj(ObjType::Iterator) {}
  virtual const char* name() const = 0;  // Python's type name: "list_iterator", "enumerate", ...
  // Sets `out` to the next item and returns true, or returns false when exhausted. May run
  // script code (map, filter call functions).
  virtual bool next(ThreadState& ts, Value& out) = 0;
  bool generator = false;  // lang12: a GeneratorObj (vm/generators.h), which FOR_ITER resumes
  // lang14: the user object whose __next__ this iterator calls (iter() of an instance), which
  // FOR_ITER calls as a frame; null for the others.
  virtual const Value* instance() const { return nullptr; }
};

// iter(x): a new iterator over x (an iterator returns itself); TypeError if x is not iterable.
Value make_iterator(ThreadState& ts, const Value& iterable);
// The same, or nothing when x is not iterable, for callers whose message names the operation
// (`a, b = x`: "cannot unpack non-iterable X object").
std::optional<Value> iterator_of(ThreadState& ts, const Value& iterable);
// The next item of an iterator made by make_iterator.
inline bool iterator_next(ThreadState& ts, const Value& it, Value& out) {
  return it.as<IterObj>()->next(ts, out);
}
// Every item of an iterable, in order (list(x), sorted(x), the unpacking of a, *b = x).
std::vector<Value> collect(ThreadState& ts, const Value& iterable);

Value make_enumerate(ThreadState& ts, const Value& iterable, std::int64_t start);
Value make_zip(ThreadState& ts, const std::vector<Value>& iterables);
Value make_reversed(ThreadState& ts, const Value& sequence);
Value make_map(ThreadState& ts, Value fn, const std::vector<Value>& iterables);
Value make_filter(ThreadState& ts, Value fn, const Value& iterable);

const char* iterator_type_name(const Value& v);

}  // namespace gilsim
