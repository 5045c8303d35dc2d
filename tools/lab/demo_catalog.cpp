#include "tools/lab/demo_catalog.h"

#include <fmt/format.h>

#include <optional>

#include "tools/lab/printed_numbers.h"

namespace gilsim {

namespace {

// "1.02x" from two printed times, "?" when either is missing.
std::string time_ratio(std::optional<double> num, std::optional<double> den) {
  if (!num || !den || *den <= 0) return "?";
  return fmt::format("{:.2f}x", *num / *den);
}

// "threads 2: elapsed 0.61 s, speedup 1.02" lines of cpu_bound, processes, native_*.
std::optional<double> elapsed(const std::string& out, const std::string& line) {
  return number_after(out, line, "elapsed");
}
std::optional<double> speedup(const std::string& out, const std::string& line) {
  return number_after(out, line, "speedup");
}

// A number the design predicts a range for. On real threads a busy or small machine can push a
// run off it; the demo then says so instead of letting its explanation contradict its numbers.
struct Expected {
  const char* what;
  std::optional<double> got;
  double low, high;
};

std::string off_expectation(std::initializer_list<Expected> expected) {
  std::string off;
  for (const auto& e : expected) {
    if (e.got && *e.got >= e.low && *e.got <= e.high) continue;
    off += fmt::format("{}{} {} (expected {:g} to {:g})", off.empty() ? "" : "; ", e.what,
                       show(e.got), e.low, e.high);
  }
  if (off.empty()) return "";
  return "\nNote: this run is off what the design predicts: " + off +
         ".\nOn real threads a busy machine (or one with fewer cores) does that: run it again, or "
         "use --engine sim --cores 2 for numbers that do not depend on the machine.";
}

std::string notice_processes(const std::vector<DemoResult>& r) {
  const std::string& out = r[0].output;
  return fmt::format(
             "2 threads took {} the time of 1 (speedup {}): one GIL lets one thread run bytecode "
             "at a "
             "time, so the second core idles.\n"
             "2 processes: speedup {}: each process has its own interpreter and its own GIL, so "
             "both "
             "cores compute.\n"
             "(CPython 3.11 on a 2-core machine: threads 1.00x the time, 2 processes 0.52x.)",
             time_ratio(elapsed(out, "threads 2:"), elapsed(out, "threads 1:")),
             show(speedup(out, "threads 2:")), show(speedup(out, "processes 2:"))) +
         off_expectation({{"2 threads' speedup", speedup(out, "threads 2:"), 0.8, 1.25},
                          {"2 processes' speedup", speedup(out, "processes 2:"), 1.5, 2.3}});
}

std::string notice_cpu_vs_io(const std::vector<DemoResult>& r) {
  const std::string& out = r[0].output;
  return fmt::format(
             "CPU-bound: the pool gave a speedup of {}: counting needs the GIL all the time, and "
             "only "
             "one thread holds it.\n"
             "I/O-bound: the pool gave a speedup of {}: a thread waiting on I/O releases the GIL, "
             "so "
             "the waits overlap (about the pool size, 4).\n"
             "The summary tables show it: in the CPU part the pool's threads spend their time in "
             "`wait "
             "s` (for the GIL), in the I/O part in `io s`.",
             show(speedup(out, "CPU-bound:")), show(speedup(out, "I/O-bound:"))) +
         off_expectation({{"CPU-bound speedup", speedup(out, "CPU-bound:"), 0.8, 1.25},
                          {"I/O-bound speedup", speedup(out, "I/O-bound:"), 3.0, 4.2}});
}

std::string notice_seed(const std::vector<DemoResult>& r) {
  const std::string& out = r[0].output;
  auto count = number_after(out, "both single_threaded", "count:");
  return fmt::format(
             "{} requests took {} s one after the other ({} x 35 ms) and {} s on a pool of 8 "
             "threads: "
             "a speedup of {}, about the pool size, although only one thread runs Python at a "
             "time: "
             "a thread waiting for a reply holds no GIL.\n"
             "(The blog post, with real HTTP requests: 4.65 s and 1.05 s; CPython 3.11 with sleeps "
             "on "
             "this machine: 4.46 s and 0.56 s, 7.9x.)",
             show(count, 0), show(number_after(out, "single_threaded time(sec):", ":"), 3),
             show(count, 0), show(number_after(out, "multi_threaded time(sec):", ":"), 3),
             show(number_after(out, "speedup:", "speedup:"))) +
         off_expectation({{"speedup", number_after(out, "speedup:", "speedup:"), 6.0, 8.2}});
}

std::string notice_race(const std::vector<DemoResult>& r) {
  auto lost = [](const std::string& out, const std::string& line) {
    return show(number_after(out, line, "lost"), 0);
  };
  const std::string& modern = r[0].output;
  const std::string& none = r[1].output;
  return fmt::format(
             "modern (CPython 3.10+): `counter = counter + one()` lost {} updates: the call is a "
             "point "
             "where the holder may be made to drop the GIL, between the load and the store. "
             "`counter += 1` lost {}: it has no such point inside, an accident of where the "
             "interpreter checks, not a guarantee (CPython 3.9 and older checked almost "
             "everywhere, and "
             "lost updates there).\n"
             "none (free-threaded): `counter += 1` lost {}: the threads really ran at once.\n"
             "With a Lock: lost {} (modern) and {} (none): the fix works under every policy.",
             lost(modern, "counter = counter"), lost(modern, "counter += 1:"),
             lost(none, "counter += 1:"), lost(modern, "with lock:"), lost(none, "with lock:")) +
         off_expectation({{"updates lost under the Lock (modern)",
                           number_after(modern, "with lock:", "lost"), 0, 0},
                          {"updates lost under the Lock (none)",
                           number_after(none, "with lock:", "lost"), 0, 0}});
}

std::string notice_convoy(const std::vector<DemoResult>& r) {
  auto per_op = [](const std::string& out, const std::string& line) {
    return show(number_after(out, line, "ms per op"), 3);
  };
  const std::string& modern = r[0].output;
  const std::string& prio = r[1].output;
  return fmt::format(
             "modern: an I/O op took {} ms next to a CPU-bound thread against {} ms alone ({}x "
             "slower): back from I/O, the thread waits a whole switch interval (5 ms) before it "
             "even "
             "asks the CPU-bound thread to drop the GIL. That is the convoy effect.\n"
             "io-priority (the fix proposed in bpo-7946): {} ms per op ({}x slower): a thread back "
             "from I/O takes the GIL at once.\n"
             "(CPython 3.11 on this machine: 42x slower; reference table A3: 69x with sleep(0).)",
             per_op(modern, "with"), per_op(modern, "alone:"),
             show(number_after(modern, "slowdown:", "slowdown:"), 1), per_op(prio, "with"),
             show(number_after(prio, "slowdown:", "slowdown:"), 1)) +
         off_expectation(
             {{"modern's slowdown", number_after(modern, "slowdown:", "slowdown:"), 10, 1e6},
              {"io-priority's slowdown", number_after(prio, "slowdown:", "slowdown:"), 0, 5}});
}

// old-vs-new and free-threading: cpu_bound.py under two policies, 1 thread then 2.
std::string two_threads(const DemoResult& r, const std::string& policy) {
  const std::string& out = r.output;
  return fmt::format(
      "{}: 2 threads took {} the time of 1 (speedup {}); {} GIL acquisitions, {} hand-offs "
      "between threads",
      policy, time_ratio(elapsed(out, "threads 2:"), elapsed(out, "threads 1:")),
      show(speedup(out, "threads 2:")), r.metrics.gil.acquisitions, r.metrics.gil.switches);
}

std::string notice_old_vs_new(const std::vector<DemoResult>& r) {
  return fmt::format(
             "{}.\n{}.\n"
             "legacy (Python <= 3.1) releases the GIL every 100 ticks and grabs it straight back: "
             "on a "
             "multicore machine the waiting thread, woken on another core, mostly finds it taken "
             "again "
             "(the 'GIL battle' David Beazley measured): many acquisitions, and 2 threads can be "
             "slower "
             "than 1. modern (3.2+) hands the GIL over once per 5 ms switch interval: few "
             "hand-offs, "
             "about 1.0x.",
             two_threads(r[0], "legacy"), two_threads(r[1], "modern")) +
         off_expectation({{"modern's speedup", speedup(r[1].output, "threads 2:"), 0.8, 1.25}});
}

std::string notice_free_threading(const std::vector<DemoResult>& r) {
  return fmt::format(
             "{}.\n{}.\n"
             "With a GIL, 2 CPU-bound threads take as long as 1. Without one (free-threaded "
             "CPython, "
             "PEP 703, 3.13t+) they run on both cores: about 2x on 2 cores. The price: shared data "
             "needs its own locks (see `gilsim demo race`).",
             two_threads(r[0], "modern"), two_threads(r[1], "none")) +
         off_expectation({{"modern's speedup", speedup(r[0].output, "threads 2:"), 0.8, 1.25},
                          {"none's speedup", speedup(r[1].output, "threads 2:"), 1.5, 2.3}});
}

std::string notice_extension(const std::vector<DemoResult>& r) {
  const std::string& release = r[0].output;
  const std::string& hold = r[1].output;
  return fmt::format(
             "native_release: 2 threads took {} the time of 1 (speedup {}): the extension drops "
             "the "
             "GIL around its work (Py_BEGIN_ALLOW_THREADS, as hashlib, zlib, numpy do), so the "
             "calls "
             "run on both cores.\n"
             "native_hold: 2 threads took {} the time of 1 (speedup {}): the extension keeps the "
             "GIL, "
             "and nothing can interrupt C code, so the calls run one at a time; see the `wait s` "
             "column.",
             time_ratio(elapsed(release, "threads 2:"), elapsed(release, "threads 1:")),
             show(speedup(release, "threads 2:")),
             time_ratio(elapsed(hold, "threads 2:"), elapsed(hold, "threads 1:")),
             show(speedup(hold, "threads 2:"))) +
         off_expectation({{"native_release's speedup", speedup(release, "threads 2:"), 1.5, 2.3},
                          {"native_hold's speedup", speedup(hold, "threads 2:"), 0.8, 1.25}});
}

}  // namespace

const std::vector<Demo>& demo_catalog() {
  static const std::vector<Demo> demos = {
      {"processes",
       "processes vs threads: one GIL per process",
       "The same CPU-bound count done by 1 thread, 2 threads, 1 process and 2 processes "
       "(spawn_process, like multiprocessing). Watch the speedups of 2 threads and of 2 "
       "processes.",
       {{"modern", "workloads/processes.py", "modern", {"n=40000000"}, {"n=4000000"}}},
       notice_processes},
      {"cpu-vs-io",
       "CPU vs I/O: threads help I/O-bound work only",
       "The same work on one thread and on a pool of 4: first counting (CPU-bound), then 40 "
       "waits of 25 ms (I/O-bound). Watch the two speedups.",
       {{"modern", "workloads/cpu_vs_io.py", "modern", {"threads=4"}, {"n=2000000", "waits=8"}}},
       notice_cpu_vs_io},
      {"seed",
       "the seed experiment: 127 requests of 35 ms, one thread vs a pool of 8",
       "The experiment of the blog post 'Multithreading in Python': 127 blocking requests of "
       "35 ms, made one after the other, then by a pool of 8 threads pulling from a Queue.",
       {{"modern", "workloads/io_bound.py", "modern", {}, {"requests=32"}}},
       notice_seed},
      {"race",
       "lost updates with x += 1, and the fix with a Lock",
       "2 threads each add 1 to a shared counter 400,000 times, three ways: `counter = counter "
       "+ one()`, `counter += 1`, and `counter += 1` under a Lock; first with today's GIL "
       "(modern), then with none (free-threaded). Watch `lost`.",
       {{"modern", "workloads/race_counter.py", "modern", {"threads=2", "n=400000"}, {}},
        {"none", "workloads/race_counter.py", "none", {"threads=2", "n=400000"}, {}}},
       notice_race},
      {"convoy",
       "the convoy effect: an I/O thread next to a CPU-bound one",
       "A thread doing short I/O round trips (0.04 ms each) for 0.5 s, alone and then next to "
       "a CPU-bound thread; under modern, then under io-priority. Watch `ms per op`.",
       {{"modern", "workloads/convoy.py", "modern", {"duration=500"}, {"duration=200"}},
        {"io-priority", "workloads/convoy.py", "io-priority", {"duration=500"}, {"duration=200"}}},
       notice_convoy},
      {"old-vs-new",
       "the old GIL (legacy, Python <= 3.1) vs the new (modern, 3.2+)",
       "CPU-bound counting on 1 thread, then split over 2, under the old GIL and the new one. "
       "Watch the speedup of 2 threads and how often the GIL changes hands.",
       {{"legacy", "workloads/cpu_bound.py", "legacy", {"threads=2", "n=5000000"}, {"n=1000000"}},
        {"modern", "workloads/cpu_bound.py", "modern", {"threads=2", "n=5000000"}, {"n=1000000"}}},
       notice_old_vs_new},
      {"free-threading",
       "free-threading: no GIL (none) vs the GIL (modern)",
       "CPU-bound counting on 1 thread, then split over 2, with the GIL and without it "
       "(free-threaded Python, PEP 703).",
       {{"modern", "workloads/cpu_bound.py", "modern", {"threads=2", "n=20000000"}, {"n=2000000"}},
        {"none", "workloads/cpu_bound.py", "none", {"threads=2", "n=20000000"}, {"n=2000000"}}},
       notice_free_threading},
      {"extension",
       "C extensions: releasing the GIL (native_release) vs holding it",
       "20 calls of 10 ms of extension code on 1 thread, then on 2: first code that releases "
       "the GIL (like hashlib), then code that keeps it (like a long sum()).",
       {{"native_release",
         "workloads/native_release.py",
         "modern",
         {"threads=2", "calls=20", "ms=10"},
         {"calls=8", "ms=5"}},
        {"native_hold",
         "workloads/native_hold.py",
         "modern",
         {"threads=2", "calls=20", "ms=10"},
         {"calls=8", "ms=5"}}},
       notice_extension},
  };
  return demos;
}

}  // namespace gilsim
