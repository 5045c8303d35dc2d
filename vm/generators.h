// Generators (lang12): a function whose body yields returns a generator object when called, and
// each resumption runs its frame again on the thread's value stack, as CPython 3.11 does.
//
// Layout, as CPython 3.11 compiles a generator function: RETURN_GENERATOR (the call stops there:
// the frame just entered is moved into a new generator, which the call returns), POP_TOP (the
// value the first resumption sends, None), RESUME, then the body. Every yield is YIELD_VALUE
// followed by RESUME, so a resumption is a call: it passes the eval breaker's safe point, as a
// function entry does (docs/language.md, safe points).
//
// While suspended, the generator holds its frame's locals and operands, its try blocks and the
// `with` contexts it entered. A resumption pushes them back as a frame whose kind (thread_state.h)
// says who resumed it and where its generator sits on the stack:
//   kFrameGenFor   FOR_ITER in the eval loop: [gen, 0, None, result] under the frame's locals
//   kFrameGenSend  SEND (yield from) in the eval loop: [gen, result] under them
//   kFrameGenCall  C++ (next(), list(), send()...): [gen] under them; a nested eval run
// A yield stores the value in the result slot (or returns it from the nested run) and takes the
// frame off again; a return ends the generator (FOR_ITER's loop is over, SEND goes on with the
// returned value, C++ sees the end: StopIteration).
#pragma once

#include <cstdint>
#include <vector>

#include "vm/iterators.h"
#include "vm/thread_state.h"

namespace gilsim {

struct GeneratorObj final : IterObj {
  enum class State : std::uint8_t { Created, Suspended, Running, Done };
  GeneratorObj(const Code* code, Value fn);
  const char* name() const override { return "generator"; }
  bool next(ThreadState& ts, Value& out) override;  // next(gen), list(gen), sum(gen)...
  void clear_refs() override;

  // A try block or a handled exception of the suspended frame; sp and with_depth relative to the
  // frame's base and with_base.
  struct Block {
    std::uint32_t handler, sp, with_depth;
    Value exc;
    bool handling;
  };
  const Code* const code;
  Value fn;                   // the generator function: super() reads its class
  std::uint32_t ip = 0;       // where the frame goes on
  std::vector<Value> saved;   // locals, then operands
  std::vector<Value> withs;   // the contexts its `with` blocks entered, innermost last
  std::vector<Block> blocks;  // innermost last
  State state = State::Created;
};

// RETURN_GENERATOR: moves the innermost frame's locals into a new generator (the frame is left to
// be popped as by a return) and returns it.
Value make_generator(ThreadState& ts);

// The generator of a generator frame (kind kFrameGenFor, kFrameGenSend or kFrameGenCall).
GeneratorObj& frame_generator(ThreadState& ts, const Frame& f);

// YIELD_VALUE: saves the innermost frame (its ip and sp saved, the yielded value already off
// the stack) into its generator and pops it.
void suspend_generator(ThreadState& ts);

// Pushes gen's frame with its locals at stack[base] and `sent` on its stack. False when gen has
// ended (nothing pushed). ValueError when it is running; TypeError when a value other than None
// is sent to a generator not started; RecursionError as a call.
bool resume_generator(ThreadState& ts, GeneratorObj& gen, std::uint32_t base, std::uint8_t kind,
                      Value sent);

// The innermost frame, a generator's, is left by a return or an exception: the generator ends.
void end_generator_frame(ThreadState& ts);

// gen.send(v) and next(gen) from C++: runs gen to its next yield (true, the value in `out`) or
// to its end (false, the value it returned in `out`).
bool generator_send(ThreadState& ts, const Value& gen, Value sent, Value& out);
// The same with `thrown` (an exception instance, or None) raised where gen yielded instead of a
// value sent: gen.throw() and gen.close(). An ended generator raises it at once.
bool generator_resume(ThreadState& ts, const Value& gen, Value sent, Value thrown, Value& out);

// gen.send(v), gen.close() and gen.throw(e), as methods (builtins.cpp's method table).
Value m_generator_send(ThreadState& ts, Value* args, int nargs);
Value m_generator_close(ThreadState& ts, Value* args, int nargs);
Value m_generator_throw(ThreadState& ts, Value* args, int nargs);

}  // namespace gilsim
