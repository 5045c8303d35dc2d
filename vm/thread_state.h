// ThreadState: one script thread's machine state, and Interp: one interpreter (globals + program).
//
// A ThreadState is touched only by the OS thread that runs it, except `eval_breaker`, which other
// threads (a GIL waiter, the engine) set to ask it to stop at its next safe point.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vm/code.h"
#include "vm/host.h"
#include "vm/run_limits.h"
#include "vm/value.h"

namespace gilsim {

// The same limit as CPython's default sys.getrecursionlimit(): RecursionError beyond it.
inline constexpr int kRecursionLimit = 1000;

struct Frame {
  const Code* code;
  std::uint32_t ip;    // offset of the next instruction, saved while a callee runs
  std::uint32_t base;  // index of local 0 in ThreadState::stack
  std::uint32_t sp;    // index one past the top of this frame's operands, saved while a callee runs
  std::uint32_t with_base;  // index in ThreadState::with_stack where this frame's contexts start
  std::uint8_t kind = 0;    // lang-func: kFrameInit for a constructor's __init__ (returns self)
};
inline constexpr std::uint8_t kFrameInit = 1;
// lang2: a call whose result nobody wants (a property's setter or deleter): RETURN_VALUE drops it.
inline constexpr std::uint8_t kFrameDiscard = 2;
// lang14: a user __next__ called by FOR_ITER: it returns as any call (the result is the loop's
// item, in the callee's slot above the 3 iteration slots); a StopIteration out of it ends the loop.
inline constexpr std::uint8_t kFrameNextFor = 3;
// lang12: a generator's frame, by who resumed it (vm/generators.h); these kinds are the largest.
inline constexpr std::uint8_t kFrameGenFor = 4;
inline constexpr std::uint8_t kFrameGenSend = 5;
inline constexpr std::uint8_t kFrameGenCall = 6;

// lang-func: a try block (SETUP_EXCEPT) or an exception being handled (after a catch).
struct ExcBlock {
  std::uint32_t frame;       // index in ThreadState::frames
  std::uint32_t handler;     // code offset of the handler
  std::uint32_t sp;          // stack index the operands are cut back to
  std::uint32_t with_depth;  // with_stack size to exit down to
  Value exc;                 // the exception being handled; None for a try block
  bool handling = false;
};

// One interpreter: the globals of a program. A process (spawn_process) gets its own.
class Interp {
 public:
  Interp(std::shared_ptr<const Program> program, Host& host);

  const Program& program() const { return *program_; }
  std::shared_ptr<const Program> program_ptr() const { return program_; }
  Host& host() const { return host_; }

  // Global slots, indexed like Program::global_names. A slot holds Unset until assigned; the
  // builtins' slots start bound to the builtins. Under a GIL only the holder touches them; under
  // `none` each access holds `globals_mu` (see load_global/store_global in interpreter.cpp).
  std::vector<Value> globals;
  std::mutex globals_mu;

  // -D NAME=VALUE pairs, as param() reads them.
  std::vector<std::pair<std::string, Value>> params;

  // sys.argv: the script's path and the arguments `gilsim run SCRIPT ARGS...` gave it, a child
  // script's own (run_script), a forked child's parent's (share_run); empty: [the program's path].
  std::vector<std::string> argv;

  // The run's limits and memory budget, shared by all its processes: the engine sets the main
  // interpreter's from its options and gives each child the parent's (share_run), with its argv
  // (a fork's; a child script then sets its own).
  std::shared_ptr<RunLimits> limits = std::make_shared<RunLimits>();
  void share_run(const Interp& parent) {
    limits = parent.limits;
    argv = parent.argv;
  }

  // Script threads of this interpreter that were started and have not finished (run_limits.cpp
  // counts them, to know when a process has ended). `is_process`: a spawn_process child.
  std::atomic<int> live_threads{0};
  // sys.setrecursionlimit (modules13): the frame limit of this interpreter's threads.
  std::atomic<int> recursion_limit{kRecursionLimit};
  bool entered = false;
  bool is_process = false;

 private:
  std::shared_ptr<const Program> program_;
  Host& host_;
};

class ThreadState {
 public:
  ThreadState(Interp& interp, std::string name, int id)
      : interp(interp), name(std::move(name)), id(id) {}

  Interp& interp;
  const std::string name;  // "MainThread", "Thread-1", ... as Python names them
  const int id;            // the engine's thread number, 0 for the main thread

  // Set by other threads; polled with a relaxed load at safe points. One word per thread, so
  // polling never touches shared cache lines. Hosts store 0 or 1 (1: "call the host's
  // on_eval_breaker"); kCollectCycles is the VM's own bit, set by this thread when a cycle
  // collection falls due (vm/cycle_collector.h). A host's store may clear it: the next object the
  // thread makes sets it again.
  std::atomic<std::uint32_t> eval_breaker{0};
  static constexpr std::uint32_t kCollectCycles = 2;

  // The legacy policy's check-interval countdown. The eval loop counts it down in a register, one
  // per instruction whose opcode ticks (opcodes.def), and stores it here only when it goes below
  // zero, just before calling the host's on_tick, which resets it. Its value when execution starts
  // picks the loop: INT64_MAX (hosts that do not count ticks) runs the loop without the countdown.
  std::int64_t ticker = INT64_MAX;

  // Virtual time, for the sim engine: the counting loop subtracts each instruction's cost
  // (costs[opcode], in picoseconds) from `budget` and calls on_tick once it is below zero. Null
  // `costs`: no budget. The loop keeps the budget in a register and stores it here whenever the
  // host may look (before host calls), so the host can tell how far the thread's clock has run.
  const std::int32_t* costs = nullptr;
  std::int64_t budget = INT64_MAX;

  // Set by a host during one of its calls: the eval loop returns to whoever started or resumed
  // it at the end of the current instruction (RunResult::suspended), and resume() continues from
  // there. The sim engine runs many script threads on one OS thread this way.
  bool suspend = false;

  // True when other threads may touch shared objects at the same time (no GIL): lists then take
  // their own mutex and globals take globals_mu.
  bool lock_objects = false;

  // Eval runs started from C++ inside this thread's eval loop (call_nested: map, sorted's key=...),
  // which must finish without being suspended.
  int nested_runs = 0;
  // lang14: an exception gen.throw() or gen.close() raises in the generator frame the next nested
  // run enters, at its yield (execute() takes it first).
  Value throw_in;

  // The host's own record of this thread (opaque to the VM).
  void* host_data = nullptr;

  // Counted among the run's live threads (RunLimits) until its entry function returns.
  bool counted_live = false;

  std::uint64_t steps = 0;      // bytecodes executed (fused instructions count once)
  std::uint64_t max_steps = 0;  // 0: no limit; checked at safe points

  std::vector<Value> stack;  // locals and operands of all frames, grown by grow_stack
  std::vector<Frame> frames;
  std::vector<Value> with_stack;  // context objects entered with `with`, innermost last
  // lang-func: try blocks and exceptions being handled, innermost last (all frames).
  std::vector<ExcBlock> exc_blocks;

  // Makes `stack` at least `need` slots long (doubling). Growing moves it, so code that holds a
  // Value* into it across anything that may run script code (a call, an iteration, a dunder) must
  // take it again after (the eval loop's SAVE_FRAME/LOAD_FRAME). In the asan and fuzz builds
  // (GILSIM_MOVE_STACK) every call moves a stack of up to kMovedStackSlots: ASan then reports a
  // stale pointer the first time its path runs, not only when a deep enough nested run happens to
  // grow the stack.
  void grow_stack(size_t need) {
#ifdef GILSIM_MOVE_STACK
    constexpr size_t kMovedStackSlots = 1024;
    if (need <= stack.size() && stack.size() <= kMovedStackSlots) {
      std::vector<Value> moved(stack.size());
      std::move(stack.begin(), stack.end(), moved.begin());
      stack = std::move(moved);
      return;
    }
#endif
    grow_stack_for_frame(need);
  }
  // grow_stack for a frame pushed by the eval loop, which takes its pointers again after every
  // call: growth only, in every build (moving at each call made deep recursion under ASan 100x
  // slower). Script code run from C++ starts with grow_stack (call_nested, a generator's resume).
  void grow_stack_for_frame(size_t need) {
    if (need > stack.size()) stack.resize(std::max(need, stack.size() * 2));
  }
};

// lang12: the script thread whose code runs on this OS thread (set by the eval loop for each run;
// null outside one): what a user __hash__ or __eq__ runs on when a dict or set hashes or compares
// an object (vm/containers.cpp), a place with no ThreadState of its own.
inline ThreadState*& running_thread() {
  static thread_local ThreadState* ts = nullptr;
  return ts;
}

// A runtime error with the frames it passed through, innermost last, ready to print.
struct TracebackEntry {
  std::string function;
  int line;
  int col;
};
struct ScriptFailure {
  std::string type;
  std::string message;
  std::vector<TracebackEntry> frames;
  std::string chained;  // lang-func: earlier exceptions' tracebacks and the line joining them
};

}  // namespace gilsim
