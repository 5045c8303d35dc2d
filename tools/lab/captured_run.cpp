#include "tools/lab/captured_run.h"

#include <csignal>

#include "tools/cli/run_options.h"

namespace gilsim {

CapturedRun run_captured(EngineOptions eo, std::shared_ptr<const Program> program) {
  eo.out = nullptr;
  auto engine = make_engine(eo);
  CapturedRun run;
  {
    StopSignals stop_signals;
    run.record = engine->run(std::move(program));
  }
  if (run.record.stop == StopCause::Interrupt) run.record.exit_code = interrupt_exit_code();
  run.output = engine->captured_output();
  run.metrics = compute_metrics(run.record);
  return run;
}

}  // namespace gilsim
