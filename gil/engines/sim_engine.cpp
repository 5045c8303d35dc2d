#include "gil/engines/sim_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "gil/core/process_copy.h"
#include "gil/core/sync_core.h"
#include "gil/engines/child_script.h"
#include "gil/engines/process_exit.h"
#include "gil/engines/sim_cost.h"
#include "gil/engines/system_exit.h"
#include "gil/record/deadlock_report.h"
#include "vm/errors.h"
#include "vm/interpreter.h"
#include "vm/objects.h"
#include "vm/sim_objects.h"

namespace gilsim {

namespace {

using Ps = SimEngine::Ps;
constexpr Ps kNever = INT64_MAX;
// Threads on different cores run in turns of at most this much virtual time, so that their
// bytecodes interleave finely enough to race (an `x += 1` split by another thread's store).
constexpr Ps kInterleave = 1'000'000;  // 1 µs
// A budget that cannot overflow when the eval loop subtracts from it.
constexpr Ps kMaxBudget = Ps{1} << 62;
// The most virtual time one thread runs before the scheduler looks at the clock and Ctrl-C again:
// 10 ms, a few ms of host time.
constexpr Ps kLongestTurn = Ps{10'000'000'000};
// Python 2's check releases the GIL and re-acquires it at once; in between (two calls on the
// lock's mutex) the GIL is free for a moment, and a woken waiter that looks then takes it. With no
// such moment the waiter could never win, and a thread back from I/O would starve for ever.
constexpr Ps kRetakeGap = 50'000;  // 50 ns

Ps ps(Nanos ns) { return ns * 1000; }
Nanos ns(Ps p) { return p / 1000; }

}  // namespace

// One virtual thread. Everything here is touched by the engine's one OS thread only.
struct SimEngine::VThread {
  int id;
  std::string name;
  std::string label;
  int parent;
  int gil;
  bool daemon = false;  // does not keep the run alive (threading's daemon=True)
  // The run's main thread: threading._shutdown runs on it. (Not a spawn_process child's: its
  // copy of threading describes the parent's threads, as after a fork before _after_fork.)
  bool is_main = false;
  bool exiting = false;             // its module (or target) has returned; threading._shutdown runs
  bool failed_before_exit = false;  // ... after the module died of an error
  std::shared_ptr<Interp> interp;
  std::unique_ptr<ThreadState> ts;
  Value fn;  // what it runs, until it starts
  std::vector<Value> args;
  bool started = false;
  bool done = false;
  bool failed = false;
  std::string traceback;                // the uncaught error's, for the record
  std::vector<std::string> open_spans;  // gilsim.span()s entered and not yet exited

  enum class Where { Ready, OnCore, Asleep, Done } where = Where::Ready;
  // What it does when it next has a core.
  enum class Next {
    Start,
    Bytecode,
    Gil,
    Burn,
    IoDone,
    Blocked,
    SwitchWait,
    Retake
  } next = Next::Start;
  Ps clock = 0;  // how far its virtual time has run
  int core = -1;
  Ps slice_start = 0;  // when it got its core
  Ps vruntime = 0;     // time it has had a core, up to slice_start (CFS's vruntime)
  Ps cpu = 0;          // modules13: time it has had a core, up to slice_start (time.thread_time)
  std::uint64_t wait_generation = 0;  // a timer of an older generation is stale
  bool waking = false;                // signalled while asleep: its wake-up is on the way

  // While its bytecode runs, its clock is run_end less what is left of the eval loop's budget.
  bool in_run = false;
  Ps run_end = 0;

  // take_gil's loop.
  Reason gil_reason = Reason::Start;
  Ps requested = 0;

  // native() / native_hold().
  Ps burn_left = 0;
  bool burn_holds = false;

  // What it is blocked on (join, Lock, Queue), and the item a Queue.get() hands it (or, for a
  // timed wait, whether it got what it waited for).
  Wait wait;
  Ps wait_timer_at = 0;  // a timed wait: when its timer wakes it (the deadline, slack, a wake-up)
  std::vector<int> joiners;
  Value result;
  bool has_result = false;

  // subproc13: the main thread of a child script (run_script): its exit status once done, and
  // what it prints instead of running when python3 would not have run it.
  bool script_child = false;
  int exit_status = 0;
  std::string startup_error;
};

struct SimEngine::Gil {
  Gil(std::unique_ptr<Policy> policy, Nanos switch_interval)
      : core(std::move(policy), switch_interval) {}
  std::string process;
  int threads_named = 0;
  GilCore core;
  Ps mutex_busy_until = 0;  // the GIL's own mutex, held by a woken waiter until then
  // When it was last released. A thread on another core may be behind in virtual time when it
  // finds the GIL free: it takes it at this moment, not before, or two would hold it at once.
  Ps released_at = 0;
  // subproc13: a child script's process (and those it starts): where its output goes. Null for
  // the run's own processes.
  std::shared_ptr<ProcessStreams> streams;
};

SimEngine::SimEngine(EngineOptions options)
    : options_(std::move(options)),
      model_(options_.sim),
      costs_(cost_table(options_.sim.cost_scale)),
      rng_(options_.sim.seed) {
  cores_.assign(static_cast<size_t>(std::max(1, model_.cores)), -1);
  core_free_.assign(cores_.size(), 0);
}

SimEngine::~SimEngine() = default;

// ---------------------------------------------------------------------------------------------
// Recording
// ---------------------------------------------------------------------------------------------

Event* SimEngine::emit(VThread& t, EventKind kind, Reason reason, std::int64_t arg) {
  Nanos at = ns(t.clock);
  end_ = std::max(end_, t.clock);
  if (options_.max_events && events_recorded_ >= options_.max_events) {
    if (truncated_at_ < 0) truncated_at_ = at;
    ++events_recorded_;
    return nullptr;
  }
  ++events_recorded_;
  events_.push_back(Event{at, arg, t.id, kind, reason, static_cast<std::uint16_t>(t.gil)});
  if (t.ts && is_gil_event(kind)) places_.stamp(events_.back(), *t.ts);
  return &events_.back();
}

// A label is kept only with an event that is: past --max-events the table stops growing too.
void SimEngine::emit_annotations(VThread& t, const std::vector<AnnotationStep>& steps) {
  for (const AnnotationStep& s : steps)
    if (Event* e = emit(t, s.kind, Reason::None, s.arg)) e->code = labels_.intern(s.label);
}

// At the thread's own clock, between two bytecodes: no state changes and no virtual time passes.
void SimEngine::annotate(ThreadState& ts, Annotation kind, std::string_view label, double value) {
  VThread& t = enter(ts);
  emit_annotations(t, annotation_steps(t.open_spans, kind, label, value));
}

void SimEngine::write_err(const std::string& text) {
  if (options_.out) std::fflush(options_.out);
  if (options_.err) {
    std::fwrite(text.data(), 1, text.size(), options_.err);
    std::fflush(options_.err);
  } else {
    captured_err_ += text;
  }
}

void SimEngine::report_failure(VThread& t, const ScriptFailure& f) {
  t.traceback = format_traceback(t.interp->program(), f);
  std::string text = t.traceback;
  if (!t.is_main) text = fmt::format("Exception in thread {}:\n{}", t.name, text);
  t.exit_status = 1;  // subproc13: a child script's status, as python3's
  write_stream(t, true, text);
}

bool SimEngine::system_exit(VThread& t, const ScriptFailure& f) {
  std::string message;
  std::optional<int> status = system_exit_status(f, message);
  if (!status) return false;
  if (!message.empty()) write_stream(t, true, message);
  if (t.id == 0) exit_status_ = *status;
  t.exit_status = *status;  // subproc13: a child script's, for its parent
  return true;
}

void SimEngine::write_output(ThreadState& ts, std::string_view text) {
  write_stream(*static_cast<VThread*>(ts.host_data), false, text, true);
}

// One OS thread runs every virtual thread: no lock. A child script's captured output stays
// captured; the run's own stdout is flushed.
void SimEngine::flush_output(ThreadState&) {
  if (options_.out) std::fflush(options_.out);
}

void SimEngine::write_error(ThreadState& ts, std::string_view text) {
  write_stream(*static_cast<VThread*>(ts.host_data), true, text, true);
}

// subproc13: a write to a process's stdout or stderr: a child script's capture, or the run's. A
// script's own write (print, sys.stdout/stderr) is charged to its run's memory when captured.
void SimEngine::write_stream(const VThread& t, bool to_err, std::string_view text,
                             bool script_write) {
  MemoryBudget* budget = script_write ? &t.interp->limits->memory() : nullptr;
  Sink sink = route_output(gils_[static_cast<size_t>(t.gil)]->streams.get(), to_err, text, budget);
  if (sink == Sink::OverBudget) captured_past_budget(*budget);
  if (sink == Sink::RunErr) {
    write_err(std::string(text));
  } else if (sink == Sink::RunOut) {
    if (options_.out)
      std::fwrite(text.data(), 1, text.size(), options_.out);
    else
      captured_out_ += text;
  }
}

// ---------------------------------------------------------------------------------------------
// Threads and the run
// ---------------------------------------------------------------------------------------------

SimEngine::VThread& SimEngine::add_thread(std::shared_ptr<Interp> interp, int gil, std::string name,
                                          std::string label, int parent, Ps at, bool daemon) {
  auto rec = std::make_unique<VThread>();
  VThread& t = *rec;
  t.id = static_cast<int>(threads_.size());
  t.name = std::move(name);
  t.label = std::move(label);
  t.parent = parent;
  t.gil = gil;
  t.daemon = daemon;
  t.interp = std::move(interp);
  t.ts = std::make_unique<ThreadState>(*t.interp, t.name, t.id);
  t.ts->host_data = &t;
  t.ts->max_steps = options_.max_steps;
  t.ts->costs = costs_.data();
  t.ts->budget = 0;
  const Policy& policy = gils_[static_cast<size_t>(gil)]->core.policy();
  t.ts->lock_objects = false;  // one OS thread runs every virtual thread: nothing can tear
  if (policy.counts_ticks()) t.ts->ticker = policy.check_interval();
  t.clock = at;
  t.vruntime = min_vruntime();  // a new thread starts level with the running ones, as in CFS
  threads_.push_back(std::move(rec));
  ++live_;
  if (!daemon) ++live_non_daemon_;
  emit(t, EventKind::Spawn, Reason::None, parent);
  make_ready(t, at);
  return t;
}

RunRecord SimEngine::run(std::shared_ptr<const Program> program) {
  program_ = program;
  RunRecord rec;
  rec.script = program->source->path();
  rec.policy = options_.policy;
  rec.params = options_.params;
  rec.defines = options_.defines;
  rec.engine = "sim";
  rec.cores = static_cast<int>(cores_.size());
  rec.seed = model_.seed;

  auto interp = std::make_shared<Interp>(program, *this);
  interp->limits = std::make_shared<RunLimits>(options_.limits);  // hostile: the run's limits
  interp->argv = options_.argv;
  for (const auto& [key, text] : options_.defines)
    interp->params.emplace_back(key, define_value(text));
  auto g = std::make_unique<Gil>(make_policy(options_.policy, options_.params),
                                 options_.params.switch_interval);
  g->process = "MainProcess";
  rec.exclusive = g->core.exclusive();
  gils_.push_back(std::move(g));
  add_thread(interp, 0, "MainThread", "MainThread", -1, 0).is_main = true;

  schedule_loop();

  rec.wall = ns(end_);
  rec.stop = stop_cause_;
  if (gil_enabled_at_ >= 0) {
    rec.exclusive = true;
    rec.exclusive_from = ns(gil_enabled_at_);
  }
  rec.max_events = options_.max_events;
  rec.truncated_at = truncated_at_;
  rec.events_dropped = options_.max_events && events_recorded_ > options_.max_events
                           ? events_recorded_ - options_.max_events
                           : 0;
  rec.deadlock_report = deadlock_report_;
  bool any_failed = false;
  for (auto& t : threads_) {
    rec.threads.push_back(ThreadInfo{t->id, t->name, t->label, t->parent, t->gil, t->failed,
                                     t->traceback, t->daemon});
    // subproc13: a child script's failure is its own exit status, not the run's
    any_failed |= t->failed && !gils_[static_cast<size_t>(t->gil)]->streams;
  }
  // Threads on different cores are recorded in turns: put the events in time order, each
  // thread's own order kept.
  std::stable_sort(events_.begin(), events_.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  rec.events = std::move(events_);
  rec.functions = places_.names();
  rec.labels = labels_.names();
  for (auto& gil : gils_) rec.gils.push_back(GilInfo{gil->process});
  rec.exit_code = exit_code_for(stop_cause_, any_failed);
  if (stop_cause_ == StopCause::None && exit_status_ != 0) rec.exit_code = exit_status_;
  // Values of threads that never finished (a stopped run) are dropped here, on this thread.
  for (auto& t : threads_) {
    t->ts->stack.clear();
    t->ts->with_stack.clear();
    t->fn = Value();
    t->args.clear();
    t->result = Value();
  }
  return rec;
}

// ---------------------------------------------------------------------------------------------
// The scheduler: cores, the run queue, timers
// ---------------------------------------------------------------------------------------------

// splitmix64: a generator whose every output is fixed by the seed, on any platform. [0, 1).
double SimEngine::uniform() {
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1p-53;
}

SimEngine::Ps SimEngine::jittered(Ps latency) {
  double factor = 1.0 + model_.jitter * (2.0 * uniform() - 1.0);
  return static_cast<Ps>(std::llround(static_cast<double>(latency) * factor));
}

bool SimEngine::fill_cores() {
  bool any = false;
  for (size_t c = 0; c < cores_.size() && !run_queue_.empty(); ++c) {
    if (cores_[c] >= 0) continue;
    VThread& t = *threads_[static_cast<size_t>(run_queue_.front())];
    run_queue_.pop_front();
    cores_[c] = t.id;
    t.core = static_cast<int>(c);
    t.where = VThread::Where::OnCore;
    t.clock = std::max(t.clock, core_free_[c]);
    t.slice_start = t.clock;
    any = true;
  }
  return any;
}

void SimEngine::leave_core(VThread& t) {
  if (t.core < 0) return;
  t.vruntime += t.clock - t.slice_start;
  t.cpu += t.clock - t.slice_start;
  cores_[static_cast<size_t>(t.core)] = -1;
  core_free_[static_cast<size_t>(t.core)] = t.clock;
  t.core = -1;
}

void SimEngine::make_ready(VThread& t, Ps at, bool first) {
  t.where = VThread::Where::Ready;
  t.clock = std::max(t.clock, at);
  if (first)
    run_queue_.push_front(t.id);
  else
    run_queue_.push_back(t.id);
  cut_run(t.clock);
}

// A thread preempted in the middle of a host call may go on to sleep or finish in that call: it
// leaves the run queue.
void SimEngine::unqueue(VThread& t) {
  if (t.where != VThread::Where::Ready) return;
  run_queue_.erase(std::find(run_queue_.begin(), run_queue_.end(), t.id));
}

// ---------------------------------------------------------------------------------------------
// Wake-up preemption (Linux CFS's place_entity and check_preempt_wakeup, simplified). Every
// thread has a virtual runtime: the time it has had a core. A woken thread is placed at
// max(its own, min_vruntime - time_slice): a thread that slept gets at most half of CFS's 6 ms
// sched_latency (time_slice here) of credit, so sleeping long earns nothing more. When no core is
// idle it takes a running thread's core at once if that thread's virtual runtime exceeds its own
// by more than wakeup_granularity; the preempted thread goes to the back of the run queue, still
// holding the GIL if it holds it, as after its time slice. min_vruntime is the smallest virtual
// runtime on a core (CFS also counts queued threads). With an idle core nothing here happens.
// ---------------------------------------------------------------------------------------------

SimEngine::Ps SimEngine::vruntime(const VThread& t) const {
  return t.vruntime + (t.core >= 0 ? t.clock - t.slice_start : 0);
}

SimEngine::Ps SimEngine::min_vruntime() const {
  Ps lowest = kNever;
  for (int id : cores_)
    if (id >= 0) lowest = std::min(lowest, vruntime(*threads_[static_cast<size_t>(id)]));
  return lowest == kNever ? 0 : lowest;
}

bool SimEngine::preempts(VThread& woken, const VThread& running) {
  woken.vruntime = std::max(woken.vruntime, min_vruntime() - ps(model_.time_slice));
  return vruntime(running) - woken.vruntime > ps(model_.wakeup_granularity);
}

// The running thread a woken thread preempts: with no idle core, the one that has run longest
// (the lowest core on a tie), if it has run long enough more than the woken one.
SimEngine::VThread* SimEngine::wake_victim(VThread& woken) {
  VThread* victim = nullptr;
  for (int id : cores_) {
    if (id < 0) return nullptr;
    VThread& t = *threads_[static_cast<size_t>(id)];
    if (!victim || vruntime(t) > vruntime(*victim)) victim = &t;
  }
  return victim && preempts(woken, *victim) ? victim : nullptr;
}

// The running thread leaves its core for the run queue; the caller puts the woken thread first in
// the queue, so that it takes the core.
void SimEngine::preempt(VThread& running) {
  leave_core(running);
  make_ready(running, running.clock);
  if (running.in_run) suspend(running);
}

void SimEngine::add_timer(VThread& t, Ps at) {
  timers_.push(Timer{at, timer_seq_++, t.id, t.wait_generation});
  cut_run(at);
}

// Something new happens at `at` (a timer, a thread that wants a core): the thread running
// bytecode must not run past it, or it would act on a past it has not seen.
void SimEngine::cut_run(Ps at) {
  if (!running_ || at >= running_->run_end) return;
  Ps cut = running_->run_end - std::max(at, running_->clock);
  running_->run_end -= cut;
  running_->ts->budget -= cut;
}

// A timer ends a sleep: an I/O completes, a timed wait for the GIL runs out, or a signalled
// thread's wake-up latency is over. The thread becomes runnable.
void SimEngine::fire(const Timer& timer) {
  VThread& t = *threads_[static_cast<size_t>(timer.thread)];
  if (timer.generation != t.wait_generation || t.where != VThread::Where::Asleep) return;
  ++t.wait_generation;
  t.waking = false;
  VThread* victim = wake_victim(t);
  if (victim) preempt(*victim);
  make_ready(t, timer.at, /*first=*/victim != nullptr);
}

// `from` signals `to` (COND_SIGNAL). A sleeping thread is woken: the signaller pays the system
// call, and `to` runs after a wake-up latency: an idle core has to be woken (cross-core), or,
// with every core busy, it queues behind the waker (same core).
void SimEngine::signal(VThread& from, VThread& to) {
  if (to.where != VThread::Where::Asleep || to.waking) return;  // already on its way
  to.waking = true;
  charge(from, ps(model_.signal_cost));
  bool idle_core = std::find(cores_.begin(), cores_.end(), -1) != cores_.end();
  Ps latency = jittered(ps(idle_core ? model_.wake_latency : model_.same_core_wake));
  ++to.wait_generation;  // its own timeout, if any, no longer matters
  if (!idle_core && from.where == VThread::Where::OnCore && preempts(to, from)) {
    // Wake-up preemption: the signaller loses its core right after the system call (so a legacy
    // holder is preempted between its release and its retake), and the woken thread has it after
    // the switch.
    to.waking = false;
    preempt(from);
    make_ready(to, from.clock + latency, /*first=*/true);
    return;
  }
  add_timer(to, from.clock + latency);
}

// The thread stops running until a signal or a timer wakes it. Called inside a host call, it
// also leaves the eval loop.
void SimEngine::sleep(VThread& t) {
  unqueue(t);
  t.where = VThread::Where::Asleep;
  leave_core(t);
  if (t.in_run) suspend(t);
}

SimEngine::Ps SimEngine::horizon_for(const VThread& t) {
  Ps h = timers_.empty() ? kNever : timers_.top().at;
  // Turns of random length (0.5 to 1.5 kInterleave), so that where a turn ends in a loop does not
  // repeat in lockstep with the other core's turns.
  Ps turn = -1;
  for (int other : cores_) {
    if (other < 0 || other == t.id) continue;
    if (turn < 0) turn = kInterleave / 2 + static_cast<Ps>(uniform() * kInterleave);
    h = std::min(h, threads_[static_cast<size_t>(other)]->clock + turn);
  }
  if (!run_queue_.empty()) h = std::min(h, t.slice_start + ps(model_.time_slice));
  return std::max(h, t.clock + 1);
}

void SimEngine::schedule_loop() {
  Ps timeout = options_.timeout > 0 ? ps(options_.timeout) : kNever;
  while (live_ > 0) {
    if (live_non_daemon_ == 0) {
      stop(StopCause::None, end_);  // only daemon threads are left: CPython's exit abandons them
      return;
    }
    if (options_.interrupted && options_.interrupted()) {
      stop(StopCause::Interrupt, end_);
      return;
    }
    fill_cores();
    VThread* next = nullptr;
    for (int id : cores_)
      if (id >= 0 && (!next || threads_[static_cast<size_t>(id)]->clock < next->clock))
        next = threads_[static_cast<size_t>(id)].get();
    Ps timer_at = timers_.empty() ? kNever : timers_.top().at;
    Ps now = std::min(next ? next->clock : kNever, timer_at);
    if (now == kNever) {
      std::vector<BlockedThread> blocked;
      for (auto& t : threads_)
        blocked.push_back(BlockedThread{t->label, t->done, t->wait.thread, t->wait.object});
      deadlock_report_ = deadlock_report(blocked);
      stop(StopCause::Deadlock, end_);
      return;
    }
    if (now >= timeout) {
      stop(StopCause::Timeout, timeout);
      return;
    }
    if (!next || timer_at <= next->clock) {
      Timer tm = timers_.top();
      timers_.pop();
      fire(tm);
      continue;
    }
    // A lone thread in an endless loop has no other horizon: cut its turns short so that the
    // timeout and Ctrl-C are looked at between them.
    step(*next, std::min({horizon_for(*next), timeout, next->clock + kLongestTurn}));
  }
}

void SimEngine::step(VThread& t, Ps horizon) {
  switch (t.next) {
    case VThread::Next::Start:
      t.next = VThread::Next::Bytecode;
      request_gil(t, Reason::Start);
      break;
    case VThread::Next::Retake:
      t.next = VThread::Next::Bytecode;
      request_gil(t, Reason::Tick);
      break;
    case VThread::Next::Bytecode:
      run_bytecode(t, horizon);
      break;
    case VThread::Next::Burn:
      burn(t, horizon);
      break;
    default:
      after_wake(t);
      break;
  }
  // The OS's time slice: a thread that has had its core long enough while others wait for one
  // goes to the back of the run queue (still holding the GIL, if it holds it).
  if (t.where == VThread::Where::OnCore && !run_queue_.empty() &&
      t.clock >= t.slice_start + ps(model_.time_slice)) {
    leave_core(t);
    make_ready(t, t.clock);
  }
}

// ---------------------------------------------------------------------------------------------
// Running bytecode, burning a core, finishing
// ---------------------------------------------------------------------------------------------

SimEngine::VThread& SimEngine::enter(ThreadState& ts) {
  VThread& t = *static_cast<VThread*>(ts.host_data);
  if (t.in_run) t.clock = t.run_end - ts.budget;
  end_ = std::max(end_, t.clock);
  return t;
}

void SimEngine::charge(VThread& t, Ps cost) {
  t.clock += cost;
  if (t.in_run) t.ts->budget -= cost;
}

void SimEngine::suspend(VThread& t) {
  t.ts->suspend = true;
  t.ts->eval_breaker.store(1, std::memory_order_relaxed);  // the safe point after a native call
}

void SimEngine::run_bytecode(VThread& t, Ps horizon) {
  ThreadState& ts = *t.ts;
  ts.budget = std::min(horizon - t.clock, kMaxBudget);
  t.run_end = t.clock + ts.budget;
  ts.suspend = false;
  if (t.has_result) {  // what Queue.get() returned, in place of the placeholder it pushed
    ts.stack[ts.frames.back().sp - 1] = std::move(t.result);
    t.has_result = false;
  }
  t.in_run = true;
  running_ = &t;
  RunResult r;
  if (!t.started && !t.startup_error.empty()) {  // subproc13: python3 stopped before running it
    t.started = true;
    t.in_run = false;
    running_ = nullptr;
    thread_started(ts);
    write_stream(t, true, t.startup_error);
    finish(t, Reason::Error);
    return;
  }
  if (!t.started) {
    t.started = true;
    if (t.script_child) thread_started(ts);  // subproc13: a process until its module returns
    r = t.fn.is_none() ? run_module(ts) : run_function(ts, t.fn, std::move(t.args));
    t.fn = Value();
  } else {
    r = resume(ts);
  }
  // Py_FinalizeEx: threading._shutdown runs the atexit hooks and joins the non-daemon threads.
  if (!r.suspended && t.is_main && !t.exiting) {
    t.exiting = true;
    if (r.failure) {
      if (!system_exit(t, *r.failure)) {  // SystemExit: its status, no traceback
        report_failure(t, *r.failure);
        t.failed_before_exit = true;
      }
      r.failure.reset();
    }
    Value hook = threading_shutdown(ts);
    if (!hook.is_none()) r = run_function(ts, hook, {});
  }
  t.clock = t.run_end - ts.budget;
  t.in_run = false;
  running_ = nullptr;
  end_ = std::max(end_, t.clock);
  if (r.suspended) return;  // a host call or the budget decided what comes next
  bool exited = r.failure && system_exit(t, *r.failure);  // SystemExit: no traceback
  if (r.failure && !exited) report_failure(t, *r.failure);
  finish(t, (r.failure && !exited) || t.failed_before_exit ? Reason::Error : Reason::Exit);
}

void SimEngine::finish(VThread& t, Reason why) {
  if (t.script_child) thread_finished(*t.ts);  // subproc13: its process has ended
  release_gil(t, why);
  t.ts->stack.clear();  // drop the thread's values before it is marked done
  t.ts->with_stack.clear();
  emit_annotations(t, close_open_spans(t.open_spans));
  emit(t, EventKind::Exit, why, static_cast<std::int64_t>(t.ts->steps));
  t.done = true;
  t.failed = why == Reason::Error;
  unqueue(t);
  t.where = VThread::Where::Done;
  leave_core(t);
  --live_;
  if (!t.daemon) --live_non_daemon_;
  for (int j : t.joiners) signal(t, *threads_[static_cast<size_t>(j)]);
  t.joiners.clear();
}

void SimEngine::burn(VThread& t, Ps horizon) {
  Ps until = std::min(t.clock + t.burn_left, horizon);
  t.burn_left -= until - t.clock;
  t.clock = until;
  if (t.burn_left > 0) return;
  if (t.burn_holds) {
    emit(t, EventKind::NativeHoldEnd);
    t.next = VThread::Next::Bytecode;
    return;
  }
  emit(t, EventKind::NativeEnd, Reason::Native);
  t.next = VThread::Next::Bytecode;
  request_gil(t, Reason::Native);
}

// A thread that slept is on a core again: go on with what it was waiting for.
void SimEngine::after_wake(VThread& t) {
  switch (t.next) {
    case VThread::Next::Gil:
      gil_step(t, gils_[static_cast<size_t>(t.gil)]->core.wake_up(t.id, ns(t.clock)));
      break;
    case VThread::Next::IoDone:
      emit(t, EventKind::IoEnd, Reason::Io);
      t.next = VThread::Next::Bytecode;
      request_gil(t, Reason::Io);
      break;
    case VThread::Next::SwitchWait: {
      GilCore& core = gils_[static_cast<size_t>(t.gil)]->core;
      if (core.switch_pending(t.id)) {
        sleep(t);  // not yet: another thread has still to take the GIL
        break;
      }
      core.end_switch_wait(t.id);
      t.next = VThread::Next::Bytecode;
      request_gil(t, Reason::DropRequest);
      break;
    }
    case VThread::Next::Blocked: {
      bool got = can_proceed(t);
      if (!got && !(t.wait.timed() && t.clock >= ps(t.wait.deadline))) {
        sleep(t);
        if (t.wait.timed()) arm_wait_timer(t);  // a signal made its timer stale
        break;
      }
      Reason why = t.wait.reason;
      std::int64_t object = wait_object_id(t.wait);
      emit(t, EventKind::BlockEnd, why, object);
      int next = -1;
      if (got) {
        Value item;
        next = complete_wait(t.wait, t.id, t.gil, &item);
        if (why == Reason::Lock) emit(t, EventKind::LockAcquired, Reason::Lock, object);
        if (why == Reason::Queue) {
          t.result = std::move(item);
          t.has_result = true;
          emit(t, EventKind::QueueGet, Reason::Queue, object);
        }
      } else {
        abandon_wait(t.wait, t.id);  // its time ran out
        if (why == Reason::Join) {   // or the end of that thread would wake it from another wait
          auto& js = threads_[static_cast<size_t>(t.wait.thread)]->joiners;
          js.erase(std::remove(js.begin(), js.end(), t.id), js.end());
        }
      }
      if (t.wait.timed()) {  // what acquire(timeout=) or join(timeout=) returns
        t.result = Value::boolean(got);
        t.has_result = true;
      }
      if (next >= 0) signal(t, *threads_[static_cast<size_t>(next)]);
      t.wait = Wait{};
      t.next = VThread::Next::Bytecode;
      request_gil(t, why);
      break;
    }
    default:
      break;
  }
}

bool SimEngine::can_proceed(const VThread& t) const {
  return ready(t.wait, [this](int id) { return threads_[static_cast<size_t>(id)]->done; });
}

void SimEngine::stop(StopCause cause, Ps at) {
  stop_cause_ = cause;
  at = std::max(at, end_);
  for (auto& t : threads_) {
    if (t->done) continue;
    t->clock = at;
    t->in_run = false;
    GilCore& core = gils_[static_cast<size_t>(t->gil)]->core;
    bool holds = !core.exclusive() ? t->started && t->where != VThread::Where::Asleep
                                   : core.state().holder == t->id;
    if (holds) emit(*t, EventKind::Release, Reason::Exit, static_cast<std::int64_t>(t->ts->steps));
    core.abandon(t->id);
    emit_annotations(*t, close_open_spans(t->open_spans));
    emit(*t, EventKind::Exit, Reason::Exit, static_cast<std::int64_t>(t->ts->steps));
    t->done = true;
    t->where = VThread::Where::Done;
  }
  live_ = 0;
}

// ---------------------------------------------------------------------------------------------
// The GIL
// ---------------------------------------------------------------------------------------------

// The GIL's own mutex (ceval_gil.c's gil->mutex, Python 2's lock mutex): if a woken waiter holds
// it, this thread sleeps on it and is woken when it is free, a wake-up latency later.
void SimEngine::wait_for_gil_mutex(VThread& t) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  if (t.clock >= g.mutex_busy_until) return;
  charge(t, g.mutex_busy_until - t.clock + jittered(ps(model_.wake_latency)));
}

// take_gil: the request. True when the thread holds the GIL on return; otherwise it sleeps in the
// take_gil loop (Next::Gil) and gil_step goes on when it wakes.
bool SimEngine::request_gil(VThread& t, Reason why) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  wait_for_gil_mutex(t);
  t.requested = t.clock;
  emit(t, EventKind::Request, why);
  t.gil_reason = why;
  return gil_step(t, g.core.request(t.id, why, ns(t.clock)));
}

// Applies what GilCore answered: the GIL is the thread's, or it sleeps until its timeout (plus
// the timer slack and a wake-up) or a signal.
bool SimEngine::gil_step(VThread& t, const GilStep& step) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  if (step.new_drop_request) emit(t, EventKind::DropRequest, Reason::None, step.drop_request_on);
  if (step.drop_request_on >= 0)
    threads_[static_cast<size_t>(step.drop_request_on)]->ts->eval_breaker.store(
        1, std::memory_order_relaxed);
  if (step.failed_acquire >= 0) {
    // Woken for a GIL that is taken again: it looked under the GIL's mutex, and waits again.
    emit(t, EventKind::FailedAcquire, Reason::None, step.failed_acquire);
    charge(t, ps(model_.mutex_hold));
    g.mutex_busy_until = t.clock;
  }
  if (step.granted) {
    // A thread on another core may be behind in virtual time: it takes the GIL no earlier than
    // its release, or two would hold it at once.
    if (t.clock < g.released_at) {
      charge(t, g.released_at - t.clock);
      g.core.retime_grant(t.id, ns(t.clock));
    }
  }
  for (int w : step.wake.thread)
    if (w >= 0) signal(t, *threads_[static_cast<size_t>(w)]);
  if (step.granted) {
    t.next = VThread::Next::Bytecode;
    t.ts->eval_breaker.store(step.breaker ? 1 : 0, std::memory_order_relaxed);
    emit(t, EventKind::Acquire, Reason::None, ns(t.clock - t.requested));
    return true;
  }
  t.next = VThread::Next::Gil;
  sleep(t);
  if (step.wait_until != kForever)
    add_timer(t, std::max(t.clock, ps(step.wait_until)) + ps(model_.timer_slack) +
                     jittered(ps(model_.wake_latency)));
  return false;
}

void SimEngine::release_gil(VThread& t, Reason why) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  wait_for_gil_mutex(t);
  emit(t, EventKind::Release, why, static_cast<std::int64_t>(t.ts->steps));
  if (g.core.state().holder == t.id) g.released_at = t.clock;
  GilRelease r = g.core.release(t.id, why, ns(t.clock));
  if (r.wake >= 0) signal(t, *threads_[static_cast<size_t>(r.wake)]);
  if (r.forced_switch) emit(t, EventKind::ForcedSwitch);
  if (r.wait_for_switch) {
    t.next = VThread::Next::SwitchWait;
    sleep(t);
  }
}

void SimEngine::on_eval_breaker(ThreadState& ts) {
  VThread& t = enter(ts);
  if (ts.suspend) return;  // a host call already decided to stop here
  ts.eval_breaker.store(0, std::memory_order_relaxed);
  if (!gils_[static_cast<size_t>(t.gil)]->core.must_drop(t.id)) return;
  release_gil(t, Reason::DropRequest);
  if (t.where == VThread::Where::Asleep) return;  // waiting for the switch
  if (!request_gil(t, Reason::DropRequest)) return;
}

// _PyEval_EnableGILTransient: the threads running without the GIL stop at their next safe point
// (on_eval_breaker finds must_drop), then this one detaches and attaches like a dropper.
void SimEngine::enable_gil(ThreadState& ts) {
  VThread& t = enter(ts);
  GilCore& core = gils_[static_cast<size_t>(t.gil)]->core;
  std::vector<int> stop;
  if (!core.enable(t.id, stop)) return;
  if (gil_enabled_at_ < 0) gil_enabled_at_ = t.clock;
  for (int id : stop)
    threads_[static_cast<size_t>(id)]->ts->eval_breaker.store(1, std::memory_order_relaxed);
  release_gil(t, Reason::DropRequest);
  request_gil(t, Reason::DropRequest);
}

// The counting loop stops here when the legacy check interval runs out, or the time budget does.
void SimEngine::on_tick(ThreadState& ts) {
  VThread& t = enter(ts);
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  if (ts.ticker < 0) {
    ts.ticker = g.core.policy().check_interval();
    // Python 2's check: release, then re-acquire at once (no hand-off). Unobservable alone.
    if (g.core.policy().counts_ticks() && g.core.waiting() > 0) {
      release_gil(t, Reason::Tick);
      charge(t, kRetakeGap);
      t.next = VThread::Next::Retake;  // step() re-acquires, after any thread that looks earlier
      suspend(t);
      return;
    }
  }
  if (ts.budget < 0) suspend(t);  // its turn is over: let the others catch up
}

// ---------------------------------------------------------------------------------------------
// Time: io, sleep, native, native_hold
// ---------------------------------------------------------------------------------------------

void SimEngine::block(ThreadState& ts, Blocking kind, double ms) {
  VThread& t = enter(ts);
  auto us = static_cast<std::int64_t>(ms * 1000.0);
  Ps duration = static_cast<Ps>(std::llround(ms * 1e9));
  if (kind == Blocking::NativeHold) {
    emit(t, EventKind::NativeHoldBegin, Reason::None, us);
    t.burn_left = duration;
    t.burn_holds = true;
    t.next = VThread::Next::Burn;
    suspend(t);
    return;
  }
  if (kind == Blocking::Native) {
    release_gil(t, Reason::Native);
    emit(t, EventKind::NativeBegin, Reason::Native, us);
    t.burn_left = duration;
    t.burn_holds = false;
    t.next = VThread::Next::Burn;
    suspend(t);
    return;
  }
  release_gil(t, Reason::Io);
  emit(t, EventKind::IoBegin, Reason::Io, us);
  t.next = VThread::Next::IoDone;
  sleep(t);
  // The kernel's timer wakes it: the timer slack, then an idle core's wake-up.
  add_timer(t, t.clock + duration + ps(model_.timer_slack) + jittered(ps(model_.wake_latency)));
}

double SimEngine::now_ms(ThreadState& ts) {
  VThread& t = enter(ts);
  return static_cast<double>(t.clock) / 1e9;
}

// modules13: a thread's CPU time is its time on a core (running bytecode or burning native
// code); a process's, the sum over its interpreter's threads, finished ones included.
double SimEngine::cpu_time_ms(ThreadState& ts, bool whole_process) {
  VThread& me = enter(ts);
  auto cpu = [](const VThread& t) { return t.cpu + (t.core >= 0 ? t.clock - t.slice_start : 0); };
  if (!whole_process) return static_cast<double>(cpu(me)) / 1e9;
  Ps total = 0;
  for (const auto& t : threads_)
    if (t->interp == me.interp) total += cpu(*t);
  return static_cast<double>(total) / 1e9;
}

// modules13: Process.exitcode, and a timed join's poll.
int SimEngine::thread_outcome(ThreadState& ts, const Value& thread) {
  enter(ts);
  const VThread& other = *threads_[static_cast<size_t>(thread.as<ThreadObj>()->thread_id)];
  if (!other.done) return -1;
  if (other.script_child) return other.exit_status;  // subproc13
  return other.failed ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// spawn, spawn_process, join
// ---------------------------------------------------------------------------------------------

Value SimEngine::spawn_thread(ThreadState& ts, const Value& fn, std::vector<Value> args,
                              const std::string& python_name, bool daemon) {
  VThread& parent = enter(ts);
  Gil& g = *gils_[static_cast<size_t>(parent.gil)];
  std::string name = python_name.empty() ? default_thread_name(g.threads_named, fn) : python_name;
  std::string label = parent.gil == 0 ? name : g.process + "/" + name;
  VThread& t = add_thread(parent.interp, parent.gil, name, label, parent.id, parent.clock, daemon);
  t.fn = fn;
  t.args = std::move(args);
  return Value::adopt(new ThreadObj(t.id, name, false));
}

Value SimEngine::spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) {
  if (!process) return spawn_thread(ts, fn, std::move(args), "", false);
  VThread& parent = enter(ts);
  auto child = std::make_shared<Interp>(parent.interp->program_ptr(), *this);
  child->params = parent.interp->params;
  child->share_run(*parent.interp);  // hostile: one memory budget and thread count per run
  std::unordered_map<const Obj*, Value> copied;
  for (size_t i = 0; i < child->globals.size(); ++i)
    child->globals[i] = copy_for_process(parent.interp->globals[i], copied);
  for (auto& a : args) a = copy_for_process(a, copied);
  // subproc13: a fork keeps its parent's file descriptors
  int gil = add_process_gil(gils_, options_, fmt::format("Process-{}", gils_.size()),
                            gils_[static_cast<size_t>(parent.gil)]->streams);
  std::string process_name = gils_[static_cast<size_t>(gil)]->process;
  VThread& t = add_thread(child, gil, "MainThread", process_name, parent.id, parent.clock);
  t.fn = fn;
  t.args = std::move(args);
  return Value::adopt(new ThreadObj(t.id, process_name, true));
}

// subproc13: subprocess's child script (gil/engines/child_script.h), started as spawn_process
// starts a process, running its module. Loading and compiling it takes no virtual time.
Value SimEngine::run_script(ThreadState& ts, const std::string& path, std::vector<std::string> argv,
                            StreamMode out, StreamMode err) {
  VThread& parent = enter(ts);
  ChildScript child = load_child_script(ts, *this, path, std::move(argv), out, err,
                                        gils_[static_cast<size_t>(parent.gil)]->streams);
  int gil = add_process_gil(
      gils_, options_, child_process_name(static_cast<int>(gils_.size()), path), child.streams);
  std::string process_name = gils_[static_cast<size_t>(gil)]->process;
  VThread& t = add_thread(child.interp, gil, "MainThread", process_name, parent.id, parent.clock);
  t.is_main = true;  // its own program's main thread: threading._shutdown runs on it
  t.script_child = true;
  t.exit_status = child.startup_status;
  t.startup_error = std::move(child.startup_error);
  return Value::adopt(new ThreadObj(t.id, process_name, true));
}

ScriptOutput SimEngine::script_output(ThreadState&, const Value& process) {
  const VThread& t = *threads_[static_cast<size_t>(process.as<ThreadObj>()->thread_id)];
  const auto& streams = gils_[static_cast<size_t>(t.gil)]->streams;
  return streams ? streams->captured : ScriptOutput{};
}

// Releases the GIL and sleeps until the wait is over (Next::Blocked, then after_wake). A timed
// wait's timer is the kernel's, as for a GIL wait: the deadline, the timer slack, a wake-up.
void SimEngine::block_on(VThread& t, const Wait& w) {
  begin_wait(w, t.id);
  t.wait = w;
  release_gil(t, w.reason);
  emit(t, EventKind::BlockBegin, w.reason, wait_object_id(w));
  t.next = VThread::Next::Blocked;
  sleep(t);
  if (w.timed()) {
    t.wait_timer_at = std::max(t.clock, ps(w.deadline)) + ps(model_.timer_slack) +
                      jittered(ps(model_.wake_latency));
    arm_wait_timer(t);
  }
}

void SimEngine::arm_wait_timer(VThread& t) { add_timer(t, std::max(t.clock, t.wait_timer_at)); }

void SimEngine::join(ThreadState& ts, const Value& thread) { join_timed(ts, thread, -1.0); }

// timeout_ms < 0: no timeout; 0: do not wait. A timed wait's outcome replaces what this returns
// when the thread resumes (VThread::result).
bool SimEngine::join_timed(ThreadState& ts, const Value& thread, double timeout_ms) {
  VThread& t = enter(ts);
  int target = thread.as<ThreadObj>()->thread_id;
  if (target == t.id) raise("RuntimeError", "cannot join current thread");
  VThread& other = *threads_[static_cast<size_t>(target)];
  if (other.done) return true;
  if (timeout_ms == 0) return false;
  other.joiners.push_back(t.id);
  block_on(t, Wait{Reason::Join, nullptr, target,
                   timeout_ms < 0 ? kForever : deadline_after(ns(t.clock), timeout_ms)});
  return true;
}

// ---------------------------------------------------------------------------------------------
// Lock and Queue (their semantics: gil/core/sync_core.h)
// ---------------------------------------------------------------------------------------------

Value SimEngine::make_lock(ThreadState&) { return Value::adopt(new LockObj(next_object_id_++)); }

bool SimEngine::lock_acquire(ThreadState& ts, const Value& lock, bool blocking) {
  return lock_acquire_timed(ts, lock, blocking ? -1.0 : 0.0);
}

// timeout_ms < 0: no timeout; 0: do not wait. An untimed wait returns True once it is over; a
// timed wait's outcome replaces what this returns when the thread resumes (VThread::result).
bool SimEngine::lock_acquire_timed(ThreadState& ts, const Value& lock, double timeout_ms) {
  VThread& t = enter(ts);
  auto* l = lock.as<LockObj>();
  if (lock_try_acquire(*l, t.id)) {
    emit(t, EventKind::LockAcquired, Reason::Lock, l->id);
    return true;
  }
  if (timeout_ms == 0) return false;
  block_on(t, Wait{Reason::Lock, l, -1,
                   timeout_ms < 0 ? kForever : deadline_after(ns(t.clock), timeout_ms)});
  return true;
}

void SimEngine::lock_release(ThreadState& ts, const Value& lock) {
  VThread& t = enter(ts);
  auto* l = lock.as<LockObj>();
  int wake = -1;
  if (l->owner >= 0) emit(t, EventKind::LockReleased, Reason::Lock, l->id);
  if (!gilsim::lock_release(*l, wake)) raise("RuntimeError", "release unlocked lock");
  if (wake >= 0) signal(t, *threads_[static_cast<size_t>(wake)]);
}

Value SimEngine::make_queue(ThreadState&) { return Value::adopt(new QueueObj(next_object_id_++)); }

void SimEngine::queue_put(ThreadState& ts, const Value& queue, Value item) {
  VThread& t = enter(ts);
  auto* q = queue.as<QueueObj>();
  int wake = gilsim::queue_put(*q, std::move(item), t.gil);
  emit(t, EventKind::QueuePut, Reason::Queue, q->id);
  if (wake >= 0) signal(t, *threads_[static_cast<size_t>(wake)]);
}

Value SimEngine::queue_get(ThreadState& ts, const Value& queue) {
  VThread& t = enter(ts);
  auto* q = queue.as<QueueObj>();
  if (!q->items.empty()) {
    Value v = queue_take(*q, t.gil);
    emit(t, EventKind::QueueGet, Reason::Queue, q->id);
    return v;
  }
  block_on(t, Wait{Reason::Queue, q, -1});
  return Value::none();  // replaced by the item when the thread resumes (VThread::result)
}

bool SimEngine::queue_empty(ThreadState&, const Value& queue) {
  return queue.as<QueueObj>()->items.empty();
}

double SimEngine::switch_interval(ThreadState& ts) {
  VThread& t = enter(ts);
  return static_cast<double>(gils_[static_cast<size_t>(t.gil)]->core.switch_interval()) / 1e9;
}

void SimEngine::set_switch_interval(ThreadState& ts, double seconds) {
  VThread& t = enter(ts);
  gils_[static_cast<size_t>(t.gil)]->core.set_switch_interval(
      static_cast<Nanos>(std::llround(seconds * 1e9)));
}

}  // namespace gilsim
