// SimParams: the sim engine's model of the machine and the OS, its parameters
// (docs/engines.md says where each default comes from; a machine profile replaces them).
//
// Its own header, not sim_engine.h: EngineOptions (engine.h) carries one for every run, and
// sim_engine.h needs engine.h for the Engine it implements.
#pragma once

#include <cstdint>

#include "gil/core/event.h"

namespace gilsim {

struct SimParams {
  int cores = 4;
  std::uint64_t seed = 1;
  Nanos wake_latency = 20'000;   // a sleeping thread signalled until it runs on an idle core
  Nanos same_core_wake = 2'000;  // ... when it has to share the waker's core
  Nanos signal_cost = 1'000;     // the signaller's system call to wake a sleeping thread
  Nanos mutex_hold = 1'000;      // a woken GIL waiter holds the GIL's own mutex this long
  Nanos time_slice = 3'000'000;  // the OS's slice for a CPU-bound thread when cores are short
  Nanos wakeup_granularity = 1'000'000;  // a woken thread preempts one that ran this much more
  Nanos timer_slack = 50'000;            // added to every timed sleep (Linux's default timer slack)
  double jitter = 0.1;                   // +- this fraction of random noise on every latency
  double cost_scale = 1.0;               // multiplies the per-opcode cost table
};

}  // namespace gilsim
