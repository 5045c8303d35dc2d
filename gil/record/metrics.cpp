#include "gil/record/metrics.h"

#include <algorithm>
#include <cmath>

namespace gilsim {

namespace {

double percentile_ms(std::vector<Nanos>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  // Nearest rank, as most latency tools report it.
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  size_t index = rank == 0 ? 0 : std::min(rank - 1, sorted.size() - 1);
  return static_cast<double>(sorted[index]) / 1e6;
}

}  // namespace

Metrics compute_metrics(const RunRecord& run) {
  Metrics m;
  m.wall_s = static_cast<double>(run.wall) / 1e9;
  m.threads.resize(run.threads.size());
  // Without a GIL (`none`) nothing is waited for: a thread not in I/O, native code or blocked is
  // running (or runnable, which only the OS knows), and nothing is acquired.
  auto wants = [&](Nanos t) {
    return run.exclusive_at(t) ? ThreadStateKind::Waiting : ThreadStateKind::Running;
  };
  std::vector<ThreadStateKind> state(run.threads.size(), wants(0));
  std::vector<Nanos> since(run.threads.size(), 0);
  std::vector<bool> started(run.threads.size(), false);
  std::vector<int> last_acquirer(run.gils.size(), -1);
  std::vector<int> holder(run.gils.size(), -1);
  std::vector<Nanos> held_from(run.gils.size(), 0);
  std::vector<Nanos> waits;

  for (size_t i = 0; i < run.threads.size(); ++i) {
    m.threads[i].name = run.threads[i].label;
    m.threads[i].gil = run.threads[i].gil;
    m.threads[i].failed = run.threads[i].failed;
  }
  // A thread's lifetime runs from its spawn to the moment it is done (its exit release, or its
  // exit event if it never held the GIL at the end).
  auto enter = [&](int t, ThreadStateKind next, Nanos at) {
    auto& tm = m.threads[static_cast<size_t>(t)];
    if (state[static_cast<size_t>(t)] == ThreadStateKind::Done) return;
    tm.state_ns[static_cast<int>(state[static_cast<size_t>(t)])] +=
        at - since[static_cast<size_t>(t)];
    if (next == ThreadStateKind::Done) tm.end = at;
    state[static_cast<size_t>(t)] = next;
    since[static_cast<size_t>(t)] = at;
  };

  for (const Event& e : run.events) {
    auto t = static_cast<size_t>(e.thread);
    auto& tm = m.threads[t];
    size_t g = e.gil;
    switch (e.kind) {
      case EventKind::Spawn:
        tm.start = e.time;
        since[t] = e.time;
        started[t] = true;
        break;
      case EventKind::Request:
        enter(e.thread, wants(e.time), e.time);
        break;
      case EventKind::Acquire:
        enter(e.thread, ThreadStateKind::Running, e.time);
        if (run.exclusive_at(e.time)) {
          ++tm.acquisitions;
          ++m.gil.acquisitions;
          waits.push_back(e.arg);
          if (last_acquirer[g] != e.thread) ++m.gil.switches;
          last_acquirer[g] = e.thread;
          holder[g] = e.thread;
          held_from[g] = e.time;
        }
        break;
      case EventKind::Release:
        enter(e.thread, state_after_release(e.reason), e.time);
        tm.bytecodes = std::max(tm.bytecodes, static_cast<std::uint64_t>(e.arg));
        if (run.exclusive_at(e.time) && holder[g] == e.thread) {
          m.gil.held_ns += e.time - held_from[g];
          holder[g] = -1;
        }
        break;
      case EventKind::Exit:
        enter(e.thread, ThreadStateKind::Done, e.time);
        tm.bytecodes = static_cast<std::uint64_t>(e.arg);
        break;
      case EventKind::DropRequest:
        ++m.gil.drop_requests;
        break;
      case EventKind::ForcedSwitch:
        ++m.gil.forced_switches;
        break;
      case EventKind::FailedAcquire:
        ++m.gil.failed_acquisitions;
        break;
      default:
        break;
    }
  }
  // Recording may have stopped (--max-events) before threads finished: the picture ends there.
  for (size_t t = 0; t < m.threads.size(); ++t)
    if (started[t] && state[t] != ThreadStateKind::Done)
      enter(static_cast<int>(t), ThreadStateKind::Done, run.observed_end());
  // The first acquisition of each GIL is not a switch: nobody held it before.
  for (int first : last_acquirer)
    if (first >= 0 && m.gil.switches > 0) --m.gil.switches;
  for (size_t g = 0; g < holder.size(); ++g)
    if (holder[g] >= 0) m.gil.held_ns += run.observed_end() - held_from[g];
  if (run.observed_end() > 0 && !run.gils.empty())
    m.gil.held_fraction =
        static_cast<double>(m.gil.held_ns) /
        (static_cast<double>(run.observed_end()) * static_cast<double>(run.gils.size()));
  std::sort(waits.begin(), waits.end());
  m.gil.wait_p50_ms = percentile_ms(waits, 50);
  m.gil.wait_p99_ms = percentile_ms(waits, 99);
  m.gil.wait_max_ms = waits.empty() ? 0.0 : static_cast<double>(waits.back()) / 1e6;
  return m;
}

}  // namespace gilsim
