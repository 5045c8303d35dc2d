// DirectHost: the simplest Host. One script thread, no GIL, blocking calls done inline.
//
// For the VM's own tests and for tools that only need the language (benchmarks of the eval loop).
// Threads need an engine from gil/: spawn() here raises a clear error instead.
#pragma once

#include <chrono>
#include <string>

#include "vm/host.h"

namespace gilsim {

class DirectHost final : public Host {
 public:
  DirectHost();
  const char* name() const override { return "direct"; }

  // Everything print() wrote, when capturing (the default); see also set_echo.
  const std::string& output() const { return output_; }
  // Write print() output straight to stdout instead of capturing it.
  void set_echo(bool echo) { echo_ = echo; }

  void on_eval_breaker(ThreadState& ts) override;
  void on_tick(ThreadState& ts) override;
  void block(ThreadState& ts, Blocking kind, double ms) override;
  double now_ms(ThreadState& ts) override;
  void write_output(ThreadState& ts, std::string_view text) override;
  Value spawn(ThreadState& ts, const Value& fn, std::vector<Value> args, bool process) override;
  void join(ThreadState& ts, const Value& thread) override;
  Value make_lock(ThreadState& ts) override;
  bool lock_acquire(ThreadState& ts, const Value& lock, bool blocking) override;
  void lock_release(ThreadState& ts, const Value& lock) override;
  Value make_queue(ThreadState& ts) override;
  void queue_put(ThreadState& ts, const Value& queue, Value item) override;
  Value queue_get(ThreadState& ts, const Value& queue) override;
  bool queue_empty(ThreadState& ts, const Value& queue) override;

 private:
  std::chrono::steady_clock::time_point start_;
  std::string output_;
  bool echo_ = false;
};

// Burns the calling OS thread's core for `ms` milliseconds (native and native_hold).
void burn_cpu(double ms);

}  // namespace gilsim
