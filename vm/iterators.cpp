#include "vm/iterators.h"

#include <fmt/format.h>

#include "vm/bytes.h"
#include "vm/containers.h"
#include "vm/dunders.h"
#include "vm/errors.h"
#include "vm/interpreter.h"
#include "vm/operations.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

// list, tuple and str by position; a list may grow while it is iterated, as in CPython.
struct SeqIter final : IterObj {
  explicit SeqIter(Value seq) : seq(std::move(seq)) {}
  const char* name() const override {
    return seq.is(ObjType::List)    ? "list_iterator"
           : seq.is(ObjType::Tuple) ? "tuple_iterator"
                                    : "str_ascii_iterator";
  }
  bool next(ThreadState& ts, Value& out) override {
    if (seq.is(ObjType::List)) {
      auto* list = seq.as<ListObj>();
      ListGuard g(*list, ts.lock_objects);
      if (pos >= list->items.size()) return false;
      out = list->items[pos++];
      return true;
    }
    if (seq.is(ObjType::Tuple)) {
      const auto& items = seq.as<TupleObj>()->items;
      if (pos >= items.size()) return false;
      out = items[pos++];
      return true;
    }
    const std::string& s = seq.as<StrObj>()->text;
    if (pos >= s.size()) return false;
    size_t end = pos + 1;
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    out = make_str(s.substr(pos, end - pos));
    pos = end;
    return true;
  }
  Value seq;
  size_t pos = 0;
};

// lang14: bytes by position, each byte an int.
struct BytesIter final : IterObj {
  explicit BytesIter(Value bytes) : bytes(std::move(bytes)) {}
  const char* name() const override { return "bytes_iterator"; }
  bool next(ThreadState&, Value& out) override {
    const std::string& s = bytes.as<BytesObj>()->data;
    if (pos >= s.size()) return false;
    out = Value::integer(static_cast<unsigned char>(s[pos++]));
    return true;
  }
  Value bytes;
  size_t pos = 0;
};

struct RangeIter final : IterObj {
  RangeIter(const RangeObj& r) : range(r.start, r.stop, r.step), count(r.count()) {}
  const char* name() const override { return "range_iterator"; }
  bool next(ThreadState&, Value& out) override {
    if (pos >= count) return false;
    out = Value::integer(range.item(pos++));
    return true;
  }
  RangeObj range;
  unsigned __int128 count;
  unsigned __int128 pos = 0;
};

// A dict's keys, values or items, in insertion order. As CPython, changing the dict's size while
// iterating is a RuntimeError.
struct DictIter final : IterObj {
  DictIter(Value dict, ViewKind kind, size_t size)
      : dict(std::move(dict)), kind(kind), size(size) {}
  const char* name() const override {
    return kind == ViewKind::Keys     ? "dict_keyiterator"
           : kind == ViewKind::Values ? "dict_valueiterator"
                                      : "dict_itemiterator";
  }
  bool next(ThreadState& ts, Value& out) override {
    auto* d = dict.as<DictObj>();
    Value key, value;
    {
      ContainerGuard g(d->mu, ts.lock_objects);
      if (d->table.size() != size) {
        size = SIZE_MAX;  // stays broken, as CPython's
        raise("RuntimeError", "dictionary changed size during iteration");
      }
      const auto& entries = d->table.entries();
      while (pos < entries.size() && entries[pos].key.is_unset()) ++pos;
      if (pos >= entries.size()) return false;
      key = entries[pos].key;
      value = entries[pos].value;
      ++pos;
    }
    if (kind == ViewKind::Keys)
      out = std::move(key);
    else if (kind == ViewKind::Values)
      out = std::move(value);
    else
      out = make_tuple({std::move(key), std::move(value)});
    return true;
  }
  Value dict;
  ViewKind kind;
  size_t size;
  size_t pos = 0;
};

struct SetIter final : IterObj {
  SetIter(Value set, size_t size) : set(std::move(set)), size(size) {}
  const char* name() const override { return "set_iterator"; }
  bool next(ThreadState& ts, Value& out) override {
    auto* s = set.as<SetObj>();
    ContainerGuard g(s->mu, ts.lock_objects && set.is(ObjType::Set));
    if (s->table.size() != size) {
      size = SIZE_MAX;
      raise("RuntimeError", "Set changed size during iteration");
    }
    const auto& slots = s->table.slots();
    while (pos < slots.size() && slots[pos].key.is_unset()) ++pos;
    if (pos >= slots.size()) return false;
    out = slots[pos++].key;
    return true;
  }
  Value set;
  size_t size;
  size_t pos = 0;
};

struct EnumerateIter final : IterObj {
  EnumerateIter(Value inner, std::int64_t count) : inner(std::move(inner)), count(count) {}
  const char* name() const override { return "enumerate"; }
  bool next(ThreadState& ts, Value& out) override {
    Value item;
    if (!iterator_next(ts, inner, item)) return false;
    out = make_tuple({Value::integer(count), std::move(item)});
    count = checked_add(count, 1);
    return true;
  }
  Value inner;
  std::int64_t count;
};

struct ZipIter final : IterObj {
  explicit ZipIter(std::vector<Value> inners) : inners(std::move(inners)) {}
  const char* name() const override { return "zip"; }
  bool next(ThreadState& ts, Value& out) override {
    if (inners.empty()) return false;
    std::vector<Value> items(inners.size());
    for (size_t i = 0; i < inners.size(); ++i)
      if (!iterator_next(ts, inners[i], items[i])) return false;
    out = make_tuple(std::move(items));
    return true;
  }
  std::vector<Value> inners;
};

// reversed() over a snapshot of the items (a list, tuple, str, range, or a dict's keys).
struct ReversedIter final : IterObj {
  explicit ReversedIter(std::vector<Value> items, const char* type)
      : items(std::move(items)), type(type) {}
  const char* name() const override { return type; }
  bool next(ThreadState&, Value& out) override {
    if (items.empty()) return false;
    out = std::move(items.back());
    items.pop_back();
    return true;
  }
  std::vector<Value> items;
  const char* type;
};

// reversed(list): live, by position from the end, as CPython's listreviterobject.
struct ListReverseIter final : IterObj {
  ListReverseIter(Value list, size_t size) : list(std::move(list)), pos(size) {}
  const char* name() const override { return "list_reverseiterator"; }
  bool next(ThreadState& ts, Value& out) override {
    auto* l = list.as<ListObj>();
    ListGuard g(*l, ts.lock_objects);
    if (pos == 0 || pos > l->items.size()) return false;
    out = l->items[--pos];
    return true;
  }
  Value list;
  size_t pos;
};

struct MapIter final : IterObj {
  MapIter(Value fn, std::vector<Value> inners) : fn(std::move(fn)), inners(std::move(inners)) {}
  const char* name() const override { return "map"; }
  bool next(ThreadState& ts, Value& out) override {
    std::vector<Value> args(inners.size());
    for (size_t i = 0; i < inners.size(); ++i)
      if (!iterator_next(ts, inners[i], args[i])) return false;
    out = call_nested(ts, fn, std::move(args));
    return true;
  }
  Value fn;
  std::vector<Value> inners;
};

struct FilterIter final : IterObj {
  FilterIter(Value fn, Value inner) : fn(std::move(fn)), inner(std::move(inner)) {}
  const char* name() const override { return "filter"; }
  bool next(ThreadState& ts, Value& out) override {
    Value item;
    while (iterator_next(ts, inner, item)) {
      bool keep = fn.is_none() ? truthy(ts, item) : truthy(ts, call_nested(ts, fn, {item}));
      if (keep) {
        out = std::move(item);
        return true;
      }
    }
    return false;
  }
  Value fn;
  Value inner;
};

}  // namespace

std::optional<Value> iterator_of(ThreadState& ts, const Value& v) {
  if (v.is_obj()) {
    switch (v.as_obj()->type) {
      case ObjType::List:
      case ObjType::Tuple:
      case ObjType::Str:
        return Value::adopt(new SeqIter(v));
      case ObjType::Range:
        return Value::adopt(new RangeIter(*v.as<RangeObj>()));
      case ObjType::Bytes:
        return Value::adopt(new BytesIter(v));
      case ObjType::Dict:
        return Value::adopt(new DictIter(v, ViewKind::Keys, dict_size(ts, v)));
      case ObjType::DictView: {
        auto* view = v.as<DictViewObj>();
        return Value::adopt(new DictIter(view->dict, view->kind, dict_size(ts, view->dict)));
      }
      case ObjType::Set:
      case ObjType::FrozenSet: {
        size_t n;
        {
          auto* s = v.as<SetObj>();
          ContainerGuard g(s->mu, ts.lock_objects && v.is(ObjType::Set));
          n = s->table.size();
        }
        return Value::adopt(new SetIter(v, n));
      }
      case ObjType::Iterator:
        return v;
      case ObjType::Instance:  // lang2: __iter__
        return instance_iter(ts, v);
      default:
        break;
    }
  }
  return std::nullopt;
}

Value make_iterator(ThreadState& ts, const Value& v) {
  if (auto it = iterator_of(ts, v)) return std::move(*it);
  raise("TypeError", fmt::format("'{}' object is not iterable", type_name(v)));
}

std::vector<Value> collect(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::List)) {
    auto* list = v.as<ListObj>();
    ListGuard g(*list, ts.lock_objects);
    return list->items;
  }
  if (v.is(ObjType::Tuple)) return v.as<TupleObj>()->items;
  std::vector<Value> out;
  if (v.is(ObjType::Range) && v.as<RangeObj>()->count() > (unsigned __int128)(1u << 28))
    raise("MemoryError", "range too large to materialize");
  Value it = make_iterator(ts, v);
  Value item;
  while (iterator_next(ts, it, item)) out.push_back(std::move(item));
  return out;
}

Value make_enumerate(ThreadState& ts, const Value& iterable, std::int64_t start) {
  return Value::adopt(new EnumerateIter(make_iterator(ts, iterable), start));
}

Value make_zip(ThreadState& ts, const std::vector<Value>& iterables) {
  std::vector<Value> inners;
  for (const auto& v : iterables) inners.push_back(make_iterator(ts, v));
  return Value::adopt(new ZipIter(std::move(inners)));
}

Value make_reversed(ThreadState& ts, const Value& v) {
  if (v.is(ObjType::List)) {
    size_t n;
    {
      ListGuard g(*v.as<ListObj>(), ts.lock_objects);
      n = v.as<ListObj>()->items.size();
    }
    return Value::adopt(new ListReverseIter(v, n));
  }
  const char* type = v.is(ObjType::Range)  ? "range_iterator"
                     : v.is(ObjType::Dict) ? "dict_reversekeyiterator"
                                           : "reversed";
  if (v.is(ObjType::Tuple) || v.is(ObjType::Str) || v.is(ObjType::Range) || v.is(ObjType::Dict))
    return Value::adopt(new ReversedIter(collect(ts, v), type));
  raise("TypeError", fmt::format("'{}' object is not reversible", type_name(v)));
}

Value make_map(ThreadState& ts, Value fn, const std::vector<Value>& iterables) {
  std::vector<Value> inners;
  for (const auto& v : iterables) inners.push_back(make_iterator(ts, v));
  return Value::adopt(new MapIter(std::move(fn), std::move(inners)));
}

Value make_filter(ThreadState& ts, Value fn, const Value& iterable) {
  return Value::adopt(new FilterIter(std::move(fn), make_iterator(ts, iterable)));
}

const char* iterator_type_name(const Value& v) { return v.as<IterObj>()->name(); }

}  // namespace gilsim
