// subprocess's child scripts (gil/engines/child_script.h, Host::run_script) on both engines:
// output, argv and exit status as python3 gives them, the startup failures python3 reports, the
// commands gilsim refuses, and the parent's wait: blocked with its GIL released, on the sim engine
// in exact virtual time. (tests/python/subprocess_*.py hold the same programs against python3.)
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/engine_support.h"

using namespace gilsim;
using namespace gilsim::test;

namespace {

namespace fs = std::filesystem;

// A directory of child scripts for one test, removed after it.
struct Children {
  fs::path dir;
  Children() {
    dir = fs::temp_directory_path() /
          ("gilsim_children_" + std::to_string(::getpid()) + "_" + std::to_string(++made()));
    fs::create_directories(dir);
  }
  ~Children() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  Children(const Children&) = delete;
  Children& operator=(const Children&) = delete;
  static int& made() {
    static int n = 0;
    return n;
  }
  // Writes the child script `name` and returns its absolute path.
  std::string add(const std::string& name, const std::string& text) const {
    fs::path p = dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

// The parent script: `{child}` replaced by the child's path, as a Python string literal.
std::string with_child(std::string parent, const std::string& child) {
  for (size_t at; (at = parent.find("{child}")) != std::string::npos;)
    parent.replace(at, 7, "'" + child + "'");
  return parent;
}

const Event* find_event(const RunRecord& r, int thread, EventKind kind, Reason reason,
                        Nanos from = 0) {
  for (const Event& e : r.events)
    if (e.thread == thread && e.kind == kind && e.reason == reason && e.time >= from) return &e;
  return nullptr;
}

int thread_named(const RunRecord& r, const std::string& label) {
  for (const ThreadInfo& t : r.threads)
    if (t.label == label) return t.id;
  return -1;
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

const char* kEngines[] = {"threads", "sim"};

EngineRun run_with(const char* engine, const std::string& script, EngineOptions o = {}) {
  o.engine = engine;
  return run_on_engine("modern", script, o);
}

}  // namespace

TEST_CASE("a child script: its sys.argv, captured stdout and stderr, its exit status") {
  Children c;
  std::string child = c.add("child.py", R"(
import sys
print(sys.argv[1:])
sys.stderr.write("to stderr\n")
sys.exit(4)
)");
  std::string parent = with_child(R"(
import subprocess, sys
r = subprocess.run([sys.executable, {child}, "a", "b c"], capture_output=True, text=True)
print(r.returncode, r.stdout.strip(), repr(r.stderr))
)",
                                  child);
  for (const char* engine : kEngines) {
    CAPTURE(engine);
    EngineRun r = run_with(engine, parent);
    CHECK(r.out == "4 ['a', 'b c'] 'to stderr\\n'\n");
    CHECK(r.err.empty());
    CHECK(r.record.exit_code == 0);
    CHECK(check_invariants(r.record).empty());
    // Its own process, named after the script, with its own GIL.
    int id = thread_named(r.record, "Process-1 (child.py)");
    REQUIRE(id > 0);
    CHECK(r.record.threads[static_cast<size_t>(id)].gil == 1);
    CHECK(r.record.gils.at(1).process == "Process-1 (child.py)");
  }
}

TEST_CASE("a child's uncaught exception is its exit status 1, not the run's failure") {
  Children c;
  std::string child = c.add("raises.py", "print('before')\nraise ValueError('boom')\n");
  std::string parent = with_child(R"(
import subprocess, sys
r = subprocess.run([sys.executable, {child}], capture_output=True, text=True)
print(r.returncode, r.stdout.strip(), r.stderr.splitlines()[0], "|", r.stderr.splitlines()[-1])
print(subprocess.call([sys.executable, {child}]))
try:
    subprocess.check_output([sys.executable, {child}])
except subprocess.CalledProcessError as e:
    print("CalledProcessError", e.returncode, e.output)
)",
                                  child);
  for (const char* engine : kEngines) {
    CAPTURE(engine);
    EngineRun r = run_with(engine, parent);
    // call() passes the child's output through: its line and its traceback (the traceback of a
    // process's main thread, with no "Exception in thread"), in the run's own streams.
    CHECK(r.out ==
          "1 before Traceback (most recent call last): | ValueError: boom\n"
          "before\n1\nCalledProcessError 1 b'before\\n'\n");
    CHECK(r.err.rfind("Traceback (most recent call last):\n", 0) == 0);
    CHECK(last_line(r.err) == "ValueError: boom");
    CHECK(r.err.find("Exception in thread") == std::string::npos);
    // Both children failed, each for its parent to see: the run itself succeeded.
    CHECK(r.record.exit_code == 0);
  }
}

TEST_CASE("a child python3 cannot start: a file it cannot open (2), a syntax error (1)") {
  Children c;
  std::string bad = c.add("bad.py", "x = 1\nif x\n    pass\n");
  std::string missing = (c.dir / "missing.py").string();
  std::string parent = with_child(R"(
import subprocess, sys
r = subprocess.run([sys.executable, {child}], capture_output=True, text=True)
print(r.returncode, repr(r.stdout))
print(r.stderr, end="")
)",
                                  missing) +
                       with_child(R"(
r = subprocess.run([sys.executable, {child}], capture_output=True, text=True)
print(r.returncode, repr(r.stdout))
print(r.stderr, end="")
)",
                                  bad);
  for (const char* engine : kEngines) {
    CAPTURE(engine);
    EngineRun r = run_with(engine, parent);
    // What python3 prints, but its own path (python3 names itself by sys.executable).
    CHECK(r.out == "2 ''\npython3: can't open file '" + missing +
                       "': [Errno 2] No such file or directory\n"
                       "1 ''\n  File \"" +
                       bad + "\", line 2\n    if x\n        ^\nSyntaxError: expected ':'\n");
    CHECK(r.record.exit_code == 0);
    CHECK(check_invariants(r.record).empty());
  }
}

TEST_CASE("hostile: a child script that never ends (/dev/zero) is refused, not read for ever") {
  EngineRun r = run_with("sim", R"(
import subprocess, sys
r = subprocess.run([sys.executable, "/dev/zero"], capture_output=True, text=True)
print(r.returncode, r.stderr, end="")
)");
  CHECK(r.out == "1 gilsim: the child script '/dev/zero' is longer than 64 MiB\n");
  CHECK(r.record.exit_code == 0);
}

TEST_CASE("any command but [sys.executable, script, ...] is an OSError naming it") {
  for (const char* command : {"['ls', '-l']", "[sys.executable, '-c', 'print(1)']",
                              "'python3 child.py'", "[sys.executable]"}) {
    CAPTURE(command);
    EngineRun r =
        run_with("sim", std::string("import subprocess, sys\nsubprocess.run(") + command + ")\n");
    CHECK(r.record.exit_code == 1);
    std::string shown = command;
    if (shown.find("sys.executable") != std::string::npos)
      shown.replace(shown.find("sys.executable"), 14, "'python3'");
    CHECK(last_line(r.err) ==
          "OSError: gilsim runs only Python scripts as child processes, [sys.executable, "
          "'child.py', ...]: cannot run " +
              shown + " (see docs/stdlib.md)");
  }
}

TEST_CASE("children finished are no longer counted against the process limit") {
  Children c;
  std::string one = c.add("one.py", "print(1)\n");
  std::string sleeper = c.add("sleeper.py", "import time\ntime.sleep(0.05)\n");
  std::string parent = with_child(R"(
import subprocess, sys
total = 0
for i in range(5):
    total += int(subprocess.check_output([sys.executable, {child}], text=True))
print(total)
)",
                                  one) +
                       with_child(R"(
ps = [subprocess.Popen([sys.executable, {child}]) for i in range(3)]
)",
                                  sleeper);
  for (const char* engine : kEngines) {
    CAPTURE(engine);
    EngineOptions o;
    o.limits.max_processes = 2;
    EngineRun r = run_with(engine, parent, o);
    CHECK(r.out == "5\n");  // five in a row, one at a time; then three at once is one too many
    CHECK(last_line(r.err) == "RuntimeError: can't start new process");
  }
}

TEST_CASE("a child's captured output counts against the run's --max-memory") {
  Children c;
  std::string child = c.add("flood.py", "while True:\n    print('x' * 100000)\n");
  std::string parent = with_child(R"(
import subprocess, sys
r = subprocess.run([sys.executable, {child}], capture_output=True, text=True)
print(r.returncode, r.stderr.splitlines()[-1])
)",
                                  child);
  for (const char* engine : kEngines) {
    CAPTURE(engine);
    EngineOptions o;
    o.limits.max_memory = 4 << 20;
    EngineRun r = run_with(engine, parent, o);
    CHECK(r.out ==
          "1 MemoryError: a child's captured output would pass --max-memory (4194304 bytes)\n");
    CHECK(r.record.exit_code == 0);
  }
}

TEST_CASE("sim: the parent's wait is blocked, its GIL released, in exact virtual time") {
  Children c;
  std::string child = c.add("child.py", R"(
import time
time.sleep(0.02)
print("done")
)");
  std::string parent = with_child(R"(
import subprocess, sys, threading

def spin():
    n = 0
    for i in range(1000000):
        n += i

p = subprocess.Popen([sys.executable, {child}], stdout=subprocess.PIPE, text=True)
t = threading.Thread(target=spin)
t.start()
try:
    p.wait(timeout=0.001)
except subprocess.TimeoutExpired:
    print("timed out")
print(p.communicate()[0].strip(), p.returncode)
t.join()
)",
                                  child);
  EngineOptions o;
  o.sim.jitter = 0;  // latencies exactly as the model gives them
  EngineRun r = run_with("sim", parent, o);
  CHECK(r.out == "timed out\ndone 0\n");
  CHECK(r.record.exit_code == 0);
  CHECK(check_invariants(r.record).empty());
  const RunRecord& rec = r.record;
  int child_id = thread_named(rec, "Process-1 (child.py)");
  int spinner = thread_named(rec, "Thread-1 (spin)");
  REQUIRE(child_id > 0);
  REQUIRE(spinner > 0);
  const SimParams model;
  // wait(timeout=0.001): the main thread lets go of its GIL and is blocked on the join from that
  // instant to its deadline, then the timer slack and a wake-up, as any timed wait.
  const Event* released = find_event(rec, 0, EventKind::Release, Reason::Join);
  REQUIRE(released);
  const Event* begin = find_event(rec, 0, EventKind::BlockBegin, Reason::Join);
  REQUIRE(begin);
  CHECK(begin->time == released->time);
  CHECK(begin->arg == child_id);  // what it waits for: the child's main thread
  const Event* end = find_event(rec, 0, EventKind::BlockEnd, Reason::Join);
  REQUIRE(end);
  CHECK(end->time == begin->time + 1'000'000 + model.timer_slack + model.wake_latency);
  // Meanwhile the parent's other thread has its GIL.
  const Event* spun = find_event(rec, spinner, EventKind::Acquire, Reason::None, begin->time);
  REQUIRE(spun);
  CHECK(spun->time < end->time);
  // communicate(): blocked again until the child has exited and its signal has woken the parent.
  const Event* begin2 = find_event(rec, 0, EventKind::BlockBegin, Reason::Join, end->time);
  REQUIRE(begin2);
  const Event* child_exit = find_event(rec, child_id, EventKind::Exit, Reason::Exit);
  REQUIRE(child_exit);
  const Event* end2 = find_event(rec, 0, EventKind::BlockEnd, Reason::Join, begin2->time);
  REQUIRE(end2);
  CHECK(child_exit->time > begin2->time);
  CHECK(end2->time == child_exit->time + model.signal_cost + model.wake_latency);
  // The summary counts both waits as blocked (with the main thread's waits for Thread.start and
  // join); the child slept its 20 ms on its own GIL, never waiting for it.
  const ThreadMetrics& main = r.metrics.threads.at(0);
  CHECK(main.state_ns[static_cast<int>(ThreadStateKind::Blocked)] >=
        (end->time - begin->time) + (end2->time - begin2->time));
  const ThreadMetrics& kid = r.metrics.threads.at(static_cast<size_t>(child_id));
  CHECK(kid.state_ns[static_cast<int>(ThreadStateKind::Waiting)] == 0);
  CHECK(kid.state_ns[static_cast<int>(ThreadStateKind::Io)] >= 20'000'000);
}

TEST_CASE("threads: the parent's wait is blocked while its other thread runs") {
  Children c;
  // The spinner is already running (and so queued for the GIL) when the parent starts its wait,
  // and the child's 0.3 s leaves room for a slow OS wake-up under TSan on a loaded machine.
  std::string child = c.add("child.py", "import time\ntime.sleep(0.3)\n");
  std::string parent = with_child(R"(
import subprocess, sys, threading

started = threading.Event()

def spin():
    started.set()
    n = 0
    for i in range(3000000):
        n += i

t = threading.Thread(target=spin)
t.start()
started.wait()
print(subprocess.call([sys.executable, {child}]))
t.join()
)",
                                  child);
  EngineRun r = run_with("threads", parent);
  CHECK(r.out == "0\n");
  CHECK(check_invariants(r.record).empty());
  const RunRecord& rec = r.record;
  int spinner = thread_named(rec, "Thread-1 (spin)");
  REQUIRE(spinner > 0);
  const Event* begin = find_event(rec, 0, EventKind::BlockBegin, Reason::Join);
  REQUIRE(begin);
  const Event* end = find_event(rec, 0, EventKind::BlockEnd, Reason::Join, begin->time);
  REQUIRE(end);
  // The wait ends only after the child has: its exit comes before the parent's BlockEnd. (Not a
  // length: the child may start its sleep before the parent, which first wins back its GIL from
  // the spinner, records BlockBegin.)
  int child_id = thread_named(rec, "Process-1 (child.py)");
  REQUIRE(child_id > 0);
  const Event* child_exit = nullptr;
  for (const Event& e : rec.events)
    if (e.thread == child_id && e.kind == EventKind::Exit) child_exit = &e;
  REQUIRE(child_exit);
  CHECK(child_exit->time <= end->time);
  // The spinner takes the GIL the parent let go for the wait. Counted from the parent's Release,
  // not its BlockBegin: the GIL goes first, so the spinner's Acquire may be stamped before it.
  const Event* released = find_event(rec, 0, EventKind::Release, Reason::Join);
  REQUIRE(released);
  CHECK(released->time <= begin->time);
  const Event* spun = find_event(rec, spinner, EventKind::Acquire, Reason::None, released->time);
  REQUIRE(spun);
  CHECK(spun->time < end->time);
}
