// ThreadEngine: runs a script's threads on real OS threads, one simulated GIL per interpreter.
//
// Every script thread is a std::thread that must hold its interpreter's GIL to run bytecode. The
// engine implements the VM's Host interface: it is where threads wait (for the GIL, on a Lock, a
// Queue or a join, in simulated I/O), so it sees every wait and can detect deadlocks, stop a run on
// --timeout or Ctrl-C, and record every state change as an event.
//
// Concurrency: one engine mutex (mu_) guards the GIL states, the thread table, and the Lock and
// Queue objects' fields. Each thread sleeps on its own Parker (gil/engines/parker.h, a futex word).
// Nothing on the interpreter's hot path touches the mutex: the eval loop only polls its thread's
// eval_breaker (a relaxed atomic) at safe points, and the engine sets that word to get its
// attention.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gil/core/gil_core.h"
#include "gil/core/sync_core.h"
#include "gil/engines/engine.h"
#include "gil/record/annotations.h"
#include "gil/record/code_places.h"
#include "vm/thread_state.h"

namespace gilsim {

class ThreadEngine final : public Engine {
 public:
  explicit ThreadEngine(EngineOptions options);
  ~ThreadEngine() override;
  ThreadEngine(const ThreadEngine&) = delete;
  ThreadEngine& operator=(const ThreadEngine&) = delete;

  // Runs the program's module on the main script thread and waits for every thread to finish
  // (or for the run to be stopped). Call once.
  RunRecord run(std::shared_ptr<const Program> program) override;
  std::string captured_output() const override;
  std::string captured_errors() const override;

  const char* name() const override { return "threads"; }
  void on_eval_breaker(ThreadState& ts) override;
  void on_tick(ThreadState& ts) override;
  void enable_gil(ThreadState& ts) override;
  void block(ThreadState& ts, Blocking kind, double ms) override;
  double now_ms(ThreadState& ts) override;
  int thread_outcome(ThreadState& ts, const Value& thread) override;  // modules13
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

 private:
  struct Record;
  struct Gil;

  Nanos now() const;
  Record& record_of(ThreadState& ts) const { return *static_cast<Record*>(ts.host_data); }
  // The event recorded, or nullptr past --max-events.
  Event* emit(Record& t, EventKind kind, Reason reason = Reason::None, std::int64_t arg = 0,
              Nanos at = -1);
  // emit's second half, for an event already counted against --max-events (a staged one).
  Event* keep(Record& t, EventKind kind, Reason reason, std::int64_t arg, Nanos at);
  void emit_annotations(Record& t, const std::vector<AnnotationStep>& steps, Nanos at = -1);

  Record& add_thread(std::unique_lock<std::mutex>& lk, std::shared_ptr<Interp> interp, int gil,
                     std::string name, std::string label, int parent, bool daemon = false);
  void start_thread(Record& t, Value fn, std::vector<Value> args);
  void thread_main(Record& t, Value fn, std::vector<Value> args);
  void report_failure(Record& t, const ScriptFailure& f);
  // modules13: an uncaught SystemExit (gil/engines/system_exit.h): true when f is one.
  bool system_exit(Record& t, const ScriptFailure& f);
  void write_err(const std::string& text);
  void put_locked(bool to_err, std::string_view text);
  void write_stream(const Record& t, bool to_err, std::string_view text,
                    bool script_write = false);  // subproc13
  int exit_status_ = 0;                          // the main thread's sys.exit code; GUARDED_BY(mu_)

  // The GIL. take_gil may throw StopRun when the run is being stopped.
  void take_gil(Record& t, Reason why);
  void release_gil(Record& t, Reason why);
  void take_gil_locked(std::unique_lock<std::mutex>& lk, Record& t, Reason why,
                       Record* wake_first = nullptr);
  Record* release_gil_locked(std::unique_lock<std::mutex>& lk, Record& t, Reason why);
  void release_and_retake(Record& t, Reason why);
  void apply(Gil& g, Record& t, const GilStep& step, Nanos at);
  bool on_holders_cpu(const Gil& g) const;  // under mu_
  void notify(int thread);
  void hand_over(Record& t, Record* wake);  // with mu_ let go

  // Blocking on script objects: begin_blocking under mu_ with the GIL held, then finish_blocking
  // releases the GIL, waits, completes the wait (the Queue's item into `item`) and re-takes it.
  // False when a timed wait ran out first.
  void begin_blocking(Record& t, const Wait& w);
  bool finish_blocking(Record& t, Value* item = nullptr);
  void check_deadlock();                    // under mu_
  bool can_proceed(const Record& t) const;  // under mu_
  void stop(StopCause cause);               // under mu_
  void sleep_until(Record& t, Nanos deadline);
  void burn_cpu(Nanos duration);

  EngineOptions options_;
  std::shared_ptr<const Program> program_;
  std::chrono::steady_clock::time_point start_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Record>> threads_;  // GUARDED_BY(mu_); records never move
  std::vector<std::unique_ptr<Gil>> gils_;        // GUARDED_BY(mu_)
  int live_ = 0;                                  // threads not yet done; GUARDED_BY(mu_)
  int live_non_daemon_ = 0;  // of those, the ones that keep the run alive; GUARDED_BY(mu_)
  int next_object_id_ = 1;   // GUARDED_BY(mu_)
  std::condition_variable controller_cv_;  // the controller waits for live_ == 0
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> events_recorded_{0};
  CodePlaces places_;  // where the code was at each GIL event (its own mutex)
  Labels labels_;      // the annotations' labels (its own mutex)
  std::atomic<Nanos> truncated_at_{-1};
  StopCause stop_cause_ = StopCause::None;  // GUARDED_BY(mu_)
  Nanos gil_enabled_at_ = -1;               // GUARDED_BY(mu_): free-threaded's GIL turned on
  std::string deadlock_report_;             // GUARDED_BY(mu_)

  mutable std::mutex out_mu_;  // serializes print() lines and error reports
  std::string captured_out_, captured_err_;
};

}  // namespace gilsim
