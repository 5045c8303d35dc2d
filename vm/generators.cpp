#include "vm/generators.h"

#include <fmt/format.h>

#include "vm/call.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/interpreter.h"
#include "vm/objects.h"

namespace gilsim {

GeneratorObj::GeneratorObj(const Code* code, Value fn) : code(code), fn(std::move(fn)) {
  generator = true;
  track_holder(*this);  // its frame may hold a reference back to it: a cycle broken at run end
}

void GeneratorObj::clear_refs() {
  fn = Value();
  saved.clear();
  withs.clear();
  blocks.clear();
  state = State::Done;
}

bool GeneratorObj::next(ThreadState& ts, Value& out) {
  Value self = Value::share(this);
  return generator_send(ts, self, Value::none(), out);
}

Value make_generator(ThreadState& ts) {
  Frame& f = ts.frames.back();
  auto* gen = new GeneratorObj(f.code, ts.stack[f.base - 1]);
  Value result = Value::adopt(gen);
  gen->ip = f.ip;
  for (std::uint32_t i = f.base; i < f.sp; ++i) gen->saved.push_back(std::move(ts.stack[i]));
  f.sp = f.base;
  return result;
}

GeneratorObj& frame_generator(ThreadState& ts, const Frame& f) {
  std::uint32_t below = f.kind == kFrameGenFor ? 4 : f.kind == kFrameGenSend ? 2 : 1;
  return *static_cast<GeneratorObj*>(ts.stack[f.base - below].as<IterObj>());
}

void suspend_generator(ThreadState& ts) {
  const Frame& f = ts.frames.back();
  GeneratorObj& gen = frame_generator(ts, f);
  gen.ip = f.ip;
  gen.saved.clear();
  for (std::uint32_t i = f.base; i < f.sp; ++i) {
    gen.saved.push_back(std::move(ts.stack[i]));
    ts.stack[i] = Value();
  }
  gen.withs.assign(std::make_move_iterator(ts.with_stack.begin() + f.with_base),
                   std::make_move_iterator(ts.with_stack.end()));
  ts.with_stack.resize(f.with_base);
  auto index = static_cast<std::uint32_t>(ts.frames.size() - 1);
  size_t first = ts.exc_blocks.size();
  while (first > 0 && ts.exc_blocks[first - 1].frame == index) --first;
  gen.blocks.clear();
  for (size_t i = first; i < ts.exc_blocks.size(); ++i) {
    ExcBlock& b = ts.exc_blocks[i];
    gen.blocks.push_back(
        {b.handler, b.sp - f.base, b.with_depth - f.with_base, std::move(b.exc), b.handling});
  }
  ts.exc_blocks.resize(first);
  gen.state = GeneratorObj::State::Suspended;
  ts.frames.pop_back();
}

bool resume_generator(ThreadState& ts, GeneratorObj& gen, std::uint32_t base, std::uint8_t kind,
                      Value sent) {
  switch (gen.state) {
    case GeneratorObj::State::Done:
      return false;
    case GeneratorObj::State::Running:
      raise("ValueError", "generator already executing");
    case GeneratorObj::State::Created:
      if (!sent.is_none())
        raise("TypeError", "can't send non-None value to a just-started generator");
      break;
    case GeneratorObj::State::Suspended:
      break;
  }
  if (ts.frames.size() >= static_cast<size_t>(kRecursionLimit))
    raise("RecursionError", "maximum recursion depth exceeded");
  reserve_frame(ts, base, *gen.code);
  auto sp = static_cast<std::uint32_t>(base + gen.saved.size());
  size_t need = sp + 2;
  ts.grow_stack(need);
  for (size_t i = 0; i < gen.saved.size(); ++i) ts.stack[base + i] = std::move(gen.saved[i]);
  gen.saved.clear();
  ts.stack[sp++] = std::move(sent);
  auto with_base = static_cast<std::uint32_t>(ts.with_stack.size());
  for (auto& w : gen.withs) ts.with_stack.push_back(std::move(w));
  gen.withs.clear();
  auto index = static_cast<std::uint32_t>(ts.frames.size());
  for (auto& b : gen.blocks)
    ts.exc_blocks.push_back(ExcBlock{index, b.handler, base + b.sp, with_base + b.with_depth,
                                     std::move(b.exc), b.handling});
  gen.blocks.clear();
  Frame f{gen.code, gen.ip, base, sp, with_base};
  f.kind = kind;
  ts.frames.push_back(f);
  gen.state = GeneratorObj::State::Running;
  return true;
}

void end_generator_frame(ThreadState& ts) {
  GeneratorObj& gen = frame_generator(ts, ts.frames.back());
  gen.state = GeneratorObj::State::Done;
  gen.fn = Value();
}

bool generator_send(ThreadState& ts, const Value& genv, Value sent, Value& out) {
  return generator_resume(ts, genv, std::move(sent), Value(), out);
}

bool generator_resume(ThreadState& ts, const Value& genv, Value sent, Value thrown, Value& out) {
  // Each resumption from C++ (next(), list(), sum()...) is a nested eval loop on the C++ stack:
  // bounded as call_nested's are (kMaxNestedRuns, vm/interpreter.h), so that next(next(...))
  // chains end in RecursionError, not a stack overflow.
  if (ts.nested_runs >= kMaxNestedRuns) raise("RecursionError", "maximum recursion depth exceeded");
  auto& gen = *static_cast<GeneratorObj*>(genv.as<IterObj>());
  size_t entry = ts.frames.size();
  std::uint32_t at = nested_stack_top(ts, 2);
  ts.stack[at] = genv;
  bool resumed;
  try {
    resumed = resume_generator(ts, gen, at + 1, kFrameGenCall, std::move(sent));
  } catch (...) {
    ts.stack[at] = Value();
    throw;
  }
  if (!resumed) {
    ts.stack[at] = Value();
    if (!thrown.is_none()) throw PyRaise{std::move(thrown)};  // an ended generator: raised here
    out = Value::none();
    return false;
  }
  ts.throw_in = std::move(thrown);
  ++ts.nested_runs;
  RunResult r = run_nested(ts, entry);
  --ts.nested_runs;
  ts.stack[at] = Value();
  if (r.failure) raise_nested_failure(r);
  out = std::move(r.value);
  return gen.state != GeneratorObj::State::Done;
}

namespace {

GeneratorObj& generator_self(const Value& self, const char* method) {
  if (!self.is(ObjType::Iterator) || !self.as<IterObj>()->generator)
    raise("AttributeError",
          fmt::format("'{}' object has no attribute '{}'", self.as<IterObj>()->name(), method));
  return *static_cast<GeneratorObj*>(self.as<IterObj>());
}

}  // namespace

Value m_generator_send(ThreadState& ts, Value* args, int) {
  generator_self(args[0], "send");
  Value out;
  if (generator_send(ts, args[0], args[1], out)) return out;
  raise_stop_iteration(out);
}

// throw(exc) or throw(type[, value]): raised in the generator where it yielded; its next yield
// is the result, its end a StopIteration, and what it does not catch comes out here.
Value m_generator_throw(ThreadState& ts, Value* args, int nargs) {
  generator_self(args[0], "throw");
  const Value& type = args[1];
  const Value* value = nargs > 2 && !args[2].is_none() ? &args[2] : nullptr;
  ClassObj* c = as_class(type);
  bool instance = is_exception(type);
  if (!instance && !(c && c->is_exception))
    raise("TypeError", fmt::format("exceptions must be classes or instances deriving from "
                                   "BaseException, not {}",
                                   type_name(type)));
  if (instance && value) raise("TypeError", "instance exception may not have a separate value");
  Value exc;
  if (instance)
    exc = type;
  else if (value && is_exception(*value) && class_of(*value)->is_subclass_of(c))
    exc = *value;
  else if (value)
    exc = call_nested(ts, type, {*value});
  else
    exc = exception_from_raise(ts, type, "");
  Value out;
  if (generator_resume(ts, args[0], Value(), std::move(exc), out)) return out;
  raise_stop_iteration(out);
}

// close(), as CPython's: GeneratorExit is thrown in where a suspended generator yielded, so its
// finally blocks run and its `with` blocks are left; that exception (or a StopIteration) coming
// back out is the normal end, a yield instead is "generator ignored GeneratorExit". A generator
// not started (or ended) just ends.
Value m_generator_close(ThreadState& ts, Value* args, int) {
  GeneratorObj& gen = generator_self(args[0], "close");
  if (gen.state == GeneratorObj::State::Running) raise("ValueError", "generator already executing");
  if (gen.state != GeneratorObj::State::Suspended) {
    gen.clear_refs();
    return Value::none();
  }
  Value out;
  bool yielded;
  try {
    yielded = generator_resume(ts, args[0], Value(), make_exception("GeneratorExit", ""), out);
  } catch (const PyRaise& e) {
    if (is_stop_iteration(e.exc) || exception_type_name(e.exc) == "GeneratorExit" ||
        class_of(e.exc)->is_subclass_of(builtin_class("GeneratorExit")))
      return Value::none();
    throw;
  }
  if (yielded) raise("RuntimeError", "generator ignored GeneratorExit");
  return Value::none();
}

}  // namespace gilsim
