// Host: the narrow interface through which the VM asks for everything that involves time, other
// threads or the GIL.
//
// The VM never waits, sleeps, locks a GIL or starts an OS thread itself: it calls its Host. The
// engines in gil/ implement this interface (on OS threads, or in virtual time), which keeps the
// arrows one way (tools -> gil -> vm) and puts every wait where the engine can see it: that is
// what makes deadlock detection and a deterministic engine possible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vm/value.h"

namespace gilsim {

class ThreadState;

// The ways a builtin can take time with or without the GIL.
enum class Blocking {
  Io,          // io(ms): blocking I/O, GIL released
  Sleep,       // sleep(ms): the same, named as a sleep
  Native,      // native(ms): extension code that releases the GIL and burns a core
  NativeHold,  // native_hold(ms): extension code that keeps the GIL while it burns a core
};

// gilsim.mark / span / counter: what an annotation is (gil/record/annotations.h records them).
enum class Annotation { Mark, SpanBegin, SpanEnd, Counter };

// subproc13: where a child script's stdout or stderr goes: subprocess's None (the parent's
// stream, inherited), PIPE (captured for communicate()), DEVNULL, STDOUT (stderr only: into
// the child's stdout).
enum class StreamMode { Inherit, Pipe, Devnull, Stdout };

// subproc13: what a child script wrote to its captured streams.
struct ScriptOutput {
  std::string out, err;
};

class Host {
 public:
  virtual ~Host() = default;
  virtual const char* name() const = 0;

  // True for a host that never blocks a script thread's OS thread but suspends it instead
  // (ThreadState::suspend: the sim engine). Such a thread cannot wait inside a nested eval run
  // (a script function called by a builtin: map, sorted's key=): see call_nested().
  virtual bool suspends_threads() const { return false; }

  // The thread found its eval breaker set at a safe point (back edge, call, function entry).
  // The host may drop and re-take the GIL here. Called with the GIL held.
  virtual void on_eval_breaker(ThreadState& ts) = 0;

  // The legacy policy's countdown reached zero (see ThreadState::ticker).
  virtual void on_tick(ThreadState& ts) = 0;

  // io, sleep, native, native_hold.
  virtual void block(ThreadState& ts, Blocking kind, double ms) = 0;

  // Monotonic milliseconds since the run started, as now_ms() returns it.
  virtual double now_ms(ThreadState& ts) = 0;

  // os.cpu_count(): the cores the engine runs on (stdlib2).
  virtual int cpu_count() const;

  // The seed of an unseeded random.Random (modules13): the run's --seed where the engine has
  // one, so that a run repeats; 1 elsewhere.
  virtual std::uint64_t random_seed() const { return 1; }

  // time.thread_time() / process_time() (modules13): the CPU time, in ms, of the calling thread
  // or of its whole interpreter (its threads' running and native time). The default reads the
  // OS's clocks (the threads engine: script threads are OS threads; a process is the gilsim
  // process); the sim engine answers in virtual time.
  virtual double cpu_time_ms(ThreadState& ts, bool whole_process);

  // multiprocessing's Process.exitcode and timed joins (modules13): -1 while `thread` (a spawn
  // or spawn_process handle) runs, 0 once it finished, 1 if it died of an uncaught exception;
  // a child script's (run_script) exit status once it finished.
  virtual int thread_outcome(ThreadState& ts, const Value& thread);

  // Writes one complete piece of output (print's line) so lines from threads never interleave.
  virtual void write_output(ThreadState& ts, std::string_view text) = 0;
  // subproc13: the same for sys.stderr (and tracebacks): a child script's stderr may be captured.
  virtual void write_error(ThreadState& ts, std::string_view text);
  // print(..., flush=True) and sys.stdout.flush(): what the run wrote to its stdout leaves now, not
  // when the run ends (a file or a pipe is block-buffered). Captured output has nothing to flush.
  virtual void flush_output(ThreadState&) {}

  // spawn(f, *args) and spawn_process(f, *args): start a script thread, return its handle.
  virtual Value spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) = 0;

  // _thread._start(fn, name, daemon): a thread with its Python name (its track in every output is
  // named after it). A daemon thread does not keep the run alive: once every non-daemon thread
  // has finished, the engine stops the daemon ones at their next safe point or wait, as CPython
  // abandons them at exit. Hosts without threads fall back on spawn().
  virtual Value spawn_thread(ThreadState& ts, const Value& fn, std::vector<Value> args,
                             const std::string& name, bool daemon) {
    (void)name, (void)daemon;
    return spawn(ts, fn, std::move(args), false);
  }

  // subproc13: subprocess's child, [sys.executable, path, arg...]: the script at `path` (opened
  // as python3 opens it, relative to the working directory) compiled and run as a new process
  // with its own interpreter and GIL, its sys.argv `argv`, its streams as `out` and `err` say.
  // Returns its handle, which joins as a process does; thread_outcome gives its exit status (the
  // SystemExit code, 1 after an uncaught exception or a syntax error, 2 for a file python3 could
  // not open, with python3's message on its stderr). The default refuses: a host without
  // processes.
  virtual Value run_script(ThreadState& ts, const std::string& path, std::vector<std::string> argv,
                           StreamMode out, StreamMode err);
  // What the finished child script `process` wrote to its captured (Pipe) streams.
  virtual ScriptOutput script_output(ThreadState& ts, const Value& process);

  // t.join(), Lock().acquire()/release(), Queue().put()/get(): the simulation objects' operations.
  virtual void join(ThreadState& ts, const Value& thread) = 0;
  virtual Value make_lock(ThreadState& ts) = 0;
  virtual bool lock_acquire(ThreadState& ts, const Value& lock, bool blocking) = 0;
  virtual void lock_release(ThreadState& ts, const Value& lock) = 0;
  virtual Value make_queue(ThreadState& ts) = 0;
  virtual void queue_put(ThreadState& ts, const Value& queue, Value item) = 0;
  virtual Value queue_get(ThreadState& ts, const Value& queue) = 0;
  virtual bool queue_empty(ThreadState& ts, const Value& queue) = 0;

  // Timed waits (Lock.acquire(timeout=), join(timeout=)): the engine wakes the thread at its
  // deadline (virtual time on the sim engine), so the wait is `blocked` throughout and never part
  // of a deadlock. True if the lock was taken or the thread finished in time. timeout_ms < 0: no
  // timeout; 0: do not wait. The fallbacks here are for hosts with one thread, where nobody else
  // can end the wait.
  virtual bool lock_acquire_timed(ThreadState& ts, const Value& lock, double timeout_ms) {
    if (lock_acquire(ts, lock, false)) return true;
    if (timeout_ms < 0) return lock_acquire(ts, lock, true);
    if (timeout_ms > 0) block(ts, Blocking::Sleep, timeout_ms);
    return lock_acquire(ts, lock, false);
  }
  virtual bool join_timed(ThreadState& ts, const Value& thread, double timeout_ms) {
    (void)timeout_ms;
    join(ts, thread);
    return true;
  }

  // sys.getswitchinterval() / setswitchinterval(s): the calling interpreter's GIL policy's switch
  // interval, in seconds. A new value holds from the next wait for the GIL, as in CPython.
  virtual double switch_interval(ThreadState& ts) {
    (void)ts;
    return switch_interval_s_;
  }
  virtual void set_switch_interval(ThreadState& ts, double seconds) {
    (void)ts;
    switch_interval_s_ = seconds;
  }

  // gilsim.import_extension(): an extension without Py_mod_gil is loaded. Under a policy that
  // can turn its GIL on (free-threaded) the engine stops the world and turns it on; the thread
  // returns holding it. Elsewhere nothing happens.
  virtual void enable_gil(ThreadState& ts) { (void)ts; }

  // gilsim.mark(label), span(label) entered / exited, counter(label, value): recorded as events
  // on the calling thread at its time (virtual on the sim engine). No change to the GIL or the
  // thread's state: an annotation is a note on the record. Hosts without a record ignore them.
  virtual void annotate(ThreadState& ts, Annotation kind, std::string_view label, double value) {
    (void)ts, (void)kind, (void)label, (void)value;
  }

 private:
  double switch_interval_s_ = 0.005;  // hosts without a GIL only store it, as CPython does
};

}  // namespace gilsim
