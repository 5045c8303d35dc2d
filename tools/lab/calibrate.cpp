// What `gilsim calibrate` measures, and how each figure becomes a SimParams field:
//   wake_latency    a thread blocked on a condition variable, signalled from another core, until
//                   it runs (raw_handoff_us across two CPUs: the same yardstick as `gilsim bench`);
//   same_core_wake  the same with both threads pinned to one CPU;
//   signal_cost     the signaller's notify when a thread is blocked (a futex wake system call);
//   timer_slack     time.sleep(0) as CPython 3.11 does it (clock_nanosleep to an absolute deadline
//                   of now), less the wake-up the engine adds to every sleep on its own;
//   cost_scale      a real interpreter's time per iteration of `while i < n: i += 1` over the sim
//                   engine's virtual time for the same loop (the opcode cost table's scale).
// mutex_hold, time_slice, wakeup_granularity and jitter are not measured (the kernel scheduler's
// slices and the model's noise): the profile keeps the built-in values and says so.
#include "tools/lab/calibrate.h"

#include <fmt/format.h>
#include <sched.h>
#include <sys/utsname.h>
#include <time.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "tools/cli/machine_profile.h"
#include "tools/cli/run_options.h"
#include "tools/cli/script_loader.h"
#include "tools/lab/bench.h"
#include "tools/lab/external_run.h"

namespace gilsim {

namespace {

struct CalibrateOptions {
  std::string out = "gilsim-profile.json";
  std::string python = "python3";
  int rounds = 2000;
  std::string lock = "mutex";  // the runtime's GIL: "mutex" (+ condition variable) or "semaphore"
};

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return CPU_COUNT(&set);
}

// The first two CPUs this process may run on (the same one twice when there is only one).
std::pair<int, int> two_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(0, sizeof set, &set);
  int first = -1, second = -1;
  for (int c = 0; c < CPU_SETSIZE && second < 0; ++c)
    if (CPU_ISSET(c, &set)) (first < 0 ? first : second) = c;
  if (first < 0) first = 0;
  return {first, second < 0 ? first : second};
}

// µs the signaller spends in notify_one while the other thread is blocked in wait.
double signal_cost_us(int rounds, int cpu_a, int cpu_b) {
  std::mutex mu;
  std::condition_variable cv;
  int turn = 0;  // 1: the waiter may go on; 0: the signaller may signal again
  bool waiting = false;
  std::vector<double> samples;
  std::thread waiter([&] {
    pin_to(cpu_b);
    for (int i = 0; i < rounds; ++i) {
      std::unique_lock lk(mu);
      waiting = true;
      cv.wait(lk, [&] { return turn == 1; });
      waiting = false;
      turn = 0;
    }
  });
  // The signaller runs on a thread of its own, so pinning it leaves the caller as it was.
  std::thread signaller([&] {
    pin_to(cpu_a);
    for (int i = 0; i < rounds; ++i) {
      // Wait (spinning, off the lock) until the waiter is blocked, then time the notify alone.
      for (;;) {
        std::unique_lock lk(mu);
        if (waiting && turn == 0) {
          turn = 1;
          break;
        }
        lk.unlock();
        std::this_thread::yield();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // let it settle in the futex
      auto t0 = std::chrono::steady_clock::now();
      cv.notify_one();
      samples.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
  });
  signaller.join();
  waiter.join();
  return median(samples);
}

// µs of a sleep(0) as CPython 3.11's time.sleep does it on Linux.
double sleep0_us(int rounds) {
  std::vector<double> samples;
  for (int i = 0; i < rounds; ++i) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    auto t0 = std::chrono::steady_clock::now();
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, nullptr);
    samples.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  return median(samples);
}

const char* kLoop = R"(def count(n):
    i = 0
    while i < n:
        i += 1
)";

// ns per loop iteration in the sim engine's virtual time, at cost_scale 1.
double sim_ns_per_iteration(long n) {
  EngineOptions opt;
  opt.engine = "sim";
  opt.policy = "modern";
  opt.out = nullptr;
  opt.err = nullptr;
  auto engine = make_engine(opt);
  RunRecord r = engine->run(compile_text("<calibrate>", fmt::format("{}\ncount({})\n", kLoop, n)));
  return static_cast<double>(r.wall) / static_cast<double>(n);
}

// ns per loop iteration of a real interpreter (median of 3), or 0 when it cannot be run.
double real_ns_per_iteration(const std::string& python, long n) {
  std::string code = fmt::format(
      "{}\nimport time\ncount(1000)\nt0 = time.time()\ncount({})\n"
      "print(repr(time.time() - t0))\n",
      kLoop, n);
  std::vector<double> samples;
  for (int i = 0; i < 3; ++i) {
    ExternalRun r = run_program({python, "-c", code});
    if (r.exit_code != 0) return 0;
    try {
      samples.push_back(std::stod(r.output) * 1e9 / static_cast<double>(n));
    } catch (...) {
      return 0;
    }
  }
  return median(samples);
}

std::string machine_description() {
  utsname u{};
  uname(&u);
  std::string model;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return fmt::format("{}; {} CPUs usable; {} {} {}", model.empty() ? "unknown CPU" : model,
                     usable_cpus(), u.sysname, u.release, u.machine);
}

int run_calibrate(const CalibrateOptions& opt) {
  if (!can_write(opt.out)) return 2;
  SimParams sim;  // the built-in calibration: what is not measured stays as it is
  nlohmann::json notes = nlohmann::json::object();
  auto [a, b] = two_cpus();
  fmt::print("gilsim calibrate: measuring this machine (median of {} rounds each)\n", opt.rounds);
  auto row = [](const char* what, double value, const char* unit, const std::string& becomes) {
    fmt::print("  {:<44} {:>9.2f} {:<3} -> {}\n", what, value, unit, becomes);
  };
  if (a != b) {
    double cross = raw_handoff_us(opt.rounds, a, b);
    sim.wake_latency = static_cast<Nanos>(cross * 1000);
    row("condition-variable wake-up, across cores", cross, "us", "wake_latency");
  } else {
    notes["wake_latency_ns"] = "one CPU usable: kept the built-in value";
    fmt::print("  one CPU usable: the cross-core wake-up is not measured (built-in value kept)\n");
  }
  double same = raw_handoff_us(opt.rounds, a, a);
  sim.same_core_wake = static_cast<Nanos>(same * 1000);
  row("condition-variable wake-up, on one core", same, "us", "same_core_wake");
  double signal = signal_cost_us(std::max(100, opt.rounds / 4), a, b);
  sim.signal_cost = static_cast<Nanos>(signal * 1000);
  row("notify of a blocked thread (the signaller)", signal, "us", "signal_cost");
  double sleep0 = sleep0_us(opt.rounds);
  sim.timer_slack = std::max<Nanos>(0, static_cast<Nanos>(sleep0 * 1000) - sim.wake_latency);
  row("sleep(0) (clock_nanosleep to now)", sleep0, "us", "timer_slack = it - wake_latency");
  constexpr long kIterations = 3'000'000;
  double sim_ns = sim_ns_per_iteration(kIterations);
  auto python = find_program(opt.python);
  double real_ns = python ? real_ns_per_iteration(*python, kIterations) : 0;
  if (real_ns > 0 && sim_ns > 0) {
    sim.cost_scale = std::clamp(real_ns / sim_ns, 0.01, 100.0);
    row(fmt::format("{}: `i += 1` loop, ns per iteration", opt.python).c_str(), real_ns, "ns",
        fmt::format("cost_scale = {:.3f} (the sim's {:.1f} ns at 1.0)", sim.cost_scale, sim_ns));
    notes["cost_scale"] = fmt::format("{} ({} ns per loop iteration; the sim engine {:.1f} ns)",
                                      *python, real_ns, sim_ns);
  } else {
    notes["cost_scale"] = fmt::format("{} not found or failed: kept 1.0", opt.python);
    fmt::print("  {} not found or failed: cost_scale stays 1.0\n", opt.python);
  }
  if (opt.lock == "semaphore") {
    // CPython 2.7 on Linux: Python/thread_pthread.h defines USE_SEMAPHORES where sem_timedwait
    // exists, and the GIL is a bare POSIX semaphore: a woken waiter that finds it taken holds no
    // mutex the holder could then have to sleep on (on macOS, without it, a mutex and a condition
    // variable: the 2010 figures).
    sim.mutex_hold = 0;
    notes["mutex_hold_ns"] =
        "--lock semaphore: the GIL has no mutex of its own (Python 2.7 on Linux)";
  } else {
    notes["mutex_hold_ns"] = "not measured: the built-in value";
  }
  for (const char* k : {"time_slice_ns", "wakeup_granularity_ns", "jitter"})
    notes[k] = "not measured: the built-in value";
  nlohmann::json doc = machine_profile_json(sim, machine_description(), notes);
  if (!write_file(opt.out, [&](std::ostream& o) { o << doc.dump(2) << "\n"; })) return 1;
  fmt::print("wrote {}: use it with `gilsim run SCRIPT --engine sim --profile {}`\n", opt.out,
             opt.out);
  return 0;
}

}  // namespace

CLI::App* add_calibrate_command(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand(
      "calibrate",
      "Measure this machine (wake-ups, signal cost, sleep(0), a real interpreter's speed) and "
      "write a profile for the sim engine's --profile (docs/fidelity.md)");
  auto opt = std::make_shared<CalibrateOptions>();
  cmd->add_option("-o,--out", opt->out, "The profile to write")->capture_default_str();
  cmd->add_option("--python", opt->python,
                  "The interpreter whose speed sets cost_scale (e.g. python2.7 for legacy)")
      ->capture_default_str();
  cmd->add_option("--lock", opt->lock,
                  "The runtime's GIL: mutex (a mutex + condition variable: CPython 3, Python 2 on "
                  "macOS) or semaphore (Python 2.7 on Linux)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mutex", "semaphore"}));
  cmd->add_option("--rounds", opt->rounds, "Rounds per latency figure (median)")
      ->capture_default_str()
      ->check(CLI::Range(10, 1000000));
  run = [opt] { return run_calibrate(*opt); };
  return cmd;
}

}  // namespace gilsim
