// What the GIL designs must show on this 2-core machine, in wall-clock ratios (issue 3):
//   - CPU-bound work over 2 and 4 threads is not faster than 1 thread under every GIL policy;
//     it is about 2x faster with no GIL and with 2 processes;
//   - 127 requests of 35 ms: a pool of 8 threads is at least 7.5x faster than one thread;
//   - the convoy effect: short I/O round trips slow down by well over 20x next to a CPU-bound
//     thread under `modern`, each round trip costing about a switch interval; `io-priority`
//     brings them back near their speed alone.
// Real time on a shared machine is noisy, and noise only ever adds time, so each figure is the
// best of several runs (the least disturbed; the CPU-bound variants interleaved, see
// rounds_interleaved), and the bounds are generous; ctest runs this binary alone (RUN_SERIAL) so
// no other test takes a core. A shared host can still leave one core to us at times (a CI run
// once gave plain C++ threads no speed-up at all), or slow one vCPU for minutes, so the "it does
// run in parallel" checks are held against two independent interpreters (separate processes,
// independent_interpreters) timed in the same rounds: gilsim without a GIL must take about their
// time, whatever the host gives. The exact form of the same claims, on 2 virtual cores, is in
// test_sim_engine.cpp ("sim: none scales CPU-bound threads with the cores").
// Under the sanitizers the ratios are meaningless (everything is 5-20x slower, unevenly): the
// scenarios still run once each and keep their invariants, but the timing assertions are skipped,
// as the message says.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

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

// Seconds for `runs` independent runs of gilsim's interpreter at once, each in its own OS process
// (forked from this one, so they share nothing: no allocator, no lock gilsim could have by
// mistake), splitting `total` loop iterations, timed as `timed` times a run (the script's own
// timed section, so not the fork and the copies it brings): what this host gives two interpreters
// side by side right now, the yardstick for gilsim's own parallel runs. Not a plain C++ spin loop:
// that one (a chain of volatile increments) waits on memory and barely notices when the host slows
// one of the VM's two vCPUs (a busy neighbour on its core), while an interpreter, which keeps the
// core's units busy, then runs 1.5-1.8x slower there. Measured on the project's VM, 2026-12-07:
// spells of seconds to minutes in which one thread's 24M iterations take 0.13 s on one vCPU and
// 0.22 s on the other, so any two-way split takes the slow vCPU's 0.115 s (1.15x) while the spin
// loop still doubled. Only runs when timing is meaningful (not under the sanitizers).
double independent_interpreters(int runs, long total) {
  struct Child {
    pid_t pid;
    int out;  // the read end of the pipe the child writes its timed section's seconds to
  };
  std::vector<Child> children;
  for (int r = 0; r < runs; ++r) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      EngineOptions opt;
      opt.defines = {{"total", std::to_string(total / runs)}, {"workers", "1"}};
      EngineRun run = run_on_engine("none", kCpuBound, opt);
      bool ok = run.record.exit_code == 0 &&
                write(fds[1], run.out.data(), run.out.size()) == ssize_t(run.out.size());
      _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    children.push_back({pid, fds[0]});
  }
  double seconds = 0;  // the slowest child's: the time of the pair's work
  for (const Child& c : children) {
    std::string out;
    char buf[256];
    for (ssize_t n; (n = read(c.out, buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
    close(c.out);
    int st = -1;
    waitpid(c.pid, &st, 0);
    REQUIRE((WIFEXITED(st) && WEXITSTATUS(st) == 0));
    seconds = std::max(seconds, std::stod(out));
  }
  return seconds;
}

// 7 rounds of each variant (its wall seconds), the variants taken in turn within a round, and in
// each round (timing only) independent_interpreters on 1 and 2 processes over the same total
// (the last two figures of a round). A burst of load on the host (which can last seconds to
// minutes on a shared VM) then slows a round of every variant alike rather than all the runs of
// one.
std::vector<std::vector<double>> rounds_interleaved(
    const std::string& policy, const std::string& script,
    const std::vector<std::vector<std::pair<std::string, std::string>>>& variants) {
  std::vector<std::vector<double>> rounds;
  long total = std::stol(variants.front().front().second);
  // Under the sanitizers one round: the rounds are for timing, which is not checked there.
  for (int round = 0; round < (kTimingMeaningful ? 7 : 1); ++round) {
    std::vector<double> figures;
    for (const auto& v : variants) figures.push_back(timed(policy, script, v));
    if (kTimingMeaningful) {
      figures.push_back(independent_interpreters(1, total));
      figures.push_back(independent_interpreters(2, total));
    }
    rounds.push_back(std::move(figures));
  }
  return rounds;
}

// The least of figure i over the rounds: noise only ever adds time, so the least disturbed run.
double best(const std::vector<std::vector<double>>& rounds, size_t i) {
  double b = 1e300;
  for (const auto& r : rounds) b = std::min(b, r[i]);
  return b;
}

// The middle value (the upper one of an even count).
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The median over the rounds of figure i divided by figure j of the same round: how much slower
// gilsim's parallel run was than two independent interpreters timed moments later. A ratio of
// bests would pair figures from different moments (one lucky round of the yardstick against none
// of gilsim's: the old check's failure in about 1 run in 10 here). 20 runs of this test,
// 2026-12-07, 6 of them in the host's spells: `none` 0.90-1.02, processes 0.93-1.01, and
// `modern`'s two threads (a run held to one core at a time) 1.53-1.97, so the bound below
// separates them in spells too.
double paired_median(const std::vector<std::vector<double>>& rounds, size_t i, size_t j) {
  std::vector<double> q;
  for (const auto& r : rounds) q.push_back(r[i] / r[j]);
  return median(q);
}

// How much slower than two independent interpreters gilsim's run over two threads (or processes)
// may be: 1.3x, which on a host that gives them 1.95x means a speed-up of 1.5x at least.
constexpr double kParallelBound = 1.3;

}  // namespace

TEST_CASE("CPU-bound threads do not speed up under a GIL; with no GIL or 2 processes they do") {
  const std::string total = kTimingMeaningful ? "24000000" : "2000000";
  for (const std::string policy : {"legacy", "modern", "fifo", "gvl", "none"}) {
    CAPTURE(policy);
    auto rounds = rounds_interleaved(policy, kCpuBound,
                                     {{{"total", total}, {"workers", "1"}},
                                      {{"total", total}, {"workers", "2"}},
                                      {{"total", total}, {"workers", "4"}}});
    double one = best(rounds, 0), two = best(rounds, 1), four = best(rounds, 2);
    MESSAGE(policy << ": 1 thread " << one << " s, 2 threads " << two << " s, 4 threads " << four
                   << " s");
    if (!kTimingMeaningful) continue;
    double host = best(rounds, 3) / best(rounds, 4);
    MESSAGE("2 independent interpreters: "
            << host << "x; 2 threads took " << paired_median(rounds, 1, 4) << "x, 4 threads "
            << paired_median(rounds, 2, 4) << "x their time (medians of the rounds)");
    if (host < 1.5)
      MESSAGE(
          "this host gave two independent interpreters no second core during these rounds: the "
          "parallel check below only holds gilsim to the host; the sim engine tests hold it "
          "exactly");
    if (policy == "none") {
      CHECK(paired_median(rounds, 1, 4) < kParallelBound);  // ideal 1.0: as parallel as they are
      CHECK(paired_median(rounds, 2, 4) < kParallelBound);
    } else {
      CHECK(one / two < 1.25);  // CPython 3.11 here: 1.00x
      CHECK(one / four < 1.25);
    }
  }
  auto procs = rounds_interleaved("modern", kCpuBound,
                                  {{{"total", total}, {"workers", "1"}, {"procs", "1"}},
                                   {{"total", total}, {"workers", "2"}, {"procs", "1"}}});
  MESSAGE("processes: 1 " << best(procs, 0) << " s, 2 " << best(procs, 1) << " s");
  if (!kTimingMeaningful) return;
  double host = best(procs, 2) / best(procs, 3);
  MESSAGE("2 independent interpreters: " << host << "x; 2 processes took "
                                         << paired_median(procs, 1, 3)
                                         << "x their time (median of the rounds)");
  CHECK(paired_median(procs, 1, 3) < kParallelBound);  // CPython 3.11 here: 1.92x speed-up
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
  for (int run = 0; run < (kTimingMeaningful ? 3 : 1); ++run) {
    EngineRun modern = run_on_engine("modern", script);
    slowdowns.push_back(std::stod(modern.out));
    per_op.push_back(std::stod(modern.out.substr(modern.out.find(' ') + 1)));
    EngineRun prio = run_on_engine("io-priority", script);
    prio_slowdowns.push_back(std::stod(prio.out));
    CHECK(joined(check_invariants(modern.record)) == "");
    CHECK(joined(check_invariants(prio.record)) == "");
  }
  double slowdown = median(slowdowns), per_op_ms = median(per_op);
  double prio_slowdown = median(prio_slowdowns);
  MESSAGE("modern: " << slowdown << "x slower, " << per_op_ms
                     << " ms per op; io-priority: " << prio_slowdown << "x (medians of 3 runs)");
  if (!kTimingMeaningful) return;
  CHECK(slowdown > 20.0);                                  // CPython 3.11 here: 127x with sleep(0)
  CHECK(per_op_ms == doctest::Approx(5.0).epsilon(0.25));  // about one switch interval
  CHECK(prio_slowdown < 5.0);
}
