// State intervals: the same boundaries as the metrics, bytecodes per running slice, hand-offs.
#include <doctest/doctest.h>

#include "gil/record/intervals.h"
#include "tests/engine_support.h"

using namespace gilsim;
using namespace gilsim::test;

TEST_CASE("intervals tile each thread's lifetime exactly as the metrics count it") {
  const char* script = R"(
def work(n):
    total = 0
    for i in range(n):
        total += i
    io(2)
    for i in range(n):
        total += i

ts = [spawn(work, 300000), spawn(work, 300000)]
for t in ts:
    t.join()
)";
  for (const auto& policy : all_policies()) {
    CAPTURE(policy);
    EngineOptions opt;
    opt.params.switch_interval = 500'000;
    EngineRun r = run_on_engine(policy, script, opt);
    auto ivs = state_intervals(r.record);
    for (size_t t = 0; t < r.metrics.threads.size(); ++t) {
      CAPTURE(t);
      std::array<Nanos, 5> sum{};
      std::uint64_t bytecodes = 0;
      Nanos last_end = -1;
      for (const auto& iv : ivs) {
        if (iv.thread != static_cast<int>(t)) continue;
        CHECK(iv.start < iv.end);
        if (last_end >= 0) CHECK(iv.start == last_end);  // no gaps, no overlaps
        last_end = iv.end;
        sum[static_cast<int>(iv.state)] += iv.end - iv.start;
        bytecodes += iv.bytecodes;
      }
      CHECK(sum == r.metrics.threads[t].state_ns);
      CHECK(bytecodes == r.metrics.threads[t].bytecodes);
    }
  }
}

TEST_CASE("a running slice after a switch names the thread that released the GIL") {
  const char* script = R"(
def spin(n):
    i = 0
    while i < n:
        i += 1

a = spawn(spin, 3000000)
b = spawn(spin, 3000000)
a.join()
b.join()
)";
  EngineOptions opt;
  opt.params.switch_interval = 200'000;
  EngineRun r = run_on_engine("fifo", script, opt);
  int handoffs = 0;
  for (const auto& iv : state_intervals(r.record)) {
    if (iv.state != ThreadStateKind::Running || iv.handoff_from < 0) continue;
    ++handoffs;
    CHECK(iv.handoff_from != iv.thread);
    CHECK(iv.handoff_release <= iv.start);
  }
  CHECK(handoffs >= 3);
  auto spans = holder_spans(r.record);
  REQUIRE_FALSE(spans.empty());
  for (size_t i = 1; i < spans.size(); ++i) CHECK(spans[i].start == spans[i - 1].end);
}
