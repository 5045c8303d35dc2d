#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "gil/record/deadlock_report.h"
#include "tests/engine_support.h"
#include "vm/sim_objects.h"

using namespace gilsim;
using namespace gilsim::test;

TEST_CASE("deadlock report: a plain Lock cycle, as today") {
  LockObj a(1), b(2);
  a.owner = 1;
  b.owner = 2;
  std::vector<BlockedThread> threads = {
      {"MainThread", false, 1, nullptr},
      {"Thread-1 (one)", false, -1, &b},
      {"Thread-2 (two)", false, -1, &a},
  };
  std::string r = deadlock_report(threads);
  CHECK(r.find("  MainThread waits to join Thread-1 (one)\n") != std::string::npos);
  CHECK(r.find("  Thread-1 (one) waits for Lock #2, held by Thread-2 (two)\n") !=
        std::string::npos);
  CHECK(r.find("  cycle: Thread-1 (one) -> Thread-2 (two) -> Thread-1 (one)\n") !=
        std::string::npos);
}

TEST_CASE("deadlock report: locks named by their role; a Condition's waiter lock has no holder") {
  LockObj rlock(3), waiter(4), queue_waiter(5);
  rlock.role = "RLock #1";
  rlock.owner = 1;
  waiter.role = "Condition #2 wait()";
  waiter.waiter = true;
  waiter.owner = 1;  // held by its own waiting thread, as Condition.wait does
  queue_waiter.role = "Queue #1 join()";
  queue_waiter.waiter = true;
  queue_waiter.owner = 0;
  std::vector<BlockedThread> threads = {
      {"MainThread", false, -1, &queue_waiter},
      {"Thread-1 (consumer)", false, -1, &waiter},
      {"Thread-2 (producer)", false, -1, &rlock},
  };
  std::string r = deadlock_report(threads);
  CHECK(r.find("  MainThread waits in Queue #1 join(), and nothing will notify it\n") !=
        std::string::npos);
  CHECK(
      r.find("  Thread-1 (consumer) waits in Condition #2 wait(), and nothing will notify it\n") !=
      std::string::npos);
  CHECK(r.find("  Thread-2 (producer) waits for RLock #1, held by Thread-1 (consumer)\n") !=
        std::string::npos);
  CHECK(r.find("cycle") == std::string::npos);  // a waiter lock is no edge: T1 holds its own
}

namespace {

struct Stuck {
  const char* what;
  const char* script;
  std::vector<std::string> lines;  // each must be a line of the report
};

// threading's objects, as a program uses them, each stuck for ever (CPython would hang on each).
const std::vector<Stuck> kStuck = {
    {"a Condition.wait() nobody notifies",
     R"(
import threading
cond = threading.Condition()
with cond:
    cond.wait()
)",
     {"  MainThread waits in Condition #2 wait(), and nothing will notify it"}},
    {"a q.join() with no task_done()",
     R"(
import queue
q = queue.Queue()
q.put("job")
q.join()
)",
     {"  MainThread waits in Queue #1 join(), and nothing will notify it"}},
    {"a Barrier short of a party",
     R"(
import threading
meet = threading.Barrier(3)
t = threading.Thread(target=meet.wait, name="early")
t.start()
meet.wait()
)",
     {"  MainThread waits in Barrier #1 wait(), and nothing will notify it",
      "  early waits in Barrier #1 wait(), and nothing will notify it"}},
    {"a non-daemon thread blocked for ever, joined at the end of the main thread",
     R"(
import threading
lock = threading.Lock()
lock.acquire()
threading.Thread(target=lock.acquire, name="stuck").start()
print("main done")
)",
     {"  MainThread waits to join stuck", "  stuck waits for Lock #4, held by MainThread",
      "  cycle: MainThread -> stuck -> MainThread"}},
    {"an Event nobody sets, a Semaphore nobody releases",
     R"(
import threading
sem = threading.Semaphore(0)
threading.Thread(target=sem.acquire, name="acquirer").start()
threading.Event().wait()
)",
     {"  MainThread waits in Event #3 wait(), and nothing will notify it",
      "  acquirer waits in Semaphore #1 acquire(), and nothing will notify it"}},
};

}  // namespace

TEST_CASE("deadlocks on threading's objects are reported on both engines, naming every wait") {
  for (const char* engine : {"threads", "sim"}) {
    for (const Stuck& c : kStuck) {
      std::string where = std::string(engine) + ": " + c.what;
      CAPTURE(where);
      EngineOptions options;
      options.engine = engine;
      options.timeout = 20'000'000'000;  // a missed deadlock fails the test, it does not hang it
      auto start = std::chrono::steady_clock::now();
      EngineRun r = run_on_engine("modern", c.script, options);
      double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      CHECK(r.record.stop == StopCause::Deadlock);
      CHECK(r.record.exit_code == 1);
      CHECK(took < 5.0);
      const std::string& report = r.record.deadlock_report;
      CAPTURE(report);
      for (const std::string& line : c.lines) CHECK(report.find(line + "\n") != std::string::npos);
    }
  }
}

TEST_CASE("a thread in a timed wait is not deadlocked: its timeout ends the wait") {
  const char* script = R"(
import threading
lock = threading.Lock()
lock.acquire()
print(lock.acquire(timeout=0.05), threading.Condition().acquire(timeout=0.01))
ev = threading.Event()
print(ev.wait(0.03))
)";
  for (std::string engine : {"threads", "sim"}) {
    CAPTURE(engine);
    EngineOptions options;
    options.engine = engine;
    EngineRun r = run_on_engine("modern", script, options);
    CHECK(r.out == "False True\nFalse\n");
    CHECK(r.record.stop == StopCause::None);
    CHECK(r.record.exit_code == 0);
  }
}
