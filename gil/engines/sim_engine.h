// SimEngine: script threads as virtual threads on N virtual cores, in virtual time.
//
// One OS thread runs everything, so a run is deterministic: the same script, parameters and seed
// give the same events, byte for byte, on any host under any load. Each virtual thread is a
// ThreadState that the eval loop can suspend and resume (ThreadState::suspend); the engine decides
// which runs next, always the one furthest behind in virtual time.
//
// The model (docs/engines.md gives every parameter and its source):
//   - each opcode costs virtual time (gil/engines/sim_cost.h, calibrated against CPython 3.11);
//     io/sleep/native/native_hold take their stated durations;
//   - a thread runs only on a core; a signalled thread becomes runnable after a wake-up latency;
//     runnable threads beyond the cores wait in a FIFO run queue, and a CPU-bound thread is
//     preempted after a time slice when others wait for a core; a woken thread that has run
//     much less than a running one preempts it at once (wake-up preemption, as CFS does);
//   - the GIL is the same Policy object the threads engine drives, with its waits and timeouts
//     made virtual, and the GIL's own mutex: a woken waiter holds it for a moment, and a thread
//     that needs it meanwhile sleeps on it (the "GIL battle" of Python 2 on multicore).
// Threads on different cores interleave in slices of at most `kInterleave` of virtual time, so
// bytecodes of free-threaded threads really do interleave (and race).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "gil/core/gil_core.h"
#include "gil/core/sync_core.h"
#include "gil/engines/engine.h"
#include "gil/record/annotations.h"
#include "gil/record/code_places.h"
#include "vm/thread_state.h"

namespace gilsim {

class SimEngine final : public Engine {
 public:
  explicit SimEngine(EngineOptions options);
  ~SimEngine() override;
  SimEngine(const SimEngine&) = delete;
  SimEngine& operator=(const SimEngine&) = delete;

  RunRecord run(std::shared_ptr<const Program> program) override;
  std::string captured_output() const override { return captured_out_; }
  std::string captured_errors() const override { return captured_err_; }

  const char* name() const override { return "sim"; }
  bool suspends_threads() const override { return true; }
  int cpu_count() const override { return options_.sim.cores; }  // stdlib2: os.cpu_count()
  void on_eval_breaker(ThreadState& ts) override;
  void on_tick(ThreadState& ts) override;
  void enable_gil(ThreadState& ts) override;
  void block(ThreadState& ts, Blocking kind, double ms) override;
  double now_ms(ThreadState& ts) override;
  // modules13: time.thread_time/process_time in virtual time, and random's unseeded seed.
  double cpu_time_ms(ThreadState& ts, bool whole_process) override;
  std::uint64_t random_seed() const override { return options_.sim.seed; }
  int thread_outcome(ThreadState& ts, const Value& thread) override;
  void write_output(ThreadState& ts, std::string_view text) override;
  void flush_output(ThreadState& ts) override;
  void write_error(ThreadState& ts, std::string_view text) override;  // subproc13
  Value run_script(ThreadState& ts, const std::string& path, std::vector<std::string> argv,
                   StreamMode out, StreamMode err) override;  // subproc13
  ScriptOutput script_output(ThreadState& ts, const Value& process) override;
  Value spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) override;
  Value spawn_thread(ThreadState& ts, const Value& fn, std::vector<Value> args,
                     const std::string& name, bool daemon) override;
  void join(ThreadState& ts, const Value& thread) override;
  bool join_timed(ThreadState& ts, const Value& thread, double timeout_ms) override;
  Value make_lock(ThreadState& ts) override;
  bool lock_acquire(ThreadState& ts, const Value& lock, bool blocking) override;
  bool lock_acquire_timed(ThreadState& ts, const Value& lock, double timeout_ms) override;
  void lock_release(ThreadState& ts, const Value& lock) override;
  Value make_queue(ThreadState& ts) override;
  void queue_put(ThreadState& ts, const Value& queue, Value item) override;
  Value queue_get(ThreadState& ts, const Value& queue) override;
  bool queue_empty(ThreadState& ts, const Value& queue) override;
  double switch_interval(ThreadState& ts) override;
  void set_switch_interval(ThreadState& ts, double seconds) override;
  void annotate(ThreadState& ts, Annotation kind, std::string_view label, double value) override;

  // Virtual time is kept in picoseconds, so opcode costs of a few nanoseconds add up exactly.
  using Ps = std::int64_t;

 private:
  struct VThread;
  struct Gil;
  struct Timer {
    Ps at;
    std::uint64_t seq;  // ties broken by order of scheduling: deterministic
    int thread;
    std::uint64_t generation;  // stale when the thread's wait_generation has moved on
    bool operator>(const Timer& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  // The scheduler.
  void schedule_loop();
  bool fill_cores();
  void step(VThread& t, Ps horizon);
  Ps horizon_for(const VThread& t);
  void add_timer(VThread& t, Ps at);
  void cut_run(Ps at);
  void fire(const Timer& timer);
  void make_ready(VThread& t, Ps at, bool first = false);
  void unqueue(VThread& t);
  Ps vruntime(const VThread& t) const;
  Ps min_vruntime() const;
  bool preempts(VThread& woken, const VThread& running);
  VThread* wake_victim(VThread& woken);
  void preempt(VThread& running);
  void signal(VThread& from, VThread& to);
  void sleep(VThread& t);
  void leave_core(VThread& t);
  Ps jittered(Ps latency);
  double uniform();

  // What a thread does on a core.
  void run_bytecode(VThread& t, Ps horizon);
  void finish(VThread& t, Reason why);
  void burn(VThread& t, Ps horizon);
  void after_wake(VThread& t);

  // The GIL: the same questions to the same Policy as in ThreadEngine::take_gil/release_gil.
  bool request_gil(VThread& t, Reason why);        // true: it holds the GIL now
  bool gil_step(VThread& t, const GilStep& step);  // applies GilCore's answer
  void release_gil(VThread& t, Reason why);
  void wait_for_gil_mutex(VThread& t);

  // Host calls happen in the middle of a bytecode run: these keep the thread's clock and the
  // eval loop's budget in step.
  VThread& enter(ThreadState& ts);
  void suspend(VThread& t);
  void charge(VThread& t, Ps cost);
  void block_on(VThread& t, const Wait& w);
  void arm_wait_timer(VThread& t);

  // The event recorded, or nullptr past --max-events.
  Event* emit(VThread& t, EventKind kind, Reason reason = Reason::None, std::int64_t arg = 0);
  void emit_annotations(VThread& t, const std::vector<AnnotationStep>& steps);
  VThread& add_thread(std::shared_ptr<Interp> interp, int gil, std::string name, std::string label,
                      int parent, Ps at, bool daemon = false);
  void report_failure(VThread& t, const ScriptFailure& f);
  // modules13: an uncaught SystemExit (gil/engines/system_exit.h): true when f is one.
  bool system_exit(VThread& t, const ScriptFailure& f);
  int exit_status_ = 0;  // the main thread's sys.exit code
  void write_err(const std::string& text);
  void write_stream(const VThread& t, bool to_err, std::string_view text,
                    bool script_write = false);  // subproc13
  bool can_proceed(const VThread& t) const;
  void stop(StopCause cause, Ps at);

  EngineOptions options_;
  SimParams model_;
  std::shared_ptr<const Program> program_;
  std::array<std::int32_t, 256> costs_;  // picoseconds per opcode (gil/engines/sim_cost.h), scaled

  std::vector<std::unique_ptr<VThread>> threads_;
  std::vector<std::unique_ptr<Gil>> gils_;
  std::vector<int> cores_;     // the thread on each core, -1 when idle
  std::vector<Ps> core_free_;  // when each idle core became idle
  std::deque<int> run_queue_;  // runnable threads waiting for a core, in order
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t timer_seq_ = 0;
  std::uint64_t rng_;           // splitmix64 state, from --seed
  VThread* running_ = nullptr;  // the thread whose bytecode is running, if any
  int live_ = 0;
  int live_non_daemon_ = 0;  // the threads that keep the run alive
  int next_object_id_ = 1;
  Ps end_ = 0;  // the latest virtual time reached

  std::vector<Event> events_;
  CodePlaces places_;  // where the code was at each GIL event
  Labels labels_;      // the annotations' labels
  std::uint64_t events_recorded_ = 0;
  Nanos truncated_at_ = -1;
  StopCause stop_cause_ = StopCause::None;
  Ps gil_enabled_at_ = -1;  // free-threaded's GIL turned on
  std::string deadlock_report_;
  std::string captured_out_, captured_err_;
};

}  // namespace gilsim
