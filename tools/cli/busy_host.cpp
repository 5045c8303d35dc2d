#include "tools/cli/busy_host.h"

#include <fmt/format.h>
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "gil/record/intervals.h"

namespace gilsim {

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

double core_seconds_wanted(const RunRecord& run, int cores) {
  std::vector<std::pair<Nanos, int>> edges;
  for (const StateInterval& iv : state_intervals(run)) {
    if (iv.state != ThreadStateKind::Running && iv.state != ThreadStateKind::Native) continue;
    edges.emplace_back(iv.start, +1);
    edges.emplace_back(iv.end, -1);
  }
  std::sort(edges.begin(), edges.end());
  double total = 0;
  int busy = 0;
  Nanos last = 0;
  for (const auto& [at, step] : edges) {
    total += static_cast<double>(at - last) * std::min(busy, cores);
    busy += step;
    last = at;
  }
  return total / 1e9;
}

std::optional<std::string> busy_host_warning(const RunRecord& run, double cpu_s, int cores) {
  if (run.engine != "threads" || cores < 1) return std::nullopt;
  double wanted = core_seconds_wanted(run, cores);
  if (wanted < 0.05) return std::nullopt;
  double share = cpu_s / wanted;
  if (share >= 0.8) return std::nullopt;
  return fmt::format(
      "gilsim: note: the script's threads got {:.0f} % of the core time they needed ({:.3f} of "
      "{:.3f} core-seconds): the machine was busy with other work, so the times and speedups "
      "above are off by up to that much. Run it again on an idle machine, or use --engine sim "
      "(e.g. --engine sim --cores 2) for figures that do not depend on the machine.\n",
      std::min(share, 1.0) * 100, cpu_s, wanted);
}

}  // namespace gilsim
