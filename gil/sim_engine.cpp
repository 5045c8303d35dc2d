#include "gil/sim_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "gil/deadlock_report.h"
#include "gil/sim_cost.h"
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
  std::shared_ptr<Interp> interp;
  std::unique_ptr<ThreadState> ts;
  Value fn;  // what it runs, until it starts
  std::vector<Value> args;
  bool started = false;
  bool done = false;
  bool failed = false;

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
  Ps slice_start = 0;                 // when it got its core
  Ps vruntime = 0;                    // time it has had a core, up to slice_start (CFS's vruntime)
  std::uint64_t wait_generation = 0;  // a timer of an older generation is stale
  bool waking = false;                // signalled while asleep: its wake-up is on the way

  // While its bytecode runs, its clock is run_end less what is left of the eval loop's budget.
  bool in_run = false;
  Ps run_end = 0;

  // take_gil's loop.
  Reason gil_reason = Reason::Start;
  Ps requested = 0;
  bool signalled = false;
  bool waiting_for_switch = false;
  std::uint64_t waiter_seq = 0;  // its place in the GIL's waiters (SimEngine::find_waiter)

  // native() / native_hold().
  Ps burn_left = 0;
  bool burn_holds = false;

  // What it is blocked on (join, Lock, Queue), and the item a Queue.get() hands it.
  Reason blocked_reason = Reason::None;
  const Obj* blocked_on = nullptr;
  int blocked_on_thread = -1;
  std::vector<int> joiners;
  Value result;
  bool has_result = false;
};

struct SimEngine::Gil {
  std::string process;
  int threads_named = 0;
  std::unique_ptr<Policy> policy;
  GilState state;
  Ps mutex_busy_until = 0;           // the GIL's own mutex, held by a woken waiter until then
  std::uint64_t waiters_pushed = 0;  // numbers each request, so waiters stay sorted by number
  // When it was last released. A thread on another core may be behind in virtual time when it
  // finds the GIL free: it takes it at this moment, not before, or two would hold it at once.
  Ps released_at = 0;
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

void SimEngine::emit(VThread& t, EventKind kind, Reason reason, std::int64_t arg) {
  Nanos at = ns(t.clock);
  end_ = std::max(end_, t.clock);
  if (options_.max_events && events_recorded_ >= options_.max_events) {
    if (truncated_at_ < 0) truncated_at_ = at;
    ++events_recorded_;
    return;
  }
  ++events_recorded_;
  events_.push_back(Event{at, arg, t.id, kind, reason, static_cast<std::uint16_t>(t.gil)});
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

void SimEngine::report_failure(const VThread& t, const ScriptFailure& f) {
  std::string text = format_traceback(t.interp->program(), f);
  if (t.id != 0) text = fmt::format("Exception in thread {}:\n{}", t.name, text);
  write_err(text);
}

void SimEngine::write_output(ThreadState&, std::string_view text) {
  if (options_.out)
    std::fwrite(text.data(), 1, text.size(), options_.out);
  else
    captured_out_ += text;
}

// ---------------------------------------------------------------------------------------------
// Threads and the run
// ---------------------------------------------------------------------------------------------

SimEngine::VThread& SimEngine::add_thread(std::shared_ptr<Interp> interp, int gil, std::string name,
                                          std::string label, int parent, Ps at) {
  auto rec = std::make_unique<VThread>();
  VThread& t = *rec;
  t.id = static_cast<int>(threads_.size());
  t.name = std::move(name);
  t.label = std::move(label);
  t.parent = parent;
  t.gil = gil;
  t.interp = std::move(interp);
  t.ts = std::make_unique<ThreadState>(*t.interp, t.name, t.id);
  t.ts->host_data = &t;
  t.ts->max_steps = options_.max_steps;
  t.ts->costs = costs_.data();
  t.ts->budget = 0;
  const Policy& policy = *gils_[static_cast<size_t>(gil)]->policy;
  t.ts->lock_objects = false;  // one OS thread runs every virtual thread: nothing can tear
  if (policy.counts_ticks()) t.ts->ticker = policy.check_interval();
  t.clock = at;
  t.vruntime = min_vruntime();  // a new thread starts level with the running ones, as in CFS
  threads_.push_back(std::move(rec));
  ++live_;
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
  for (const auto& [key, text] : options_.defines)
    interp->params.emplace_back(key, define_value(text));
  auto g = std::make_unique<Gil>();
  g->process = "MainProcess";
  g->policy = make_policy(options_.policy, options_.params);
  rec.exclusive = g->policy->exclusive();
  gils_.push_back(std::move(g));
  add_thread(interp, 0, "MainThread", "MainThread", -1, 0);

  schedule_loop();

  rec.wall = ns(end_);
  rec.stop = stop_cause_;
  rec.max_events = options_.max_events;
  rec.truncated_at = truncated_at_;
  rec.events_dropped = options_.max_events && events_recorded_ > options_.max_events
                           ? events_recorded_ - options_.max_events
                           : 0;
  rec.deadlock_report = deadlock_report_;
  bool any_failed = false;
  for (auto& t : threads_) {
    rec.threads.push_back(ThreadInfo{t->id, t->name, t->label, t->parent, t->gil, t->failed});
    any_failed |= t->failed;
  }
  // Threads on different cores are recorded in turns: put the events in time order, each
  // thread's own order kept.
  std::stable_sort(events_.begin(), events_.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  rec.events = std::move(events_);
  for (auto& gil : gils_) rec.gils.push_back(GilInfo{gil->process});
  switch (stop_cause_) {
    case StopCause::Timeout:
      rec.exit_code = 124;
      break;
    case StopCause::Interrupt:
      rec.exit_code = 130;
      break;
    case StopCause::Deadlock:
      rec.exit_code = 1;
      break;
    case StopCause::None:
      rec.exit_code = any_failed ? 1 : 0;
      break;
  }
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
  to.signalled = true;
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
        blocked.push_back(BlockedThread{t->label, t->done, t->blocked_on_thread, t->blocked_on});
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
  if (!t.started) {
    t.started = true;
    r = t.fn.is_none() ? run_module(ts) : run_function(ts, t.fn, std::move(t.args));
    t.fn = Value();
  } else {
    r = resume(ts);
  }
  t.clock = t.run_end - ts.budget;
  t.in_run = false;
  running_ = nullptr;
  end_ = std::max(end_, t.clock);
  if (r.suspended) return;  // a host call or the budget decided what comes next
  if (r.failure) {
    report_failure(t, *r.failure);
    finish(t, Reason::Error);
  } else {
    finish(t, Reason::Exit);
  }
}

void SimEngine::finish(VThread& t, Reason why) {
  release_gil(t, why);
  t.ts->stack.clear();  // drop the thread's values before it is marked done
  t.ts->with_stack.clear();
  emit(t, EventKind::Exit, why, static_cast<std::int64_t>(t.ts->steps));
  t.done = true;
  t.failed = why == Reason::Error;
  unqueue(t);
  t.where = VThread::Where::Done;
  leave_core(t);
  --live_;
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
      gil_check(t, /*woken=*/true);
      break;
    case VThread::Next::IoDone:
      emit(t, EventKind::IoEnd, Reason::Io);
      t.next = VThread::Next::Bytecode;
      request_gil(t, Reason::Io);
      break;
    case VThread::Next::SwitchWait: {
      GilState& s = gils_[static_cast<size_t>(t.gil)]->state;
      if (s.last_holder == t.id && !s.waiters.empty()) {
        sleep(t);  // not yet: another thread has still to take the GIL
        break;
      }
      t.waiting_for_switch = false;
      t.next = VThread::Next::Bytecode;
      request_gil(t, Reason::DropRequest);
      break;
    }
    case VThread::Next::Blocked: {
      if (!can_proceed(t)) {
        sleep(t);
        break;
      }
      std::int64_t object = t.blocked_on_thread;
      if (t.blocked_on) {
        object = t.blocked_on->type == ObjType::Lock
                     ? static_cast<const LockObj*>(t.blocked_on)->id
                     : static_cast<const QueueObj*>(t.blocked_on)->id;
      }
      emit(t, EventKind::BlockEnd, t.blocked_reason, object);
      if (t.blocked_on && t.blocked_on->type == ObjType::Lock) {
        auto* l = const_cast<LockObj*>(static_cast<const LockObj*>(t.blocked_on));
        l->waiters.erase(std::find(l->waiters.begin(), l->waiters.end(), t.id));
        l->owner = t.id;
        emit(t, EventKind::LockAcquired, Reason::Lock, l->id);
      } else if (t.blocked_on && t.blocked_on->type == ObjType::Queue) {
        auto* q = const_cast<QueueObj*>(static_cast<const QueueObj*>(t.blocked_on));
        q->waiters.erase(std::find(q->waiters.begin(), q->waiters.end(), t.id));
        Value v = std::move(q->items.front());
        int from = q->item_gils.front();
        q->items.pop_front();
        q->item_gils.pop_front();
        if (from != t.gil) {
          std::unordered_map<const Obj*, Value> copied;
          v = copy_for_process(v, copied);
        }
        t.result = std::move(v);
        t.has_result = true;
        emit(t, EventKind::QueueGet, Reason::Queue, q->id);
        // Another getter may be waiting for the next item.
        if (!q->items.empty() && !q->waiters.empty())
          signal(t, *threads_[static_cast<size_t>(q->waiters.front())]);
      }
      Reason why = t.blocked_reason;
      t.blocked_on = nullptr;
      t.blocked_on_thread = -1;
      t.next = VThread::Next::Bytecode;
      request_gil(t, why);
      break;
    }
    default:
      break;
  }
}

bool SimEngine::can_proceed(const VThread& t) const {
  if (t.blocked_on_thread >= 0) return threads_[static_cast<size_t>(t.blocked_on_thread)]->done;
  if (t.blocked_on && t.blocked_on->type == ObjType::Lock)
    return static_cast<const LockObj*>(t.blocked_on)->owner < 0;
  if (t.blocked_on && t.blocked_on->type == ObjType::Queue)
    return !static_cast<const QueueObj*>(t.blocked_on)->items.empty();
  return true;
}

void SimEngine::stop(StopCause cause, Ps at) {
  stop_cause_ = cause;
  at = std::max(at, end_);
  for (auto& t : threads_) {
    if (t->done) continue;
    t->clock = at;
    t->in_run = false;
    GilState& s = gils_[static_cast<size_t>(t->gil)]->state;
    bool holds = !gils_[static_cast<size_t>(t->gil)]->policy->exclusive()
                     ? t->started && t->where != VThread::Where::Asleep
                     : s.holder == t->id;
    if (holds) emit(*t, EventKind::Release, Reason::Exit, static_cast<std::int64_t>(t->ts->steps));
    if (s.holder == t->id) s.holder = -1;
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

void SimEngine::set_drop_request(Gil& g, VThread& requester) {
  if (g.state.holder < 0) return;
  if (!g.state.drop_request) emit(requester, EventKind::DropRequest, Reason::None, g.state.holder);
  g.state.drop_request = true;
  threads_[static_cast<size_t>(g.state.holder)]->ts->eval_breaker.store(1,
                                                                        std::memory_order_relaxed);
}

void SimEngine::grant(VThread& t) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  if (t.clock < g.released_at) charge(t, g.released_at - t.clock);
  s.holder = t.id;
  if (s.last_holder != t.id) {
    ++s.switch_number;
    if (s.last_holder >= 0) {
      VThread& prev = *threads_[static_cast<size_t>(s.last_holder)];
      if (prev.waiting_for_switch) signal(t, prev);  // drop_gil's switch_cond
    }
  }
  s.last_holder = t.id;
  s.held_since = ns(t.clock);
  s.drop_request = false;  // take_gil: RESET_GIL_DROP_REQUEST once the GIL is ours
  t.ts->eval_breaker.store(0, std::memory_order_relaxed);
  emit(t, EventKind::Acquire, Reason::None, ns(t.clock - t.requested));
}

// GilState::find, in O(log n): with 100,000 waiting threads, each waking at every timeout, a
// linear search made a run quadratic. Waiters are only ever added at the back, each with the next
// number, and removed, so they stay sorted by number.
std::deque<Waiter>::iterator SimEngine::find_waiter(Gil& g, const VThread& t) {
  auto& waiters = g.state.waiters;
  auto it = std::lower_bound(waiters.begin(), waiters.end(), t.waiter_seq,
                             [&](const Waiter& w, std::uint64_t seq) {
                               return threads_[static_cast<size_t>(w.thread)]->waiter_seq < seq;
                             });
  return it != waiters.end() && it->thread == t.id ? it : waiters.end();
}

void SimEngine::leave_waiters(VThread& t) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  auto it = find_waiter(g, t);
  if (it == s.waiters.end()) return;
  bool was_head = it == s.waiters.begin();
  s.waiters.erase(it);
  // A new head may wait differently (gvl's designated timer): wake it to ask again.
  if (was_head && !s.waiters.empty()) {
    Waiter& head = s.waiters.front();
    if (g.policy->wait_timeout(s, head) != head.timeout)
      signal(t, *threads_[static_cast<size_t>(head.thread)]);
  }
}

// take_gil, first part: the request. True when the thread holds the GIL on return; otherwise it
// sleeps in the take_gil loop (Next::Gil) and gil_check goes on when it wakes.
bool SimEngine::request_gil(VThread& t, Reason why) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  wait_for_gil_mutex(t);
  t.requested = t.clock;
  emit(t, EventKind::Request, why);
  if (!g.policy->exclusive()) {
    emit(t, EventKind::Acquire, Reason::None, 0);
    return true;
  }
  if (g.policy->may_take_now(s, t.id, why)) {
    grant(t);
    return true;
  }
  Nanos now = ns(t.clock);
  t.waiter_seq = ++g.waiters_pushed;
  s.waiters.push_back(Waiter{t.id, now, why, s.switch_number, now});
  if (g.policy->on_request(s, s.waiters.back(), now)) set_drop_request(g, t);
  t.gil_reason = why;
  t.signalled = false;
  return gil_check(t, /*woken=*/false);
}

// take_gil's loop, as ThreadEngine::take_gil_locked runs it: take the GIL if it is ours or free,
// else (perhaps after asking the holder to drop, on a timeout) wait again.
bool SimEngine::gil_check(VThread& t, bool woken) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  auto found = find_waiter(g, t);
  Waiter* w = found == s.waiters.end() ? nullptr : &*found;
  if (woken && !t.signalled && w && w->timeout != kForever) {
    // Its timed wait ran out (COND_TIMED_WAIT timed out).
    if (ns(t.clock) - w->timer_start >= w->timeout && g.policy->on_timeout(s, *w, ns(t.clock)))
      set_drop_request(g, t);
  }
  if (s.holder == t.id || (s.holder < 0 && g.policy->may_take_free(s, t.id))) {
    leave_waiters(t);
    t.next = VThread::Next::Bytecode;
    grant(t);
    return true;
  }
  if (woken && t.signalled && s.holder >= 0) {
    // Woken for a GIL that is taken again: look, under the GIL's mutex, and wait again.
    emit(t, EventKind::FailedAcquire, Reason::None, s.holder);
    charge(t, ps(model_.mutex_hold));
    g.mutex_busy_until = t.clock;
  }
  w = &*find_waiter(g, t);
  w->switch_number = s.switch_number;
  w->timer_start = ns(t.clock);
  Nanos timeout = g.policy->wait_timeout(s, *w);
  w->timeout = timeout;
  t.signalled = false;
  t.next = VThread::Next::Gil;
  sleep(t);
  if (timeout != kForever)
    add_timer(t,
              t.clock + ps(timeout) + ps(model_.timer_slack) + jittered(ps(model_.wake_latency)));
  return false;
}

void SimEngine::release_gil(VThread& t, Reason why) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  wait_for_gil_mutex(t);
  emit(t, EventKind::Release, why, static_cast<std::int64_t>(t.ts->steps));
  if (!g.policy->exclusive()) return;
  if (s.holder != t.id) return;
  s.holder = -1;
  g.released_at = t.clock;
  int next = g.policy->hand_off(s, why, ns(t.clock));
  int wake = -1;
  if (next >= 0) {
    // Ownership moves now, and so does the switch (see ThreadEngine::release_gil_locked).
    s.holder = next;
    if (s.last_holder != next) ++s.switch_number;
    s.last_holder = next;
    wake = next;
  } else if (!s.waiters.empty()) {
    wake = s.waiters.front().thread;  // COND_SIGNAL(gil->cond): wake one waiter
  }
  bool forced = why == Reason::DropRequest && g.policy->forced_switching() && s.drop_request &&
                !s.waiters.empty();
  if (wake >= 0) signal(t, *threads_[static_cast<size_t>(wake)]);
  if (forced) {
    // drop_gil with FORCE_SWITCHING: wait until another thread has taken the GIL.
    s.drop_request = false;
    emit(t, EventKind::ForcedSwitch);
    if (s.last_holder == t.id) {
      t.waiting_for_switch = true;
      t.next = VThread::Next::SwitchWait;
      sleep(t);
    }
  }
}

void SimEngine::on_eval_breaker(ThreadState& ts) {
  VThread& t = enter(ts);
  if (ts.suspend) return;  // a host call already decided to stop here
  ts.eval_breaker.store(0, std::memory_order_relaxed);
  GilState& s = gils_[static_cast<size_t>(t.gil)]->state;
  if (!(s.drop_request && s.holder == t.id)) return;
  release_gil(t, Reason::DropRequest);
  if (t.where == VThread::Where::Asleep) return;  // waiting for the switch
  if (!request_gil(t, Reason::DropRequest)) return;
}

// The counting loop stops here when the legacy check interval runs out, or the time budget does.
void SimEngine::on_tick(ThreadState& ts) {
  VThread& t = enter(ts);
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  if (ts.ticker < 0) {
    ts.ticker = g.policy->check_interval();
    // Python 2's check: release, then re-acquire at once (no hand-off). Unobservable alone.
    if (g.policy->counts_ticks() && !g.state.waiters.empty()) {
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

// ---------------------------------------------------------------------------------------------
// spawn, spawn_process, join
// ---------------------------------------------------------------------------------------------

Value SimEngine::spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) {
  VThread& parent = enter(ts);
  const std::string& fname = fn.as<FunctionObj>()->code->name;
  if (!process) {
    int n = ++gils_[static_cast<size_t>(parent.gil)]->threads_named;
    std::string name = fmt::format("Thread-{} ({})", n, fname);
    std::string label =
        parent.gil == 0 ? name : gils_[static_cast<size_t>(parent.gil)]->process + "/" + name;
    VThread& t = add_thread(parent.interp, parent.gil, name, label, parent.id, parent.clock);
    t.fn = fn;
    t.args = std::move(args);
    return Value::adopt(new ThreadObj(t.id, name, false));
  }
  auto child = std::make_shared<Interp>(parent.interp->program_ptr(), *this);
  child->params = parent.interp->params;
  child->share_run(*parent.interp);  // hostile: one memory budget and thread count per run
  std::unordered_map<const Obj*, Value> copied;
  for (size_t i = 0; i < child->globals.size(); ++i)
    child->globals[i] = copy_for_process(parent.interp->globals[i], copied);
  for (auto& a : args) a = copy_for_process(a, copied);
  auto g = std::make_unique<Gil>();
  g->process = fmt::format("Process-{}", gils_.size());
  g->policy = make_policy(options_.policy, options_.params);
  int gil = static_cast<int>(gils_.size());
  std::string process_name = g->process;
  gils_.push_back(std::move(g));
  VThread& t = add_thread(child, gil, "MainThread", process_name, parent.id, parent.clock);
  t.fn = fn;
  t.args = std::move(args);
  return Value::adopt(new ThreadObj(t.id, process_name, true));
}

// Releases the GIL and sleeps until the wait is over (Next::Blocked, then after_wake).
void SimEngine::block_on(VThread& t, Reason why, std::int64_t object) {
  t.blocked_reason = why;
  release_gil(t, why);
  emit(t, EventKind::BlockBegin, why, object);
  t.next = VThread::Next::Blocked;
  sleep(t);
}

void SimEngine::join(ThreadState& ts, const Value& thread) {
  VThread& t = enter(ts);
  int target = thread.as<ThreadObj>()->thread_id;
  if (target == t.id) raise("RuntimeError", "cannot join current thread");
  VThread& other = *threads_[static_cast<size_t>(target)];
  if (other.done) return;
  t.blocked_on_thread = target;
  other.joiners.push_back(t.id);
  block_on(t, Reason::Join, target);
}

// ---------------------------------------------------------------------------------------------
// Lock and Queue
// ---------------------------------------------------------------------------------------------

Value SimEngine::make_lock(ThreadState&) { return Value::adopt(new LockObj(next_object_id_++)); }

bool SimEngine::lock_acquire(ThreadState& ts, const Value& lock, bool blocking) {
  VThread& t = enter(ts);
  auto* l = lock.as<LockObj>();
  if (l->owner < 0) {
    l->owner = t.id;
    emit(t, EventKind::LockAcquired, Reason::Lock, l->id);
    return true;
  }
  if (!blocking) return false;
  l->waiters.push_back(t.id);
  t.blocked_on = l;
  block_on(t, Reason::Lock, l->id);
  return true;  // what acquire() returns once the wait is over
}

void SimEngine::lock_release(ThreadState& ts, const Value& lock) {
  VThread& t = enter(ts);
  auto* l = lock.as<LockObj>();
  if (l->owner < 0) raise("RuntimeError", "release unlocked lock");
  emit(t, EventKind::LockReleased, Reason::Lock, l->id);
  // Free it and wake the longest waiter, which takes it if it is still free when it runs.
  l->owner = -1;
  if (!l->waiters.empty()) signal(t, *threads_[static_cast<size_t>(l->waiters.front())]);
}

Value SimEngine::make_queue(ThreadState&) { return Value::adopt(new QueueObj(next_object_id_++)); }

void SimEngine::queue_put(ThreadState& ts, const Value& queue, Value item) {
  VThread& t = enter(ts);
  auto* q = queue.as<QueueObj>();
  q->items.push_back(std::move(item));
  q->item_gils.push_back(t.gil);
  emit(t, EventKind::QueuePut, Reason::Queue, q->id);
  if (!q->waiters.empty()) signal(t, *threads_[static_cast<size_t>(q->waiters.front())]);
}

Value SimEngine::queue_get(ThreadState& ts, const Value& queue) {
  VThread& t = enter(ts);
  auto* q = queue.as<QueueObj>();
  if (!q->items.empty()) {
    Value v = std::move(q->items.front());
    int from = q->item_gils.front();
    q->items.pop_front();
    q->item_gils.pop_front();
    if (from != t.gil) {
      std::unordered_map<const Obj*, Value> copied;
      v = copy_for_process(v, copied);
    }
    emit(t, EventKind::QueueGet, Reason::Queue, q->id);
    return v;
  }
  q->waiters.push_back(t.id);
  t.blocked_on = q;
  block_on(t, Reason::Queue, q->id);
  return Value::none();  // replaced by the item when the thread resumes (VThread::result)
}

bool SimEngine::queue_empty(ThreadState&, const Value& queue) {
  return queue.as<QueueObj>()->items.empty();
}

}  // namespace gilsim
