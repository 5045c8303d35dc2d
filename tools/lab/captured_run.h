// One run of a loaded script on gilsim's engine with the script's printed output kept in memory,
// for commands that show it next to other runs (compare, demo).
#pragma once

#include <memory>
#include <string>

#include "gil/engines/engine.h"
#include "gil/record/metrics.h"
#include "gil/record/run_record.h"

namespace gilsim {

struct CapturedRun {
  RunRecord record;
  Metrics metrics;
  std::string output;  // what the script printed (errors still go to stderr as they happen)
};

// Runs `program` with `eo` (its `out` replaced by a capture), Ctrl-C stopping it cleanly.
CapturedRun run_captured(EngineOptions eo, std::shared_ptr<const Program> program);

}  // namespace gilsim
