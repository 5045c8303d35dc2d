// `gilsim bench`, the trace section (issue 4): what recording and exporting cost.
//   (a) a switch-heavy run (4 CPU-bound threads, 1 ms switch interval, modern) with events
//       recorded as usual vs with recording capped at one event (practically off);
//   (b) bytes per event, in memory and in each output format;
//   (c) the time to write a trace, a CSV and a timeline of a million events.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "gil/engines/thread_engine.h"
#include "gil/record/metrics.h"
#include "tools/cli/script_loader.h"
#include "tools/export/timeline_html.h"
#include "tools/export/trace_export.h"
#include "tools/lab/bench.h"

namespace gilsim {

namespace {

RunRecord run_recorded(const std::string& policy, const std::string& text, PolicyParams params,
                       std::uint64_t max_events) {
  EngineOptions opt;
  opt.policy = policy;
  opt.params = params;
  opt.max_events = max_events;
  opt.out = nullptr;
  opt.err = nullptr;
  ThreadEngine engine(opt);
  return engine.run(compile_text("<bench>", text));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int run_trace_bench(const BenchOptions& opt) {
  fmt::print("gilsim bench: recording and exporting events (medians of {} rounds)\n\n", opt.repeat);
  long n = std::max(200000L, static_cast<long>(10'000'000 * opt.scale));
  std::string switchy = fmt::format(R"(def spin(n):
    i = 0
    while i < n:
        i += 1

ts = []
for k in range(4):
    ts.append(spawn(spin, {}))
for t in ts:
    t.join()
)",
                                    n);
  PolicyParams p;
  p.switch_interval = 1'000'000;
  std::vector<double> on, off;
  std::size_t events = 0;
  for (int i = 0; i < opt.repeat; ++i) {  // interleaved: drift on the machine hits both alike
    RunRecord a = run_recorded("modern", switchy, p, 0);
    RunRecord b = run_recorded("modern", switchy, p, 1);
    on.push_back(static_cast<double>(a.wall) / 1e9);
    off.push_back(static_cast<double>(b.wall) / 1e9);
    events = a.events.size();
  }
  double mon = median(on), moff = median(off);
  fmt::print("(a) 4 CPU-bound threads, 1 ms switch interval, modern: {} events per run\n", events);
  fmt::print("    recording on {:.3f} s   off {:.3f} s   cost {:+.1f}%   (median of {} runs)\n\n",
             mon, moff, (mon / moff - 1.0) * 100.0, on.size());

  // A million events: legacy with a short check interval makes them fast.
  std::uint64_t million =
      std::max<std::uint64_t>(10000, static_cast<std::uint64_t>(1'000'000 * opt.scale));
  PolicyParams legacy;
  legacy.check_interval = 10;
  std::string long_spin = R"(def spin(stop):
    x = 0
    while stop[0] == 0:
        x += 1

stop = [0]
ts = [spawn(spin, stop), spawn(spin, stop)]
sleep(1500)
stop[0] = 1
for t in ts:
    t.join()
)";
  RunRecord big = run_recorded("legacy", long_spin, legacy, million);
  Metrics m = compute_metrics(big);
  auto write_to_file = [&](const char* path, auto&& writer) {
    auto t0 = std::chrono::steady_clock::now();
    {
      std::ofstream f(path, std::ios::binary);
      writer(f);
    }
    double s = seconds_since(t0);
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    auto bytes = static_cast<double>(in.tellg());
    std::remove(path);
    return std::pair<double, double>(s, bytes);
  };
  auto [trace_s, trace_bytes] = write_to_file(
      "/tmp/gilsim-bench-trace.json", [&](std::ostream& f) { write_chrome_trace(big, m, f); });
  auto [csv_s, csv_bytes] = write_to_file("/tmp/gilsim-bench-trace.csv",
                                          [&](std::ostream& f) { write_state_csv(big, f); });
  auto [html_s, html_bytes] = write_to_file(
      "/tmp/gilsim-bench-trace.html", [&](std::ostream& f) { write_timeline_html(big, m, f); });
  double ev = static_cast<double>(big.events.size());
  fmt::print("(b) bytes per event: {} in memory while recording", sizeof(Event));
  fmt::print("; on disk: trace {:.0f}, CSV {:.0f}, timeline {:.0f}\n\n", trace_bytes / ev,
             csv_bytes / ev, html_bytes / ev);
  fmt::print("(c) writing {} events: trace {:.2f} s ({:.0f} MB), CSV {:.2f} s, timeline {:.2f} s\n",
             big.events.size(), trace_s, trace_bytes / 1e6, csv_s, html_s);
  return 0;
}

}  // namespace gilsim
