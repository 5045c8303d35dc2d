// `gilsim crosscheck`: the same workload on the threads engine (this machine's real threads and
// clock) and on the sim engine (its model of a machine with as many cores), figure by figure.
// Both engines drive one GIL core (gil/core/gil_core.h), so a figure that disagrees points at the
// model (costs, wake-ups, the OS scheduler) or at the machine's load, never at the protocol.
#include "tools/lab/crosscheck.h"

#include <fmt/format.h>

#include <memory>
#include <thread>

#include "gil/record/metrics.h"
#include "tools/cli/run_options.h"
#include "tools/cli/script_loader.h"
#include "tools/lab/captured_run.h"
#include "tools/lab/source_path.h"

namespace gilsim {

namespace {

struct CrosscheckOptions {
  RunOptions run;
  std::vector<std::string> workloads;
  std::string policies = "modern,io-priority";
};

// With no workload named: the two phenomena whose figures must agree most, small enough to run
// in about a second per engine. `-D` given by the user apply on top.
struct Workload {
  std::string path;
  std::vector<std::string> defines;
};
const std::vector<Workload>& default_workloads() {
  static const std::vector<Workload> list = {
      {"workloads/cpu_bound.py", {"n=6000000", "threads=2"}},
      {"workloads/convoy.py", {"duration=300", "op_ms=0"}},
  };
  return list;
}

struct Figure {
  std::string name;
  double value;
};

std::vector<Figure> headline(const CapturedRun& r) {
  const Metrics& m = r.metrics;
  double wall = m.wall_s > 0 ? m.wall_s : 1e-9;
  double run = 0, wait = 0, io = 0;
  for (const auto& t : m.threads) {
    run += t.seconds(ThreadStateKind::Running);
    wait += t.seconds(ThreadStateKind::Waiting);
    io += t.seconds(ThreadStateKind::Io);
  }
  std::vector<Figure> out = {{"wall s", m.wall_s},
                             {"run s (all threads)", run},
                             {"wait s (all threads)", wait},
                             {"io s (all threads)", io}};
  if (r.record.exclusive) {
    out.push_back({"GIL switches / s", static_cast<double>(m.gil.switches) / wall});
    out.push_back({"drop requests / s", static_cast<double>(m.gil.drop_requests) / wall});
    out.push_back({"GIL wait p50 ms", m.gil.wait_p50_ms});
    out.push_back({"GIL held %", 100.0 * m.gil.held_fraction});
  }
  return out;
}

int run_crosscheck(CrosscheckOptions opt) {
  std::vector<Workload> work;
  if (opt.workloads.empty()) {
    for (const auto& d : default_workloads()) {
      std::vector<std::string> tried;
      std::string path = find_source_file(d.path, tried);
      if (path.empty()) {
        fmt::print(stderr, "gilsim crosscheck: {} not found; name the workloads to run\n", d.path);
        return 2;
      }
      work.push_back({path, d.defines});
    }
  } else {
    for (const auto& w : opt.workloads) work.push_back({w, {}});
  }
  for (const auto& policy : split_commas(opt.policies)) {
    RunOptions ro = opt.run;
    ro.policy = policy;
    EngineOptions eo;
    if (!engine_options(ro, eo)) return 2;  // says why
  }
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  fmt::print(
      "crosscheck: each workload on the threads engine (this machine, {} cores) and on the "
      "sim engine (--cores {}); ratio = sim / threads\n",
      cores, cores);
  int status = 0;
  for (const auto& w : work) {
    int code = 0;
    const std::string& path = w.path;
    auto program = load_script(path, code);
    if (!program) return code;
    for (const auto& policy : split_commas(opt.policies)) {
      RunOptions ro = opt.run;
      ro.policy = policy;
      ro.defines.insert(ro.defines.begin(), w.defines.begin(), w.defines.end());
      EngineOptions eo;
      if (!engine_options(ro, eo)) return 2;
      eo.out = nullptr;  // the script's own output is not what is compared
      eo.engine = "threads";
      CapturedRun threads = run_captured(eo, program);
      eo.engine = "sim";
      eo.sim.cores = cores;
      CapturedRun sim = run_captured(eo, program);
      std::string defs;
      for (const auto& d : w.defines) defs += " -D " + d;
      fmt::print("\n{}{} --policy {}\n", path, defs, policy);
      fmt::print("  {:<22} {:>12} {:>12} {:>8}\n", "figure", "threads", "sim", "ratio");
      auto a = headline(threads), b = headline(sim);
      for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        std::string ratio = a[i].value > 0 ? fmt::format("{:.2f}", b[i].value / a[i].value) : "-";
        fmt::print("  {:<22} {:>12.3f} {:>12.3f} {:>8}\n", a[i].name, a[i].value, b[i].value,
                   ratio);
      }
      if (threads.record.exit_code != 0 || sim.record.exit_code != 0) {
        fmt::print("  exit status: threads {}, sim {}\n", threads.record.exit_code,
                   sim.record.exit_code);
        status = 1;
      }
    }
  }
  return status;
}

}  // namespace

CLI::App* add_crosscheck_command(CLI::App& app, std::function<int()>& run) {
  auto opt = std::make_shared<CrosscheckOptions>();
  auto* cmd = app.add_subcommand(
      "crosscheck", "Run workloads on both engines and print their figures side by side");
  cmd->add_option("workloads", opt->workloads,
                  "Scripts (default: cpu_bound and convoy with small sizes)");
  cmd->add_option("--policy", opt->policies, "Policies, comma-separated")->capture_default_str();
  add_run_flags(cmd, opt->run, /*policy=*/false);
  run = [opt] { return run_crosscheck(*opt); };
  return cmd;
}

}  // namespace gilsim
