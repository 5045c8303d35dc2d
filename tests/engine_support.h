// Running scripts on an engine from a test (threads unless options.engine says "sim"), output
// captured.
#pragma once

#include <string>
#include <vector>

#include "gil/engines/engine.h"
#include "gil/policies/catalog.h"
#include "gil/record/invariants.h"
#include "gil/record/metrics.h"
#include "tools/cli/script_loader.h"

namespace gilsim::test {

struct EngineRun {
  RunRecord record;
  Metrics metrics;
  std::string out;
  std::string err;
};

inline EngineRun run_on_engine(const std::string& policy, const std::string& text,
                               EngineOptions options = {}) {
  options.policy = policy;
  options.out = nullptr;
  options.err = nullptr;
  auto engine = make_engine(options);
  EngineRun r;
  r.record = engine->run(compile_text("test.gil", text));
  r.metrics = compute_metrics(r.record);
  r.out = engine->captured_output();
  r.err = engine->captured_errors();
  return r;
}

// The same on the deterministic sim engine with `cores` virtual cores.
inline EngineRun run_on_sim(const std::string& policy, const std::string& text, int cores = 4,
                            EngineOptions options = {}) {
  options.engine = "sim";
  options.sim.cores = cores;
  return run_on_engine(policy, text, options);
}

// A bit of everything: CPU work, I/O, native code, a Lock, a Queue, joins. Prints "20 2470".
inline const char* kMixedScript = R"(
def producer(q, n):
    for i in range(n):
        q.put(i)
        io(0.2)
    q.put(None)

def consumer(q, out, lock):
    while True:
        item = q.get()
        if item is None:
            return
        with lock:
            out.append(item * item)

def cruncher(n):
    total = 0
    for i in range(n):
        total += i % 7
    native(1)
    native_hold(1)
    return total

q = Queue()
out = []
lock = Lock()
ts = [spawn(producer, q, 20), spawn(consumer, q, out, lock), spawn(cruncher, 200000)]
for t in ts:
    t.join()
print(len(out), sum(out))
)";

inline const std::vector<std::string>& all_policies() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const PolicyInfo& p : policy_catalog()) out.push_back(p.name);
    return out;
  }();
  return names;
}

// Two CPU-bound threads, and a third that imports a GIL-needing extension 5 ms in: under
// free-threaded they run in parallel until then, under the default build's GIL afterwards.
inline const char* kEnablesGil = R"(
def work(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total

def enabler():
    io(5)
    import_extension("legacy_ext")
    print("enabled")

ts = [spawn(work, 600000), spawn(work, 600000), spawn(enabler)]
for t in ts:
    t.join()
)";

// False for the policies that run without a GIL from the start (none; free-threaded until an
// import_extension() turns it on).
inline bool starts_with_gil(const std::string& policy) {
  return make_policy(policy, PolicyParams{})->exclusive();
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace gilsim::test
