// The invariants every run must keep (DESIGN.md), checked on its events. Used by the tests on
// every policy, and by `gilsim check` on traces.
#pragma once

#include <string>
#include <vector>

#include "gil/record/run_record.h"

namespace gilsim {

// Each violation, named; empty when the run is sound:
//   1. at most one thread holds each GIL at any instant (under a GIL policy);
//   2. each thread's events are ordered, start with spawn and end with exit, and every request
//      ends in an acquire (or the run ends with the thread still waiting);
//   3. the times a thread spends in each state add up to its lifetime; GIL held time <= wall.
std::vector<std::string> check_invariants(const RunRecord& run);

}  // namespace gilsim
