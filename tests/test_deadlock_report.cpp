#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "gil/deadlock_report.h"
#include "vm/sim_objects.h"

using namespace gilsim;

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
