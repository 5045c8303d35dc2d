#include "vm/interpreter.h"

#include <fmt/format.h>

#include "vm/builtins.h"
#include "vm/errors.h"
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
}

namespace {

// Makes room for a frame of `code` whose locals start at `base`; the stack may move.
void reserve_frame(ThreadState& ts, std::uint32_t base, const Code& code) {
  size_t need = base + code.local_names.size() + static_cast<size_t>(code.max_stack) + 1;
  if (need > ts.stack.size()) ts.stack.resize(std::max(need, ts.stack.size() * 2));
}

// Pushes a frame for a call of `fn` whose arguments already sit at stack[base .. base+argc).
void push_frame(ThreadState& ts, const FunctionObj* fn, std::uint32_t base, int argc) {
  const Code& code = *fn->code;
  if (argc != code.num_params) {
    if (argc > code.num_params)
      raise("TypeError",
            fmt::format("{}() takes {} positional argument{} but {} {} given", code.name,
                        code.num_params, code.num_params == 1 ? "" : "s", argc,
                        argc == 1 ? "was" : "were"));
    std::vector<std::string> missing(code.local_names.begin() + argc,
                                     code.local_names.begin() + code.num_params);
    std::string list;
    for (size_t i = 0; i < missing.size(); ++i) {
      if (i) list += missing.size() == 2 ? " and " : (i + 1 == missing.size() ? ", and " : ", ");
      list += "'" + missing[i] + "'";
    }
    raise("TypeError", fmt::format("{}() missing {} required positional argument{}: {}", code.name,
                                   missing.size(), missing.size() == 1 ? "" : "s", list));
  }
  if (ts.frames.size() >= static_cast<size_t>(kRecursionLimit))
    raise("RecursionError", "maximum recursion depth exceeded");
  reserve_frame(ts, base, code);
  auto nlocals = static_cast<std::uint32_t>(code.local_names.size());
  for (std::uint32_t i = static_cast<std::uint32_t>(argc); i < nlocals; ++i)
    ts.stack[base + i] = Value::unset();
  ts.frames.push_back(Frame{&code, 0, base, base + nlocals,
                            static_cast<std::uint32_t>(ts.with_stack.size())});
}

void exit_context(ThreadState& ts, const Value& ctx) {
  if (ctx.is(ObjType::Lock)) ts.interp.host().lock_release(ts, ctx);
}

void enter_context(ThreadState& ts, Value ctx) {
  if (!ctx.is(ObjType::Lock))
    raise("TypeError", fmt::format("'{}' object does not support the context manager protocol",
                                   type_name(ctx)));
  ts.interp.host().lock_acquire(ts, ctx, true);
  ts.with_stack.push_back(std::move(ctx));
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

Value load_global(ThreadState& ts, std::uint32_t index) {
  Interp& in = ts.interp;
  Value v;
  if (ts.lock_objects) {
    std::lock_guard g(in.globals_mu);
    v = in.globals[index];
  } else {
    v = in.globals[index];
  }
  if (GILSIM_UNLIKELY(v.is_unset()))
    raise("NameError", fmt::format("name '{}' is not defined", in.program().global_names[index]));
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

// The 3-slot iteration state GET_ITER leaves: [start, stop, step] ints for a range, or
// [sequence, position, None] for a list (item index) or str (byte offset).
void get_iter(Value* slots) {
  Value it = std::move(slots[0]);
  if (it.is(ObjType::Range)) {
    auto* r = it.as<RangeObj>();
    slots[0] = Value::integer(r->start);
    slots[1] = Value::integer(r->stop);
    slots[2] = Value::integer(r->step);
    return;
  }
  if (it.is(ObjType::List) || it.is(ObjType::Str)) {
    slots[0] = std::move(it);
    slots[1] = Value::integer(0);
    slots[2] = Value::none();
    return;
  }
  raise("TypeError", fmt::format("'{}' object is not iterable", type_name(it)));
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
  check_arity(def, nargs);
  return def.fn(ts, args, nargs);
}

// Records where each frame stood, innermost last, then unwinds: contexts exited, stack cleared.
ScriptFailure unwind(ThreadState& ts, const ScriptError& e, std::uint32_t failing_ip,
                     size_t entry_depth) {
  ScriptFailure f{e.type, e.what(), {}};
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
    ts.frames.pop_back();
  }
  for (auto& v : ts.stack) v = Value();
  return f;
}

template <bool kCountTicks>
RunResult execute(ThreadState& ts, size_t entry_depth) {
  Host& host = ts.interp.host();
  const Program& program = ts.interp.program();
  std::uint64_t steps = ts.steps;
  const std::uint64_t step_limit = ts.max_steps ? ts.max_steps : UINT64_MAX;

  Frame* frame;
  const Code* code;
  const std::uint8_t* code_start;
  const std::uint8_t* ip;
  const std::uint8_t* instr = nullptr;
  const Value* consts;
  Value* locals;
  Value* sp;

  // Caches of the running frame, reloaded whenever the frame or the stack's storage changes.
  auto load_frame = [&]() {
    frame = &ts.frames.back();
    code = frame->code;
    code_start = code->bytes.data();
    ip = code_start + frame->ip;
    consts = code->constants.data();
    locals = ts.stack.data() + frame->base;
    sp = ts.stack.data() + frame->sp;
  };
  auto save_frame = [&]() {
    frame->ip = static_cast<std::uint32_t>(ip - code_start);
    frame->sp = static_cast<std::uint32_t>(sp - ts.stack.data());
    ts.steps = steps;
  };
  auto safe_point = [&]() {
    if (GILSIM_UNLIKELY(steps >= step_limit))
      raise("StepLimitError",
            fmt::format("the script ran {} bytecodes, the limit set with --max-steps", step_limit));
    save_frame();
    host.on_eval_breaker(ts);
    load_frame();
  };

  load_frame();
  try {
    for (;;) {
      instr = ip;
      auto op = static_cast<Op>(*ip++);
      ++steps;
      if constexpr (kCountTicks) {
        if (op_ticks(op) && --ts.ticker < 0) {
          save_frame();
          host.on_tick(ts);
          load_frame();
        }
      }
      std::uint32_t arg = 0;
      switch (op_operand_width(op)) {
        case 2: arg = read_operand(ip, 2); ip += 2; break;
        case 4: arg = read_operand(ip, 4); ip += 4; break;
        default: break;
      }
      switch (op) {
        case Op::NOP: break;
        case Op::POP_TOP: *--sp = Value(); break;
        case Op::POP_N:
          for (std::uint32_t i = 0; i < arg; ++i) *--sp = Value();
          break;
        case Op::DUP_TOP: *sp = sp[-1]; ++sp; break;
        case Op::DUP_TOP_TWO:
          sp[0] = sp[-2];
          sp[1] = sp[-1];
          sp += 2;
          break;
        case Op::ROT_TWO: std::swap(sp[-1], sp[-2]); break;
        case Op::ROT_THREE: {
          Value top = std::move(sp[-1]);
          sp[-1] = std::move(sp[-2]);
          sp[-2] = std::move(sp[-3]);
          sp[-3] = std::move(top);
          break;
        }
        case Op::LOAD_CONST: *sp++ = consts[arg]; break;
        case Op::LOAD_FAST:
        case Op::LOAD_FAST_LOAD_FAST:
        case Op::LOAD_FAST_LOAD_CONST: {
          std::uint32_t first = arg & 0xffff;
          if (GILSIM_UNLIKELY(locals[first].is_unset()))
            raise("UnboundLocalError",
                  fmt::format("cannot access local variable '{}' where it is not associated with a value",
                              code->local_names[first]));
          *sp++ = locals[first];
          if (op == Op::LOAD_FAST_LOAD_CONST) {
            *sp++ = consts[arg >> 16];
          } else if (op == Op::LOAD_FAST_LOAD_FAST) {
            std::uint32_t second = arg >> 16;
            if (GILSIM_UNLIKELY(locals[second].is_unset()))
              raise("UnboundLocalError",
                    fmt::format("cannot access local variable '{}' where it is not associated with a value",
                                code->local_names[second]));
            *sp++ = locals[second];
          }
          break;
        }
        case Op::STORE_FAST: locals[arg] = std::move(*--sp); break;
        case Op::LOAD_GLOBAL: *sp++ = load_global(ts, arg); break;
        case Op::STORE_GLOBAL: store_global(ts, arg, std::move(*--sp)); break;
        case Op::LOAD_ATTR: {
          const std::string& name = code->names[arg];
          const NativeDef* def = find_method(sp[-1], name);
          if (!def)
            raise("AttributeError", fmt::format("'{}' object has no attribute '{}'", type_name(sp[-1]), name));
          sp[-1] = Value::adopt(new BoundMethodObj(std::move(sp[-1]), def));
          break;
        }
        case Op::LOAD_METHOD: {
          const std::string& name = code->names[arg];
          const NativeDef* def = find_method(sp[-1], name);
          if (!def)
            raise("AttributeError", fmt::format("'{}' object has no attribute '{}'", type_name(sp[-1]), name));
          sp[0] = std::move(sp[-1]);
          sp[-1] = Value::native(def);
          ++sp;
          break;
        }
        case Op::CALL_METHOD: {
          Value* callee = sp - arg - 2;
          save_frame();
          Value result = call_native(ts, *callee->as_native(), callee + 1, static_cast<int>(arg) + 1);
          load_frame();
          while (sp > callee) *--sp = Value();
          *sp++ = std::move(result);
          if (GILSIM_UNLIKELY(ts.eval_breaker.load(std::memory_order_relaxed) != 0 || steps >= step_limit))
            safe_point();
          break;
        }
        case Op::CALL: {
          Value* callee = sp - arg - 1;
          if (callee->is(ObjType::Function)) {
            save_frame();
            auto base = static_cast<std::uint32_t>(callee + 1 - ts.stack.data());
            push_frame(ts, callee->as<FunctionObj>(), base, static_cast<int>(arg));
            load_frame();
            break;  // the callee's RESUME is the safe point
          }
          Value result;
          save_frame();
          if (callee->is_native()) {
            result = call_native(ts, *callee->as_native(), callee + 1, static_cast<int>(arg));
          } else if (callee->is(ObjType::BoundMethod)) {
            auto* bm = callee->as<BoundMethodObj>();
            std::vector<Value> args;
            args.push_back(bm->self);
            for (std::uint32_t i = 0; i < arg; ++i) args.push_back(callee[1 + i]);
            result = call_native(ts, *bm->def, args.data(), static_cast<int>(args.size()));
          } else {
            raise("TypeError", fmt::format("'{}' object is not callable", type_name(*callee)));
          }
          load_frame();
          while (sp > callee) *--sp = Value();
          *sp++ = std::move(result);
          if (GILSIM_UNLIKELY(ts.eval_breaker.load(std::memory_order_relaxed) != 0 || steps >= step_limit))
            safe_point();
          break;
        }
        case Op::RESUME:
          if (GILSIM_UNLIKELY(ts.eval_breaker.load(std::memory_order_relaxed) != 0 || steps >= step_limit))
            safe_point();
          break;
        case Op::RETURN_VALUE: {
          Value result = std::move(*--sp);
          if (ts.with_stack.size() > frame->with_base) {
            save_frame();
            exit_frame_contexts(ts);
            load_frame();
          }
          // Clear the callee slot, locals and operands; the result takes the callee's place.
          Value* bottom = locals - (ts.frames.size() > entry_depth + 1 ? 1 : 0);
          while (sp > locals) *--sp = Value();
          ts.frames.pop_back();
          if (ts.frames.size() == entry_depth) {
            ts.steps = steps;
            RunResult r;
            r.value = std::move(result);
            return r;
          }
          *bottom = std::move(result);
          load_frame();
          sp = bottom + 1;
          break;
        }
        case Op::MAKE_FUNCTION:
          *sp++ = Value::adopt(new FunctionObj(program.functions[arg].get()));
          break;
        case Op::BUILD_LIST: {
          std::vector<Value> items;
          items.reserve(arg);
          for (Value* p = sp - arg; p < sp; ++p) items.push_back(std::move(*p));
          sp -= arg;
          *sp++ = make_list(std::move(items));
          break;
        }
        case Op::BINARY_SUBSCR: {
          Value r = subscript(ts, sp[-2], sp[-1]);
          *--sp = Value();
          sp[-1] = std::move(r);
          break;
        }
        case Op::STORE_SUBSCR:
          store_subscript(ts, sp[-2], sp[-1], std::move(sp[-3]));
          sp[-1] = Value();
          sp[-2] = Value();
          sp -= 3;
          break;
        case Op::UNARY_NEGATIVE:
        case Op::UNARY_POSITIVE:
        case Op::UNARY_NOT:
          sp[-1] = unary_op(ts, op, sp[-1]);
          break;
        case Op::BINARY_ADD:
        case Op::INPLACE_ADD:
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
            std::int64_t r;
            if (!__builtin_add_overflow(sp[-2].as_int(), sp[-1].as_int(), &r)) {
              sp[-2].set_int_unchecked(r);
              --sp;
              break;
            }
          }
          goto binary_slow;
        case Op::BINARY_SUBTRACT:
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
            std::int64_t r;
            if (!__builtin_sub_overflow(sp[-2].as_int(), sp[-1].as_int(), &r)) {
              sp[-2].set_int_unchecked(r);
              --sp;
              break;
            }
          }
          goto binary_slow;
        case Op::BINARY_MULTIPLY:
        case Op::INPLACE_MULTIPLY:
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
            std::int64_t r;
            if (!__builtin_mul_overflow(sp[-2].as_int(), sp[-1].as_int(), &r)) {
              sp[-2].set_int_unchecked(r);
              --sp;
              break;
            }
          }
          goto binary_slow;
        case Op::BINARY_MODULO:
          // Non-negative operands: C's % already is Python's.
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int() && sp[-2].as_int() >= 0 &&
                            sp[-1].as_int() > 0)) {
            sp[-2].set_int_unchecked(sp[-2].as_int() % sp[-1].as_int());
            --sp;
            break;
          }
          goto binary_slow;
        case Op::BINARY_TRUE_DIVIDE:
        case Op::BINARY_FLOOR_DIVIDE:
        case Op::BINARY_POWER:
        binary_slow: {
          Value r = binary_op(ts, op, sp[-2], sp[-1]);
          *--sp = Value();
          sp[-1] = std::move(r);
          break;
        }
        case Op::COMPARE_LT:
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int())) {
            bool r = sp[-2].as_int() < sp[-1].as_int();
            --sp;
            sp[-1] = Value::boolean(r);
            break;
          }
          goto compare_slow;
        case Op::COMPARE_LE:
        case Op::COMPARE_GT:
        case Op::COMPARE_GE:
        case Op::COMPARE_EQ:
        case Op::COMPARE_NE:
        case Op::COMPARE_IS:
        case Op::COMPARE_IS_NOT:
        case Op::COMPARE_IN:
        case Op::COMPARE_NOT_IN:
        compare_slow: {
          bool r = compare(ts, op, sp[-2], sp[-1]);
          *--sp = Value();
          sp[-1] = Value::boolean(r);
          break;
        }
        case Op::JUMP_FORWARD: ip = code_start + arg; break;
        case Op::JUMP_BACKWARD:
          ip = code_start + arg;
          if (GILSIM_UNLIKELY(ts.eval_breaker.load(std::memory_order_relaxed) != 0 || steps >= step_limit))
            safe_point();
          break;
        case Op::POP_JUMP_IF_FALSE:
        case Op::POP_JUMP_IF_TRUE: {
          Value& top = sp[-1];
          bool t = top.is_bool() ? top.as_bool() : truthy(ts, top);
          *--sp = Value();
          if (t == (op == Op::POP_JUMP_IF_TRUE)) ip = code_start + arg;
          break;
        }
        case Op::JUMP_IF_NOT_LT: {
          bool lt;
          if (GILSIM_LIKELY(sp[-1].is_int() && sp[-2].is_int()))
            lt = sp[-2].as_int() < sp[-1].as_int();
          else
            lt = compare(ts, Op::COMPARE_LT, sp[-2], sp[-1]);
          *--sp = Value();
          *--sp = Value();
          if (!lt) ip = code_start + arg;
          break;
        }
        case Op::GET_ITER:
          get_iter(sp - 1);
          sp += 2;
          break;
        case Op::FOR_ITER: {
          Value* slots = sp - 3;
          if (slots[0].is_int()) {
            std::int64_t cur = slots[0].as_int(), stop = slots[1].as_int(), step = slots[2].as_int();
            if (step > 0 ? cur < stop : cur > stop) {
              std::int64_t next;
              // Past the int64 range the loop is over anyway: park the counter on stop.
              if (__builtin_add_overflow(cur, step, &next)) next = stop;
              slots[0].set_int_unchecked(next);
              (sp++)->set_int_unchecked(cur);
            } else {
              sp -= 3;
              ip = code_start + arg;
            }
            break;
          }
          Value item;
          if (next_item(ts, slots, item)) {
            *sp++ = std::move(item);
          } else {
            for (int i = 0; i < 3; ++i) *--sp = Value();
            ip = code_start + arg;
          }
          break;
        }
        case Op::WITH_ENTER: {
          Value ctx = std::move(*--sp);
          save_frame();
          enter_context(ts, std::move(ctx));
          load_frame();
          break;
        }
        case Op::WITH_EXIT: {
          Value ctx = std::move(ts.with_stack.back());
          ts.with_stack.pop_back();
          save_frame();
          exit_context(ts, ctx);
          load_frame();
          break;
        }
      }
    }
  } catch (const ScriptError& e) {
    ts.steps = steps;
    RunResult r;
    r.failure = unwind(ts, e, static_cast<std::uint32_t>(instr - code_start), entry_depth);
    return r;
  }
}

RunResult execute_any(ThreadState& ts, size_t entry_depth) {
  return ts.ticker == INT64_MAX ? execute<false>(ts, entry_depth) : execute<true>(ts, entry_depth);
}

}  // namespace

RunResult run_module(ThreadState& ts) {
  const Code& module = *ts.interp.program().module;
  size_t entry = ts.frames.size();
  std::uint32_t base = ts.frames.empty() ? 0 : ts.frames.back().sp;
  reserve_frame(ts, base, module);
  ts.frames.push_back(Frame{&module, 0, base, base, static_cast<std::uint32_t>(ts.with_stack.size())});
  return execute_any(ts, entry);
}

RunResult run_function(ThreadState& ts, const Value& fn, std::vector<Value> args) {
  size_t entry = ts.frames.size();
  std::uint32_t base = ts.frames.empty() ? 0 : ts.frames.back().sp;
  auto* f = fn.as<FunctionObj>();
  if (ts.stack.size() < base + args.size() + 1) ts.stack.resize(base + args.size() + 1);
  for (size_t i = 0; i < args.size(); ++i) ts.stack[base + i] = std::move(args[i]);
  try {
    push_frame(ts, f, base, static_cast<int>(args.size()));
  } catch (const ScriptError& e) {
    RunResult r;
    r.failure = ScriptFailure{e.type, e.what(), {}};
    for (auto& v : ts.stack) v = Value();
    return r;
  }
  return execute_any(ts, entry);
}

std::string format_traceback(const Program& program, const ScriptFailure& failure) {
  std::string out = "Traceback (most recent call last):\n";
  for (const auto& f : failure.frames) {
    out += fmt::format("  File \"{}\", line {}, in {}\n", program.source->path(), f.line, f.function);
    std::string_view text = program.source->line(f.line);
    size_t start = text.find_first_not_of(" \t");
    if (start != std::string_view::npos) out += fmt::format("    {}\n", text.substr(start));
  }
  out += failure.message.empty() ? failure.type : fmt::format("{}: {}", failure.type, failure.message);
  out += '\n';
  return out;
}

}  // namespace gilsim
