// The playground's engine room: what the page's Web Worker calls (docs/playground.md).
//
// A run goes exactly the way `gilsim run --engine sim` goes (tools/cli/cli.cpp, cmd_run): the
// options are checked by the same engine_options(), a syntax error is formatted by the same
// format_syntax_error(), the stop note and the summary come from tools/export/report.h, and the
// exports are the same writers as --json, --trace, --csv and --timeline. Only the places differ:
// the script's text arrives as a string, its output and errors are captured in memory, and a time
// limit on the page's (host) clock stands where Ctrl-C would.
//
// The interface is plain C with JSON text in and out, so the Worker needs no binding layer:
//   gp_run(request)    runs a script; returns the result document (below)
//   gp_export(kind)    after a run: "json", "trace", "csv", "timeline_html" (the --timeline page)
//                      or "timeline_data" (its data, for the same renderer inside the page)
//   gp_catalog()       the policies and the lecture demos of `gilsim demo`, in teaching order
// Each returns a pointer to a buffer that stays valid until the next call; gp_size() is its length
// in bytes (exports can hold NUL-free text of hundreds of megabytes; the Worker copies them out
// without decoding).
#include <emscripten/emscripten.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "gil/core/policy.h"
#include "gil/engines/engine.h"
#include "gil/policies/catalog.h"
#include "gil/record/metrics.h"
#include "gil/record/run_record.h"
#include "tools/cli/run_options.h"
#include "tools/cli/script_loader.h"
#include "tools/export/report.h"
#include "tools/export/timeline_html.h"
#include "tools/export/trace_export.h"
#include "tools/lab/demo_catalog.h"
#include "vm/compiler.h"
#include "vm/errors.h"
#include "vm/source.h"

namespace gilsim {

namespace {

using nlohmann::json;

struct LastRun {
  RunRecord record;
  Metrics metrics;
};

std::optional<LastRun> g_last;  // the run the exports describe
std::string g_buffer;           // what the last call returned

// Script output is arbitrary bytes (a print of a str built from escapes): never throw on it.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* give(std::string text) {
  g_buffer = std::move(text);
  return g_buffer.c_str();
}

template <typename T>
T field(const json& request, const char* key, T fallback) {
  auto it = request.find(key);
  if (it == request.end() || it->is_null()) return fallback;
  return it->get<T>();
}

// The request's options as the command line would have them (`--engine sim` always).
RunOptions options_from(const json& request) {
  RunOptions opt;
  opt.script = field<std::string>(request, "name", "script.gil");
  opt.engine = "sim";
  opt.policy = field<std::string>(request, "policy", opt.policy);
  opt.cores = field<int>(request, "cores", opt.cores);
  opt.seed = field<std::uint64_t>(request, "seed", opt.seed);
  opt.switch_interval = field<std::string>(request, "switch_interval", opt.switch_interval);
  opt.check_interval = field<std::int64_t>(request, "check_interval", opt.check_interval);
  opt.quantum = field<std::string>(request, "quantum", opt.quantum);
  opt.timer_tick = field<std::string>(request, "timer_tick", opt.timer_tick);
  opt.max_events = field<std::uint64_t>(request, "max_events", opt.max_events);
  opt.max_steps = field<std::uint64_t>(request, "max_steps", opt.max_steps);
  opt.timeout = field<std::string>(request, "timeout", opt.timeout);
  opt.defines = field<std::vector<std::string>>(request, "defines", {});
  return opt;
}

std::uint64_t bytecodes(const Metrics& m) {
  std::uint64_t n = 0;
  for (const auto& t : m.threads) n += t.bytecodes;
  return n;
}

json run_request(const json& request) {
  json result;
  result["status"] = "error";
  RunOptions opt = options_from(request);
  const double limit_ms = field<double>(request, "time_limit_ms", 10'000.0);

  // A bad option is reported by engine_options() on stderr, which the Worker collects.
  EngineOptions eo;
  if (!engine_options(opt, eo)) {
    result["exit_code"] = 2;
    result["message"] = "bad options";
    return result;
  }
  eo.out = nullptr;
  eo.err = nullptr;
  const double started = emscripten_get_now();
  bool over_limit = false;
  // The page's Ctrl-C: the sim engine polls this between turns (every few microseconds of virtual
  // time), so the clock is read only every 256th call.
  eo.interrupted = [started, limit_ms, &over_limit, calls = 0u]() mutable {
    if (++calls % 256 != 0) return false;
    over_limit = emscripten_get_now() - started > limit_ms;
    return over_limit;
  };

  auto source =
      std::make_shared<const Source>(opt.script, field<std::string>(request, "script", ""));
  std::shared_ptr<const Program> program;
  try {
    program = compile(source);
  } catch (const SyntaxError& e) {
    result["exit_code"] = 2;
    result["errors"] = format_syntax_error(*source, e);
    result["error_line"] = e.line;
    result["error_col"] = e.col;
    result["message"] = fmt::format("{} at line {}", e.kind, e.line);
    g_last.reset();
    return result;
  }

  auto engine = make_engine(eo);
  RunRecord run = engine->run(program);
  const double host_ms = emscripten_get_now() - started;
  Metrics metrics = compute_metrics(run);

  std::string errors = engine->captured_errors();
  if (over_limit && run.stop == StopCause::Interrupt)
    errors +=
        fmt::format("playground: stopped by the time limit of {:g} s (results so far below)\n",
                    limit_ms / 1000.0);
  else
    errors += format_stop_note(run, opt.timeout);

  result["output"] = engine->captured_output();
  result["errors"] = errors;
  result["summary"] = format_summary(run, metrics);
  result["exit_code"] = run.exit_code;
  result["stop"] = stop_name(run.stop);
  if (run.exit_code == 0) {
    result["status"] = "done";
  } else if (over_limit) {
    result["message"] = fmt::format("stopped by the time limit of {:g} s", limit_ms / 1000.0);
  } else if (run.stop == StopCause::Deadlock) {
    result["message"] = "deadlock";
  } else if (run.stop == StopCause::Timeout) {
    result["message"] = fmt::format("stopped by --timeout {}", opt.timeout);
  } else {
    result["message"] = "an error in a script thread (exit status 1)";
  }
  result["stats"] = {{"host_ms", host_ms},
                     {"bytecodes", bytecodes(metrics)},
                     {"events", run.events.size()},
                     {"threads", run.threads.size()},
                     {"wall_s", metrics.wall_s}};
  g_last = LastRun{std::move(run), std::move(metrics)};
  return result;
}

std::string export_text(const std::string& kind) {
  if (!g_last) return "";
  const RunRecord& run = g_last->record;
  const Metrics& m = g_last->metrics;
  std::ostringstream out;
  if (kind == "json") out << results_json(run, m).dump(2) << '\n';
  if (kind == "trace") write_chrome_trace(run, m, out);
  if (kind == "csv") write_state_csv(run, out);
  if (kind == "timeline_html") write_timeline_html(run, m, out);
  if (kind == "timeline_data") return timeline_data_json(run, m);
  return std::move(out).str();
}

// What the page's menus offer: the policies (`gilsim policies`) and the lecture demos.
json catalog() {
  json policies = json::array();
  for (const auto& p : policy_catalog())
    policies.push_back({{"name", p.name}, {"models", p.models}, {"parameters", p.parameters}});
  json list = json::array();
  for (const auto& d : demo_catalog()) {
    json runs = json::array();
    for (const auto& r : d.runs)
      runs.push_back(
          {{"label", r.label}, {"script", r.script}, {"policy", r.policy}, {"defines", r.defines}});
    list.push_back({{"name", d.name}, {"title", d.title}, {"shows", d.shows}, {"runs", runs}});
  }
  return {{"policies", policies}, {"demos", list}};
}

}  // namespace

}  // namespace gilsim

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* gp_run(const char* request) {
  using gilsim::json;
  json parsed = json::parse(request, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object())
    return gilsim::give(
        gilsim::dump({{"status", "error"}, {"message", "the request is not a JSON object"}}));
  try {
    return gilsim::give(gilsim::dump(gilsim::run_request(parsed)));
  } catch (const std::exception& e) {
    // A request field of the wrong type (the page never sends one).
    return gilsim::give(gilsim::dump({{"status", "error"}, {"message", e.what()}}));
  }
}

EMSCRIPTEN_KEEPALIVE const char* gp_export(const char* kind) {
  return gilsim::give(gilsim::export_text(kind));
}

EMSCRIPTEN_KEEPALIVE const char* gp_catalog() {
  return gilsim::give(gilsim::dump(gilsim::catalog()));
}

EMSCRIPTEN_KEEPALIVE unsigned gp_size() { return static_cast<unsigned>(gilsim::g_buffer.size()); }

}  // extern "C"
