#include "gil/thread_engine.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <map>
#include <system_error>
#include <unordered_map>

#include "gil/deadlock_report.h"
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
  Gil* lock = nullptr;  // gils_[gil], fixed for the thread's life
  std::shared_ptr<Interp> interp;
  std::unique_ptr<ThreadState> ts;  // owned by the OS thread while it runs
  std::vector<Event> events;  // appended only by this thread (and by the spawner before start)
  std::thread os_thread;
  std::condition_variable cv;
  bool signalled = false;  // set by notify(): distinguishes a wake-up from a timeout
  ThreadStateKind state = ThreadStateKind::Waiting;
  bool done = false;
  bool failed = false;
  bool waiting_for_switch = false;  // a forced switch: dropped, waits for another taker
  // What it is blocked on, for deadlock reports.
  Reason blocked_reason = Reason::None;
  const Obj* blocked_on = nullptr;
  int blocked_on_thread = -1;
};

// One GIL: one interpreter's (a process's) lock, its state and its policy.
struct ThreadEngine::Gil {
  std::string process;
  int threads_named = 0;  // for "Thread-N (target)" names, counted per process
  std::unique_ptr<Policy> policy;
  GilState state;  // GUARDED_BY(mu_)
  // state.waiters.size(), readable without mu_: the legacy tick asks it 10 million times a second.
  std::atomic<int> waiting{0};
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

// Appends to the thread's own buffer: no lock. Past --max-events nothing more is kept, and the
// moment that happened is remembered so every view can say where its picture ends.
void ThreadEngine::emit(Record& t, EventKind kind, Reason reason, std::int64_t arg, Nanos at) {
  if (at < 0) at = now();
  if (options_.max_events &&
      events_recorded_.fetch_add(1, std::memory_order_relaxed) >= options_.max_events) {
    Nanos unset = -1;
    truncated_at_.compare_exchange_strong(unset, at, std::memory_order_relaxed);
    return;
  }
  t.events.push_back(Event{at, arg, t.id, kind, reason, static_cast<std::uint16_t>(t.gil)});
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

ThreadEngine::Record& ThreadEngine::add_thread(std::unique_lock<std::mutex>&,
                                               std::shared_ptr<Interp> interp, int gil,
                                               std::string name, std::string label, int parent) {
  auto rec = std::make_unique<Record>();
  Record& t = *rec;
  t.id = static_cast<int>(threads_.size());
  t.name = std::move(name);
  t.label = std::move(label);
  t.parent = parent;
  t.gil = gil;
  t.interp = std::move(interp);
  t.lock = gils_[static_cast<size_t>(gil)].get();
  t.ts = std::make_unique<ThreadState>(*t.interp, t.name, t.id);
  t.ts->host_data = &t;
  t.ts->max_steps = options_.max_steps;
  const Policy& policy = *gils_[gil]->policy;
  t.ts->lock_objects = !policy.exclusive();
  if (policy.counts_ticks()) t.ts->ticker = policy.check_interval();
  threads_.push_back(std::move(rec));
  ++live_;
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
    RunResult r = fn.is_none() ? run_module(ts) : run_function(ts, fn, std::move(args));
    if (r.failure) {
      exit_reason = Reason::Error;
      if (!stopping_.load()) report_failure(t, *r.failure);
    }
    release_gil(t, exit_reason);
  } catch (const StopRun&) {
    // Stopped while waiting or at a safe point: give the GIL back if it is ours, quietly.
    std::unique_lock lk(mu_);
    Gil& g = *gils_[t.gil];
    if (g.state.holder == t.id) {
      lk.unlock();
      release_gil(t, Reason::Exit);
    }
  }
  fn = Value();
  args.clear();
  ts.stack.clear();  // drop the thread's values before it is marked done
  ts.with_stack.clear();
  emit(t, EventKind::Exit, exit_reason, static_cast<std::int64_t>(ts.steps));
  std::unique_lock lk(mu_);
  t.done = true;
  t.failed = exit_reason == Reason::Error;
  t.state = ThreadStateKind::Done;
  --live_;
  for (auto& other : threads_)  // joiners
    if (other->blocked_on_thread == t.id) notify(other->id);
  if (live_ == 0)
    controller_cv_.notify_all();
  else
    check_deadlock();
}

void ThreadEngine::report_failure(const Record& t, const ScriptFailure& f) {
  std::string text = format_traceback(t.interp->program(), f);
  if (t.id != 0) text = fmt::format("Exception in thread {}:\n{}", t.name, text);
  std::lock_guard g(out_mu_);
  if (options_.out) std::fflush(options_.out);
  if (options_.err) {
    std::fwrite(text.data(), 1, text.size(), options_.err);
    std::fflush(options_.err);
  } else {
    captured_err_ += text;
  }
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
  for (const auto& [key, text] : options_.defines) {
    interp->params.emplace_back(key, define_value(text));
  }
  {
    std::unique_lock lk(mu_);
    auto g = std::make_unique<Gil>();
    g->process = "MainProcess";
    g->policy = make_policy(options_.policy, options_.params);
    rec.exclusive = g->policy->exclusive();
    gils_.push_back(std::move(g));
    Record& main = add_thread(lk, interp, 0, "MainThread", "MainThread", -1);
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
  bool any_failed = false;
  size_t total = 0;
  for (auto& t : threads_) total += t->events.size();
  rec.events.reserve(total);
  for (auto& t : threads_) {
    rec.threads.push_back(ThreadInfo{t->id, t->name, t->label, t->parent, t->gil, t->failed});
    any_failed |= t->failed;
    rec.events.insert(rec.events.end(), t->events.begin(), t->events.end());
  }
  std::stable_sort(rec.events.begin(), rec.events.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  for (auto& g : gils_) rec.gils.push_back(GilInfo{g->process});
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
// The GIL
// ---------------------------------------------------------------------------------------------

void ThreadEngine::notify(int thread) {
  Record& t = *threads_[static_cast<size_t>(thread)];
  t.signalled = true;
  t.cv.notify_one();
}

void ThreadEngine::set_drop_request(Gil& g, Record& requester) {
  if (g.state.holder < 0) return;
  if (!g.state.drop_request) emit(requester, EventKind::DropRequest, Reason::None, g.state.holder);
  g.state.drop_request = true;
  threads_[static_cast<size_t>(g.state.holder)]->ts->eval_breaker.store(1,
                                                                        std::memory_order_relaxed);
}

void ThreadEngine::grant(std::unique_lock<std::mutex>&, Gil& g, Record& t, Nanos requested,
                         Nanos at) {
  GilState& s = g.state;
  s.holder = t.id;
  if (s.last_holder != t.id) {
    ++s.switch_number;
    if (s.last_holder >= 0) {
      Record& prev = *threads_[static_cast<size_t>(s.last_holder)];
      if (prev.waiting_for_switch) notify(prev.id);  // drop_gil's switch_cond
    }
  }
  s.last_holder = t.id;
  s.held_since = at;
  s.drop_request = false;  // take_gil: RESET_GIL_DROP_REQUEST once the GIL is ours
  if (!stopping_.load()) t.ts->eval_breaker.store(0, std::memory_order_relaxed);
  t.state = ThreadStateKind::Running;
  emit(t, EventKind::Acquire, Reason::None, at - requested, at);
}

void ThreadEngine::take_gil(Record& t, Reason why) {
  std::unique_lock lk(mu_);
  take_gil_locked(lk, t, why);
}

void ThreadEngine::take_gil_locked(std::unique_lock<std::mutex>& lk, Record& t, Reason why,
                                   Record* wake_first) {
  // `wake_first`: a thread this one just handed the GIL to. It is notified as late as possible,
  // right before this thread sleeps, so the two do not run side by side on two cores fighting for
  // the mutex: the hand-off then costs one wake-up, as a plain condition-variable ping-pong does.
  auto wake_pending = [&] {
    if (wake_first) wake_first->cv.notify_one();
    wake_first = nullptr;
  };
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  Nanos requested = now();
  emit(t, EventKind::Request, why, 0, requested);
  t.state = ThreadStateKind::Waiting;
  if (stopping_.load()) {
    wake_pending();
    throw StopRun{};
  }
  if (!g.policy->exclusive()) {
    wake_pending();
    t.state = ThreadStateKind::Running;
    emit(t, EventKind::Acquire, Reason::None, 0, requested);
    return;
  }
  if (g.policy->may_take_now(s, t.id, why)) {
    wake_pending();
    grant(lk, g, t, requested, requested);
    return;
  }
  s.waiters.push_back(Waiter{t.id, requested, why, s.switch_number, requested});
  g.waiting.store(static_cast<int>(s.waiters.size()), std::memory_order_relaxed);
  if (g.policy->on_request(s, s.waiters.back(), requested)) set_drop_request(g, t);

  // Leaving the queue from its head makes a new head, whose wait_timeout may now differ (gvl's
  // designated timer): wake it to ask again, as Ruby's gvl_acquire_common signals the next timer.
  auto leave_queue = [&]() {
    auto it = std::find_if(s.waiters.begin(), s.waiters.end(),
                           [&](const Waiter& w) { return w.thread == t.id; });
    if (it == s.waiters.end()) return;
    bool was_head = it == s.waiters.begin();
    s.waiters.erase(it);
    g.waiting.store(static_cast<int>(s.waiters.size()), std::memory_order_relaxed);
    if (was_head && !s.waiters.empty()) {
      Waiter& head = s.waiters.front();
      if (g.policy->wait_timeout(s, head) != head.timeout)  // only if its wait would change
        threads_[static_cast<size_t>(head.thread)]->cv.notify_one();
    }
  };
  bool woken = false;
  Nanos at = requested;
  for (;;) {
    if (stopping_.load()) {
      wake_pending();
      leave_queue();
      if (s.holder == t.id) s.holder = -1;
      throw StopRun{};
    }
    if (s.holder == t.id) break;  // handed to us by the releaser
    if (s.holder < 0 && g.policy->may_take_free(s, t.id)) break;
    if (woken && s.holder >= 0) emit(t, EventKind::FailedAcquire, Reason::None, s.holder, at);
    Waiter* w = s.find(t.id);
    w->switch_number = s.switch_number;
    w->timer_start = at;
    Nanos timeout = g.policy->wait_timeout(s, *w);
    w->timeout = timeout;
    t.signalled = false;
    wake_pending();
    if (timeout == kForever) {
      t.cv.wait(lk);
    } else {
      t.cv.wait_until(lk, start_ + std::chrono::nanoseconds(at + timeout));
    }
    woken = t.signalled;
    at = now();
    if (!woken && timeout != kForever) {
      Waiter* again = s.find(t.id);
      if (at - again->timer_start >= timeout && g.policy->on_timeout(s, *again, at))
        set_drop_request(g, t);
    }
  }
  wake_pending();
  leave_queue();
  grant(lk, g, t, requested, now());
}

void ThreadEngine::release_gil(Record& t, Reason why) {
  std::unique_lock lk(mu_);
  Record* wake = release_gil_locked(lk, t, why);
  if (wake) {
    // Wake it after letting go of the mutex, or it wakes only to block on the mutex we hold.
    // (Records never move, and a cv may be notified without its mutex; the record was found
    // in threads_ under the mutex, as a spawn may grow that vector meanwhile.)
    lk.unlock();
    wake->cv.notify_one();
  }
}

// Returns the thread still to be woken (after the caller unlocks), or nullptr.
ThreadEngine::Record* ThreadEngine::release_gil_locked(std::unique_lock<std::mutex>& lk, Record& t,
                                                       Reason why) {
  Gil& g = *gils_[static_cast<size_t>(t.gil)];
  GilState& s = g.state;
  Nanos at = now();
  emit(t, EventKind::Release, why, static_cast<std::int64_t>(t.ts->steps), at);
  t.state = state_after_release(why);
  if (!g.policy->exclusive()) return nullptr;
  if (s.holder != t.id) return nullptr;  // (a stop raced with a hand-off)
  s.holder = -1;
  int next = g.policy->hand_off(s, why, at);
  int wake = -1;
  if (next >= 0) {
    // Ownership moves now (`next` records its Acquire when it wakes), and so does the switch:
    // a waiter whose timed wait starts meanwhile must see a fresh switch_number, or its first
    // timeout is wasted and the holder keeps the GIL for two intervals.
    s.holder = next;
    if (s.last_holder != next) ++s.switch_number;
    s.last_holder = next;
    wake = next;
  } else if (!s.waiters.empty()) {
    wake = s.waiters.front().thread;  // COND_SIGNAL(gil->cond): wake one waiter
  }
  bool forced = why == Reason::DropRequest && g.policy->forced_switching() && s.drop_request &&
                !s.waiters.empty();
  if (wake >= 0) {
    Record& w = *threads_[static_cast<size_t>(wake)];
    w.signalled = true;
    if (!forced) return &w;
    w.cv.notify_one();
  }
  // drop_gil with FORCE_SWITCHING: having dropped on request, wait until another thread has
  // taken the GIL, so this one cannot win it straight back.
  if (forced) {
    s.drop_request = false;  // RESET_GIL_DROP_REQUEST before COND_WAIT(switch_cond)
    emit(t, EventKind::ForcedSwitch, Reason::None, 0, at);
    t.waiting_for_switch = true;
    while (s.last_holder == t.id && !s.waiters.empty() && !stopping_.load()) t.cv.wait(lk);
    t.waiting_for_switch = false;
  }
  return nullptr;
}

// Drop on request, then ask again at once, in one critical section: the thread being handed the
// GIL does not have to fight this one for the mutex on its way up. (The legacy tick does not use
// this: it needs a real window between its release and its re-acquire; see on_tick.)
void ThreadEngine::release_and_retake(Record& t, Reason why) {
  std::unique_lock lk(mu_);
  Record* wake = release_gil_locked(lk, t, why);
  take_gil_locked(lk, t, why, wake);
}

void ThreadEngine::on_eval_breaker(ThreadState& ts) {
  Record& t = record_of(ts);
  if (stopping_.load()) throw StopRun{};
  {
    std::unique_lock lk(mu_);
    ts.eval_breaker.store(0, std::memory_order_relaxed);
    Gil& g = *gils_[static_cast<size_t>(t.gil)];
    if (!(g.state.drop_request && g.state.holder == t.id)) return;
  }
  release_and_retake(t, Reason::DropRequest);
}

// Python 2's check interval: release, then re-acquire at once, no hand-off. With nobody waiting
// the pair changes nothing anyone could observe, so it is skipped (and not recorded).
void ThreadEngine::on_tick(ThreadState& ts) {
  Record& t = record_of(ts);
  Gil& g = *t.lock;  // not gils_[...]: that vector may grow under mu_ while we read
  ts.ticker = g.policy->check_interval();
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

void ThreadEngine::sleep_until(Record& t, Nanos deadline) {
  std::unique_lock lk(mu_);
  while (!stopping_.load() && now() < deadline)
    t.cv.wait_until(lk, start_ + std::chrono::nanoseconds(deadline));
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

void ThreadEngine::write_output(ThreadState&, std::string_view text) {
  std::lock_guard g(out_mu_);
  if (options_.out)
    std::fwrite(text.data(), 1, text.size(), options_.out);
  else
    captured_out_ += text;
}

// ---------------------------------------------------------------------------------------------
// spawn, spawn_process, join
// ---------------------------------------------------------------------------------------------

Value ThreadEngine::spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) {
  Record& parent = record_of(ts);
  std::unique_lock lk(mu_);
  if (stopping_.load()) throw StopRun{};
  const std::string& fname = fn.as<FunctionObj>()->code->name;
  if (!process) {
    // Python 3.10+ names threads "Thread-N (target)", counting per process.
    int n = ++gils_[static_cast<size_t>(parent.gil)]->threads_named;
    std::string name = fmt::format("Thread-{} ({})", n, fname);
    std::string label =
        parent.gil == 0 ? name : gils_[static_cast<size_t>(parent.gil)]->process + "/" + name;
    Record& t = add_thread(lk, parent.interp, parent.gil, name, label, parent.id);
    Value handle = Value::adopt(new ThreadObj(t.id, name, false));
    start_thread(t, fn, std::move(args));
    return handle;
  }
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
  auto g = std::make_unique<Gil>();
  g->process = fmt::format("Process-{}", gils_.size());
  g->policy = make_policy(options_.policy, options_.params);
  int gil = static_cast<int>(gils_.size());
  std::string process_name = g->process;
  gils_.push_back(std::move(g));
  Record& t = add_thread(lk, child, gil, "MainThread", process_name, parent.id);
  Value handle = Value::adopt(new ThreadObj(t.id, process_name, true));
  start_thread(t, fn, std::move(args));
  return handle;
}

void ThreadEngine::join(ThreadState& ts, const Value& thread) {
  Record& t = record_of(ts);
  int target = thread.as<ThreadObj>()->thread_id;
  if (target == t.id) raise("RuntimeError", "cannot join current thread");
  {
    // What it waits for is set before the GIL goes, so a deadlock check in between knows it.
    std::lock_guard lk(mu_);
    if (threads_[static_cast<size_t>(target)]->done) return;
    t.blocked_reason = Reason::Join;
    t.blocked_on_thread = target;
  }
  release_gil(t, Reason::Join);
  {
    std::unique_lock lk(mu_);
    Record& other = *threads_[static_cast<size_t>(target)];
    try {
      block_until(lk, t, [&] { return other.done; });
    } catch (const StopRun&) {
      t.blocked_on_thread = -1;
      throw;
    }
    t.blocked_on_thread = -1;
  }
  take_gil(t, Reason::Join);
}

// ---------------------------------------------------------------------------------------------
// Lock and Queue
// ---------------------------------------------------------------------------------------------

void ThreadEngine::block_until(std::unique_lock<std::mutex>& lk, Record& t,
                               const std::function<bool()>& ready) {
  // Once the wait is over the thread is on its way to request the GIL: no longer blocked, even
  // before it has asked, so a deadlock check in between cannot count it as stuck.
  if (ready()) {
    t.state = ThreadStateKind::Waiting;
    return;
  }
  t.state = ThreadStateKind::Blocked;
  std::int64_t object = t.blocked_on ? (t.blocked_on->type == ObjType::Lock
                                            ? static_cast<const LockObj*>(t.blocked_on)->id
                                            : static_cast<const QueueObj*>(t.blocked_on)->id)
                                     : t.blocked_on_thread;
  emit(t, EventKind::BlockBegin, t.blocked_reason, object);
  check_deadlock();
  while (!ready()) {
    if (stopping_.load()) {
      t.blocked_on = nullptr;
      throw StopRun{};
    }
    t.cv.wait(lk);
  }
  t.state = ThreadStateKind::Waiting;
  emit(t, EventKind::BlockEnd, t.blocked_reason, object);
}

Value ThreadEngine::make_lock(ThreadState&) {
  std::lock_guard lk(mu_);
  return Value::adopt(new LockObj(next_object_id_++));
}

bool ThreadEngine::lock_acquire(ThreadState& ts, const Value& lock, bool blocking) {
  Record& t = record_of(ts);
  auto* l = lock.as<LockObj>();
  {
    std::lock_guard lk(mu_);
    if (l->owner < 0) {
      l->owner = t.id;
      emit(t, EventKind::LockAcquired, Reason::Lock, l->id);
      return true;
    }
    if (!blocking) return false;
    // A Lock is not reentrant: acquiring it again, even by its owner, waits (forever, in Python;
    // here until the deadlock detector sees it). Queue up before the GIL goes, so a deadlock
    // check in between knows what this thread waits for.
    l->waiters.push_back(t.id);
    t.blocked_reason = Reason::Lock;
    t.blocked_on = l;
  }
  // acquire() with the GIL failed: release the GIL and block, as lock_PyThread_acquire_lock does.
  release_gil(t, Reason::Lock);
  {
    std::unique_lock lk(mu_);
    auto leave = [&] {
      l->waiters.erase(std::remove(l->waiters.begin(), l->waiters.end(), t.id), l->waiters.end());
      t.blocked_on = nullptr;
    };
    try {
      block_until(lk, t, [&] { return l->owner < 0; });
    } catch (const StopRun&) {
      leave();
      throw;
    }
    leave();
    l->owner = t.id;
    emit(t, EventKind::LockAcquired, Reason::Lock, l->id);
  }
  take_gil(t, Reason::Lock);
  return true;
}

void ThreadEngine::lock_release(ThreadState& ts, const Value& lock) {
  Record& t = record_of(ts);
  auto* l = lock.as<LockObj>();
  std::lock_guard lk(mu_);
  if (l->owner < 0) raise("RuntimeError", "release unlocked lock");
  emit(t, EventKind::LockReleased, Reason::Lock, l->id);
  // Free it and wake the longest waiter, which takes it if it is still free when it runs: a
  // running thread may take it first (barging), as with CPython's semaphore-based lock. Handing
  // it over instead would make every acquisition wait for a wake-up: a lock convoy.
  l->owner = -1;
  if (!l->waiters.empty()) notify(l->waiters.front());
}

Value ThreadEngine::make_queue(ThreadState&) {
  std::lock_guard lk(mu_);
  return Value::adopt(new QueueObj(next_object_id_++));
}

void ThreadEngine::queue_put(ThreadState& ts, const Value& queue, Value item) {
  Record& t = record_of(ts);
  auto* q = queue.as<QueueObj>();
  std::lock_guard lk(mu_);
  q->items.push_back(std::move(item));
  q->item_gils.push_back(t.gil);
  emit(t, EventKind::QueuePut, Reason::Queue, q->id);
  if (!q->waiters.empty()) notify(q->waiters.front());
}

Value ThreadEngine::queue_get(ThreadState& ts, const Value& queue) {
  Record& t = record_of(ts);
  auto* q = queue.as<QueueObj>();
  auto pop = [&]() {
    Value v = std::move(q->items.front());
    int from = q->item_gils.front();
    q->items.pop_front();
    q->item_gils.pop_front();
    // Between processes an item travels by copy, as multiprocessing pickles it; within one
    // process the getter receives the very object, as with queue.Queue.
    if (from != t.gil) {
      std::unordered_map<const Obj*, Value> copied;
      v = copy_for_process(v, copied);
    }
    emit(t, EventKind::QueueGet, Reason::Queue, q->id);
    return v;
  };
  {
    std::lock_guard lk(mu_);
    if (!q->items.empty()) return pop();
    q->waiters.push_back(t.id);
    t.blocked_reason = Reason::Queue;
    t.blocked_on = q;
  }
  release_gil(t, Reason::Queue);
  Value item;
  {
    std::unique_lock lk(mu_);
    auto leave = [&] {
      q->waiters.erase(std::remove(q->waiters.begin(), q->waiters.end(), t.id), q->waiters.end());
      t.blocked_on = nullptr;
    };
    try {
      block_until(lk, t, [&] { return !q->items.empty(); });
    } catch (const StopRun&) {
      leave();
      throw;
    }
    leave();
    item = pop();
    // Another getter may be waiting for the next item.
    if (!q->items.empty() && !q->waiters.empty()) notify(q->waiters.front());
  }
  take_gil(t, Reason::Queue);
  return item;
}

bool ThreadEngine::queue_empty(ThreadState&, const Value& queue) {
  std::lock_guard lk(mu_);
  return queue.as<QueueObj>()->items.empty();
}

// ---------------------------------------------------------------------------------------------
// Deadlocks and stopping
// ---------------------------------------------------------------------------------------------

// A blocked thread whose wait is already over (notified, not yet running) is not deadlocked.
bool ThreadEngine::can_proceed(const Record& t) const {
  if (t.blocked_on_thread >= 0) return threads_[static_cast<size_t>(t.blocked_on_thread)]->done;
  if (t.blocked_on && t.blocked_on->type == ObjType::Lock)
    return static_cast<const LockObj*>(t.blocked_on)->owner < 0;
  if (t.blocked_on && t.blocked_on->type == ObjType::Queue)
    return !static_cast<const QueueObj*>(t.blocked_on)->items.empty();
  return false;
}

// Called under mu_ whenever a thread blocks or finishes. A deadlock: every live thread is blocked
// on a Lock, a Queue or a join, so nothing can ever wake any of them.
void ThreadEngine::check_deadlock() {
  if (stopping_.load() || live_ == 0) return;
  for (auto& t : threads_)
    if (!t->done && (t->state != ThreadStateKind::Blocked || can_proceed(*t))) return;
  std::vector<BlockedThread> blocked;
  for (auto& t : threads_)
    blocked.push_back(BlockedThread{t->label, t->done, t->blocked_on_thread, t->blocked_on});
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
