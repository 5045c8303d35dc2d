// libFuzzer target: any bytes compiled and, when they compile, run on the sim engine.
//
// The property: no input crashes, overflows the C++ stack, trips a sanitizer or lets a C++
// exception escape; every run ends (virtual-time timeout, step limit, memory ceiling, thread
// limits: the limits a hostile script meets, made small so one input costs milliseconds), and the
// events it recorded keep the engine's invariants, whatever error ended it. The sim engine needs
// no OS threads and gives the same run for the same input, so a crash replays exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "gil/engines/engine.h"
#include "gil/record/invariants.h"
#include "vm/compiler.h"
#include "vm/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto source = std::make_shared<const gilsim::Source>(
      "fuzz.gil", std::string(reinterpret_cast<const char*>(data), size));
  std::shared_ptr<const gilsim::Program> program;
  try {
    program = gilsim::compile(source);
  } catch (const gilsim::SyntaxError&) {
    return 0;  // fuzz_compile checks the rejections
  }
  gilsim::EngineOptions options;
  options.engine = "sim";
  options.sim.cores = 2;
  options.timeout = 2'000'000'000;  // 2 s of virtual time
  options.max_steps = 200'000;      // per thread
  options.max_events = 100'000;
  options.limits.max_memory = 32 << 20;
  options.limits.max_threads = 16;
  options.limits.max_processes = 4;
  options.limits.max_spawns = 64;
  options.out = nullptr;  // captured, not printed
  options.err = nullptr;
  auto engine = gilsim::make_engine(options);
  gilsim::RunRecord run = engine->run(program);
  if (run.events_dropped == 0 && !gilsim::check_invariants(run).empty()) std::abort();
  return 0;
}
