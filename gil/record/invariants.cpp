#include "gil/record/invariants.h"

#include <fmt/format.h>

#include "gil/record/metrics.h"

namespace gilsim {

std::vector<std::string> check_invariants(const RunRecord& run) {
  std::vector<std::string> problems;
  auto name = [&](int t) {
    return t >= 0 && static_cast<size_t>(t) < run.threads.size()
               ? run.threads[static_cast<size_t>(t)].label
               : fmt::format("thread {}", t);
  };
  std::vector<int> holder(run.gils.size(), -1);
  std::vector<Nanos> last_time(run.threads.size(), -1);
  std::vector<bool> spawned(run.threads.size(), false), exited(run.threads.size(), false);
  std::vector<bool> requesting(run.threads.size(), false);

  for (const Event& e : run.events) {
    if (e.thread < 0 || static_cast<size_t>(e.thread) >= run.threads.size()) {
      problems.push_back(fmt::format("event at {} ns names unknown thread {}", e.time, e.thread));
      continue;
    }
    auto t = static_cast<size_t>(e.thread);
    if (e.time < last_time[t])
      problems.push_back(fmt::format("{}: events out of order at {} ns", name(e.thread), e.time));
    last_time[t] = e.time;
    if (exited[t])
      problems.push_back(fmt::format("{}: {} at {} ns after its exit", name(e.thread),
                                     event_kind_name(e.kind), e.time));
    if (!spawned[t] && e.kind != EventKind::Spawn)
      problems.push_back(fmt::format("{}: {} at {} ns before its spawn", name(e.thread),
                                     event_kind_name(e.kind), e.time));
    switch (e.kind) {
      case EventKind::Spawn:
        spawned[t] = true;
        break;
      case EventKind::Exit:
        exited[t] = true;
        break;
      case EventKind::Request:
        requesting[t] = true;
        break;
      case EventKind::Acquire:
        if (!requesting[t])
          problems.push_back(
              fmt::format("{}: acquired at {} ns without a request", name(e.thread), e.time));
        requesting[t] = false;
        if (run.exclusive_at(e.time)) {
          int& h = holder[e.gil];
          if (h >= 0 && h != e.thread)
            problems.push_back(fmt::format("two threads run at {} ns under one GIL: {} and {}",
                                           e.time, name(h), name(e.thread)));
          h = e.thread;
        }
        break;
      case EventKind::Release:
        if (run.exclusive_at(e.time) && holder[e.gil] == e.thread) holder[e.gil] = -1;
        break;
      default:
        break;
    }
  }
  for (size_t t = 0; t < run.threads.size(); ++t) {
    if (!spawned[t])
      problems.push_back(fmt::format("{}: never spawned", name(static_cast<int>(t))));
    bool truncated = run.truncated_at >= 0;  // --max-events: the record ends early, by design
    if (!exited[t] && !truncated)
      problems.push_back(fmt::format("{}: never exited", name(static_cast<int>(t))));
    if (requesting[t] && run.stop == StopCause::None && !truncated && !run.threads[t].daemon)
      problems.push_back(
          fmt::format("{}: a request never ended in an acquire", name(static_cast<int>(t))));
  }
  Metrics m = compute_metrics(run);
  for (const auto& tm : m.threads) {
    Nanos sum = 0;
    for (Nanos s : tm.state_ns) sum += s;
    if (sum != tm.lifetime())
      problems.push_back(fmt::format("{}: state times add up to {} ns, lifetime is {} ns", tm.name,
                                     sum, tm.lifetime()));
  }
  if (m.gil.held_ns > run.wall * static_cast<Nanos>(run.gils.size()))
    problems.push_back(
        fmt::format("GIL held {} ns, longer than the run ({} ns)", m.gil.held_ns, run.wall));
  return problems;
}

}  // namespace gilsim
