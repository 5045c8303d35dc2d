#include "vm/interpreter.h"

#include <fmt/format.h>

#include <algorithm>

#include "vm/builtins.h"
#include "vm/call.h"
#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/cycle_collector.h"
#include "vm/data_ops.h"
#include "vm/dunders.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/generators.h"
#include "vm/iterators.h"
#include "vm/memory_budget.h"
#include "vm/module_object.h"
#include "vm/objects.h"
#include "vm/operations.h"
#include "vm/sim_objects.h"

#if defined(__GNUC__)
#define GILSIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define GILSIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define GILSIM_LIKELY(x) (x)
#define GILSIM_UNLIKELY(x) (x)
#endif

namespace gilsim {

Interp::Interp(std::shared_ptr<const Program> program, Host& host)
    : program_(std::move(program)), host_(host) {
  globals.assign(program_->global_names.size(), Value::unset());
  const auto& defs = builtin_defs();
  for (size_t i = 0; i < defs.size(); ++i) globals[i] = Value::native(defs[i]);
  // lang-func: the built-in classes follow (object, Exception, ValueError...; see compile()).
  const auto& classes = builtin_class_names();
  for (size_t i = 0; i < classes.size() && defs.size() + i < globals.size(); ++i)
    globals[defs.size() + i] = Value::share(builtin_class(classes[i]));
  // `if __name__ == "__main__":` is true for the script run (compile() names the slot after them).
  if (size_t at = defs.size() + classes.size(); at < globals.size())
    globals[at] = make_str("__main__");
  if (size_t at = defs.size() + classes.size() + 1; at < globals.size())
    globals[at] = not_implemented();
}

namespace {

// Pushes a frame for a call of `fn` whose arguments already sit at stack[base .. base+argc):
// the fast path; anything needing binding work goes to enter_function (vm/call.cpp).
void push_frame(ThreadState& ts, const FunctionObj* fn, std::uint32_t base, int argc) {
  const Code& code = *fn->code;
  if (GILSIM_UNLIKELY(argc != code.fast_argc)) {
    enter_function(ts, fn, base, argc, nullptr);
    return;
  }
  if (ts.frames.size() >=
      static_cast<size_t>(ts.interp.recursion_limit.load(std::memory_order_relaxed)))
    raise("RecursionError", "maximum recursion depth exceeded");
  reserve_frame(ts, base, code);
  auto nlocals = static_cast<std::uint32_t>(code.local_names.size());
  for (std::uint32_t i = static_cast<std::uint32_t>(argc); i < nlocals; ++i)
    ts.stack[base + i] = Value::unset();
  ts.frames.push_back(
      Frame{&code, 0, base, base + nlocals, static_cast<std::uint32_t>(ts.with_stack.size())});
}

void exit_context(ThreadState& ts, const Value& ctx) {
  if (ctx.is(ObjType::Lock)) ts.interp.host().lock_release(ts, ctx);
}

// lang2: `with` on a Lock without calls (BEFORE_WITH's fast path). The lock is also kept on the
// thread's with-stack, so a thread ended by something no handler sees (StepLimitError, a stop)
// still releases it.
void enter_lock(ThreadState& ts, const Value& lock) {
  acquire_lock_blocking(ts, lock, "with on a lock");
  ts.with_stack.push_back(lock);
}

// WITH_EXIT and WITH_EXCEPT_START call __exit__ with 3 arguments above the frame's operands,
// which max_stack does not count: room for them, the stack perhaps moved (frame saved first).
Value* with_call_room(ThreadState& ts, Value* sp) {
  auto at = static_cast<size_t>(sp - ts.stack.data());
  ts.grow_stack(at + 5);
  return ts.stack.data() + at;
}

// BEFORE_WITH on anything else: the manager's bound __exit__ and __enter__, CPython 3.11's errors.
void context_methods(ThreadState& ts, const Value& mgr, Value& enter, Value& exit) {
  enter = special_method(ts, mgr, "__enter__");
  if (enter.is_unset())
    raise("TypeError",
          fmt::format("'{}' object does not support the context manager protocol", type_name(mgr)));
  exit = special_method(ts, mgr, "__exit__");
  if (exit.is_unset())
    raise("TypeError",
          fmt::format("'{}' object does not support the context manager protocol (missed "
                      "__exit__ method)",
                      type_name(mgr)));
}

// Leaves the innermost frame's `with` blocks, innermost first.
void exit_frame_contexts(ThreadState& ts) {
  std::uint32_t base = ts.frames.back().with_base;
  while (ts.with_stack.size() > base) {
    Value ctx = std::move(ts.with_stack.back());
    ts.with_stack.pop_back();
    exit_context(ts, ctx);
  }
}

// stdlib2: a module's globals are named "threading:_counter" in the program's table.
std::string_view global_display_name(const Interp& in, std::uint32_t index) {
  std::string_view name = in.program().global_names[index];
  if (size_t colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
  return name;
}

Value load_global(ThreadState& ts, std::uint32_t index) {
  Interp& in = ts.interp;
  Value v;
  if (ts.lock_objects) {
    std::lock_guard g(in.globals_mu);
    v = in.globals[index];
  } else {
    v = in.globals[index];
  }
  if (GILSIM_UNLIKELY(v.is_unset())) {
    // stdlib2: a module global that shadows a builtin (TimeoutError = TimeoutError) reads the
    // builtin until the module has bound it, as CPython's lookup falls back to builtins.
    std::string_view name = global_display_name(in, index);
    const auto& names = in.program().global_names;
    size_t builtins = builtin_names().size() + builtin_class_names().size();
    if (name.size() != names[index].size())
      for (size_t i = 0; i < builtins && i < names.size(); ++i)
        if (names[i] == name) return load_global(ts, static_cast<std::uint32_t>(i));
    raise("NameError", fmt::format("name '{}' is not defined", name));
  }
  return v;
}

void store_global(ThreadState& ts, std::uint32_t index, Value v) {
  Interp& in = ts.interp;
  Value old;  // released outside the lock
  if (ts.lock_objects) {
    std::lock_guard g(in.globals_mu);
    old = std::move(in.globals[index]);
    in.globals[index] = std::move(v);
  } else {
    old = std::move(in.globals[index]);
    in.globals[index] = std::move(v);
  }
}

// The 3-slot iteration state GET_ITER leaves: [start, stop, step] ints for a range,
// [sequence, position, None] for a list or tuple (item index) or str (byte offset), and
// [iterator, 0, None] for everything else (iterators.h).
// `at` is an index: iter() of an instance runs its __iter__ (call_nested), which may grow and so
// move the stack.
void get_iter(ThreadState& ts, std::uint32_t at) {
  Value* slots = ts.stack.data() + at;
  Value it = std::move(slots[0]);
  if (it.is(ObjType::Range)) {
    auto* r = it.as<RangeObj>();
    slots[0] = Value::integer(r->start);
    slots[1] = Value::integer(r->stop);
    slots[2] = Value::integer(r->step);
    return;
  }
  slots[1] = Value::integer(0);
  slots[2] = Value::none();
  if (it.is(ObjType::List) || it.is(ObjType::Str) || it.is(ObjType::Tuple)) {
    slots[0] = std::move(it);
    return;
  }
  Value iterator = make_iterator(ts, it);
  ts.stack[at] = std::move(iterator);
}

// Advances a sequence iteration; false when exhausted.
bool next_item(ThreadState& ts, Value* slots, Value& out) {
  std::int64_t pos = slots[1].as_int();
  if (slots[0].is(ObjType::List)) {
    auto* list = slots[0].as<ListObj>();
    ListGuard g(*list, ts.lock_objects);
    if (pos >= static_cast<std::int64_t>(list->items.size())) return false;
    out = list->items[static_cast<size_t>(pos)];
    slots[1].set_int_unchecked(pos + 1);
    return true;
  }
  if (slots[0].is(ObjType::Tuple)) {
    const auto& items = slots[0].as<TupleObj>()->items;
    if (pos >= static_cast<std::int64_t>(items.size())) return false;
    out = items[static_cast<size_t>(pos)];
    slots[1].set_int_unchecked(pos + 1);
    return true;
  }
  if (slots[0].is(ObjType::Iterator)) {
    Value it = slots[0];  // the iterator may run script code, which may move the stack
    return iterator_next(ts, it, out);
  }
  const std::string& s = slots[0].as<StrObj>()->text;
  auto at = static_cast<size_t>(pos);
  if (at >= s.size()) return false;
  size_t end = at + 1;
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  out = make_str(s.substr(at, end - at));
  slots[1].set_int_unchecked(static_cast<std::int64_t>(end));
  return true;
}

Value call_native(ThreadState& ts, const NativeDef& def, Value* args, int nargs) {
  return call_native_kw(ts, def, args, nargs, nullptr);
}

// ---- lang-func: helpers of the call and closure instructions ----

// CALL_EX: [callee, list of positional args, nkw keyword values] becomes [callee, positional...,
// keyword values...]; returns the new stack top and sets npos.
Value* spread_arguments(ThreadState& ts, Value* callee, Value* sp, int nkw, int& npos) {
  std::vector<Value> pos = callee[1].as<ListObj>()->items;
  std::vector<Value> kw(std::make_move_iterator(callee + 2), std::make_move_iterator(sp));
  auto at = static_cast<size_t>(callee - ts.stack.data());
  size_t need = at + 1 + pos.size() + kw.size() + 1;
  ts.grow_stack(need);
  Value* p = ts.stack.data() + at + 1;
  for (auto& v : pos) *p++ = std::move(v);
  for (auto& v : kw) *p++ = std::move(v);
  npos = static_cast<int>(pos.size());
  (void)nkw;
  return p;
}

// f(*xs): the argument list grows by the items of xs.
void extend_arguments(ThreadState& ts, const Value& list, const Value& iterable) {
  Value it;
  try {
    it = make_iterator(ts, iterable);
  } catch (const ScriptError& e) {
    if (e.type != "TypeError") throw;
    raise("TypeError",
          fmt::format("Value after * must be an iterable, not {}", type_name(iterable)));
  }
  std::vector<Value> items = collect(ts, it);
  auto& out = list.as<ListObj>()->items;
  for (auto& v : items) out.push_back(std::move(v));
}

Value load_cell(ThreadState& ts, const Code& code, std::uint32_t slot, CellObj& cell) {
  Value v;
  if (ts.lock_objects) {
    std::lock_guard g(cell.mu);
    v = cell.value;
  } else {
    v = cell.value;
  }
  if (GILSIM_UNLIKELY(v.is_unset())) {
    bool own =
        std::find(code.free_slots.begin(), code.free_slots.end(), slot) == code.free_slots.end();
    if (own)
      raise("UnboundLocalError",
            fmt::format("cannot access local variable '{}' where it is not associated with a value",
                        code.local_names[slot]));
    raise("NameError", fmt::format("cannot access free variable '{}' where it is not associated "
                                   "with a value in enclosing scope",
                                   code.local_names[slot]));
  }
  return v;
}

// A constructor's __init__ returned: the call's value is the new instance (locals[0]).
void init_result(Value& result, const Value& self) {
  if (!result.is_none())
    raise("TypeError", fmt::format("__init__() should return None, not '{}'", type_name(result)));
  result = self.is(ObjType::Cell) ? self.as<CellObj>()->value : self;
}

// A frame returns: its try blocks and handled exceptions end with it.
void pop_frame_blocks(ThreadState& ts) {
  auto f = static_cast<std::uint32_t>(ts.frames.size() - 1);
  while (!ts.exc_blocks.empty() && ts.exc_blocks.back().frame >= f) ts.exc_blocks.pop_back();
}

// The exception being handled (the innermost handling block, any frame), or None.
Value handled_exception(ThreadState& ts) {
  for (auto it = ts.exc_blocks.rbegin(); it != ts.exc_blocks.rend(); ++it)
    if (it->handling) return it->exc;
  return Value::none();
}

// RAISE's exception: re-raised (0), TOS (1) or TOS1 with TOS as its cause (2).
Value raise_operand(ThreadState& ts, Value* sp, std::uint32_t n) {
  if (n == 0) {
    Value cur = handled_exception(ts);
    if (cur.is_none()) raise("RuntimeError", "No active exception to reraise");
    return cur;
  }
  Value exc = exception_from_raise(ts, sp[-static_cast<int>(n)], "");
  ExceptionState& st = exc_state(exc);
  st.traceback.clear();
  if (n == 2) {
    const Value& cause = sp[-1];
    if (cause.is_none()) {
      st.cause = Value::none();
    } else {
      Value c = exception_from_raise(ts, cause, "");
      st.cause = c;
    }
    st.suppress_context = true;
  }
  return exc;
}

void store_cell(ThreadState& ts, CellObj& cell, Value v) {
  Value old;  // released outside the lock
  if (ts.lock_objects) {
    std::lock_guard g(cell.mu);
    old = std::move(cell.value);
    cell.value = std::move(v);
  } else {
    old = std::move(cell.value);
    cell.value = std::move(v);
  }
}
// ---- end lang-func ----

// BUILD_LIST: the top n values become a list; returns the new stack top.
Value* build_list(ThreadState& ts, Value* sp, std::uint32_t n) {
  std::vector<Value> items;
  items.reserve(n);
  for (Value* p = sp - n; p < sp; ++p) items.push_back(std::move(*p));
  sp -= n;
  *sp++ = new_list(ts, std::move(items));
  return sp;
}

void exit_innermost_context(ThreadState& ts) {
  Value ctx = std::move(ts.with_stack.back());
  ts.with_stack.pop_back();
  exit_context(ts, ctx);
}

// Records where each frame stood, innermost last, then unwinds: contexts exited, stack cleared.
ScriptFailure unwind(ThreadState& ts, const ScriptError& e, std::uint32_t failing_ip,
                     size_t entry_depth) {
  ScriptFailure f{e.type, e.what(), {}, {}};
  // A nested run (call_nested) clears only its own part: the caller's frames live below it.
  size_t clear_from =
      entry_depth > 0 && entry_depth < ts.frames.size() ? ts.frames[entry_depth].base : 0;
  for (size_t i = entry_depth; i < ts.frames.size(); ++i) {
    const Frame& fr = ts.frames[i];
    bool innermost = i + 1 == ts.frames.size();
    // An outer frame's saved ip is past its CALL; the CALL's own position is what to show.
    std::uint32_t at = innermost ? failing_ip : (fr.ip > 0 ? fr.ip - 1 : 0);
    Position p = fr.code->position_at(at);
    f.frames.push_back({fr.code->name, p.line, p.col});
  }
  while (ts.frames.size() > entry_depth) {
    try {
      exit_frame_contexts(ts);
    } catch (const ScriptError&) {
      // Releasing a lock this thread no longer holds: the original error is the one to report.
    }
    pop_frame_blocks(ts);
    if (ts.frames.back().kind >= kFrameGenFor) end_generator_frame(ts);
    ts.frames.pop_back();
  }
  for (size_t i = clear_from; i < ts.stack.size(); ++i) ts.stack[i] = Value();
  return f;
}

// ---- lang-func: catching exceptions ----

// Looks for a try block for `exc`, from the innermost frame outwards, adding a traceback entry
// per frame it leaves. Found: the frame's operands are cut back, its contexts above the try are
// exited, the exception is pushed and the frame goes on at the handler (true). Not found: every
// frame above the entry frame has been left (false).
bool catch_exception(ThreadState& ts, const Value& exc, bool reraise, std::uint32_t failing_ip,
                     size_t entry_depth) {
  ExceptionState& st = exc_state(exc);
  auto add_entry = [&](const Frame& fr, std::uint32_t at) {
    Position p = fr.code->position_at(at);
    st.traceback.insert(st.traceback.begin(), TracebackEntry{fr.code->name, p.line, p.col});
  };
  if (!reraise) add_entry(ts.frames.back(), failing_ip);
  for (;;) {
    auto f = static_cast<std::uint32_t>(ts.frames.size() - 1);
    while (!ts.exc_blocks.empty() && ts.exc_blocks.back().frame >= f) {
      ExcBlock b = std::move(ts.exc_blocks.back());
      ts.exc_blocks.pop_back();
      if (b.handling) continue;  // an exception this frame was handling: over
      while (ts.with_stack.size() > b.with_depth) {
        try {
          exit_innermost_context(ts);
        } catch (const ScriptError&) {
          // a lock this thread no longer holds: the exception in flight is the one that counts
        }
      }
      for (size_t i = b.sp; i < ts.stack.size(); ++i) ts.stack[i] = Value();
      ts.stack[b.sp] = exc;
      Frame& fr = ts.frames.back();
      fr.sp = b.sp + 1;
      fr.ip = b.handler;
      ts.exc_blocks.push_back(ExcBlock{f, 0, b.sp, b.with_depth, exc, true});
      return true;
    }
    if (ts.frames.size() <= entry_depth + 1) return false;
    try {
      exit_frame_contexts(ts);
    } catch (const ScriptError&) {
    }
    std::uint8_t kind = ts.frames.back().kind;
    std::uint32_t callee_slot = ts.frames.back().base - 1;
    if (kind >= kFrameGenFor) end_generator_frame(ts);
    ts.frames.pop_back();
    if (kind == kFrameNextFor && is_stop_iteration(exc)) {
      // The __next__ FOR_ITER called has ended the loop: drop the iteration slots under the
      // callee and go on at FOR_ITER's exit target, its operand just before the saved ip.
      Frame& loop = ts.frames.back();
      std::uint32_t slots = callee_slot - 3;
      for (size_t i = slots; i < ts.stack.size(); ++i) ts.stack[i] = Value();
      loop.sp = slots;
      loop.ip = read_operand(loop.code->bytes.data() + loop.ip - 4, 4);
      return true;
    }
    const Frame& caller = ts.frames.back();
    add_entry(caller, caller.ip > 0 ? caller.ip - 1 : 0);
  }
}

ScriptFailure failure_of(ThreadState& ts, const Value& exc, int depth);

// The tracebacks of the exceptions before this one (its cause or context), with the line that
// joins them, as CPython prints them.
std::string chain_text(ThreadState& ts, const Value& exc, int depth) {
  ExceptionState& st = exc_state(exc);
  Value prev;
  const char* joint;
  if (!st.cause.is_none()) {
    prev = st.cause;
    joint = "\nThe above exception was the direct cause of the following exception:\n\n";
  } else if (!st.context.is_none() && !st.suppress_context) {
    prev = st.context;
    joint = "\nDuring handling of the above exception, another exception occurred:\n\n";
  } else {
    return "";
  }
  if (depth > 50 || !is_exception(prev)) return "";
  ScriptFailure pf = failure_of(ts, prev, depth + 1);
  std::string text;
  if (pf.frames.empty())
    text = pf.chained + (pf.message.empty() ? pf.type : pf.type + ": " + pf.message) + "\n";
  else
    text = format_traceback(ts.interp.program(), pf);
  return text + joint;
}

ScriptFailure failure_of(ThreadState& ts, const Value& exc, int depth) {
  ScriptFailure f;
  f.type = exception_type_name(exc);
  try {
    f.message = exception_message(ts, exc);
  } catch (...) {
    // CPython's traceback module prints this when str(exception) fails.
    f.message = "<exception str() failed>";
  }
  f.frames = exc_state(exc).traceback;
  f.chained = chain_text(ts, exc, depth);
  return f;
}

// No try block took the exception: the entry frame is left too, and the failure describes it.
ScriptFailure uncaught_failure(ThreadState& ts, const Value& exc, size_t entry_depth) {
  std::uint32_t bottom = ts.frames[entry_depth].base;
  while (ts.frames.size() > entry_depth) {
    try {
      exit_frame_contexts(ts);
    } catch (const ScriptError&) {
    }
    pop_frame_blocks(ts);
    if (ts.frames.back().kind >= kFrameGenFor) end_generator_frame(ts);
    ts.frames.pop_back();
  }
  ScriptFailure f = failure_of(ts, exc, 0);
  size_t from = entry_depth == 0 ? 0 : (bottom > 0 ? bottom - 1 : 0);
  for (size_t i = from; i < ts.stack.size(); ++i) ts.stack[i] = Value();
  return f;
}
// ---- end lang-func ----

// Dispatch: a plain switch by default; with GILSIM_COMPUTED_GOTO (GCC and Clang) each handler
// jumps through a table, as Lua's ljumptab.h does. Both run the same handler bodies.
// VM_NEXT is a plain `goto` to the loop's top, never a computed goto from inside a handler: a
// computed goto leaves a block without running its destructors (GCC's documented behaviour), so
// every Value a handler held in a local (binary_slow's operand copies, FOR_ITER's item...) kept
// its reference for ever.
// VM_NEXT_FAST is the computed goto itself, for the hot handlers that hold no local with a
// destructor where they dispatch (the LeakSanitizer run of the suite catches a mistake).
#if GILSIM_COMPUTED_GOTO
#define VM_CASE(name) L_##name:
#define VM_NEXT() goto vm_next
#define VM_NEXT_FAST()                   \
  do {                                   \
    FETCH();                             \
    goto* kLabels[static_cast<int>(op)]; \
  } while (0)
#define VM_SWITCH(op) goto* kLabels[static_cast<int>(op)];
#else
#define VM_SWITCH(op) switch (op)
#define VM_CASE(name) case Op::name:
#define VM_NEXT() break
#define VM_NEXT_FAST() break
#endif

// The running frame's registers live in locals of execute(); these move them to and from the
// Frame whenever a call may change frames, grow the stack or let the host see this thread.
#define SAVE_FRAME()                                              \
  do {                                                            \
    frame->ip = static_cast<std::uint32_t>(ip - code_start);      \
    frame->sp = static_cast<std::uint32_t>(sp - ts.stack.data()); \
    ts.steps = steps;                                             \
    if constexpr (kCounting) ts.budget = budget;                  \
  } while (0)
#define LOAD_FRAME()                             \
  do {                                           \
    frame = &ts.frames.back();                   \
    code = frame->code;                          \
    code_start = code->bytes.data();             \
    ip = code_start + frame->ip;                 \
    consts = code->constants.data();             \
    locals = ts.stack.data() + frame->base;      \
    sp = ts.stack.data() + frame->sp;            \
    if constexpr (kCounting) budget = ts.budget; \
  } while (0)
// The host asked this thread to stop (ThreadState::suspend): leave the loop with the frame saved;
// resume() goes on from frame->ip.
// In a nested run (call_nested) the request stays pending for the outer loop instead.
#define RETURN_SUSPENDED()     \
  do {                         \
    if (ts.nested_runs == 0) { \
      ts.suspend = false;      \
      RunResult r_;            \
      r_.suspended = true;     \
      return r_;               \
    }                          \
  } while (0)
#define ARG16() (ip += 2, static_cast<std::uint32_t>(ip[-2] | (ip[-1] << 8)))
#define ARG32() (ip += 4, read_operand(ip - 4, 4))
// A safe point: one relaxed load of this thread's breaker (and the step limit, kept in a register).
// `next` is where the thread goes on from if the host suspends it here (a back edge's target).
#define SAFE_POINT_THEN(next)                                                   \
  do {                                                                          \
    if (GILSIM_UNLIKELY(ts.eval_breaker.load(std::memory_order_relaxed) != 0 || \
                        steps >= step_limit)) {                                 \
      if (steps >= step_limit) step_limit_reached(step_limit);                  \
      if (!defer_host) {                                                        \
        SAVE_FRAME();                                                           \
        at_safe_point(ts, host);                                                \
        if (ts.suspend) {                                                       \
          frame->ip = static_cast<std::uint32_t>((next)-code_start);            \
          RETURN_SUSPENDED();                                                   \
        }                                                                       \
        LOAD_FRAME();                                                           \
      }                                                                         \
    }                                                                           \
  } while (0)
#define SAFE_POINT() SAFE_POINT_THEN(ip)
// Pops the top of the stack into `t`, its truth. An instance's __bool__ or __len__ is script code,
// whose nested run may grow and so move the stack (call_nested): the value is copied out and the
// frame saved around it, as in binary_slow.
#define POP_TRUTH(t)                            \
  do {                                          \
    if (sp[-1].is_bool()) {                     \
      t = sp[-1].as_bool();                     \
    } else if (!sp[-1].is(ObjType::Instance)) { \
      t = truthy(ts, sp[-1]);                   \
    } else {                                    \
      Value v_ = sp[-1];                        \
      SAVE_FRAME();                             \
      t = truthy(ts, v_);                       \
      LOAD_FRAME();                             \
    }                                           \
    *--sp = Value();                            \
  } while (0)
// r = fn(ts, oper, second, top), fn being compare or binary_op, of the two values on top, which
// stay there. As in POP_TRUTH, when either is an object (an __lt__, an __iadd__, a generator
// extending a list may run) the operands are copied out and the frame saved around the call.
#define APPLY_TOP_TWO(r, fn, oper)              \
  do {                                          \
    if (!sp[-2].is_obj() && !sp[-1].is_obj()) { \
      r = fn(ts, oper, sp[-2], sp[-1]);         \
    } else {                                    \
      Value a_ = sp[-2], b_ = sp[-1];           \
      SAVE_FRAME();                             \
      r = fn(ts, oper, a_, b_);                 \
      LOAD_FRAME();                             \
    }                                           \
  } while (0)

// What a safe point with its breaker set does: the VM's own cycle collection
// (vm/cycle_collector.h), then the host's request, if one is left. Out of line, so the eval loop's
// many safe points stay one call each.
[[gnu::noinline]] void at_safe_point(ThreadState& ts, Host& host) {
  if (ts.eval_breaker.load(std::memory_order_relaxed) & ThreadState::kCollectCycles)
    collect_cycles_at_safe_point(ts);
  if (ts.eval_breaker.load(std::memory_order_relaxed) != 0) host.on_eval_breaker(ts);
}

[[noreturn]] void step_limit_reached(std::uint64_t limit) {
  raise("StepLimitError",
        fmt::format("the script ran {} bytecodes, the limit set with --max-steps", limit));
}

[[noreturn]] void unbound_local(const Code& code, std::uint32_t slot) {
  raise("UnboundLocalError",
        fmt::format("cannot access local variable '{}' where it is not associated with a value",
                    code.local_names[slot]));
}

// Pushes a copy of a local; ints (the hot case) skip the reference-count check.
#define PUSH_LOCAL(slot)                                              \
  do {                                                                \
    const Value& v_ = locals[slot];                                   \
    if (GILSIM_LIKELY(v_.is_int())) {                                 \
      (sp++)->set_int_unchecked(v_.as_int());                         \
    } else {                                                          \
      if (GILSIM_UNLIKELY(v_.is_unset())) unbound_local(*code, slot); \
      *sp++ = v_;                                                     \
    }                                                                 \
  } while (0)

// A table of zero costs: the counting loop's budget for hosts that count ticks but not time.
constexpr std::int32_t kNoCosts[256] = {};

template <bool kCounting>
RunResult execute(ThreadState& ts, size_t entry_depth) {
  Host& host = ts.interp.host();
  const Program& program = ts.interp.program();
  // A nested run (call_nested, entry_depth > 0) must return its value, never "suspended": with a
  // host that suspends threads, the breaker and the tick/budget stop are left pending for the
  // outer loop, which sees them at its next safe point or instruction.
  const bool defer_host = entry_depth > 0 && host.suspends_threads();
  std::uint64_t steps = ts.steps;
  const std::uint64_t step_limit = ts.max_steps ? ts.max_steps : UINT64_MAX;

  Frame* frame;
  const Code* code;
  const std::uint8_t* code_start;
  const std::uint8_t* ip;
  const Value* consts;
  Value* locals;
  Value* sp;

#if GILSIM_COMPUTED_GOTO
  static const void* const kLabels[] = {
#define OPCODE(name, width, effect, ticks, cost_ps, comment) &&L_##name,
#include "vm/opcodes.def"
#undef OPCODE
  };
#endif

  // Reads the next opcode. In the counting loop it first counts a tick for the instruction that
  // just ran, if its opcode ticks: Python 2's loop decremented _Py_Ticker at the top of the loop
  // after every instruction that did not FAST_DISPATCH, so a switch falls *after* a ticking
  // instruction (between LOAD_GLOBAL x and STORE_GLOBAL x, say), not before it. It also charges
  // the new instruction's cost to the time budget; a spent budget is noticed before the next one.
#define FETCH()                                                                             \
  do {                                                                                      \
    if constexpr (kCounting) {                                                              \
      if (GILSIM_UNLIKELY(((op_ticks(op) && --ticker < 0) || budget < 0) && !defer_host)) { \
        SAVE_FRAME();                                                                       \
        ts.ticker = ticker;                                                                 \
        host.on_tick(ts);                                                                   \
        if (ts.suspend) RETURN_SUSPENDED();                                                 \
        ticker = ts.ticker;                                                                 \
        LOAD_FRAME();                                                                       \
      }                                                                                     \
      op = static_cast<Op>(*ip++);                                                          \
      budget -= costs[static_cast<int>(op)];                                                \
    } else {                                                                                \
      op = static_cast<Op>(*ip++);                                                          \
    }                                                                                       \
    ++steps;                                                                                \
  } while (0)

  std::int64_t ticker = ts.ticker;  // the legacy countdown, in a register; ts.ticker at on_tick
  std::int64_t budget = ts.budget;  // the sim engine's time budget, in a register
  const std::int32_t* const costs = ts.costs ? ts.costs : kNoCosts;
  (void)costs;
  Op op =
      Op::POP_TOP;  // "the previous instruction" for the first tick check: one that does not tick
  LOAD_FRAME();

  int call_argc = 0;  // lang2: the argument count for call_at_sp
  Value pending;      // lang-func: the exception being propagated
  bool reraise = false;
  if (GILSIM_UNLIKELY(!ts.throw_in.is_none()) && entry_depth > 0) {
    pending = std::move(ts.throw_in);  // gen.throw(): raised where the generator yielded
    ts.throw_in = Value();
    goto thrown;
  }
restart:
  try {
    for (;;) {
#if GILSIM_COMPUTED_GOTO
    vm_next:
#endif
      FETCH();
      VM_SWITCH(op) {
        VM_CASE(NOP) VM_NEXT_FAST();
        VM_CASE(POP_TOP)* --sp = Value();
        VM_NEXT_FAST();
        VM_CASE(POP_N) {
          std::uint32_t n = ARG16();
          for (std::uint32_t i = 0; i < n; ++i) *--sp = Value();
          VM_NEXT_FAST();
        }
        VM_CASE(DUP_TOP)* sp = sp[-1];
        ++sp;
        VM_NEXT_FAST();
        VM_CASE(DUP_TOP_TWO)
        sp[0] = sp[-2];
        sp[1] = sp[-1];
        sp += 2;
        VM_NEXT_FAST();
        VM_CASE(ROT_TWO) std::swap(sp[-1], sp[-2]);
        VM_NEXT_FAST();
        VM_CASE(ROT_THREE) {
          std::swap(sp[-1], sp[-2]);  // [a, b, c] -> [a, c, b]
          std::swap(sp[-2], sp[-3]);  // -> [c, a, b]
          VM_NEXT_FAST();
        }
        VM_CASE(LOAD_CONST)* sp++ = consts[ARG32()];
        VM_NEXT_FAST();
        VM_CASE(LOAD_FAST) {
          std::uint32_t slot = ARG16();
          PUSH_LOCAL(slot);
          VM_NEXT_FAST();
        }
        VM_CASE(LOAD_FAST_LOAD_FAST) {
          std::uint32_t arg = ARG32();
          PUSH_LOCAL(arg & 0xffff);
          PUSH_LOCAL(arg >> 16);
          VM_NEXT_FAST();
        }
        VM_CASE(LOAD_FAST_LOAD_CONST) {
          std::uint32_t arg = ARG32();
          PUSH_LOCAL(arg & 0xffff);
          *sp++ = consts[arg >> 16];
          VM_NEXT_FAST();
        }
        VM_CASE(STORE_FAST) {
          Value& slot = locals[ARG16()];
          Value& top = *--sp;
          if (GILSIM_LIKELY(top.is_int() && !slot.is_obj()))
            slot.set_int_unchecked(top.as_int());
          else
            slot = std::move(top);
          VM_NEXT_FAST();
        }
        VM_CASE(LOAD_GLOBAL)* sp = load_global(ts, ARG32());
        ++sp;
        VM_NEXT_FAST();
        VM_CASE(STORE_GLOBAL) {
          std::uint32_t index = ARG32();
          store_global(ts, index, std::move(*--sp));
          VM_NEXT_FAST();
        }
        VM_CASE(LOAD_ATTR) {
          const std::string& name = code->names[ARG16()];
          if (has_attributes(sp[-1]) || sp[-1].is(ObjType::Function)) {
            SAVE_FRAME();
            Value getter;
            Value v = load_attribute(ts, sp[-1], name, getter);
            LOAD_FRAME();
            if (GILSIM_UNLIKELY(v.is_unset())) {  // lang2: a property: its bound fget is called
              sp[-1] = std::move(getter);
              --sp;
              call_argc = 0;
              goto call_at_sp;
            }
            sp[-1] = std::move(v);
            VM_NEXT();
          }
          const NativeDef* def = find_method(sp[-1], name);
          if (!def)
            raise("AttributeError",
                  fmt::format("'{}' object has no attribute '{}'", type_name(sp[-1]), name));
          sp[-1] = Value::adopt(new BoundMethodObj(std::move(sp[-1]), def));
          VM_NEXT();
        }
        VM_CASE(LOAD_METHOD) {
          const std::string& name = code->names[ARG16()];
          if (has_attributes(sp[-1])) {
            // [function, self] for a method found on the class; [Unset, callable] otherwise.
            SAVE_FRAME();
            Value found;
            bool method = get_method(ts, sp[-1], name, found);
            LOAD_FRAME();
            if (method) {
              sp[0] = std::move(sp[-1]);
              sp[-1] = std::move(found);
            } else {
              sp[0] = std::move(found);
              sp[-1] = Value::unset();
            }
            ++sp;
            VM_NEXT();
          }
          const NativeDef* def = find_method(sp[-1], name);
          if (!def)
            raise("AttributeError",
                  fmt::format("'{}' object has no attribute '{}'", type_name(sp[-1]), name));
          sp[0] = std::move(sp[-1]);
          sp[-1] = Value::native(def);
          ++sp;
          VM_NEXT();
        }
        VM_CASE(CALL_METHOD) {
          std::uint32_t argc = ARG16();
          Value* callee = sp - argc - 2;
          SAVE_FRAME();
          if (callee->is(ObjType::Function)) {
            auto base = static_cast<std::uint32_t>(callee + 1 - ts.stack.data());
            push_frame(ts, callee->as<FunctionObj>(), base, static_cast<int>(argc) + 1);
            LOAD_FRAME();
            VM_NEXT();  // the callee's RESUME is the safe point
          }
          if (callee->is_unset()) {  // [Unset, callable, args]: a plain call, one slot lower
            for (Value* p = callee; p + 1 < sp; ++p) *p = std::move(p[1]);
            --sp;
            auto at = static_cast<std::uint32_t>(callee - ts.stack.data());
            frame->sp = static_cast<std::uint32_t>(sp - ts.stack.data());
            bool framed = call_at(ts, at, static_cast<int>(argc), nullptr);
            LOAD_FRAME();
            if (framed) VM_NEXT();
            sp = ts.stack.data() + at + 1;
            SAFE_POINT();
            VM_NEXT();
          }
          {
            Value result =
                call_native(ts, *callee->as_native(), callee + 1, static_cast<int>(argc) + 1);
            LOAD_FRAME();
            callee = sp - argc - 2;  // a nested run (call_nested) may have moved the stack
            while (sp > callee) *--sp = Value();
            *sp++ = std::move(result);
          }
          SAFE_POINT();
          VM_NEXT();
        }
        VM_CASE(CALL) {
          std::uint32_t argc = ARG16();
          Value* callee = sp - argc - 1;
          SAVE_FRAME();
          if (callee->is(ObjType::Function)) {
            auto base = static_cast<std::uint32_t>(callee + 1 - ts.stack.data());
            push_frame(ts, callee->as<FunctionObj>(), base, static_cast<int>(argc));
            LOAD_FRAME();
            VM_NEXT();  // the callee's RESUME is the safe point
          }
          {
            auto at = static_cast<std::uint32_t>(callee - ts.stack.data());
            bool framed = call_at(ts, at, static_cast<int>(argc), nullptr);
            LOAD_FRAME();
            if (framed) VM_NEXT();  // the callee's RESUME is the safe point
            sp = ts.stack.data() + at + 1;
          }
          SAFE_POINT();
          VM_NEXT();
        }
        VM_CASE(RESUME) SAFE_POINT();
        VM_NEXT();
        VM_CASE(RETURN_VALUE) {
        return_value:
          if (ts.with_stack.size() > frame->with_base) {
            SAVE_FRAME();
            exit_frame_contexts(ts);
            LOAD_FRAME();
          }
          std::uint8_t kind = frame->kind;
          if (GILSIM_UNLIKELY(kind == kFrameInit)) init_result(sp[-1], locals[0]);
          if (GILSIM_UNLIKELY(!ts.exc_blocks.empty())) pop_frame_blocks(ts);
          if (GILSIM_UNLIKELY(kind >= kFrameGenFor)) goto generator_return;
          // The result takes the callee's slot; locals and operands are cleared.
          Value* bottom = locals - (ts.frames.size() > entry_depth + 1 ? 1 : 0);
          std::swap(*bottom, sp[-1]);
          while (sp > bottom + 1) *--sp = Value();
          if (GILSIM_UNLIKELY(kind == kFrameDiscard)) *bottom = Value();
          ts.frames.pop_back();
          if (ts.frames.size() == entry_depth) {
            ts.steps = steps;
            if constexpr (kCounting) ts.budget = budget;
            RunResult r;
            r.value = std::move(*bottom);
            return r;
          }
          if constexpr (kCounting) ts.budget = budget;  // LOAD_FRAME reads it back
          LOAD_FRAME();
          sp = bottom + 1;
          if (GILSIM_UNLIKELY(kind == kFrameDiscard)) --sp;
          VM_NEXT();
        }
        VM_CASE(MAKE_FUNCTION)
        *sp++ = Value::adopt(new FunctionObj(program.functions[ARG32()].get()));
        VM_NEXT();
        VM_CASE(BUILD_LIST) {
          std::uint32_t n = ARG32();
          sp = build_list(ts, sp, n);
          VM_NEXT();
        }
        VM_CASE(BINARY_SUBSCR) {
          Value a = sp[-2], b = sp[-1];  // as binary_slow: a user __getitem__ may move the stack
          SAVE_FRAME();
          Value r = subscript(ts, a, b);
          LOAD_FRAME();
          sp[-2] = std::move(r);
          *--sp = Value();
          VM_NEXT();
        }
        VM_CASE(STORE_SUBSCR) {
          Value target = sp[-2], key = sp[-1], v = std::move(sp[-3]);  // as BINARY_SUBSCR
          SAVE_FRAME();
          store_subscript(ts, target, key, std::move(v));
          LOAD_FRAME();
          sp[-1] = Value();
          sp[-2] = Value();
          sp -= 3;
          VM_NEXT();
        }
        VM_CASE(UNARY_NEGATIVE)
        VM_CASE(UNARY_POSITIVE)
        VM_CASE(UNARY_NOT) {
          // As binary_slow: a user __neg__ runs script code, whose nested run may move the stack.
          Value v = sp[-1];
          SAVE_FRAME();
          Value r = unary_op(ts, op, v);
          LOAD_FRAME();
          sp[-1] = std::move(r);
          VM_NEXT();
        }
        VM_CASE(BINARY_ADD)
        VM_CASE(INPLACE_ADD)
        if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
          std::int64_t r;
          if (!__builtin_add_overflow(sp[-2].as_int(), sp[-1].as_int(), &r)) {
            sp[-2].set_int_unchecked(r);
            --sp;
            VM_NEXT_FAST();
          }
        }
        goto binary_slow;
        VM_CASE(BINARY_ADD_STORE_FAST)
        VM_CASE(INPLACE_ADD_STORE_FAST) {
          std::uint32_t index = ARG16();
          Value& slot = locals[index];
          std::int64_t r;
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int() && !slot.is_obj() &&
                            !__builtin_add_overflow(sp[-2].as_int(), sp[-1].as_int(), &r))) {
            slot.set_int_unchecked(r);
            sp -= 2;
            VM_NEXT_FAST();
          }
          {  // a scope of its own: the dispatch's computed goto may not leave one with `sum` in it
            Value sum;
            APPLY_TOP_TWO(sum, binary_op,
                          op == Op::BINARY_ADD_STORE_FAST ? Op::BINARY_ADD : Op::INPLACE_ADD);
            locals[index] = std::move(sum);  // the frame may have moved: not `slot`
          }
          *--sp = Value();
          *--sp = Value();
          VM_NEXT_FAST();
        }
        VM_CASE(BINARY_SUBTRACT)
        VM_CASE(INPLACE_SUBTRACT)
        if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
          std::int64_t r;
          if (!__builtin_sub_overflow(sp[-2].as_int(), sp[-1].as_int(), &r)) {
            sp[-2].set_int_unchecked(r);
            --sp;
            VM_NEXT_FAST();
          }
        }
        goto binary_slow;
        VM_CASE(BINARY_MULTIPLY)
        VM_CASE(INPLACE_MULTIPLY)
        if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
          std::int64_t r;
          if (!__builtin_mul_overflow(sp[-2].as_int(), sp[-1].as_int(), &r)) {
            sp[-2].set_int_unchecked(r);
            --sp;
            VM_NEXT_FAST();
          }
        }
        goto binary_slow;
        VM_CASE(BINARY_MODULO)
        // Non-negative operands: C's % already is Python's.
        if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int() && sp[-2].as_int() >= 0 &&
                          sp[-1].as_int() > 0)) {
          sp[-2].set_int_unchecked(sp[-2].as_int() % sp[-1].as_int());
          --sp;
          VM_NEXT_FAST();
        }
        goto binary_slow;
        VM_CASE(BINARY_TRUE_DIVIDE)
        VM_CASE(BINARY_FLOOR_DIVIDE)
        VM_CASE(BINARY_POWER)
      binary_slow : {
        if (!sp[-2].is_obj() && !sp[-1].is_obj()) {  // numbers: no script code can run
          sp[-2] = binary_op(ts, op, sp[-2], sp[-1]);
          --sp;
          VM_NEXT_FAST();
        }
        // Copies of the operands, the frame saved: the operation may call script code (a
        // __str__ for %), whose nested run may grow and so move the stack (call_nested).
        Value a = sp[-2], b = sp[-1];
        SAVE_FRAME();
        Value r = binary_op(ts, op, a, b);
        LOAD_FRAME();
        sp[-2] = std::move(r);
        *--sp = Value();
        VM_NEXT();
      }
        VM_CASE(COMPARE_LT)
        if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
          bool r = sp[-2].as_int() < sp[-1].as_int();
          --sp;
          sp[-1] = Value::boolean(r);
          VM_NEXT_FAST();
        }
        goto compare_slow;
        VM_CASE(COMPARE_LE)
        VM_CASE(COMPARE_GT)
        VM_CASE(COMPARE_GE)
        VM_CASE(COMPARE_EQ)
        VM_CASE(COMPARE_NE)
        VM_CASE(COMPARE_IS)
        VM_CASE(COMPARE_IS_NOT)
        VM_CASE(COMPARE_IN)
        VM_CASE(COMPARE_NOT_IN)
      compare_slow : {
        bool r;
        APPLY_TOP_TWO(r, compare, op);
        *--sp = Value();
        sp[-1] = Value::boolean(r);
        VM_NEXT_FAST();
      }
        VM_CASE(JUMP_FORWARD) {
          std::uint32_t target = ARG32();
          ip = code_start + target;
          VM_NEXT_FAST();
        }
        // Back edges poll before jumping, so an error raised there (--max-steps, a stop) is
        // placed at the jump, inside the loop.
        VM_CASE(JUMP_BACKWARD) {
          std::uint32_t target = ARG32();
          SAFE_POINT_THEN(code_start + target);
          ip = code_start + target;
          VM_NEXT_FAST();
        }
        VM_CASE(POP_JUMP_IF_FALSE)
        VM_CASE(POP_JUMP_IF_TRUE) {
          std::uint32_t target = ARG32();
          bool t;
          POP_TRUTH(t);
          if (t == (op == Op::POP_JUMP_IF_TRUE)) ip = code_start + target;
          VM_NEXT_FAST();
        }
        VM_CASE(JUMP_IF_NOT_LT) {
          std::uint32_t target = ARG32();
          bool lt;
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
            lt = sp[-2].as_int() < sp[-1].as_int();
            sp -= 2;  // two ints: nothing to release
          } else {
            APPLY_TOP_TWO(lt, compare, Op::COMPARE_LT);
            *--sp = Value();
            *--sp = Value();
          }
          if (!lt) ip = code_start + target;
          VM_NEXT_FAST();
        }
        VM_CASE(POP_JUMP_BACKWARD_IF_TRUE) {
          std::uint32_t target = ARG32();
          bool t;
          POP_TRUTH(t);
          if (t) {
            SAFE_POINT_THEN(code_start + target);
            ip = code_start + target;
          }
          VM_NEXT_FAST();
        }
        VM_CASE(JUMP_BACKWARD_IF_LT) {
          std::uint32_t target = ARG32();
          bool lt;
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
            lt = sp[-2].as_int() < sp[-1].as_int();
            sp -= 2;
          } else {
            APPLY_TOP_TWO(lt, compare, Op::COMPARE_LT);
            *--sp = Value();
            *--sp = Value();
          }
          if (lt) {
            SAFE_POINT_THEN(code_start + target);
            ip = code_start + target;
          }
          VM_NEXT_FAST();
        }
        VM_CASE(GET_ITER)
        SAVE_FRAME();
        get_iter(ts, static_cast<std::uint32_t>(sp - 1 - ts.stack.data()));
        LOAD_FRAME();
        sp += 2;
        VM_NEXT_FAST();
        VM_CASE(FOR_ITER) {
          std::uint32_t target = ARG32();
          Value* slots = sp - 3;
          if (slots[0].is_int()) {
            std::int64_t cur = slots[0].as_int(), stop = slots[1].as_int(),
                         step = slots[2].as_int();
            if (step > 0 ? cur < stop : cur > stop) {
              std::int64_t next;
              // Past the int64 range the loop is over anyway: park the counter on stop.
              if (__builtin_add_overflow(cur, step, &next)) next = stop;
              slots[0].set_int_unchecked(next);
              (sp++)->set_int_unchecked(cur);
            } else {
              sp -= 3;
              ip = code_start + target;
            }
            VM_NEXT_FAST();
          }
          bool more;
          if (slots[0].is(ObjType::Iterator) && slots[0].as<IterObj>()->generator) {
            // lang12: the generator's frame runs in this loop, its next value going to sp[0]
            SAVE_FRAME();
            auto base = static_cast<std::uint32_t>(sp + 1 - ts.stack.data());
            auto* gen = static_cast<GeneratorObj*>(slots[0].as<IterObj>());
            bool resumed = resume_generator(ts, *gen, base, kFrameGenFor, Value::none());
            LOAD_FRAME();
            if (resumed) VM_NEXT();
            for (int i = 0; i < 3; ++i) *--sp = Value();
            ip = code_start + target;
            VM_NEXT();
          }
          if (slots[0].is(ObjType::Iterator)) {
            SAVE_FRAME();
            // lang14: a script __next__ runs as a call's frame, so it may wait on both engines;
            // its return pushes the item, a StopIteration out of it ends the loop
            // (catch_exception).
            if (const Value* obj = slots[0].as<IterObj>()->instance()) {
              Value next = find_dunder(ts, *obj, "__next__");
              if (next.is(ObjType::Function)) {
                Value self = *obj;
                auto at = static_cast<std::uint32_t>(sp - ts.stack.data());
                ts.grow_stack(at + 2);
                ts.stack[at] = std::move(next);
                ts.stack[at + 1] = std::move(self);
                frame->sp = at + 2;
                push_frame(ts, ts.stack[at].as<FunctionObj>(), at + 1, 1);
                ts.frames.back().kind = kFrameNextFor;
                LOAD_FRAME();
                VM_NEXT();  // the callee's RESUME is the safe point
              }
            }
            Value item;
            more = next_item(ts, slots, item);
            LOAD_FRAME();  // a map() or filter() iterator may have run script code
            if (more) *sp = std::move(item);
          } else {
            more = next_item(ts, slots, *sp);
          }
          if (more) {
            ++sp;
          } else {
            for (int i = 0; i < 3; ++i) *--sp = Value();
            ip = code_start + target;
          }
          VM_NEXT();
        }
        // lang2: [manager] -> [__exit__, what __enter__ returned]; __enter__ runs as a frame.
        VM_CASE(BEFORE_WITH) {
          if (sp[-1].is(ObjType::Lock)) {
            Value lock = sp[-1];
            *sp++ = Value::boolean(true);
            SAVE_FRAME();
            enter_lock(ts, lock);
            if (ts.suspend) RETURN_SUSPENDED();  // waits for the lock; goes on after BEFORE_WITH
            LOAD_FRAME();
            VM_NEXT();
          }
          Value enter, exit;
          {
            Value mgr = sp[-1];
            SAVE_FRAME();
            context_methods(ts, mgr, enter, exit);
            LOAD_FRAME();
          }
          sp[-1] = std::move(exit);
          *sp = std::move(enter);
          call_argc = 0;
          goto call_at_sp;
        }
        // __exit__(None, None, None), the __exit__ `above` slots below TOS; its result is pushed.
        VM_CASE(WITH_EXIT) {
          std::uint32_t above = ARG16();
          Value* exit = sp - 1 - above;
          if (exit->is(ObjType::Lock)) {
            SAVE_FRAME();
            exit_innermost_context(ts);
            LOAD_FRAME();
            *sp++ = Value::none();
            VM_NEXT();
          }
          sp = with_call_room(ts, sp);
          exit = sp - 1 - above;
          sp[0] = *exit;
          sp[1] = Value::none();
          sp[2] = Value::none();
          sp[3] = Value::none();
          call_argc = 3;
          goto call_at_sp;
        }
        // lang2: the callee at sp with call_argc arguments above it (what __enter__, __exit__ and
        // a property's getter take): a call like CALL's, the result where the callee was.
      call_at_sp : {
        auto at = static_cast<std::uint32_t>(sp - ts.stack.data());
        sp += 1 + call_argc;
        SAVE_FRAME();
        bool framed = call_at(ts, at, call_argc, nullptr);
        LOAD_FRAME();
        if (framed) VM_NEXT();  // the callee's RESUME is the safe point
        sp = ts.stack.data() + at + 1;
        SAFE_POINT();
        VM_NEXT();
      }
        // ---- lang-func: calls with keywords and *args, closures ----
        VM_CASE(CALL_KW)
        VM_CASE(CALL_EX) {
          std::uint32_t arg = ARG32();
          const std::vector<std::string>& names = code->kwnames[arg >> 8];
          auto nkw = static_cast<int>(names.size());
          int nvals = static_cast<int>(arg & 0xff);
          Value* callee;
          int npos;
          if (op == Op::CALL_KW) {
            callee = sp - nvals - 1;
            npos = nvals - nkw;
          } else {
            callee = sp - nvals - 2;
          }
          // Taken before spreading: a long *args list can move the stack.
          auto at = static_cast<std::uint32_t>(callee - ts.stack.data());
          if (op != Op::CALL_KW) sp = spread_arguments(ts, callee, sp, nvals, npos);
          SAVE_FRAME();
          bool framed = call_at(ts, at, npos, nkw ? &names : nullptr);
          LOAD_FRAME();
          if (framed) VM_NEXT();
          sp = ts.stack.data() + at + 1;
          SAFE_POINT();
          VM_NEXT();
        }
        VM_CASE(CALL_ARGS_EXTEND) {
          // Iterating may run script code (a generator) that grows the stack: copy the two values
          // out of it first and reload the frame after, as LIST_EXTEND does.
          SAVE_FRAME();
          Value list = sp[-2];
          Value iterable = sp[-1];
          extend_arguments(ts, list, iterable);
          LOAD_FRAME();
          *--sp = Value();
          VM_NEXT();
        }
        VM_CASE(FUNCTION_DEFAULTS) {
          std::uint32_t n = ARG16();
          auto* fn = sp[-static_cast<int>(n) - 1].as<FunctionObj>();
          for (Value* p = sp - n; p < sp; ++p) fn->defaults.push_back(std::move(*p));
          sp -= n;
          VM_NEXT();
        }
        VM_CASE(FUNCTION_KWDEFAULT) {
          std::uint32_t j = ARG16();
          auto* fn = sp[-2].as<FunctionObj>();
          if (fn->kwdefaults.size() <= j) fn->kwdefaults.resize(j + 1, Value::unset());
          fn->kwdefaults[j] = std::move(*--sp);
          VM_NEXT();
        }
        VM_CASE(FUNCTION_CLOSURE) {
          std::uint32_t n = ARG16();
          auto* fn = sp[-static_cast<int>(n) - 1].as<FunctionObj>();
          for (Value* p = sp - n; p < sp; ++p) fn->closure.push_back(std::move(*p));
          sp -= n;
          VM_NEXT();
        }
        VM_CASE(LOAD_CLOSURE)* sp++ = locals[ARG16()];
        VM_NEXT();
        VM_CASE(STORE_ATTR) {
          const std::string& name = code->names[ARG16()];
          SAVE_FRAME();
          Value setter;
          bool done = store_attribute(ts, sp[-1], name, sp[-2], setter);
          LOAD_FRAME();
          if (GILSIM_UNLIKELY(!done)) {  // lang2: a property: [fset bound, value]
            sp[-1] = std::move(sp[-2]);
            sp[-2] = std::move(setter);
            sp -= 2;
            goto call_discarding;
          }
          *--sp = Value();
          *--sp = Value();
          VM_NEXT();
        }
        // ---- stdlib2: modules ----
        VM_CASE(IMPORT_NAME) {
          std::uint32_t index = ARG32();
          SAVE_FRAME();
          Value body;
          Value m = import_module(ts, index, body);
          if (body.is(ObjType::Function)) {
            const FunctionObj* fn = body.as<FunctionObj>();
            *sp++ = std::move(body);
            SAVE_FRAME();
            push_frame(ts, fn, static_cast<std::uint32_t>(sp - ts.stack.data()), 0);
            LOAD_FRAME();
            VM_NEXT();
          }
          LOAD_FRAME();
          *sp++ = std::move(m);
          VM_NEXT();
        }
        VM_CASE(IMPORT_FROM) {
          const std::string& name = code->names[ARG16()];
          SAVE_FRAME();
          Value v = import_from(ts, sp[-1], name);
          LOAD_FRAME();
          *sp++ = std::move(v);
          VM_NEXT();
        }
        // ---- end stdlib2 ----
        VM_CASE(CLASS_NAMESPACE) {
          auto* ns = new ClassObj(code->name);
          for (size_t i = 0; i < code->class_slots; ++i)
            if (!locals[i].is_unset() && !locals[i].is(ObjType::Cell))
              ns->attrs.emplace_back(code->local_names[i], locals[i]);
          *sp++ = Value::adopt(ns);
          VM_NEXT();
        }
        VM_CASE(BUILD_CLASS) {
          std::uint32_t n = ARG16();
          SAVE_FRAME();
          Value cls = finish_class(ts, std::move(sp[-1]), sp - 1 - n, static_cast<int>(n));
          LOAD_FRAME();
          for (std::uint32_t i = 0; i <= n; ++i) *--sp = Value();
          *sp++ = std::move(cls);
          VM_NEXT();
        }
        VM_CASE(SETUP_EXCEPT) {
          std::uint32_t target = ARG32();
          ts.exc_blocks.push_back(ExcBlock{static_cast<std::uint32_t>(ts.frames.size() - 1), target,
                                           static_cast<std::uint32_t>(sp - ts.stack.data()),
                                           static_cast<std::uint32_t>(ts.with_stack.size()),
                                           Value(), false});
          VM_NEXT();
        }
        VM_CASE(POP_BLOCK)
        ts.exc_blocks.pop_back();
        VM_NEXT();
        VM_CASE(POP_EXCEPT)
        ts.exc_blocks.pop_back();
        *--sp = Value();
        VM_NEXT();
        VM_CASE(RAISE) {
          std::uint32_t n = ARG16();
          SAVE_FRAME();
          Value exc = raise_operand(ts, sp, n);
          throw PyRaise{std::move(exc), n == 0};
        }
        VM_CASE(RERAISE) {
          Value exc = std::move(*--sp);
          throw PyRaise{std::move(exc), true};
        }
        VM_CASE(CHECK_EXC_MATCH) {
          SAVE_FRAME();
          bool m = exception_matches(ts, sp[-2], sp[-1]);
          LOAD_FRAME();
          sp[-1] = Value::boolean(m);
          VM_NEXT();
        }
        VM_CASE(LOAD_DEREF) {
          std::uint32_t slot = ARG16();
          *sp = load_cell(ts, *code, slot, *locals[slot].as<CellObj>());
          ++sp;
          VM_NEXT();
        }
        VM_CASE(STORE_DEREF) {
          std::uint32_t slot = ARG16();
          store_cell(ts, *locals[slot].as<CellObj>(), std::move(*--sp));
          VM_NEXT();
        }
        // ---- lang-data block (data_ops.h) ----
        VM_CASE(BUILD_TUPLE) {
          std::uint32_t n = ARG32();
          sp = build_tuple(ts, sp, n);
          VM_NEXT();
        }
        VM_CASE(BUILD_MAP)
        VM_CASE(BUILD_SET) {
          std::uint32_t n = ARG32();
          std::uint32_t count = op == Op::BUILD_MAP ? 2 * n : n;
          SAVE_FRAME();
          Value built =
              op == Op::BUILD_MAP ? build_map(ts, sp - count, n) : build_set(ts, sp - count, n);
          LOAD_FRAME();
          sp -= count;
          *sp++ = std::move(built);
          VM_NEXT();
        }
        VM_CASE(BUILD_SLICE) {
          std::uint32_t n = ARG16();
          sp = build_slice(sp, n);
          VM_NEXT();
        }
        VM_CASE(UNPACK_SEQUENCE) {
          std::uint32_t n = ARG32();
          SAVE_FRAME();
          std::vector<Value> items = unpack_items(ts, sp[-1], n, n, false);
          LOAD_FRAME();
          *--sp = Value();
          for (size_t i = items.size(); i-- > 0;) *sp++ = std::move(items[i]);
          VM_NEXT();
        }
        VM_CASE(UNPACK_EX) {
          std::uint32_t arg = ARG32();
          SAVE_FRAME();
          std::vector<Value> items = unpack_items(ts, sp[-1], arg & 0xff, arg >> 8, true);
          LOAD_FRAME();
          *--sp = Value();
          for (size_t i = items.size(); i-- > 0;) *sp++ = std::move(items[i]);
          VM_NEXT();
        }
        VM_CASE(LIST_APPEND) {
          std::uint32_t n = ARG32();
          auto* list = sp[-1 - static_cast<std::ptrdiff_t>(n)].as<ListObj>();
          {
            ListGuard g(*list, ts.lock_objects);
            list->items.push_back(std::move(sp[-1]));
          }
          --sp;
          VM_NEXT();
        }
        // As BUILD_MAP: the operands leave the stack before a user __hash__ may move it.
        VM_CASE(SET_ADD) {
          std::uint32_t n = ARG32();
          Value set = sp[-1 - static_cast<std::ptrdiff_t>(n)], key = std::move(*--sp);
          SAVE_FRAME();
          set_add(ts, set, std::move(key));
          LOAD_FRAME();
          VM_NEXT();
        }
        VM_CASE(MAP_ADD) {
          std::uint32_t n = ARG32();
          Value dict = sp[-2 - static_cast<std::ptrdiff_t>(n)];
          Value value = std::move(*--sp), key = std::move(*--sp);
          SAVE_FRAME();
          dict_set(ts, dict, std::move(key), std::move(value));
          LOAD_FRAME();
          VM_NEXT();
        }
        VM_CASE(LIST_EXTEND)
        VM_CASE(SET_UPDATE)
        VM_CASE(DICT_UPDATE) {
          std::uint32_t n = ARG32();
          SAVE_FRAME();
          Value source = sp[-1];
          Value target = sp[-1 - static_cast<std::ptrdiff_t>(n)];
          extend_container(ts, op, target, source);
          LOAD_FRAME();
          *--sp = Value();
          VM_NEXT();
        }
        VM_CASE(LIST_TO_TUPLE)
        sp[-1] = new_tuple(ts, std::move(sp[-1].as<ListObj>()->items));
        VM_NEXT();
        VM_CASE(FORMAT_VALUE) {
          std::uint32_t arg = ARG16();
          // As binary_slow: a __format__/__str__/__repr__ may run script code.
          SAVE_FRAME();
          if (arg & 4) {
            Value v = sp[-2], spec = sp[-1];
            Value r = format_field(ts, v, static_cast<int>(arg & 3), &spec);
            LOAD_FRAME();
            sp[-2] = std::move(r);
            *--sp = Value();
          } else {
            Value v = sp[-1];
            Value r = format_field(ts, v, static_cast<int>(arg & 3), nullptr);
            LOAD_FRAME();
            sp[-1] = std::move(r);
          }
          VM_NEXT();
        }
        VM_CASE(BUILD_STRING) {
          std::uint32_t n = ARG32();
          sp = build_string(sp, n);
          VM_NEXT();
        }
        VM_CASE(BINARY_AND)
        VM_CASE(BINARY_OR)
        VM_CASE(BINARY_XOR)
        VM_CASE(BINARY_LSHIFT)
        VM_CASE(BINARY_RSHIFT)
        VM_CASE(INPLACE_AND)
        VM_CASE(INPLACE_OR)
        VM_CASE(INPLACE_XOR)
        goto binary_slow;  // a user __and__ may run script code: binary_slow keeps the stack safe
        VM_CASE(UNARY_INVERT) {
          Value v = sp[-1];  // as UNARY_NEGATIVE: a user __invert__ may move the stack
          SAVE_FRAME();
          Value r = unary_op(ts, op, v);
          LOAD_FRAME();
          sp[-1] = std::move(r);
          VM_NEXT();
        }
        VM_CASE(DELETE_SUBSCR) {
          Value target = sp[-2], key = sp[-1];  // as BINARY_SUBSCR: a user __delitem__
          SAVE_FRAME();
          delete_subscript(ts, target, key);
          LOAD_FRAME();
          *--sp = Value();
          *--sp = Value();
          VM_NEXT();
        }
        // ---- lang2 block ----
        VM_CASE(SETUP_WITH) {
          std::uint32_t target = ARG32();
          // The handler gets [__exit__, exception]: what __enter__ returned (TOS) is not kept.
          ts.exc_blocks.push_back(ExcBlock{static_cast<std::uint32_t>(ts.frames.size() - 1), target,
                                           static_cast<std::uint32_t>(sp - 1 - ts.stack.data()),
                                           static_cast<std::uint32_t>(ts.with_stack.size()),
                                           Value(), false});
          VM_NEXT();
        }
        VM_CASE(DELETE_FAST) {
          std::uint32_t slot = ARG16();
          if (locals[slot].is_unset()) unbound_local(*code, slot);
          locals[slot] = Value::unset();
          VM_NEXT();
        }
        VM_CASE(DELETE_DEREF) {
          std::uint32_t slot = ARG16();
          CellObj& cell = *locals[slot].as<CellObj>();
          load_cell(ts, *code, slot, cell);  // raises when already unset
          store_cell(ts, cell, Value::unset());
          VM_NEXT();
        }
        VM_CASE(DELETE_GLOBAL) {
          std::uint32_t index = ARG32();
          load_global(ts, index);  // raises NameError when unset
          store_global(ts, index, Value::unset());
          VM_NEXT();
        }
        VM_CASE(DELETE_ATTR) {
          const std::string& name = code->names[ARG16()];
          SAVE_FRAME();
          Value deleter;
          bool done = delete_attribute(ts, sp[-1], name, deleter);
          LOAD_FRAME();
          if (GILSIM_UNLIKELY(!done)) {  // a property: [fdel bound]
            sp[-1] = std::move(deleter);
            sp -= 1;
            goto call_discarding;
          }
          *--sp = Value();
          VM_NEXT();
        }
        // A property's setter or deleter: the call at sp (its arguments above it, up to the
        // operands' old top) runs like any call, and its result is dropped.
      call_discarding : {
        auto at = static_cast<std::uint32_t>(sp - ts.stack.data());
        int argc = op == Op::STORE_ATTR ? 1 : 0;
        sp += 1 + argc;
        SAVE_FRAME();
        if (call_at(ts, at, argc, nullptr)) {
          ts.frames.back().kind = kFrameDiscard;
          LOAD_FRAME();
          VM_NEXT();
        }
        LOAD_FRAME();
        sp = ts.stack.data() + at;
        *sp = Value();
        SAFE_POINT();
        VM_NEXT();
      }
        VM_CASE(DICT_MERGE) {
          std::uint32_t n = ARG32();
          SAVE_FRAME();
          Value mapping = sp[-1];
          Value dict = sp[-1 - static_cast<std::ptrdiff_t>(n)];
          Value callee = sp[-3 - static_cast<std::ptrdiff_t>(n)];  // [callee, list, dict, ...]
          merge_keywords(ts, callee, dict, mapping);
          LOAD_FRAME();
          *--sp = Value();
          VM_NEXT();
        }
        VM_CASE(CALL_FUNCTION_EX) {
          auto at = static_cast<std::uint32_t>(sp - 3 - ts.stack.data());
          SAVE_FRAME();
          bool framed = call_with_dict(ts, at);
          LOAD_FRAME();
          if (framed) VM_NEXT();  // the callee's RESUME is the safe point
          sp = ts.stack.data() + at + 1;
          SAFE_POINT();
          VM_NEXT();
        }
        // ---- lang12: generators (vm/generators.h) ----
        VM_CASE(RETURN_GENERATOR) {
          SAVE_FRAME();
          Value gen = make_generator(ts);
          LOAD_FRAME();
          *sp++ = std::move(gen);
          goto return_value;
        }
        VM_CASE(YIELD_VALUE) {
          Value v = std::move(*--sp);
          std::uint8_t kind = frame->kind;
          SAVE_FRAME();
          std::uint32_t base = frame->base;
          suspend_generator(ts);
          if (kind == kFrameGenCall) {  // the entry frame of generator_send's nested run
            RunResult r;
            r.value = std::move(v);
            return r;
          }
          ts.stack[base - 1] = std::move(v);
          if constexpr (kCounting) ts.budget = budget;  // LOAD_FRAME reads it back
          LOAD_FRAME();
          sp = ts.stack.data() + base;
          VM_NEXT();
        }
        VM_CASE(SEND) {
          std::uint32_t target = ARG32();
          SAVE_FRAME();
          if (sp[-2].is(ObjType::Iterator) && sp[-2].as<IterObj>()->generator) {
            auto base = static_cast<std::uint32_t>(sp - ts.stack.data());
            auto* gen = static_cast<GeneratorObj*>(sp[-2].as<IterObj>());
            Value sent = std::move(sp[-1]);
            bool resumed = resume_generator(ts, *gen, base, kFrameGenSend, std::move(sent));
            LOAD_FRAME();
            if (resumed) VM_NEXT();
            *--sp = Value();
            sp[-1] = Value::none();
            ip = code_start + target;
            VM_NEXT();
          }
          Value it = sp[-2], item;
          if (!sp[-1].is_none())
            raise("AttributeError",
                  fmt::format("'{}' object has no attribute 'send'", type_name(it)));
          bool more = iterator_next(ts, it, item);
          LOAD_FRAME();
          if (more) {
            sp[-1] = std::move(item);
          } else {
            *--sp = Value();
            sp[-1] = Value::none();
            ip = code_start + target;
          }
          VM_NEXT();
        }
        VM_CASE(GET_YIELD_FROM_ITER) {
          Value v = sp[-1];
          SAVE_FRAME();
          Value it = make_iterator(ts, v);
          LOAD_FRAME();
          sp[-1] = std::move(it);
          VM_NEXT();
        }
        VM_CASE(JUMP_BACKWARD_NO_INTERRUPT) {
          std::uint32_t target = ARG32();
          ip = code_start + target;
          VM_NEXT_FAST();
        }
        VM_CASE(MAKE_CELL) {
          std::uint32_t slot = ARG16();
          locals[slot] = Value::adopt(new CellObj(Value::unset()));
          VM_NEXT();
        }
        // A generator's frame returned (RETURN_VALUE, its blocks and contexts already left): the
        // generator has ended. FOR_ITER's loop is over, SEND goes on with the value returned,
        // generator_send's nested run returns it.
      generator_return : {
        std::uint8_t kind = frame->kind;
        end_generator_frame(ts);
        Value result = std::move(sp[-1]);
        std::uint32_t base = frame->base;
        while (sp > locals) *--sp = Value();
        ts.frames.pop_back();
        if (kind == kFrameGenCall) {
          ts.steps = steps;
          if constexpr (kCounting) ts.budget = budget;
          RunResult r;
          r.value = std::move(result);
          return r;
        }
        if constexpr (kCounting) ts.budget = budget;
        LOAD_FRAME();
        // The resuming FOR_ITER's or SEND's operand, the exit target, ends at the saved ip.
        ip = code_start + read_operand(ip - 4, 4);
        sp = ts.stack.data() + base;
        if (kind == kFrameGenFor) {
          for (int i = 0; i < 4; ++i) *--sp = Value();
        } else {
          *--sp = Value();
          sp[-1] = std::move(result);
        }
        VM_NEXT();
      }
        // [__exit__, exception] -> [__exit__, exception, __exit__(type, exception, None)].
        VM_CASE(WITH_EXCEPT_START) {
          if (sp[-2].is(ObjType::Lock)) {
            SAVE_FRAME();
            exit_innermost_context(ts);
            LOAD_FRAME();
            *sp++ = Value::boolean(false);
            VM_NEXT();
          }
          sp = with_call_room(ts, sp);
          sp[0] = sp[-2];
          sp[1] = Value::share(class_of(sp[-1]));
          sp[2] = sp[-1];
          sp[3] = Value::none();  // gilsim has no traceback objects
          call_argc = 3;
          goto call_at_sp;
        }
      }
    }
  } catch (const ScriptError& e) {
    ts.steps = steps;
    if constexpr (kCounting) ts.budget = budget;
    // ip has moved past the failing instruction's opcode (and perhaps its operand), never past
    // its end: every handler raises before it jumps. Its position is the last one at ip - 1.
    auto failing = static_cast<std::uint32_t>(ip - 1 - code_start);
    pending = exception_from_error(e.type, e.what());
    if (pending.is_none()) {  // not a Python exception class (StepLimitError): ends the thread
      RunResult r;
      r.failure = unwind(ts, e, failing, entry_depth);
      return r;
    }
    reraise = false;
  } catch (const PyRaise& pr) {
    ts.steps = steps;
    if constexpr (kCounting) ts.budget = budget;
    pending = pr.exc;
    reraise = pr.reraise;
  } catch (const std::bad_alloc&) {
    // The host refused memory the budget allowed (a ulimit, a fragmented heap): still Python's
    // MemoryError in the script, never a C++ exception out of the thread.
    ts.steps = steps;
    if constexpr (kCounting) ts.budget = budget;
    pending = exception_from_error("MemoryError", "");
    reraise = false;
  } catch (const std::length_error&) {
    ts.steps = steps;
    if constexpr (kCounting) ts.budget = budget;
    pending = exception_from_error("MemoryError", "");
    reraise = false;
  }
thrown:
  // lang-func: a Python exception looks for a try block, frame by frame.
  auto failing = static_cast<std::uint32_t>(ip - 1 - code_start);
  if (!reraise) {
    ExceptionState& st = exc_state(pending);
    if (st.context.is_none()) {
      Value handled = handled_exception(ts);
      if (!handled.identical(pending)) st.context = std::move(handled);
    }
  }
  if (catch_exception(ts, pending, reraise, failing, entry_depth)) {
    pending = Value();
    LOAD_FRAME();
    goto restart;
  }
  RunResult r;
  r.failure = uncaught_failure(ts, pending, entry_depth);
  r.exception = std::move(pending);
  return r;
}

#undef VM_CASE
#undef VM_NEXT
#undef VM_SWITCH
#undef FETCH
#undef SAVE_FRAME
#undef LOAD_FRAME
#undef ARG16
#undef ARG32
#undef SAFE_POINT
#undef SAFE_POINT_THEN
#undef RETURN_SUSPENDED
#undef PUSH_LOCAL

RunResult execute_any(ThreadState& ts, size_t entry_depth) {
  RunObjects run_objects(&ts.interp.limits->memory());  // what the script makes, for break_cycles
  ThreadState* outer = running_thread();
  running_thread() = &ts;
  struct Restore {
    ThreadState* outer;
    ~Restore() { running_thread() = outer; }
  } restore{outer};
  bool counting = ts.ticker != INT64_MAX || ts.costs != nullptr;
  return counting ? execute<true>(ts, entry_depth) : execute<false>(ts, entry_depth);
}

}  // namespace

std::uint32_t nested_stack_top(ThreadState& ts, size_t room) {
  // Above everything the calling frame may hold, even when an instruction did not save its sp.
  std::uint32_t at = 0;
  if (!ts.frames.empty()) {
    const Frame& f = ts.frames.back();
    at = std::max<std::uint32_t>(
        f.sp, f.base + static_cast<std::uint32_t>(f.code->local_names.size() + f.code->max_stack));
  }
  size_t need = at + room;
  ts.grow_stack(need);
  return at;
}

void raise_nested_failure(const RunResult& r) {
  if (!r.exception.is_none()) throw PyRaise{r.exception, true};
  raise(r.failure->type, r.failure->message);
}

Value call_nested(ThreadState& ts, const Value& callee, std::vector<Value> args) {
  if (ts.nested_runs >= kMaxNestedRuns) raise("RecursionError", "maximum recursion depth exceeded");
  size_t entry = ts.frames.size();
  std::uint32_t at = nested_stack_top(ts, args.size() + 2);
  ts.stack[at] = callee;
  for (size_t i = 0; i < args.size(); ++i) ts.stack[at + 1 + i] = std::move(args[i]);
  bool framed;
  try {
    framed = call_at(ts, at, static_cast<int>(args.size()), nullptr);
  } catch (...) {
    for (size_t i = at; i < at + args.size() + 1; ++i) ts.stack[i] = Value();
    throw;
  }
  if (!framed) return std::move(ts.stack[at]);
  ++ts.nested_runs;
  RunResult r = run_nested(ts, entry);
  --ts.nested_runs;
  // The entry frame's return leaves the callee slot as it was (a frame's bottom is its first
  // local there): the function's reference goes here, or it would outlive the call.
  ts.stack[at] = Value();
  if (r.failure) raise_nested_failure(r);
  return std::move(r.value);
}

void check_can_block(ThreadState& ts, const char* what) {
  if (ts.nested_runs > 0 && ts.interp.host().suspends_threads())
    raise("RuntimeError",
          fmt::format("{} cannot wait inside a function called by a builtin (map, filter, sorted "
                      "or min/max with key=) on the sim engine; use --engine threads, or call "
                      "it from a for loop",
                      what));
}

bool acquire_lock_blocking(ThreadState& ts, const Value& lock, const char* what) {
  Host& host = ts.interp.host();
  if (ts.nested_runs > 0 && host.suspends_threads()) {
    if (host.lock_acquire(ts, lock, false)) return true;
    check_can_block(ts, what);
  }
  return host.lock_acquire(ts, lock, true);
}

RunResult run_module(ThreadState& ts) {
  ts.interp.entered = true;
  const Code& module = *ts.interp.program().module;
  size_t entry = ts.frames.size();
  std::uint32_t base = ts.frames.empty() ? 0 : ts.frames.back().sp;
  reserve_frame(ts, base, module);
  // The module's locals are the hidden slots of its comprehensions' variables.
  auto nlocals = static_cast<std::uint32_t>(module.local_names.size());
  for (std::uint32_t i = 0; i < nlocals; ++i) ts.stack[base + i] = Value::unset();
  ts.frames.push_back(
      Frame{&module, 0, base, base + nlocals, static_cast<std::uint32_t>(ts.with_stack.size())});
  return execute_any(ts, entry);
}

namespace {

// A spawned thread's entry function has returned (or raised): it no longer counts as alive.
RunResult finish_thread(ThreadState& ts, RunResult r) {
  if (!r.suspended && ts.frames.empty()) thread_finished(ts);
  return r;
}

}  // namespace

RunResult run_function(ThreadState& ts, const Value& fn, std::vector<Value> args) {
  if (ts.frames.empty()) thread_started(ts);
  size_t entry = ts.frames.size();
  // The function sits below its arguments, as after a CALL (see vm/call.h).
  std::uint32_t base = (ts.frames.empty() ? 0 : ts.frames.back().sp) + 1;
  auto* f = fn.as<FunctionObj>();
  ts.grow_stack(base + args.size() + 1);
  ts.stack[base - 1] = fn;
  for (size_t i = 0; i < args.size(); ++i) ts.stack[base + i] = std::move(args[i]);
  try {
    push_frame(ts, f, base, static_cast<int>(args.size()));
  } catch (const ScriptError& e) {
    // The call that failed (f() given the wrong arguments) still took the time of one CALL: on
    // the sim engine the thread then runs for a moment after taking the GIL, as on OS threads,
    // instead of ending the instant it got it.
    ++ts.steps;
    if (ts.costs) ts.budget -= ts.costs[static_cast<int>(Op::CALL)];
    RunResult r;
    r.failure = ScriptFailure{e.type, e.what(), {}, {}};
    for (auto& v : ts.stack) v = Value();
    return finish_thread(ts, std::move(r));
  }
  return finish_thread(ts, execute_any(ts, entry));
}

RunResult resume(ThreadState& ts) { return finish_thread(ts, execute_any(ts, 0)); }

RunResult run_nested(ThreadState& ts, size_t entry_depth) { return execute_any(ts, entry_depth); }

std::string format_traceback(const Program& program, const ScriptFailure& failure) {
  std::string out = failure.chained + "Traceback (most recent call last):\n";
  // As CPython's traceback.py: after three identical entries in a row, one line says how many more.
  size_t repeats = 0;
  for (size_t i = 0; i < failure.frames.size(); ++i) {
    const auto& f = failure.frames[i];
    bool same = i > 0 && failure.frames[i - 1].function == f.function &&
                failure.frames[i - 1].line == f.line;
    repeats = same ? repeats + 1 : 0;
    if (repeats < 3) {
      out += fmt::format("  File \"{}\", line {}, in {}\n", program.source->path(), f.line,
                         f.function);
      std::string_view text = program.source->line(f.line);
      size_t start = text.find_first_not_of(" \t");
      if (start != std::string_view::npos) out += fmt::format("    {}\n", text.substr(start));
    }
    bool run_ends = i + 1 == failure.frames.size() ||
                    failure.frames[i + 1].function != f.function ||
                    failure.frames[i + 1].line != f.line;
    if (run_ends && repeats >= 3)
      out += fmt::format("  [Previous line repeated {} more time{}]\n", repeats - 2,
                         repeats - 2 == 1 ? "" : "s");
  }
  out +=
      failure.message.empty() ? failure.type : fmt::format("{}: {}", failure.type, failure.message);
  out += '\n';
  return out;
}

}  // namespace gilsim
