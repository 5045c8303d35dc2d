#include "tools/cli/run_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gil/policies/catalog.h"
#include "tools/cli/duration.h"
#include "tools/cli/machine_profile.h"
#include "tools/export/gzip_stream.h"
#include "tools/export/report.h"
#include "tools/export/timeline_html.h"
#include "tools/export/trace_export.h"

namespace gilsim {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;  // the signal that stopped the run, 0: none
extern "C" void on_stop_signal(int sig) { g_interrupted = sig; }
constexpr int kStopSignals[3] = {SIGINT, SIGTERM, SIGHUP};

bool duration_option(const std::string& flag, const std::string& text, Nanos& out) {
  std::string error;
  if (parse_duration(text, out, error)) return true;
  fmt::print(stderr, "gilsim: {}: {}\n", flag, error);
  return false;
}

// A size in bytes: a number with an optional K, M or G (powers of 1024).
bool size_option(const std::string& flag, const std::string& text, std::uint64_t& out) {
  std::uint64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (UINT64_MAX - 9) / 10) break;
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  std::string unit = text.substr(i);
  int shift = unit.empty() || unit == "B" ? 0
              : unit == "K"               ? 10
              : unit == "M"               ? 20
              : unit == "G"               ? 30
                                          : -1;
  if (i == 0 || shift < 0 || value > (UINT64_MAX >> shift)) {
    fmt::print(stderr, "gilsim: {}: expected a size such as 512M or 2G, got '{}'\n", flag, text);
    return false;
  }
  out = value << shift;
  return true;
}

}  // namespace

bool interrupted() { return g_interrupted != 0; }

int interrupt_exit_code() { return 128 + (g_interrupted ? g_interrupted : SIGINT); }

const char* interrupt_name() {
  switch (g_interrupted) {
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "Ctrl-C";
  }
}

StopSignals::StopSignals() {
  g_interrupted = 0;
  for (int i = 0; i < 3; ++i) previous_[i] = std::signal(kStopSignals[i], on_stop_signal);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 3; ++i) std::signal(kStopSignals[i], previous_[i]);
}

void add_run_flags(CLI::App* cmd, RunOptions& opt, bool policy) {
  cmd->add_option("-D,--define", opt.defines, "NAME=VALUE for param(NAME, default)")
      ->allow_extra_args(false);
  if (policy)
    cmd->add_option("--policy", opt.policy, "GIL policy (see: gilsim policies)")
        ->capture_default_str();
  cmd->add_option("--switch-interval", opt.switch_interval,
                  "modern/fifo/io-priority: the switch interval")
      ->capture_default_str();
  cmd->add_option("--check-interval", opt.check_interval, "legacy: ticks between releases")
      ->capture_default_str();
  cmd->add_option("--quantum", opt.quantum, "gvl: time slice")->capture_default_str();
  cmd->add_option("--timer-tick", opt.timer_tick, "gvl: timer period")->capture_default_str();
  cmd->add_option("--gil-param", opt.gil_params,
                  "KEY=VALUE, a parameter of one design (pypy, ocaml, lua, free-threaded; see "
                  "gilsim policies)")
      ->allow_extra_args(false);
  cmd->add_option("--engine", opt.engine,
                  "threads (OS threads, real clock) or sim (virtual time, deterministic)")
      ->capture_default_str();
  cmd->add_option("--cores", opt.cores, "sim: virtual cores")->capture_default_str();
  cmd->add_option("--seed", opt.seed, "sim: seed of the model's noise")->capture_default_str();
  cmd->add_option("--profile", opt.profile,
                  "sim: a machine profile (gilsim calibrate) for the engine's latencies and costs");
  cmd->add_option("--timeout", opt.timeout, "Stop the run after this long (exit 124)");
  cmd->add_option("--max-events", opt.max_events,
                  "Stop recording after N events (32 bytes each; 0: no cap)")
      ->capture_default_str();
  cmd->add_option("--max-steps", opt.max_steps,
                  "Stop a thread with an error after about N bytecodes (0: no limit)");
  cmd->add_option("--max-memory", opt.max_memory,
                  "MemoryError once the script's objects would hold more (e.g. 512M, 2G; 0: none)")
      ->capture_default_str();
  cmd->add_option("--max-threads", opt.max_threads,
                  "RuntimeError on a spawn beyond N threads alive at once (all processes)")
      ->capture_default_str();
  cmd->add_option("--max-processes", opt.max_processes,
                  "RuntimeError on a spawn_process beyond N processes alive at once")
      ->capture_default_str();
  cmd->add_option("--max-spawns", opt.max_spawns,
                  "RuntimeError on a spawn beyond N threads and processes started in all")
      ->capture_default_str();
}

bool gil_param_options(const std::vector<std::string>& given, PolicyParams& params) {
  for (const std::string& kv : given) {
    auto eq = kv.find('=');
    std::string key = kv.substr(0, eq == std::string::npos ? 0 : eq);
    const auto& keys = policy_param_keys();
    auto known = std::find_if(keys.begin(), keys.end(),
                              [&](const PolicyParamKey& k) { return k.key == key; });
    if (eq == std::string::npos || known == keys.end()) {
      std::string names;
      for (const auto& k : keys) names += (names.empty() ? "" : ", ") + k.key;
      fmt::print(stderr, "gilsim: --gil-param expects KEY=VALUE with KEY one of {}, got '{}'\n",
                 names, kv);
      return false;
    }
    std::string value = kv.substr(eq + 1);
    std::int64_t number = 0;
    if (known->duration) {
      if (!duration_option("--gil-param " + key, value, number)) return false;
    } else {
      char* end = nullptr;
      errno = 0;
      number = std::strtoll(value.c_str(), &end, 10);
      bool bad = value.empty() || *end != '\0' || errno != 0 || number < 0 ||
                 (key == "PYTHON_GIL" && number > 1) || (key != "PYTHON_GIL" && number < 1);
      if (bad) {
        fmt::print(stderr, "gilsim: --gil-param {}: '{}' is not {}\n", key, value,
                   key == "PYTHON_GIL" ? "0 or 1" : "a count of at least 1");
        return false;
      }
    }
    params.extra[key] = number;
  }
  return true;
}

void add_output_flags(CLI::App* cmd, RunOptions& opt) {
  cmd->add_option("--json", opt.json_path, "Write the results as JSON to this file");
  cmd->add_option("--trace", opt.trace_path,
                  "Write a Perfetto / chrome://tracing trace (JSON; gzip when it ends in .gz)");
  cmd->add_option("--csv", opt.csv_path, "Write one row per thread state interval (CSV)");
  cmd->add_option("--timeline", opt.timeline_path, "Write a self-contained HTML timeline");
}

bool engine_options(const RunOptions& opt, EngineOptions& eo) {
  if (!make_policy(opt.policy, eo.params)) {
    std::string names;
    for (const auto& p : policy_catalog()) names += (names.empty() ? "" : ", ") + p.name;
    fmt::print(stderr, "gilsim: unknown policy '{}' (one of: {})\n", opt.policy, names);
    return false;
  }
  eo.policy = opt.policy;
  eo.engine = opt.engine;
  if (std::find(engine_names().begin(), engine_names().end(), opt.engine) == engine_names().end()) {
    fmt::print(stderr, "gilsim: unknown engine '{}' (one of: threads, sim)\n", opt.engine);
    return false;
  }
  if (opt.cores < 1 || opt.cores > 4096) {
    fmt::print(stderr, "gilsim: --cores must be between 1 and 4096\n");
    return false;
  }
  if (!opt.profile.empty()) {
    if (opt.engine != "sim") {
      fmt::print(stderr, "gilsim: --profile is for the sim engine (add --engine sim)\n");
      return false;
    }
    std::string error;
    if (!read_machine_profile(opt.profile, eo.sim, error)) {
      fmt::print(stderr, "gilsim: --profile: {}\n", error);
      return false;
    }
  }
  eo.sim.cores = opt.cores;
  eo.sim.seed = opt.seed;
  if (!duration_option("--switch-interval", opt.switch_interval, eo.params.switch_interval) ||
      !duration_option("--quantum", opt.quantum, eo.params.quantum) ||
      !duration_option("--timer-tick", opt.timer_tick, eo.params.timer_tick))
    return false;
  if (!opt.timeout.empty() && !duration_option("--timeout", opt.timeout, eo.timeout)) return false;
  if (!gil_param_options(opt.gil_params, eo.params)) return false;
  if (opt.check_interval < 1) {
    fmt::print(stderr, "gilsim: --check-interval must be at least 1\n");
    return false;
  }
  eo.params.check_interval = opt.check_interval;
  eo.max_steps = opt.max_steps;
  eo.max_events = opt.max_events;
  if (!size_option("--max-memory", opt.max_memory, eo.limits.max_memory)) return false;
  if (opt.max_threads < 1 || opt.max_processes < 0 || opt.max_spawns < 0) {
    fmt::print(stderr,
               "gilsim: --max-threads must be at least 1, --max-processes and "
               "--max-spawns at least 0\n");
    return false;
  }
  eo.limits.max_threads = opt.max_threads;
  eo.limits.max_processes = opt.max_processes;
  eo.limits.max_spawns = opt.max_spawns;
  for (const auto& d : opt.defines) {
    auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "gilsim: -D expects NAME=VALUE, got '{}'\n", d);
      return false;
    }
    eo.defines.emplace_back(d.substr(0, eq), d.substr(eq + 1));
  }
  if (!opt.script_args.empty()) {
    eo.argv = {opt.script};
    eo.argv.insert(eo.argv.end(), opt.script_args.begin(), opt.script_args.end());
  }
  eo.interrupted = [] { return interrupted(); };
  return true;
}

bool can_write(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    fmt::print(stderr, "gilsim: cannot write '{}': {}\n", path, std::strerror(EISDIR));
    return false;
  }
  // The file is written as path.tmp and renamed (write_file): that is what must be possible.
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    int err = errno;
    fmt::print(stderr, "gilsim: cannot write '{}': {}\n", path, std::strerror(err));
    return false;
  }
  std::fclose(f);
  std::remove(tmp.c_str());
  return true;
}

bool can_write_all(std::initializer_list<std::string_view> paths) {
  bool ok = true;
  for (std::string_view p : paths)
    if (!p.empty()) ok &= can_write(std::string(p));
  return ok;
}

bool write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) {
      int err = errno;
      fmt::print(stderr, "gilsim: cannot write '{}': {}\n", path, std::strerror(err));
      return false;
    }
    write(f);
    f.flush();
    if (!f) {
      int err = errno;
      fmt::print(stderr, "gilsim: writing '{}' failed: {}\n", path, std::strerror(err));
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    fmt::print(stderr, "gilsim: cannot write '{}': {}\n", path, std::strerror(err));
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

bool write_run_outputs(const RunOptions& opt, const RunRecord& run, const Metrics& metrics) {
  bool written = true;
  if (!opt.json_path.empty())
    written &= write_file(opt.json_path, [&](std::ostream& f) {
      // A -D value or a file name need not be UTF-8: invalid bytes become U+FFFD, as the
      // other exporters keep them readable too, rather than abort the dump.
      f << results_json(run, metrics).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
    });
  if (!opt.trace_path.empty() && wants_gzip(opt.trace_path) && !gzip_available()) {
    fmt::print(stderr, "gilsim: cannot write '{}': this build has no zlib for gzip\n",
               opt.trace_path);
    written = false;
  } else if (!opt.trace_path.empty()) {
    written &= write_file(opt.trace_path, [&](std::ostream& f) {
      if (!wants_gzip(opt.trace_path)) return write_chrome_trace(run, metrics, f);
      GzipOstream gz(f);
      write_chrome_trace(run, metrics, gz);
      if (!gz.finish()) f.setstate(std::ios::badbit);
    });
  }
  if (!opt.csv_path.empty())
    written &= write_file(opt.csv_path, [&](std::ostream& f) { write_state_csv(run, f); });
  if (!opt.timeline_path.empty())
    written &= write_file(opt.timeline_path,
                          [&](std::ostream& f) { write_timeline_html(run, metrics, f); });
  return written;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, ','))
    if (!part.empty()) out.push_back(part);
  return out;
}

}  // namespace gilsim
