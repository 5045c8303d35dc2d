#include "gil/engines/thread_engine.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "gil/core/process_copy.h"
#include "gil/core/sync_core.h"
#include "gil/engines/child_script.h"
#include "gil/engines/parker.h"
#include "gil/engines/process_exit.h"
#include "gil/engines/system_exit.h"
#include "gil/record/deadlock_report.h"
#include "vm/errors.h"
#include "vm/interpreter.h"
#include "vm/objects.h"
#include "vm/pyformat.h"
#include "vm/sim_objects.h"

namespace gilsim {

namespace {

// Thrown inside a script thread when the run is being stopped (timeout, Ctrl-C, deadlock): it
// unwinds the thread without a traceback.
struct StopRun {};

}  // namespace

// One script thread. Its OS thread alone touches `ts` and appends to `events`; every other field
// is GUARDED_BY(mu_) unless marked.
struct ThreadEngine::Record {
  int id;
  std::string name;
  std::string label;
  int parent;
  int gil;
  bool daemon = false;  // does not keep the run alive (threading's daemon=True)
  // The run's main thread: threading._shutdown runs on it. (Not a spawn_process child's: its
  // copy of threading describes the parent's threads, as after a fork before _after_fork.)
  bool is_main = false;
  Gil* lock = nullptr;  // gils_[gil], fixed for the thread's life
  std::shared_ptr<Interp> interp;
  std::unique_ptr<ThreadState> ts;  // owned by the OS thread while it runs
  std::vector<Event> events;  // appended only by this thread (and by the spawner before start)
  std::thread os_thread;
  Parker parker;  // where it sleeps: for the GIL, a Lock, a Queue, a join, a sleep
  // The GIL events of a release (and a re-request in the same critical section), recorded only
  // once the mutex is let go and the next holder woken (hand_over): the buffer is this thread's,
  // so recording needs no lock, and the hand-off need not wait for it. Own thread only.
  struct Staged {
    EventKind kind;
    Reason reason;
    std::int64_t arg;
    Nanos at;
  };
  std::array<Staged, 8> staged{};
  int staged_count = -1;  // -1: recording as it goes
  ThreadStateKind state = ThreadStateKind::Waiting;
  int cpu = -1;  // the CPU it took the GIL on, last time
  bool done = false;
  bool failed = false;
  Wait wait;              // what it is blocked on (gil/core/sync_core.h), also for deadlock reports
  std::string traceback;  // the uncaught error's, for the record
  std::vector<std::string> open_spans;  // gilsim.span()s entered and not exited (own thread only)
  // subproc13: the main thread of a child script (run_script): its exit status once done, and
  // what it prints instead of running when python3 would not have run it.
  bool script_child = false;
  int exit_status = 0;
  std::string startup_error;
};

// One GIL: one interpreter's (a process's) lock: the protocol's state and its policy.
struct ThreadEngine::Gil {
  Gil(std::unique_ptr<Policy> policy, Nanos switch_interval)
      : core(std::move(policy), switch_interval) {
    core.set_idle_timeouts(true);
  }
  const Policy& policy() const { return core.policy(); }
  std::string process;
  int threads_named = 0;  // for "Thread-N (target)" names, counted per process
  GilCore core;           // GUARDED_BY(mu_)
  // core.waiting(), readable without mu_: the legacy tick asks it 10 million times a second.
  std::atomic<int> waiting{0};
  // subproc13: a child script's process (and those it starts): where its output goes. Null for
  // the run's own processes. Set before its first thread starts, never changed.
  std::shared_ptr<ProcessStreams> streams;
};

ThreadEngine::ThreadEngine(EngineOptions options) : options_(std::move(options)) {}

ThreadEngine::~ThreadEngine() {
  for (auto& t : threads_)
    if (t->os_thread.joinable()) t->os_thread.join();
}

Nanos ThreadEngine::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

// Appends to the thread's own buffer: no lock (or stages it, during a release: see Record). Past
// --max-events nothing more is kept, and the moment that happened is remembered so every view can
// say where its picture ends.
Event* ThreadEngine::emit(Record& t, EventKind kind, Reason reason, std::int64_t arg, Nanos at) {
  if (at < 0) at = now();
  if (options_.max_events &&
      events_recorded_.fetch_add(1, std::memory_order_relaxed) >= options_.max_events) {
    Nanos unset = -1;
    truncated_at_.compare_exchange_strong(unset, at, std::memory_order_relaxed);
    return nullptr;
  }
  // Counted above, in the order it happened: where --max-events cuts is not moved by staging.
  if (t.staged_count >= 0 && t.staged_count < static_cast<int>(t.staged.size())) {
    t.staged[static_cast<size_t>(t.staged_count++)] = Record::Staged{kind, reason, arg, at};
    return nullptr;
  }
  return keep(t, kind, reason, arg, at);
}

Event* ThreadEngine::keep(Record& t, EventKind kind, Reason reason, std::int64_t arg, Nanos at) {
  t.events.push_back(Event{at, arg, t.id, kind, reason, static_cast<std::uint16_t>(t.gil)});
  // Only this thread runs its frames, and it is here: reading them is safe.
  if (t.ts && is_gil_event(kind)) places_.stamp(t.events.back(), *t.ts);
  return &t.events.back();
}

// A label is kept only with an event that is: past --max-events the table stops growing too.
void ThreadEngine::emit_annotations(Record& t, const std::vector<AnnotationStep>& steps, Nanos at) {
  if (at < 0) at = now();
  for (const AnnotationStep& s : steps)
    if (Event* e = emit(t, s.kind, Reason::None, s.arg, at)) e->code = labels_.intern(s.label);
}

// On the calling thread's own buffer and span stack: no lock but the label table's.
void ThreadEngine::annotate(ThreadState& ts, Annotation kind, std::string_view label,
                            double value) {
  Record& t = record_of(ts);
  emit_annotations(t, annotation_steps(t.open_spans, kind, label, value));
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

ThreadEngine::Record& ThreadEngine::add_thread(std::unique_lock<std::mutex>&,
                                               std::shared_ptr<Interp> interp, int gil,
                                               std::string name, std::string label, int parent,
                                               bool daemon) {
  auto rec = std::make_unique<Record>();
  Record& t = *rec;
  t.id = static_cast<int>(threads_.size());
  t.name = std::move(name);
  t.label = std::move(label);
  t.parent = parent;
  t.gil = gil;
  t.daemon = daemon;
  t.interp = std::move(interp);
  t.lock = gils_[static_cast<size_t>(gil)].get();
  t.ts = std::make_unique<ThreadState>(*t.interp, t.name, t.id);
  t.ts->host_data = &t;
  t.ts->max_steps = options_.max_steps;
  const Policy& policy = gils_[static_cast<size_t>(gil)]->policy();
  t.ts->lock_objects = !policy.exclusive();
  if (policy.counts_ticks()) t.ts->ticker = policy.check_interval();
  threads_.push_back(std::move(rec));
  ++live_;
  if (!daemon) ++live_non_daemon_;
  emit(t, EventKind::Spawn, Reason::None, parent);  // before the OS thread exists: no race
  return t;
}

void ThreadEngine::start_thread(Record& t, Value fn, std::vector<Value> args) {
  try {
    t.os_thread = std::thread([this, &t, fn = std::move(fn), args = std::move(args)]() mutable {
      thread_main(t, std::move(fn), std::move(args));
    });
  } catch (const std::system_error&) {
    // hostile: the OS refused a thread (called with mu_ held). The record ends at once, so the
    // run does not wait for it and its trace stays whole; spawn() raises RuntimeError in the
    // script (builtins.cpp).
    emit(t, EventKind::Exit, Reason::Exit, 0);
    t.done = true;
    t.state = ThreadStateKind::Done;
    --live_;
    if (!t.daemon) --live_non_daemon_;
    throw;
  }
}

void ThreadEngine::thread_main(Record& t, Value fn, std::vector<Value> args) {
  ThreadState& ts = *t.ts;
  if (!options_.pin_cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(options_.pin_cpus[static_cast<size_t>(t.id) % options_.pin_cpus.size()], &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  Reason exit_reason = Reason::Exit;
  try {
    take_gil(t, Reason::Start);
    if (t.script_child) thread_started(ts);  // subproc13: a process until its module returns
    RunResult r;
    if (!t.startup_error.empty()) {  // subproc13: python3 stopped before running it
      write_stream(t, true, t.startup_error);
      exit_reason = Reason::Error;
    } else {
      r = fn.is_none() ? run_module(ts) : run_function(ts, fn, std::move(args));
    }
    if (r.failure && !system_exit(t, *r.failure)) {
      exit_reason = Reason::Error;
      if (!stopping_.load()) report_failure(t, *r.failure);
    }
    // Py_FinalizeEx: threading._shutdown runs the atexit hooks and joins the non-daemon threads.
    Value hook = t.is_main && !stopping_.load() ? threading_shutdown(ts) : Value();
    if (!hook.is_none()) {
      RunResult s = run_function(ts, hook, {});
      if (s.failure && !stopping_.load()) report_failure(t, *s.failure);
    }
    release_gil(t, exit_reason);
  } catch (const StopRun&) {
    // Stopped while waiting or at a safe point: give the GIL back if it is ours, quietly.
    std::unique_lock lk(mu_);
    if (t.lock->core.state().holder == t.id) {
      lk.unlock();
      release_gil(t, Reason::Exit);
    }
  }
  if (t.script_child) thread_finished(ts);  // subproc13: its process has ended
  fn = Value();
  args.clear();
  ts.stack.clear();  // drop the thread's values before it is marked done
  ts.with_stack.clear();
  Nanos end = now();  // spans left open end with the thread
  emit_annotations(t, close_open_spans(t.open_spans), end);
  emit(t, EventKind::Exit, exit_reason, static_cast<std::int64_t>(ts.steps), end);
  std::unique_lock lk(mu_);
  t.done = true;
  t.failed = exit_reason == Reason::Error;
  t.state = ThreadStateKind::Done;
  --live_;
  if (!t.daemon) --live_non_daemon_;
  for (auto& other : threads_)  // joiners
    if (other->wait.reason == Reason::Join && other->wait.thread == t.id) notify(other->id);
  if (live_ == 0)
    controller_cv_.notify_all();
  else if (live_non_daemon_ == 0)
    stop(StopCause::None);  // only daemon threads are left: CPython's exit abandons them
  else
    check_deadlock();
}

void ThreadEngine::report_failure(Record& t, const ScriptFailure& f) {
  t.traceback = format_traceback(t.interp->program(), f);
  std::string text = t.traceback;
  if (!t.is_main) text = fmt::format("Exception in thread {}:\n{}", t.name, text);
  t.exit_status = 1;  // subproc13: a child script's status, as python3's
  write_stream(t, true, text);
}

bool ThreadEngine::system_exit(Record& t, const ScriptFailure& f) {
  std::string message;
  std::optional<int> status = system_exit_status(f, message);
  if (!status) return false;
  if (!message.empty()) write_stream(t, true, message);
  std::lock_guard lk(mu_);
  if (t.id == 0) exit_status_ = *status;
  t.exit_status = *status;  // subproc13: a child script's, for its parent
  return true;
}

void ThreadEngine::write_err(const std::string& text) {
  std::lock_guard g(out_mu_);
  put_locked(true, text);
}

// The run's own stdout or stderr; under out_mu_.
void ThreadEngine::put_locked(bool to_err, std::string_view text) {
  std::FILE* f = to_err ? options_.err : options_.out;
  if (to_err && options_.out) std::fflush(options_.out);
  if (f) {
    std::fwrite(text.data(), 1, text.size(), f);
    if (to_err) std::fflush(f);
  } else {
    (to_err ? captured_err_ : captured_out_) += text;
  }
}

// subproc13: a write to a process's stdout or stderr: a child script's capture, or the run's.
// A script's own write (print, sys.stdout/stderr) is charged to its run's memory when captured.
void ThreadEngine::write_stream(const Record& t, bool to_err, std::string_view text,
                                bool script_write) {
  MemoryBudget* budget = script_write ? &t.interp->limits->memory() : nullptr;
  std::lock_guard g(out_mu_);
  Sink sink = route_output(t.lock->streams.get(), to_err, text, budget);
  if (sink == Sink::OverBudget) captured_past_budget(*budget);
  if (sink != Sink::Taken) put_locked(sink == Sink::RunErr, text);
}

RunRecord ThreadEngine::run(std::shared_ptr<const Program> program) {
  program_ = program;
  start_ = std::chrono::steady_clock::now();
  RunRecord rec;
  rec.script = program->source->path();
  rec.policy = options_.policy;
  rec.params = options_.params;
  rec.defines = options_.defines;

  auto interp = std::make_shared<Interp>(program, *this);
  interp->limits = std::make_shared<RunLimits>(options_.limits);  // hostile: the run's limits
  interp->argv = options_.argv;
  for (const auto& [key, text] : options_.defines) {
    interp->params.emplace_back(key, define_value(text));
  }
  {
    std::unique_lock lk(mu_);
    auto g = std::make_unique<Gil>(make_policy(options_.policy, options_.params),
                                   options_.params.switch_interval);
    g->process = "MainProcess";
    rec.exclusive = g->policy().exclusive();
    gils_.push_back(std::move(g));
    Record& main = add_thread(lk, interp, 0, "MainThread", "MainThread", -1);
    main.is_main = true;
    start_thread(main, Value::none(), {});
  }

  // The controller: waits for every thread, watching the clock and Ctrl-C.
  {
    std::unique_lock lk(mu_);
    while (live_ > 0) {
      controller_cv_.wait_for(lk, std::chrono::milliseconds(20));
      if (live_ == 0 || stopping_.load()) continue;
      if (options_.timeout > 0 && now() >= options_.timeout)
        stop(StopCause::Timeout);
      else if (options_.interrupted && options_.interrupted())
        stop(StopCause::Interrupt);
    }
  }
  rec.wall = now();
  for (auto& t : threads_)
    if (t->os_thread.joinable()) t->os_thread.join();

  std::lock_guard lk(mu_);
  rec.stop = stop_cause_;
  rec.max_events = options_.max_events;
  rec.truncated_at = truncated_at_.load();
  std::uint64_t recorded = events_recorded_.load();
  rec.events_dropped =
      options_.max_events && recorded > options_.max_events ? recorded - options_.max_events : 0;
  rec.deadlock_report = deadlock_report_;
  if (gil_enabled_at_ >= 0) {
    rec.exclusive = true;
    rec.exclusive_from = gil_enabled_at_;
  }
  bool any_failed = false;
  size_t total = 0;
  for (auto& t : threads_) total += t->events.size();
  rec.events.reserve(total);
  rec.functions = places_.names();
  rec.labels = labels_.names();
  for (auto& t : threads_) {
    rec.threads.push_back(ThreadInfo{t->id, t->name, t->label, t->parent, t->gil, t->failed,
                                     t->traceback, t->daemon});
    any_failed |= t->failed && !t->lock->streams;  // subproc13: a child script's is its own
    rec.events.insert(rec.events.end(), t->events.begin(), t->events.end());
  }
  std::stable_sort(rec.events.begin(), rec.events.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  for (auto& g : gils_) rec.gils.push_back(GilInfo{g->process});
  rec.exit_code = exit_code_for(stop_cause_, any_failed);
  if (stop_cause_ == StopCause::None && exit_status_ != 0) rec.exit_code = exit_status_;
  return rec;
}

std::string ThreadEngine::captured_output() const {
  std::lock_guard g(out_mu_);
  return captured_out_;
}
std::string ThreadEngine::captured_errors() const {
  std::lock_guard g(out_mu_);
  return captured_err_;
}

// ---------------------------------------------------------------------------------------------
// The GIL: GilCore decides (gil/core/gil_core.h); here its answers become condition-variable waits
// on the real clock.
// ---------------------------------------------------------------------------------------------

void ThreadEngine::notify(int thread) { threads_[static_cast<size_t>(thread)]->parker.notify(); }

// Once the mutex is let go: wake the thread handed the GIL (if any), then record the events
// staged meanwhile, with the times they happened at.
void ThreadEngine::hand_over(Record& t, Record* wake) {
  if (wake) wake->parker.notify();
  int staged = std::exchange(t.staged_count, -1);
  for (int i = 0; i < staged; ++i) {
    const Record::Staged& e = t.staged[static_cast<size_t>(i)];
    keep(t, e.kind, e.reason, e.arg, e.at);
  }
}

// The actions of one step, but its wake-ups, which the caller does once it has let go of mu_:
// a thread woken into a mutex still held only goes back to sleep on it.
void ThreadEngine::apply(Gil& g, Record& t, const GilStep& step, Nanos at) {
  if (step.new_drop_request)
    emit(t, EventKind::DropRequest, Reason::None, step.drop_request_on, at);
  if (step.drop_request_on >= 0)
    threads_[static_cast<size_t>(step.drop_request_on)]->ts->eval_breaker.store(
        1, std::memory_order_relaxed);
  if (step.failed_acquire >= 0)
    emit(t, EventKind::FailedAcquire, Reason::None, step.failed_acquire, at);
  g.waiting.store(static_cast<int>(g.core.waiting()), std::memory_order_relaxed);
}

// An idle timeout is slept through without a timer only when the holder runs on this CPU: there,
// cancelling the timer at the hand-off cost more than half of it. Across CPUs the timer is kept:
// a waiter with no timer sleeps deeper on this VM, and waking it took 40 us against 7-20.
bool ThreadEngine::on_holders_cpu(const Gil& g) const {
  int holder = g.core.state().holder;
  return holder >= 0 && threads_[static_cast<size_t>(holder)]->cpu == sched_getcpu();
}

void ThreadEngine::take_gil(Record& t, Reason why) {
  std::unique_lock lk(mu_);
  take_gil_locked(lk, t, why);
}

// Returns with mu_ released.
void ThreadEngine::take_gil_locked(std::unique_lock<std::mutex>& lk, Record& t, Reason why,
                                   Record* wake_first) {
  // `wake_first`: a thread this one just handed the GIL to. It is notified as late as possible,
  // once this thread has let go of the mutex on its way to sleep (Parker::wait), so the two do not
  // fight for the mutex, on two cores or on one: the hand-off costs one wake-up, as a plain
  // condition-variable ping-pong does.
  auto meanwhile = [&] { hand_over(t, std::exchange(wake_first, nullptr)); };
  Gil& g = *t.lock;
  Nanos requested = now();
  emit(t, EventKind::Request, why, 0, requested);
  t.state = ThreadStateKind::Waiting;
  if (stopping_.load()) {
    lk.unlock();
    meanwhile();
    throw StopRun{};
  }
  GilStep step = g.core.request(t.id, why, requested);
  Nanos at = requested;
  Wakes wakes;
  for (;;) {
    apply(g, t, step, at);
    for (int w : step.wake.thread)
      if (w >= 0) wakes.add(w);
    if (step.granted) break;
    if (step.wait_until == kForever || (step.timeout_idle && on_holders_cpu(g)))
      t.parker.wait(lk, meanwhile);
    else
      t.parker.wait_until(lk, start_ + std::chrono::nanoseconds(step.wait_until), meanwhile);
    if (stopping_.load()) {
      int head = g.core.abandon(t.id);
      g.waiting.store(static_cast<int>(g.core.waiting()), std::memory_order_relaxed);
      if (head >= 0) notify(head);
      throw StopRun{};
    }
    at = now();
    step = g.core.wake_up(t.id, at);
  }
  if (!stopping_.load()) t.ts->eval_breaker.store(step.breaker ? 1 : 0, std::memory_order_relaxed);
  t.state = ThreadStateKind::Running;
  if (g.policy().timeout_only_asks_to_drop()) t.cpu = sched_getcpu();  // for on_holders_cpu
  lk.unlock();
  meanwhile();
  emit(t, EventKind::Acquire, Reason::None, at - requested, at);
  for (int w : wakes.thread)
    if (w >= 0) notify(w);
}

void ThreadEngine::release_gil(Record& t, Reason why) {
  std::unique_lock lk(mu_);
  t.staged_count = 0;
  Record* wake = release_gil_locked(lk, t, why);
  // Wake it after letting go of the mutex, or it wakes only to block on the mutex we hold.
  // (Records never move, and a Parker may be notified without the mutex; the record was found
  // in threads_ under the mutex, as a spawn may grow that vector meanwhile.)
  lk.unlock();
  hand_over(t, wake);
}

// Returns the thread still to be woken (after the caller unlocks), or nullptr. The caller has
// set the thread staging its events; they are recorded at the first hand_over.
ThreadEngine::Record* ThreadEngine::release_gil_locked(std::unique_lock<std::mutex>& lk, Record& t,
                                                       Reason why) {
  Gil& g = *t.lock;
  Nanos at = now();
  emit(t, EventKind::Release, why, static_cast<std::int64_t>(t.ts->steps), at);
  t.state = state_after_release(why);
  GilRelease r = g.core.release(t.id, why, at);
  Record* wake = r.wake >= 0 ? threads_[static_cast<size_t>(r.wake)].get() : nullptr;
  if (r.forced_switch) emit(t, EventKind::ForcedSwitch, Reason::None, 0, at);
  if (!r.wait_for_switch) return wake;
  // FORCE_SWITCHING: the waiter is woken once this thread has let go of the mutex to wait.
  while (g.core.switch_pending(t.id) && !stopping_.load())
    t.parker.wait(lk, [&] { hand_over(t, std::exchange(wake, nullptr)); });
  g.core.end_switch_wait(t.id);
  return wake;  // not woken yet if the run stopped before the wait began
}

// Drop on request, then ask again at once, in one critical section: the thread being handed the
// GIL does not have to fight this one for the mutex on its way up. (The legacy tick does not use
// this: it needs a real window between its release and its re-acquire; see on_tick.)
void ThreadEngine::release_and_retake(Record& t, Reason why) {
  std::unique_lock lk(mu_);
  t.staged_count = 0;
  Record* wake = release_gil_locked(lk, t, why);
  take_gil_locked(lk, t, why, wake);
}

void ThreadEngine::on_eval_breaker(ThreadState& ts) {
  Record& t = record_of(ts);
  if (stopping_.load()) throw StopRun{};
  {
    std::unique_lock lk(mu_);
    ts.eval_breaker.store(0, std::memory_order_relaxed);
    if (!t.lock->core.must_drop(t.id)) return;
  }
  release_and_retake(t, Reason::DropRequest);
}

// _PyEval_EnableGILTransient: the threads running without the GIL stop at their next safe point
// (on_eval_breaker finds must_drop), then this one detaches and attaches like a dropper.
void ThreadEngine::enable_gil(ThreadState& ts) {
  Record& t = record_of(ts);
  if (stopping_.load()) throw StopRun{};
  {
    std::unique_lock lk(mu_);
    std::vector<int> stop;
    if (!t.lock->core.enable(t.id, stop)) return;
    if (gil_enabled_at_ < 0) gil_enabled_at_ = now();
    for (int id : stop)
      threads_[static_cast<size_t>(id)]->ts->eval_breaker.store(1, std::memory_order_relaxed);
  }
  release_and_retake(t, Reason::DropRequest);
}

// Python 2's check interval: release, then re-acquire at once, no hand-off. With nobody waiting
// the pair changes nothing anyone could observe, so it is skipped (and not recorded).
void ThreadEngine::on_tick(ThreadState& ts) {
  Record& t = record_of(ts);
  Gil& g = *t.lock;  // not gils_[...]: that vector may grow under mu_ while we read
  ts.ticker = g.policy().check_interval();
  if (stopping_.load()) throw StopRun{};
  if (g.waiting.load(std::memory_order_relaxed) == 0) return;
  // Two critical sections, not one: between them the GIL is really free, and a waiter that is
  // already awake can take it, as with Python 2's semaphore. Usually the ticking thread wins the
  // race back (the failed acquisitions Beazley measured); without the window it always would.
  release_gil(t, Reason::Tick);
  take_gil(t, Reason::Tick);
}

// ---------------------------------------------------------------------------------------------
// Time: io, sleep, native, native_hold
// ---------------------------------------------------------------------------------------------

// A real blocking wait of the requested length, sleep(0) included: CPython's time.sleep(0) is a
// clock_nanosleep that pays the kernel's timer slack (72 us here), long enough for a waiting
// thread to take the GIL; returning at once never let it go (the convoy vanished). A timed wait on
// the condition variable sleeps in the kernel the same way, even for a deadline already past
// (measured: 77 us for both), and stop() can still end it at once.
void ThreadEngine::sleep_until(Record& t, Nanos deadline) {
  std::unique_lock lk(mu_);
  do {
    if (stopping_.load()) return;
    t.parker.wait_until(lk, start_ + std::chrono::nanoseconds(deadline));
  } while (now() < deadline);
}

// Extension code does a fixed amount of work, not a fixed wall time: it burns `duration` of this
// thread's own CPU time, so four native calls on two cores take twice as long as two, and a
// loaded machine slows them down, as real C code would be.
void ThreadEngine::burn_cpu(Nanos duration) {
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<Nanos>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  };
  Nanos until = cpu_now() + duration;
  volatile std::uint64_t sink = 0;
  while (cpu_now() < until && !stopping_.load())
    for (int i = 0; i < 2000; ++i) sink = sink + static_cast<std::uint64_t>(i);
}

void ThreadEngine::block(ThreadState& ts, Blocking kind, double ms) {
  Record& t = record_of(ts);
  auto us = static_cast<std::int64_t>(ms * 1000.0);
  Nanos duration = static_cast<Nanos>(ms * 1e6);
  if (kind == Blocking::NativeHold) {
    emit(t, EventKind::NativeHoldBegin, Reason::None, us);
    burn_cpu(duration);
    emit(t, EventKind::NativeHoldEnd);
    if (stopping_.load()) throw StopRun{};
    return;
  }
  bool native = kind == Blocking::Native;
  Reason why = native ? Reason::Native : Reason::Io;
  release_gil(t, why);
  Nanos begin = now();
  emit(t, native ? EventKind::NativeBegin : EventKind::IoBegin, why, us, begin);
  if (native)
    burn_cpu(duration);
  else
    sleep_until(t, begin + duration);
  emit(t, native ? EventKind::NativeEnd : EventKind::IoEnd, why);
  take_gil(t, why);
}

double ThreadEngine::now_ms(ThreadState&) { return static_cast<double>(now()) / 1e6; }

// modules13: Process.exitcode, and a timed join's poll.
int ThreadEngine::thread_outcome(ThreadState&, const Value& thread) {
  std::lock_guard lk(mu_);
  const Record& other = *threads_[static_cast<size_t>(thread.as<ThreadObj>()->thread_id)];
  if (!other.done) return -1;
  if (other.script_child) return other.exit_status;  // subproc13
  return other.failed ? 1 : 0;
}

void ThreadEngine::write_output(ThreadState& ts, std::string_view text) {
  write_stream(record_of(ts), false, text, true);
}

void ThreadEngine::write_error(ThreadState& ts, std::string_view text) {
  write_stream(record_of(ts), true, text, true);
}

void ThreadEngine::flush_output(ThreadState&) {
  std::lock_guard g(out_mu_);
  if (options_.out) std::fflush(options_.out);
}

// ---------------------------------------------------------------------------------------------
// spawn, spawn_process, join
// ---------------------------------------------------------------------------------------------

Value ThreadEngine::spawn_thread(ThreadState& ts, const Value& fn, std::vector<Value> args,
                                 const std::string& python_name, bool daemon) {
  Record& parent = record_of(ts);
  std::unique_lock lk(mu_);
  if (stopping_.load()) throw StopRun{};
  Gil& g = *gils_[static_cast<size_t>(parent.gil)];
  std::string name = python_name.empty() ? default_thread_name(g.threads_named, fn) : python_name;
  std::string label = parent.gil == 0 ? name : g.process + "/" + name;
  Record& t = add_thread(lk, parent.interp, parent.gil, name, label, parent.id, daemon);
  Value handle = Value::adopt(new ThreadObj(t.id, name, false));
  start_thread(t, fn, std::move(args));
  return handle;
}

Value ThreadEngine::spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) {
  if (!process) return spawn_thread(ts, fn, std::move(args), "", false);
  Record& parent = record_of(ts);
  std::unique_lock lk(mu_);
  if (stopping_.load()) throw StopRun{};
  // A new interpreter with its own GIL and a copy of the parent's globals.
  auto child = std::make_shared<Interp>(parent.interp->program_ptr(), *this);
  child->params = parent.interp->params;
  child->share_run(*parent.interp);  // hostile: one memory budget and thread count per run
  std::unordered_map<const Obj*, Value> copied;
  std::vector<Value> parent_globals;
  {
    std::lock_guard g(parent.interp->globals_mu);
    parent_globals = parent.interp->globals;
  }
  for (size_t i = 0; i < child->globals.size(); ++i)
    child->globals[i] = copy_for_process(parent_globals[i], copied);
  for (auto& a : args) a = copy_for_process(a, copied);
  // subproc13: a fork keeps its parent's file descriptors
  int gil = add_process_gil(gils_, options_, fmt::format("Process-{}", gils_.size()),
                            parent.lock->streams);
  std::string process_name = gils_[static_cast<size_t>(gil)]->process;
  Record& t = add_thread(lk, child, gil, "MainThread", process_name, parent.id);
  Value handle = Value::adopt(new ThreadObj(t.id, process_name, true));
  start_thread(t, fn, std::move(args));
  return handle;
}

// subproc13: subprocess's child script (gil/engines/child_script.h): loaded before mu_ is taken (a
// file read and a compile), then started as spawn_process starts a process, running its module.
Value ThreadEngine::run_script(ThreadState& ts, const std::string& path,
                               std::vector<std::string> argv, StreamMode out, StreamMode err) {
  Record& parent = record_of(ts);
  ChildScript child =
      load_child_script(ts, *this, path, std::move(argv), out, err, parent.lock->streams);
  std::unique_lock lk(mu_);
  if (stopping_.load()) throw StopRun{};
  int gil = add_process_gil(
      gils_, options_, child_process_name(static_cast<int>(gils_.size()), path), child.streams);
  std::string process_name = gils_[static_cast<size_t>(gil)]->process;
  Record& t = add_thread(lk, child.interp, gil, "MainThread", process_name, parent.id);
  t.is_main = true;  // its own program's main thread: threading._shutdown runs on it
  t.script_child = true;
  t.exit_status = child.startup_status;
  t.startup_error = std::move(child.startup_error);
  Value handle = Value::adopt(new ThreadObj(t.id, process_name, true));
  start_thread(t, Value::none(), {});
  return handle;
}

ScriptOutput ThreadEngine::script_output(ThreadState&, const Value& process) {
  std::shared_ptr<ProcessStreams> streams;
  {
    std::lock_guard lk(mu_);
    const Record& t = *threads_[static_cast<size_t>(process.as<ThreadObj>()->thread_id)];
    streams = t.lock->streams;
  }
  std::lock_guard g(out_mu_);
  return streams ? streams->captured : ScriptOutput{};
}

void ThreadEngine::join(ThreadState& ts, const Value& thread) { join_timed(ts, thread, -1.0); }

// timeout_ms < 0: no timeout; 0: do not wait.
bool ThreadEngine::join_timed(ThreadState& ts, const Value& thread, double timeout_ms) {
  Record& t = record_of(ts);
  int target = thread.as<ThreadObj>()->thread_id;
  if (target == t.id) raise("RuntimeError", "cannot join current thread");
  {
    std::lock_guard lk(mu_);
    if (threads_[static_cast<size_t>(target)]->done) return true;
    if (timeout_ms == 0) return false;
    begin_blocking(t, Wait{Reason::Join, nullptr, target,
                           timeout_ms < 0 ? kForever : deadline_after(now(), timeout_ms)});
  }
  return finish_blocking(t);
}

// ---------------------------------------------------------------------------------------------
// Blocking on script objects: what a wait means is gil/core/sync_core.h's; here it is a condition
// variable. A wait is begun under mu_ before the GIL goes, so a deadlock check in between knows
// what the thread waits for.
// ---------------------------------------------------------------------------------------------

void ThreadEngine::begin_blocking(Record& t, const Wait& w) {
  begin_wait(w, t.id);
  t.wait = w;
}

bool ThreadEngine::finish_blocking(Record& t, Value* item) {
  Reason why = t.wait.reason;
  release_gil(t, why);
  bool got = true;
  int next = -1;
  {
    std::unique_lock lk(mu_);
    auto done = [this](int id) { return threads_[static_cast<size_t>(id)]->done; };
    // Once the wait is over the thread is on its way to request the GIL: no longer blocked, even
    // before it has asked, so a deadlock check in between cannot count it as stuck.
    if (!ready(t.wait, done)) {
      t.state = ThreadStateKind::Blocked;
      std::int64_t object = wait_object_id(t.wait);
      emit(t, EventKind::BlockBegin, why, object);
      check_deadlock();
      while (!ready(t.wait, done)) {
        if (stopping_.load()) {
          abandon_wait(t.wait, t.id);
          t.wait = Wait{};
          throw StopRun{};
        }
        if (!t.wait.timed()) {
          t.parker.wait(lk);
        } else if (now() < t.wait.deadline) {
          t.parker.wait_until(lk, start_ + std::chrono::nanoseconds(t.wait.deadline));
        } else {
          got = false;  // its time ran out: acquire() returns False, join() returns
          break;
        }
      }
      emit(t, EventKind::BlockEnd, why, object);
    }
    t.state = ThreadStateKind::Waiting;
    if (got) {
      Value taken;
      next = complete_wait(t.wait, t.id, t.gil, &taken);
      if (item) *item = std::move(taken);
      if (why == Reason::Lock)
        emit(t, EventKind::LockAcquired, Reason::Lock, wait_object_id(t.wait));
      if (why == Reason::Queue) emit(t, EventKind::QueueGet, Reason::Queue, wait_object_id(t.wait));
    } else {
      abandon_wait(t.wait, t.id);
    }
    t.wait = Wait{};
    if (next >= 0) notify(next);
  }
  take_gil(t, why);
  return got;
}

// ---------------------------------------------------------------------------------------------
// Lock and Queue
// ---------------------------------------------------------------------------------------------

Value ThreadEngine::make_lock(ThreadState&) {
  std::lock_guard lk(mu_);
  return Value::adopt(new LockObj(next_object_id_++));
}

bool ThreadEngine::lock_acquire(ThreadState& ts, const Value& lock, bool blocking) {
  return lock_acquire_timed(ts, lock, blocking ? -1.0 : 0.0);
}

// timeout_ms < 0: no timeout; 0: do not wait.
bool ThreadEngine::lock_acquire_timed(ThreadState& ts, const Value& lock, double timeout_ms) {
  Record& t = record_of(ts);
  auto* l = lock.as<LockObj>();
  {
    std::lock_guard lk(mu_);
    if (lock_try_acquire(*l, t.id)) {
      emit(t, EventKind::LockAcquired, Reason::Lock, l->id);
      return true;
    }
    if (timeout_ms == 0) return false;
    // A Lock is not reentrant: acquiring it again, even by its owner, waits (forever, in Python;
    // here until the deadlock detector sees it).
    begin_blocking(t, Wait{Reason::Lock, l, -1,
                           timeout_ms < 0 ? kForever : deadline_after(now(), timeout_ms)});
  }
  // acquire() with the GIL failed: release the GIL and block, as lock_PyThread_acquire_lock does.
  return finish_blocking(t);
}

void ThreadEngine::lock_release(ThreadState& ts, const Value& lock) {
  Record& t = record_of(ts);
  auto* l = lock.as<LockObj>();
  std::lock_guard lk(mu_);
  int wake = -1;
  if (l->owner >= 0) emit(t, EventKind::LockReleased, Reason::Lock, l->id);
  if (!gilsim::lock_release(*l, wake)) raise("RuntimeError", "release unlocked lock");
  if (wake >= 0) notify(wake);
}

Value ThreadEngine::make_queue(ThreadState&) {
  std::lock_guard lk(mu_);
  return Value::adopt(new QueueObj(next_object_id_++));
}

void ThreadEngine::queue_put(ThreadState& ts, const Value& queue, Value item) {
  Record& t = record_of(ts);
  auto* q = queue.as<QueueObj>();
  std::lock_guard lk(mu_);
  int wake = gilsim::queue_put(*q, std::move(item), t.gil);
  emit(t, EventKind::QueuePut, Reason::Queue, q->id);
  if (wake >= 0) notify(wake);
}

Value ThreadEngine::queue_get(ThreadState& ts, const Value& queue) {
  Record& t = record_of(ts);
  auto* q = queue.as<QueueObj>();
  {
    std::lock_guard lk(mu_);
    if (!q->items.empty()) {
      Value v = queue_take(*q, t.gil);
      emit(t, EventKind::QueueGet, Reason::Queue, q->id);
      return v;
    }
    begin_blocking(t, Wait{Reason::Queue, q, -1});
  }
  Value item;
  finish_blocking(t, &item);
  return item;
}

bool ThreadEngine::queue_empty(ThreadState&, const Value& queue) {
  std::lock_guard lk(mu_);
  return queue.as<QueueObj>()->items.empty();
}

double ThreadEngine::switch_interval(ThreadState& ts) {
  Record& t = record_of(ts);
  std::lock_guard lk(mu_);
  return static_cast<double>(t.lock->core.switch_interval()) / 1e9;
}

void ThreadEngine::set_switch_interval(ThreadState& ts, double seconds) {
  Record& t = record_of(ts);
  std::lock_guard lk(mu_);
  t.lock->core.set_switch_interval(static_cast<Nanos>(std::llround(seconds * 1e9)));
}

// ---------------------------------------------------------------------------------------------
// Deadlocks and stopping
// ---------------------------------------------------------------------------------------------

// A blocked thread whose wait is already over (notified, not yet running) is not deadlocked.
bool ThreadEngine::can_proceed(const Record& t) const {
  return t.wait.active() &&
         ready(t.wait, [this](int id) { return threads_[static_cast<size_t>(id)]->done; });
}

// Called under mu_ whenever a thread blocks or finishes. A deadlock: every live thread is blocked
// on a Lock, a Queue or a join with no deadline, so nothing can ever wake any of them.
void ThreadEngine::check_deadlock() {
  if (stopping_.load() || live_ == 0) return;
  for (auto& t : threads_)
    if (!t->done && (t->state != ThreadStateKind::Blocked || t->wait.timed() || can_proceed(*t)))
      return;
  std::vector<BlockedThread> blocked;
  for (auto& t : threads_)
    blocked.push_back(BlockedThread{t->label, t->done, t->wait.thread, t->wait.object});
  deadlock_report_ = deadlock_report(blocked);
  stop(StopCause::Deadlock);
}

void ThreadEngine::stop(StopCause cause) {
  if (stopping_.exchange(true)) return;
  stop_cause_ = cause;
  for (auto& t : threads_) {
    if (t->done) continue;
    t->ts->eval_breaker.store(1, std::memory_order_relaxed);
    notify(t->id);
  }
  controller_cv_.notify_all();
}

}  // namespace gilsim
