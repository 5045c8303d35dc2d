// What the GIL designs must show on this 2-core machine, in wall-clock ratios (issue 3):
//   - CPU-bound work over 2 and 4 threads is not faster than 1 thread under every GIL policy;
//     it is about 2x faster with no GIL and with 2 processes;
//   - 127 requests of 35 ms: a pool of 8 threads is at least 7.5x faster than one thread;
//   - the convoy effect: short I/O round trips slow down by well over 20x next to a CPU-bound
//     thread under `modern`, each round trip costing about a switch interval; `io-priority`
//     brings them back near their speed alone.
// Real time on a shared machine is noisy, and noise only ever adds time, so each figure is the
// best of several runs (the least disturbed; the CPU-bound variants interleaved, see
// best_interleaved), and the bounds are generous; ctest runs this binary alone
// (RUN_SERIAL) so no other test takes a core. A shared host can still leave one core to us at
// times (a CI run once gave plain C++ threads no speed-up at all), or put both vCPUs on one
// core's two hardware threads, so the "it does run in parallel" checks are held against what two
// independent interpreters got in the same rounds (independent_interpreters): gilsim without a
// GIL must come close to that, whatever the host gives. The exact form of the same claims, on
// 2 virtual cores, is in test_sim_engine.cpp ("sim: none scales CPU-bound threads with the cores").
// Under the sanitizers the ratios are meaningless (everything is 5-20x slower, unevenly): the
// scenarios still run and keep their invariants, but the timing assertions are skipped, as the
// message says.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "tests/engine_support.h"

using namespace gilsim;
using namespace gilsim::test;

namespace {

#if defined(GILSIM_SANITIZED)
constexpr bool kTimingMeaningful = false;
#else
constexpr bool kTimingMeaningful = true;
#endif

// Wall seconds of the script's timed section: the script prints it.
double timed(const std::string& policy, const std::string& script,
             std::vector<std::pair<std::string, std::string>> defines, EngineOptions opt = {}) {
  opt.defines = std::move(defines);
  EngineRun r = run_on_engine(policy, script, opt);
  REQUIRE(r.record.exit_code == 0);
  CHECK(joined(check_invariants(r.record)) == "");
  return std::stod(r.out);
}

const char* kCpuBound = R"(
def work(n):
    i = 0
    while i < n:
        i += 1

total = param("total", 1)
k = param("workers", 1)
procs = param("procs", 0)
t0 = now_ms()
hs = []
for j in range(k):
    if procs:
        hs.append(spawn_process(work, total // k))
    else:
        hs.append(spawn(work, total // k))
for h in hs:
    h.join()
print((now_ms() - t0) / 1000.0)
)";

// Wall seconds for `engines` independent runs of gilsim's interpreter at once, each with its own
// engine on its own OS thread (nothing shared but the process's allocator), splitting `total`
// loop iterations: what this host gives two interpreters side by side right now, the yardstick for
// gilsim's own parallel runs. Not a plain C++ spin loop: that one (a chain of volatile increments)
// waits on memory and barely notices when the host puts the VM's two vCPUs on the two hardware
// threads of one core, while an interpreter, which keeps the core's units busy, then gets 1.2-1.35x
// from two threads. Measured on the project's VM, 2026-12-07: rounds where the spin loop doubled
// while two gilsim processes (separate OS processes) got 1.20-1.24x, in spells of a few seconds;
// the `none` check failed 2 runs in 20 against the spin loop.
double independent_interpreters(int engines, long total) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  std::vector<int> status(static_cast<size_t>(engines), -1);
  for (int e = 0; e < engines; ++e)
    pool.emplace_back([e, engines, total, &status] {
      EngineOptions opt;
      opt.defines = {{"total", std::to_string(total / engines)}, {"workers", "1"}};
      status[static_cast<size_t>(e)] = run_on_engine("none", kCpuBound, opt).record.exit_code;
    });
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (int code : status) REQUIRE(code == 0);
  return seconds;
}

// The best of 7 rounds of each variant, the variants taken in turn within a round: a burst of
// load on the host (which can last a second or more on a shared VM) then slows a round of every
// variant alike rather than all the runs of one, and the ratio of the bests stays honest.
// Each round also times independent_interpreters on 1 and 2 engines over the same total (the last
// two figures returned).
std::vector<double> best_interleaved(
    const std::string& policy, const std::string& script,
    const std::vector<std::vector<std::pair<std::string, std::string>>>& variants) {
  std::vector<double> best(variants.size() + 2, 1e300);
  long total = std::stol(variants.front().front().second);
  for (int round = 0; round < 7; ++round) {
    for (size_t v = 0; v < variants.size(); ++v)
      best[v] = std::min(best[v], timed(policy, script, variants[v]));
    best[variants.size()] = std::min(best[variants.size()], independent_interpreters(1, total));
    best[variants.size() + 1] =
        std::min(best[variants.size() + 1], independent_interpreters(2, total));
  }
  return best;
}

// The parallel speed-up gilsim must reach given what two independent interpreters reached: 1.5x
// on a host that gives them 1.8x or more (ideal 2.0 on 2 cores), and never much less than the
// host gave them.
double parallel_bound(double host_speedup) { return std::min(1.5, 0.8 * host_speedup); }

}  // namespace

TEST_CASE("CPU-bound threads do not speed up under a GIL; with no GIL or 2 processes they do") {
  const std::string total = kTimingMeaningful ? "24000000" : "2000000";
  for (const std::string policy : {"legacy", "modern", "fifo", "gvl", "none"}) {
    CAPTURE(policy);
    auto best = best_interleaved(policy, kCpuBound,
                                 {{{"total", total}, {"workers", "1"}},
                                  {{"total", total}, {"workers", "2"}},
                                  {{"total", total}, {"workers", "4"}}});
    double one = best[0], two = best[1], four = best[2], host = best[3] / best[4];
    MESSAGE(policy << ": 1 thread " << one << " s, 2 threads " << two << " s, 4 threads " << four
                   << " s; 2 independent interpreters: " << host << "x");
    if (host < 1.5)
      MESSAGE(
          "this host gave two independent interpreters no second core during these rounds: the "
          "parallel check below only holds gilsim to the host; the sim engine tests hold it "
          "exactly");
    if (!kTimingMeaningful) continue;
    if (policy == "none") {
      CHECK(one / two > parallel_bound(host));  // ideal 2.0 on 2 cores
      CHECK(one / four > parallel_bound(host));
    } else {
      CHECK(one / two < 1.25);  // CPython 3.11 here: 1.00x
      CHECK(one / four < 1.25);
    }
  }
  auto procs = best_interleaved("modern", kCpuBound,
                                {{{"total", total}, {"workers", "1"}, {"procs", "1"}},
                                 {{"total", total}, {"workers", "2"}, {"procs", "1"}}});
  double one = procs[0], two = procs[1], host = procs[2] / procs[3];
  MESSAGE("processes: 1 " << one << " s, 2 " << two << " s; 2 independent interpreters: " << host
                          << "x");
  if (kTimingMeaningful) CHECK(one / two > parallel_bound(host));  // CPython 3.11 here: 1.92x
}

TEST_CASE("127 requests of 35 ms: a pool of 8 threads is at least 7.5x faster than one thread") {
  const char* script = R"(
def request():
    io(35)

def serve(q):
    while True:
        item = q.get()
        if item is None:
            return
        request()

n = 127
t0 = now_ms()
for i in range(n):
    request()
single = now_ms() - t0

q = Queue()
for i in range(n):
    q.put(i)
pool = []
t0 = now_ms()
for k in range(8):
    q.put(None)
    pool.append(spawn(serve, q))
for t in pool:
    t.join()
multi = now_ms() - t0
print(single / multi)
)";
  double speedup = timed("modern", script, {});
  MESSAGE("pool of 8: " << speedup << "x (CPython 3.11 here: 7.91x)");
  if (kTimingMeaningful) CHECK(speedup >= 7.5);
}

TEST_CASE("the convoy effect under modern, and io-priority's fix") {
  const char* script = R"(
def cpu():
    while not done[0]:
        pass

done = [False]
ops = param("ops", 60)
t0 = now_ms()
for i in range(ops):
    io(0.04)
alone = (now_ms() - t0) / ops
t = spawn(cpu)
sleep(1)
t0 = now_ms()
for i in range(ops):
    io(0.04)
busy = (now_ms() - t0) / ops
done[0] = True
t.join()
print(busy / alone, busy)
)";
  // The median of 3 runs of each policy: the convoy rests on the CPU-bound thread taking the GIL
  // within the ~0.1 ms of each I/O round trip; a host that leaves its vCPU descheduled longer
  // for a while lets the I/O thread find the GIL free (one run in about 30 here gave 3.0 ms per
  // op, the others 5.25-5.66).
  std::vector<double> slowdowns, per_op, prio_slowdowns;
  for (int run = 0; run < 3; ++run) {
    EngineRun modern = run_on_engine("modern", script);
    slowdowns.push_back(std::stod(modern.out));
    per_op.push_back(std::stod(modern.out.substr(modern.out.find(' ') + 1)));
    EngineRun prio = run_on_engine("io-priority", script);
    prio_slowdowns.push_back(std::stod(prio.out));
    CHECK(joined(check_invariants(modern.record)) == "");
    CHECK(joined(check_invariants(prio.record)) == "");
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double slowdown = median(slowdowns), per_op_ms = median(per_op);
  double prio_slowdown = median(prio_slowdowns);
  MESSAGE("modern: " << slowdown << "x slower, " << per_op_ms
                     << " ms per op; io-priority: " << prio_slowdown << "x (medians of 3 runs)");
  if (!kTimingMeaningful) return;
  CHECK(slowdown > 20.0);                                  // CPython 3.11 here: 127x with sleep(0)
  CHECK(per_op_ms == doctest::Approx(5.0).epsilon(0.25));  // about one switch interval
  CHECK(prio_slowdown < 5.0);
}
