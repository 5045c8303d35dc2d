#include "gil/record/deadlock_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "vm/sim_objects.h"

namespace gilsim {

namespace {

std::string describe_wait(const std::vector<BlockedThread>& threads, const BlockedThread& t) {
  if (t.on_thread >= 0)
    return fmt::format("waits to join {}", threads[static_cast<size_t>(t.on_thread)].label);
  if (t.on && t.on->type == ObjType::Lock) {
    auto* l = static_cast<const LockObj*>(t.on);
    if (l->waiter) return fmt::format("waits in {}, and nothing will notify it", l->role);
    std::string name = l->role.empty() ? fmt::format("Lock #{}", l->id) : l->role;
    std::string holder = l->owner >= 0 ? threads[static_cast<size_t>(l->owner)].label : "nobody";
    bool holder_done = l->owner >= 0 && threads[static_cast<size_t>(l->owner)].done;
    return fmt::format("waits for {}, held by {}{}", name, holder,
                       holder_done ? " (which has finished without releasing it)" : "");
  }
  if (t.on && t.on->type == ObjType::Queue)
    return fmt::format("waits on Queue #{}, which is empty",
                       static_cast<const QueueObj*>(t.on)->id);
  return "is blocked";
}

}  // namespace

std::string deadlock_report(const std::vector<BlockedThread>& threads) {
  std::string report = "deadlock: every thread is blocked and nothing can wake them\n";
  for (const auto& t : threads)
    if (!t.done) report += fmt::format("  {} {}\n", t.label, describe_wait(threads, t));
  // Name the cycle of waits, if there is one: follow "waits for a lock held by" and "joins".
  for (size_t start = 0; start < threads.size(); ++start) {
    if (threads[start].done) continue;
    std::vector<int> path;
    int cur = static_cast<int>(start);
    while (cur >= 0 && std::find(path.begin(), path.end(), cur) == path.end()) {
      path.push_back(cur);
      const BlockedThread& r = threads[static_cast<size_t>(cur)];
      // A waiter lock is held by its own waiting thread: no cycle runs through it.
      if (r.on && r.on->type == ObjType::Lock)
        cur = static_cast<const LockObj*>(r.on)->waiter ? -1
                                                        : static_cast<const LockObj*>(r.on)->owner;
      else
        cur = r.on_thread;
    }
    if (cur == static_cast<int>(start)) {
      std::string cycle;
      for (int id : path) cycle += threads[static_cast<size_t>(id)].label + " -> ";
      report += fmt::format("  cycle: {}{}\n", cycle, threads[start].label);
      break;
    }
  }
  return report;
}

}  // namespace gilsim
