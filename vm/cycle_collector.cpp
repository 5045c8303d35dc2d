#include "vm/cycle_collector.h"

#include <unordered_map>
#include <vector>

#include "vm/memory_budget.h"
#include "vm/thread_state.h"

namespace gilsim {

size_t collect_cycles(MemoryBudget& budget) {
  // Every listed object, held (+1) so that none is freed while we look.
  std::vector<Obj*> objects = budget.hold_all();
  std::unordered_map<const Obj*, size_t> index;
  index.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) index.emplace(objects[i], i);

  // 1-2. References from outside the list: the count, less our hold, less every listed holder's.
  std::vector<std::int64_t> outside(objects.size());
  for (size_t i = 0; i < objects.size(); ++i)
    outside[i] = static_cast<std::int64_t>(objects[i]->refcount()) - 1;
  std::vector<Obj*> refs;
  for (const Obj* o : objects) {
    refs.clear();
    o->traverse(refs);
    for (const Obj* r : refs)
      if (auto it = index.find(r); it != index.end()) --outside[it->second];
  }

  // 3. Alive: held from outside, and all that those reach.
  std::vector<bool> alive(objects.size(), false);
  std::vector<size_t> pending;
  for (size_t i = 0; i < objects.size(); ++i)
    if (outside[i] > 0) {
      alive[i] = true;
      pending.push_back(i);
    }
  while (!pending.empty()) {
    size_t i = pending.back();
    pending.pop_back();
    refs.clear();
    objects[i]->traverse(refs);
    for (const Obj* r : refs)
      if (auto it = index.find(r); it != index.end() && !alive[it->second]) {
        alive[it->second] = true;
        pending.push_back(it->second);
      }
  }

  // The rest is garbage: clear each (still held, so none is freed mid-way), then let go of all.
  size_t garbage = 0;
  for (size_t i = 0; i < objects.size(); ++i)
    if (!alive[i]) {
      objects[i]->clear_refs();
      ++garbage;
    }
  size_t survivors = objects.size() - garbage;
  for (Obj* o : objects) o->decref();
  budget.collected(survivors);
  return garbage;
}

namespace {
// No other thread may touch the run's objects while this one holds its GIL.
bool alone(const ThreadState& ts) {
  return !ts.lock_objects && ts.interp.limits->live_processes() == 0;
}
}  // namespace

void collect_cycles_at_safe_point(ThreadState& ts) {
  ts.eval_breaker.fetch_and(~ThreadState::kCollectCycles, std::memory_order_relaxed);
  if (ts.nested_runs > 0) return;  // a C++ caller may be half-way through an object: later
  MemoryBudget& budget = ts.interp.limits->memory();
  if (!alone(ts) || !budget.automatic()) {
    budget.collected(0);  // not now: count again
    return;
  }
  collect_cycles(budget);
}

size_t collect_cycles_now(ThreadState& ts) {
  return alone(ts) ? collect_cycles(ts.interp.limits->memory()) : 0;
}

}  // namespace gilsim
