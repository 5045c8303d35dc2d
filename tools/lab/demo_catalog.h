// The lecture demos of `gilsim demo`, in teaching order: what each runs (workloads/ scripts with
// reduced sizes, so a run takes seconds and its trace opens quickly), what it says before, and
// how it reads the numbers afterwards. docs/demos.md describes each for people.
#pragma once

#include <string>
#include <vector>

#include "gil/record/metrics.h"

namespace gilsim {

// One run of a demo: a workload under one policy.
struct DemoRun {
  std::string label;   // names the run's files: NAME-LABEL.json / .html
  std::string script;  // relative to the source tree
  std::string policy;
  std::vector<std::string> defines;  // -D NAME=VALUE at the demo's size
  std::vector<std::string> quick;    // --quick: these win over `defines` (smaller still)
};

// What a run left for the demo to quote.
struct DemoResult {
  std::string output;  // what the script printed
  Metrics metrics;
};

struct Demo {
  std::string name;   // the fixed name: `gilsim demo NAME`
  std::string title;  // one line, for --list
  std::string shows;  // printed before it runs: what to look at
  std::vector<DemoRun> runs;
  // Printed afterwards: what to notice, with the numbers this run got. results[k] is runs[k]'s.
  std::string (*notice)(const std::vector<DemoResult>& results);
};

const std::vector<Demo>& demo_catalog();

}  // namespace gilsim
