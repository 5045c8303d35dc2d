#include "tools/captured_run.h"

#include <csignal>

#include "tools/run_options.h"

namespace gilsim {

CapturedRun run_captured(EngineOptions eo, std::shared_ptr<const Program> program) {
  eo.out = nullptr;
  auto engine = make_engine(eo);
  auto previous = install_sigint();
  CapturedRun run;
  run.record = engine->run(std::move(program));
  std::signal(SIGINT, previous);
  run.output = engine->captured_output();
  run.metrics = compute_metrics(run.record);
  return run;
}

}  // namespace gilsim
