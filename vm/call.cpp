#include "vm/call.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "vm/builtins.h"
#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/errors.h"

namespace gilsim {

std::string quoted_name_list(const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) list += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
    list += "'" + names[i] + "'";
  }
  return list;
}

namespace {

[[noreturn]] void too_many_positional(const Code& code, const FunctionObj* fn, int given) {
  int np = code.num_params;
  int lo = np - static_cast<int>(fn->defaults.size());
  std::string takes = lo == np ? fmt::format("{}", np) : fmt::format("from {} to {}", lo, np);
  raise("TypeError",
        fmt::format("{}() takes {} positional argument{} but {} {} given", code.qualname, takes,
                    np == 1 && lo == np ? "" : "s", given, given == 1 ? "was" : "were"));
}

}  // namespace

void enter_function(ThreadState& ts, const FunctionObj* fn, std::uint32_t base, int npos,
                    const std::vector<std::string>* kwnames) {
  const Code& code = *fn->code;
  if (ts.frames.size() >=
      static_cast<size_t>(ts.interp.recursion_limit.load(std::memory_order_relaxed)))
    raise("RecursionError", "maximum recursion depth exceeded");
  int nkw = kwnames ? static_cast<int>(kwnames->size()) : 0;
  int np = code.num_params;
  if (npos > np && !code.varargs) too_many_positional(code, fn, npos);
  std::vector<Value> args(std::make_move_iterator(ts.stack.begin() + base),
                          std::make_move_iterator(ts.stack.begin() + base + npos + nkw));
  reserve_frame(ts, base, code);
  Value* locals = ts.stack.data() + base;
  auto nlocals = static_cast<int>(code.local_names.size());
  for (int i = 0; i < std::max(nlocals, npos + nkw); ++i)
    locals[i] = i < nlocals ? Value::unset() : Value();
  for (int i = 0; i < std::min(npos, np); ++i) locals[i] = std::move(args[static_cast<size_t>(i)]);
  int nnamed = np + code.num_kwonly;  // parameters a keyword can name
  // *args and **kwargs follow the named parameters (Params::names): a tuple of the extra
  // positional arguments, a dict of the extra keywords.
  if (code.varargs) {
    std::vector<Value> rest;
    for (int i = np; i < npos; ++i) rest.push_back(std::move(args[static_cast<size_t>(i)]));
    locals[nnamed] = make_tuple(std::move(rest));
  }
  int varkw_slot = nnamed + (code.varargs ? 1 : 0);
  if (code.varkw) locals[varkw_slot] = make_dict();
  for (int k = 0; k < nkw; ++k) {
    const std::string& name = (*kwnames)[static_cast<size_t>(k)];
    int slot = -1;
    for (int i = 0; i < nnamed; ++i)
      if (code.local_names[static_cast<size_t>(i)] == name) slot = i;
    if (slot < 0 && code.varkw) {
      dict_set(ts, locals[varkw_slot], make_str(name),
               std::move(args[static_cast<size_t>(npos + k)]));
      continue;
    }
    if (slot < 0)
      raise("TypeError",
            fmt::format("{}() got an unexpected keyword argument '{}'", code.qualname, name));
    if (!locals[slot].is_unset())
      raise("TypeError",
            fmt::format("{}() got multiple values for argument '{}'", code.qualname, name));
    locals[slot] = std::move(args[static_cast<size_t>(npos + k)]);
  }
  int first_default = np - static_cast<int>(fn->defaults.size());
  std::vector<std::string> missing;
  for (int i = 0; i < np; ++i) {
    if (!locals[i].is_unset()) continue;
    if (i >= first_default)
      locals[i] = fn->defaults[static_cast<size_t>(i - first_default)];
    else
      missing.push_back(code.local_names[static_cast<size_t>(i)]);
  }
  if (!missing.empty())
    raise("TypeError",
          fmt::format("{}() missing {} required positional argument{}: {}", code.qualname,
                      missing.size(), missing.size() == 1 ? "" : "s", quoted_name_list(missing)));
  for (int j = 0; j < code.num_kwonly; ++j) {
    Value& slot = locals[np + j];
    if (!slot.is_unset()) continue;
    if (static_cast<size_t>(j) < fn->kwdefaults.size() &&
        !fn->kwdefaults[static_cast<size_t>(j)].is_unset())
      slot = fn->kwdefaults[static_cast<size_t>(j)];
    else
      missing.push_back(code.local_names[static_cast<size_t>(np + j)]);
  }
  if (!missing.empty())
    raise("TypeError",
          fmt::format("{}() missing {} required keyword-only argument{}: {}", code.qualname,
                      missing.size(), missing.size() == 1 ? "" : "s", quoted_name_list(missing)));
  for (std::uint32_t slot : code.cell_slots)
    locals[slot] = Value::adopt(new CellObj(std::move(locals[slot])));
  for (size_t i = 0; i < code.free_slots.size(); ++i) locals[code.free_slots[i]] = fn->closure[i];
  ts.frames.push_back(Frame{&code, 0, base, base + static_cast<std::uint32_t>(nlocals),
                            static_cast<std::uint32_t>(ts.with_stack.size())});
}

Value call_native_kw(ThreadState& ts, const NativeDef& def, Value* stack_args, int npos,
                     const std::vector<std::string>* kwnames) {
  int nkw = kwnames ? static_cast<int>(kwnames->size()) : 0;
  // A builtin may run script code (print calling __repr__: call_nested), which may grow and so
  // move ThreadState::stack: its arguments must not live there during the call.
  constexpr int kInline = 8;
  Value inline_args[kInline];
  std::vector<Value> heap_args;
  Value* args = inline_args;
  int total = npos + nkw;
  if (total > kInline) {
    heap_args.assign(stack_args, stack_args + total);
    args = heap_args.data();
  } else {
    for (int i = 0; i < total; ++i) inline_args[i] = stack_args[i];
  }
  if (def.fn_kw) {
    check_arity(def, npos);
    KwArgs kw{nkw ? kwnames->data() : nullptr, args + npos, nkw};
    return def.fn_kw(ts, args, npos, kw);
  }
  if (nkw) raise("TypeError", fmt::format("{}() takes no keyword arguments", def.name));
  check_arity(def, npos);
  return def.fn(ts, args, npos);
}

bool call_at(ThreadState& ts, std::uint32_t at, int npos, const std::vector<std::string>* kwnames) {
  int nkw = kwnames ? static_cast<int>(kwnames->size()) : 0;
  Value& callee = ts.stack[at];
  if (callee.is(ObjType::Function)) {
    enter_function(ts, callee.as<FunctionObj>(), at + 1, npos, kwnames);
    return true;
  }
  if (callee.is(ObjType::Method) || callee.is(ObjType::Class)) {
    // [callee, args] becomes [function, self, args]: one slot more.
    Value fn, self;
    bool init = false;
    if (callee.is(ObjType::Method)) {
      fn = callee.as<MethodObj>()->fn;
      self = callee.as<MethodObj>()->self;
    } else {
      auto* cls = callee.as<ClassObj>();
      if (cls->ctor) {
        Value r = call_native_kw(ts, *cls->ctor, &ts.stack[at + 1], npos, kwnames);
        for (int i = npos + nkw; i >= 1; --i) ts.stack[at + i] = Value();
        ts.stack[at] = std::move(r);
        return false;
      }
      self = new_instance(ts, cls, &ts.stack[at + 1], npos, nkw, fn);
      if (fn.is_none()) {
        for (int i = npos + nkw; i >= 1; --i) ts.stack[at + i] = Value();
        ts.stack[at] = std::move(self);
        return false;
      }
      init = true;
    }
    size_t need = at + 2 + static_cast<size_t>(npos + nkw) + 1;
    ts.grow_stack(need);
    for (int i = npos + nkw; i >= 1; --i) ts.stack[at + 1 + i] = std::move(ts.stack[at + i]);
    ts.stack[at + 1] = std::move(self);
    ts.stack[at] = fn;
    enter_function(ts, fn.as<FunctionObj>(), at + 1, npos + 1, kwnames);
    if (init) ts.frames.back().kind = kFrameInit;
    return true;
  }
  Value result;
  if (callee.is_native()) {
    result = call_native_kw(ts, *callee.as_native(), &ts.stack[at + 1], npos, kwnames);
  } else if (callee.is(ObjType::BoundMethod)) {
    auto* bm = callee.as<BoundMethodObj>();
    std::vector<Value> args;
    args.push_back(bm->self);
    for (int i = 0; i < npos + nkw; ++i) args.push_back(ts.stack[at + 1 + i]);
    result = call_native_kw(ts, *bm->def, args.data(), npos + 1, kwnames);
  } else if (Value m; callee.is(ObjType::Instance) &&
                      (m = special_method(ts, callee, "__call__")).is(ObjType::Method)) {
    callee = std::move(m);  // lang2: obj(...) is obj.__call__(...), a frame as any method call
    return call_at(ts, at, npos, kwnames);
  } else {
    raise("TypeError", fmt::format("'{}' object is not callable", type_name(callee)));
  }
  for (int i = npos + nkw; i >= 1; --i) ts.stack[at + i] = Value();
  ts.stack[at] = std::move(result);
  return false;
}

// ---- lang2: f(**mapping) ----
namespace {

// How CPython 3.11 names a callee in DICT_MERGE's errors: __main__.f(), __main__.C.m(), print().
std::string callee_display(const Value& callee) {
  if (callee.is(ObjType::Function))
    return "__main__." + callee.as<FunctionObj>()->code->qualname + "()";
  if (callee.is(ObjType::Method)) return callee_display(callee.as<MethodObj>()->fn);
  if (callee.is(ObjType::Class)) return "__main__." + callee.as<ClassObj>()->name + "()";
  if (callee.is_native()) return std::string(callee.as_native()->name) + "()";
  if (callee.is(ObjType::BoundMethod))
    return std::string(callee.as<BoundMethodObj>()->def->name) + "()";
  return std::string(type_name(callee)) + " object";
}

}  // namespace

void merge_keywords(ThreadState& ts, const Value& callee, const Value& dict, const Value& mapping) {
  if (!mapping.is(ObjType::Dict))
    raise("TypeError", fmt::format("{} argument after ** must be a mapping, not {}",
                                   callee_display(callee), type_name(mapping)));
  for (auto& [k, v] : dict_snapshot(ts, mapping)) {
    if (k.is(ObjType::Str) && dict_get(ts, dict, k))
      raise("TypeError", fmt::format("{} got multiple values for keyword argument '{}'",
                                     callee_display(callee), k.as<StrObj>()->text));
    dict_set(ts, dict, k, v);
  }
}

bool call_with_dict(ThreadState& ts, std::uint32_t at) {
  std::vector<Value> pos = ts.stack[at + 1].as<ListObj>()->items;
  std::vector<std::string> names;
  std::vector<Value> values;
  for (auto& [k, v] : dict_snapshot(ts, ts.stack[at + 2])) {
    if (!k.is(ObjType::Str)) raise("TypeError", "keywords must be strings");
    names.push_back(k.as<StrObj>()->text);
    values.push_back(v);
  }
  size_t need = at + 1 + pos.size() + values.size() + 2;
  ts.grow_stack(need);
  ts.stack[at + 1] = Value();
  ts.stack[at + 2] = Value();
  size_t p = at + 1;
  for (auto& v : pos) ts.stack[p++] = std::move(v);
  for (auto& v : values) ts.stack[p++] = std::move(v);
  return call_at(ts, at, static_cast<int>(pos.size()), names.empty() ? nullptr : &names);
}

}  // namespace gilsim
