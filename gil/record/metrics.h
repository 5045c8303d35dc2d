// Metrics: numbers computed from a run's events, and only from them, so a summary can never
// disagree with the trace it came with.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gil/record/run_record.h"

namespace gilsim {

struct ThreadMetrics {
  std::string name;  // the label: unique across processes
  int gil = 0;
  Nanos start = 0, end = 0;
  std::array<Nanos, 5> state_ns{};  // running, waiting, io, native, blocked (ThreadStateKind order)
  std::uint64_t bytecodes = 0;
  std::uint64_t acquisitions = 0;
  bool failed = false;

  double seconds(ThreadStateKind s) const {
    return static_cast<double>(state_ns[static_cast<int>(s)]) / 1e9;
  }
  Nanos lifetime() const { return end - start; }
};

struct GilMetrics {
  std::uint64_t acquisitions = 0;
  std::uint64_t switches = 0;  // acquisitions by a thread other than the previous holder
  std::uint64_t drop_requests = 0;
  std::uint64_t forced_switches = 0;
  std::uint64_t failed_acquisitions = 0;
  Nanos held_ns = 0;           // summed over the GILs
  double held_fraction = 0.0;  // held_ns / (wall * number of GILs)
  double wait_p50_ms = 0.0, wait_p99_ms = 0.0, wait_max_ms = 0.0;  // request to acquire
};

struct Metrics {
  double wall_s = 0.0;
  std::vector<ThreadMetrics> threads;
  GilMetrics gil;
};

Metrics compute_metrics(const RunRecord& run);

}  // namespace gilsim
