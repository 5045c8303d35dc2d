#include "vm/slices.h"

#include <fmt/format.h>

#include "vm/bytes.h"
#include "vm/errors.h"
#include "vm/iterators.h"
#include "vm/operations.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

struct Bounds {
  std::int64_t start, stop, step, count;
};

std::int64_t bound_of(const Value& v) {
  if (v.is_intlike()) return v.as_int();
  raise("TypeError", "slice indices must be integers or None or have an __index__ method");
}

// PySlice_Unpack + PySlice_AdjustIndices for a sequence of `length` items.
Bounds adjust(const SliceObj& s, std::int64_t length) {
  std::int64_t step = s.step.is_none() ? 1 : bound_of(s.step);
  if (step == 0) raise("ValueError", "slice step cannot be zero");
  if (step == INT64_MIN) step = -INT64_MAX;
  std::int64_t start = s.start.is_none() ? (step < 0 ? INT64_MAX : 0) : bound_of(s.start);
  std::int64_t stop = s.stop.is_none() ? (step < 0 ? INT64_MIN : INT64_MAX) : bound_of(s.stop);
  auto fix = [&](std::int64_t& i) {
    if (i < 0) {
      i = i < -length ? (step < 0 ? -1 : 0) : i + length;
    } else if (i >= length) {
      i = step < 0 ? length - 1 : length;
    }
  };
  fix(start);
  fix(stop);
  std::int64_t count = 0;
  if (step < 0) {
    if (stop < start) count = (start - stop - 1) / (-step) + 1;
  } else if (start < stop) {
    count = (stop - start - 1) / step + 1;
  }
  return {start, stop, step, count};
}

std::vector<size_t> code_point_starts(const std::string& s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  return starts;
}

}  // namespace

Value slice_of(ThreadState& ts, const Value& c, const SliceObj& slice) {
  if (c.is(ObjType::List) || c.is(ObjType::Tuple)) {
    std::vector<Value> items;
    if (c.is(ObjType::List)) {
      auto* list = c.as<ListObj>();
      ListGuard g(*list, ts.lock_objects);
      Bounds b = adjust(slice, static_cast<std::int64_t>(list->items.size()));
      items.reserve(static_cast<size_t>(b.count));
      for (std::int64_t k = 0, i = b.start; k < b.count; ++k, i += b.step)
        items.push_back(list->items[static_cast<size_t>(i)]);
      return make_list(std::move(items));
    }
    const auto& xs = c.as<TupleObj>()->items;
    Bounds b = adjust(slice, static_cast<std::int64_t>(xs.size()));
    if (b.step == 1 && b.count == static_cast<std::int64_t>(xs.size())) return c;
    for (std::int64_t k = 0, i = b.start; k < b.count; ++k, i += b.step)
      items.push_back(xs[static_cast<size_t>(i)]);
    return make_tuple(std::move(items));
  }
  if (c.is(ObjType::Str)) {
    const std::string& s = c.as<StrObj>()->text;
    std::vector<size_t> starts = code_point_starts(s);
    Bounds b = adjust(slice, static_cast<std::int64_t>(starts.size()));
    std::string out;
    for (std::int64_t k = 0, i = b.start; k < b.count; ++k, i += b.step) {
      size_t from = starts[static_cast<size_t>(i)];
      size_t to = static_cast<size_t>(i) + 1 < starts.size() ? starts[static_cast<size_t>(i) + 1]
                                                             : s.size();
      out.append(s, from, to - from);
    }
    return make_str(std::move(out));
  }
  if (c.is(ObjType::Bytes)) {  // lang14: by byte, a new bytes object
    const std::string& s = c.as<BytesObj>()->data;
    Bounds b = adjust(slice, static_cast<std::int64_t>(s.size()));
    std::string out;
    out.reserve(static_cast<size_t>(b.count));
    for (std::int64_t k = 0, i = b.start; k < b.count; ++k, i += b.step)
      out += s[static_cast<size_t>(i)];
    return make_bytes(std::move(out));
  }
  if (c.is(ObjType::Range)) {
    auto* r = c.as<RangeObj>();
    Bounds b = adjust(slice, r->length());
    std::int64_t start = b.count ? r->item(static_cast<unsigned __int128>(b.start)) : r->start;
    std::int64_t step = checked_mul(r->step, b.step);
    std::int64_t stop = static_cast<std::int64_t>(static_cast<__int128>(start) +
                                                  static_cast<__int128>(b.count) * step);
    return Value::adopt(new RangeObj(start, stop, step));
  }
  raise("TypeError", fmt::format("'{}' object is not subscriptable", type_name(c)));
}

void assign_slice(ThreadState& ts, const Value& list_value, const SliceObj& slice, Value source) {
  if (!source.is(ObjType::List) && !source.is(ObjType::Tuple) && !source.is(ObjType::Str) &&
      !source.is(ObjType::Range) && !source.is(ObjType::Dict) && !source.is(ObjType::Set) &&
      !source.is(ObjType::FrozenSet) && !source.is(ObjType::DictView) &&
      !source.is(ObjType::Iterator))
    raise("TypeError", "can only assign an iterable");
  std::vector<Value> items = collect(ts, source);
  auto* list = list_value.as<ListObj>();
  std::vector<Value> old;  // freed outside the guard
  ListGuard g(*list, ts.lock_objects);
  Bounds b = adjust(slice, static_cast<std::int64_t>(list->items.size()));
  if (b.step == 1) {
    auto from = list->items.begin() + b.start;
    auto to = list->items.begin() + std::max(b.start, b.stop);
    for (auto it = from; it != to; ++it) old.push_back(std::move(*it));
    list->items.erase(from, to);
    list->items.insert(list->items.begin() + b.start, items.begin(), items.end());
    return;
  }
  if (static_cast<std::int64_t>(items.size()) != b.count)
    raise("ValueError",
          fmt::format("attempt to assign sequence of size {} to extended slice of size {}",
                      items.size(), b.count));
  for (std::int64_t k = 0, i = b.start; k < b.count; ++k, i += b.step) {
    old.push_back(std::move(list->items[static_cast<size_t>(i)]));
    list->items[static_cast<size_t>(i)] = std::move(items[static_cast<size_t>(k)]);
  }
}

void delete_slice(ThreadState& ts, const Value& list_value, const SliceObj& slice) {
  auto* list = list_value.as<ListObj>();
  std::vector<Value> old;
  ListGuard g(*list, ts.lock_objects);
  Bounds b = adjust(slice, static_cast<std::int64_t>(list->items.size()));
  std::vector<bool> gone(list->items.size(), false);
  for (std::int64_t k = 0, i = b.start; k < b.count; ++k, i += b.step)
    gone[static_cast<size_t>(i)] = true;
  std::vector<Value> kept;
  for (size_t i = 0; i < list->items.size(); ++i)
    (gone[i] ? old : kept).push_back(std::move(list->items[i]));
  list->items = std::move(kept);
}

}  // namespace gilsim
