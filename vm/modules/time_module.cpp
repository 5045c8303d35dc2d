// The time module. Every clock reads the engine's clock (Host::now_ms): the real one on the threads
// engine, virtual time on the sim engine, so a run on the sim engine prints the same times every
// time. time.time() is 2026-01-01T00:00:00Z plus the run's time, on both engines, so that it too
// repeats (docs/stdlib.md §6). sleep() is a blocking sleep with the GIL released (the state
// `io`), and sleep(0) releases the GIL and asks for it again, as CPython's does.
// process_time and thread_time are the engine's CPU times (Host::cpu_time_ms): on the sim engine
// the virtual time the thread (or every thread of its interpreter) spent on a core.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "vm/errors.h"
#include "vm/host.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

constexpr double kEpochS = 1767225600.0;  // 2026-01-01T00:00:00Z

double now_s(ThreadState& ts) { return ts.interp.host().now_ms(ts) / 1000.0; }

std::int64_t ns_of(double seconds) {
  return static_cast<std::int64_t>(std::llround(seconds * 1e9));
}

Value t_sleep(ThreadState& ts, Value* args, int) {
  const Value& v = args[0];
  if (!v.is_number())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(v)));
  double s = v.to_double();
  if (std::isnan(s)) raise("ValueError", "Invalid value NaN (not a number)");
  if (s < 0) raise("ValueError", "sleep length must be non-negative");
  if (std::isinf(s) || s > 9.2e9)
    raise("OverflowError", "timestamp out of range for platform time_t");
  ts.interp.host().block(ts, Blocking::Sleep, s * 1000.0);
  return Value::none();
}

Value t_perf_counter(ThreadState& ts, Value*, int) { return Value::floating(now_s(ts)); }
Value t_perf_counter_ns(ThreadState& ts, Value*, int) { return Value::integer(ns_of(now_s(ts))); }
Value t_time(ThreadState& ts, Value*, int) { return Value::floating(kEpochS + now_s(ts)); }
Value t_time_ns(ThreadState& ts, Value*, int) {
  return Value::integer(ns_of(kEpochS) + ns_of(now_s(ts)));
}

Value cpu_s(ThreadState& ts, bool whole_process) {
  return Value::floating(ts.interp.host().cpu_time_ms(ts, whole_process) / 1000.0);
}
Value t_process_time(ThreadState& ts, Value*, int) { return cpu_s(ts, true); }
Value t_thread_time(ThreadState& ts, Value*, int) { return cpu_s(ts, false); }
Value t_process_time_ns(ThreadState& ts, Value*, int) {
  return Value::integer(ns_of(cpu_s(ts, true).as_float()));
}
Value t_thread_time_ns(ThreadState& ts, Value*, int) {
  return Value::integer(ns_of(cpu_s(ts, false).as_float()));
}

const NativeDef d_sleep{"sleep", t_sleep, 1, 1, false};
const NativeDef d_perf_counter{"perf_counter", t_perf_counter, 0, 0, false};
const NativeDef d_perf_counter_ns{"perf_counter_ns", t_perf_counter_ns, 0, 0, false};
// monotonic and perf_counter are one clock here, as on Linux CPython (both CLOCK_MONOTONIC).
const NativeDef d_monotonic{"monotonic", t_perf_counter, 0, 0, false};
const NativeDef d_monotonic_ns{"monotonic_ns", t_perf_counter_ns, 0, 0, false};
const NativeDef d_time{"time", t_time, 0, 0, false};
const NativeDef d_time_ns{"time_ns", t_time_ns, 0, 0, false};
const NativeDef d_process_time{"process_time", t_process_time, 0, 0, false};
const NativeDef d_process_time_ns{"process_time_ns", t_process_time_ns, 0, 0, false};
const NativeDef d_thread_time{"thread_time", t_thread_time, 0, 0, false};
const NativeDef d_thread_time_ns{"thread_time_ns", t_thread_time_ns, 0, 0, false};

}  // namespace

const NativeModule& time_module() {
  static const NativeModule m{
      "time",
      {&d_sleep, &d_perf_counter, &d_perf_counter_ns, &d_monotonic, &d_monotonic_ns, &d_time,
       &d_time_ns, &d_process_time, &d_process_time_ns, &d_thread_time, &d_thread_time_ns},
      {}};
  return m;
}

}  // namespace gilsim
