#include "vm/objects.h"

#include <fmt/format.h>

#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/iterators.h"

namespace gilsim {

// Freeing a list frees its items, which may be lists: without recursion (containers.cpp), so
// dropping a list nested a million deep cannot overflow the C++ stack.
ListObj::~ListObj() { release_deep(std::move(items)); }
void ListObj::clear_refs() {
  release_deep(std::move(items));
  items.clear();
}

void FunctionObj::clear_refs() {
  defaults.clear();
  kwdefaults.clear();
  closure.clear();
  owner = Value();
}

unsigned __int128 RangeObj::count() const {
  // In 128 bits: stop - start can exceed the int64 range.
  __int128 span =
      step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
  if (span <= 0) return 0;
  __int128 s = step > 0 ? static_cast<__int128>(step) : -static_cast<__int128>(step);
  return static_cast<unsigned __int128>((span + s - 1) / s);
}

std::int64_t RangeObj::length() const {
  unsigned __int128 n = count();
  if (n > static_cast<unsigned __int128>(INT64_MAX))
    raise("OverflowError", "Python int too large to convert to C ssize_t");
  return static_cast<std::int64_t>(n);
}

void check_keywords(const char* fn, const KwArgs& kw,
                    std::initializer_list<std::string_view> allowed) {
  for (int i = 0; i < kw.count; ++i) {
    bool ok = false;
    for (auto a : allowed) ok |= (kw.names[i] == a);
    if (!ok)
      raise("TypeError",
            fmt::format("'{}' is an invalid keyword argument for {}()", kw.names[i], fn));
  }
}

std::string_view type_name(const Value& v) {
  switch (v.tag()) {
    case Tag::None:
      return "NoneType";
    case Tag::Bool:
      return "bool";
    case Tag::Int:
      return "int";
    case Tag::Float:
      return "float";
    case Tag::Native:
      return "builtin_function_or_method";
    case Tag::Unset:
      return "<unset>";
    case Tag::Obj:
      break;
  }
  switch (v.as_obj()->type) {
    case ObjType::Str:
      return "str";
    case ObjType::Bytes:
      return "bytes";
    case ObjType::List:
      return "list";
    case ObjType::Range:
      return "range";
    case ObjType::Function:
      return "function";
    case ObjType::BoundMethod:
      return "builtin_function_or_method";
    case ObjType::Thread:
      return "Thread";
    case ObjType::Lock:
      return "lock";
    case ObjType::Queue:
      return "Queue";
    case ObjType::Cell:
      return "cell";
    case ObjType::Class:
      return "type";
    case ObjType::Instance:
      return static_cast<const InstanceObj*>(v.as_obj())->klass()->name;
    case ObjType::Method:
      return "method";
    case ObjType::Super:
      return "super";
    case ObjType::Tuple:
      return "tuple";
    case ObjType::Dict:
      return "dict";
    case ObjType::Set:
      return "set";
    case ObjType::FrozenSet:
      return "frozenset";
    case ObjType::DictView:
      switch (static_cast<const DictViewObj*>(v.as_obj())->kind) {
        case ViewKind::Keys:
          return "dict_keys";
        case ViewKind::Values:
          return "dict_values";
        case ViewKind::Items:
          return "dict_items";
      }
      return "dict_keys";
    case ObjType::Iterator:
      return iterator_type_name(v);
    case ObjType::Slice:
      return "slice";
    case ObjType::Module:
      return "module";
  }
  return "object";
}

}  // namespace gilsim
