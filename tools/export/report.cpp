#include "tools/export/report.h"

#include <fmt/format.h>

#include <cmath>

#include "tools/cli/duration.h"
#include "tools/cli/run_options.h"

namespace gilsim {

std::string policy_parameters(const RunRecord& run) {
  const PolicyParams& p = run.params;
  if (run.policy == "legacy") return fmt::format("check interval {} ticks", p.check_interval);
  if (run.policy == "gvl")
    return fmt::format("quantum {}, timer tick {}", format_duration(p.quantum),
                       format_duration(p.timer_tick));
  if (run.policy == "none") return "no GIL";
  return fmt::format("switch interval {}", format_duration(p.switch_interval));
}

const char* stop_name(StopCause c) {
  switch (c) {
    case StopCause::Timeout:
      return "timeout";
    case StopCause::Interrupt:
      return "interrupt";
    case StopCause::Deadlock:
      return "deadlock";
    case StopCause::None:
      break;
  }
  return "none";
}

std::string format_summary(const RunRecord& run, const Metrics& m) {
  std::string out =
      fmt::format("\n── gilsim · {} · policy {} ({}) · engine {} · wall {:.3f} s\n", run.script,
                  run.policy, policy_parameters(run), run.engine, m.wall_s);
  size_t width = 6;
  for (const auto& t : m.threads) width = std::max(width, t.name.size());
  out += fmt::format("{:<{}}  {:>8} {:>8} {:>8} {:>8} {:>8} {:>12} {:>8}\n", "thread", width,
                     "run s", "wait s", "io s", "native s", "block s", "bytecodes", "acquired");
  for (const auto& t : m.threads) {
    out += fmt::format("{:<{}}  {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f} {:>12} {:>8}{}\n",
                       t.name, width, t.seconds(ThreadStateKind::Running),
                       t.seconds(ThreadStateKind::Waiting), t.seconds(ThreadStateKind::Io),
                       t.seconds(ThreadStateKind::Native), t.seconds(ThreadStateKind::Blocked),
                       t.bytecodes, t.acquisitions, t.failed ? "  (died of an error)" : "");
  }
  if (run.truncated_at >= 0)
    out += fmt::format(
        "note: --max-events {} reached at {:.3f} s: {} later events were not recorded; the figures "
        "cover the run up to then\n",
        run.max_events, static_cast<double>(run.truncated_at) / 1e9, run.events_dropped);
  if (run.exclusive) {
    const GilMetrics& g = m.gil;
    out += fmt::format(
        "GIL{}: {} acquisitions, {} switches, {} drop requests, {} forced switches, {} failed "
        "acquisitions\n     held {:.1f}% of the wall time; wait for it p50 {:.3f} ms, p99 {:.3f} "
        "ms, max {:.3f} ms\n",
        run.gils.size() > 1 ? fmt::format("s ({} processes)", run.gils.size()) : "", g.acquisitions,
        g.switches, g.drop_requests, g.forced_switches, g.failed_acquisitions,
        g.held_fraction * 100.0, g.wait_p50_ms, g.wait_p99_ms, g.wait_max_ms);
  } else {
    out += "no GIL: threads ran truly in parallel\n";
  }
  return out;
}

std::string format_stop_note(const RunRecord& run, const std::string& timeout) {
  switch (run.stop) {
    case StopCause::Deadlock:
      return fmt::format("gilsim: {}", run.deadlock_report);
    case StopCause::Timeout:
      return fmt::format("gilsim: stopped by --timeout {} (results so far below)\n", timeout);
    case StopCause::Interrupt:
      return fmt::format("gilsim: interrupted ({})\n", interrupt_name());
    case StopCause::None:
      break;
  }
  return "";
}

namespace {

// gilsim.mark / span / counter calls recorded (docs/traces.md "Annotations").
nlohmann::json annotation_counts(const RunRecord& run) {
  std::uint64_t marks = 0, spans = 0, samples = 0;
  for (const Event& e : run.events) {
    marks += e.kind == EventKind::Mark;
    spans += e.kind == EventKind::SpanBegin;
    samples += e.kind == EventKind::Counter;
  }
  return {{"marks", marks}, {"spans", spans}, {"counter_samples", samples}};
}

}  // namespace

nlohmann::json results_json(const RunRecord& run, const Metrics& m) {
  using nlohmann::json;
  json threads = json::array();
  for (const auto& t : m.threads) {
    threads.push_back({{"name", t.name},
                       {"run_s", t.seconds(ThreadStateKind::Running)},
                       {"wait_s", t.seconds(ThreadStateKind::Waiting)},
                       {"io_s", t.seconds(ThreadStateKind::Io)},
                       {"native_s", t.seconds(ThreadStateKind::Native)},
                       {"blocked_s", t.seconds(ThreadStateKind::Blocked)},
                       {"lifetime_s", static_cast<double>(t.lifetime()) / 1e9},
                       {"bytecodes", t.bytecodes},
                       {"acquisitions", t.acquisitions},
                       {"process", run.gils[static_cast<size_t>(t.gil)].process},
                       {"failed", t.failed}});
  }
  json defines = json::object();
  for (const auto& [k, v] : run.defines) defines[k] = v;
  const GilMetrics& g = m.gil;
  json result{
      {"script", run.script},
      {"wall_s", m.wall_s},
      {"policy", run.policy},
      {"params",
       {{"switch_interval_ms", static_cast<double>(run.params.switch_interval) / 1e6},
        {"check_interval", run.params.check_interval},
        {"quantum_ms", static_cast<double>(run.params.quantum) / 1e6},
        {"timer_tick_ms", static_cast<double>(run.params.timer_tick) / 1e6},
        {"gil_param", run.params.extra}}},
      {"defines", defines},
      {"engine", run.engine},
      {"processes", run.gils.size()},
      {"threads", threads},
      {"gil",
       {{"exclusive", run.exclusive},
        {"exclusive_from_ms", static_cast<double>(run.exclusive_from) / 1e6},
        {"acquisitions", g.acquisitions},
        {"switches", g.switches},
        {"drop_requests", g.drop_requests},
        {"forced_switches", g.forced_switches},
        {"failed_acquisitions", g.failed_acquisitions},
        {"held_fraction", g.held_fraction},
        {"wait_latency_ms",
         {{"p50", g.wait_p50_ms}, {"p99", g.wait_p99_ms}, {"max", g.wait_max_ms}}}}},
      {"stop", stop_name(run.stop)},
      {"events",
       {{"recorded", run.events.size()},
        {"max_events", run.max_events},
        {"truncated_at_s", run.truncated_at >= 0
                               ? nlohmann::json(static_cast<double>(run.truncated_at) / 1e9)
                               : nlohmann::json(nullptr)},
        {"dropped", run.events_dropped}}},
      {"exit_code", run.exit_code},
      {"annotations", annotation_counts(run)},
  };
  // The sim engine's machine: with the script and its flags, these fix the run's every number.
  if (run.engine == "sim") result["sim"] = {{"cores", run.cores}, {"seed", run.seed}};
  return result;
}

std::string exception_line(std::string_view traceback) {
  while (!traceback.empty() && traceback.back() == '\n') traceback.remove_suffix(1);
  size_t nl = traceback.rfind('\n');
  return std::string(nl == std::string_view::npos ? traceback : traceback.substr(nl + 1));
}

}  // namespace gilsim
