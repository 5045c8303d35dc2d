#include "tools/lab/scale.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "gil/engines/engine.h"
#include "gil/policies/catalog.h"
#include "tools/cli/script_loader.h"
#include "tools/lab/bench.h"
#include "tools/lab/scale_report.h"

namespace gilsim {

namespace {

template <typename... Args>
void usage_error(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "gilsim scale: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

// "threads=1,2,4" -> name and values. False (after saying why) when it does not read.
bool parse_param(const std::string& text, std::string& name, std::vector<std::string>& values) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    usage_error("--param expects NAME=V1,V2,..., got '{}'", text);
    return false;
  }
  name = text.substr(0, eq);
  std::string rest = text.substr(eq + 1);
  values.clear();
  size_t start = 0;
  while (true) {
    size_t comma = rest.find(',', start);
    std::string v = rest.substr(start, comma == std::string::npos ? comma : comma - start);
    if (v.empty()) {
      usage_error("--param {}: empty value in '{}' (give V1,V2,...)", name, rest);
      return false;
    }
    values.push_back(v);
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

// All values as finite numbers, or empty when one is not a number (then no ideal line).
std::vector<double> as_numbers(const std::vector<std::string>& values) {
  std::vector<double> numbers;
  for (const auto& v : values) {
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || !std::isfinite(d)) return {};
    numbers.push_back(d);
  }
  return numbers;
}

bool check_policies(const std::vector<std::string>& policies) {
  if (policies.empty()) {
    usage_error("--policy: give at least one policy");
    return false;
  }
  for (const auto& p : policies) {
    bool known = false;
    for (const auto& info : policy_catalog()) known |= info.name == p;
    if (known) continue;
    std::string names;
    for (const auto& info : policy_catalog()) names += (names.empty() ? "" : ", ") + info.name;
    usage_error("unknown policy '{}' (one of: {})", p, names);
    return false;
  }
  return true;
}

// Why a run failed, for the report: the script's own error text, else what stopped it.
std::string failure_text(const RunRecord& rec, Engine& engine) {
  std::string text = engine.captured_errors();
  if (rec.stop == StopCause::Deadlock) text += rec.deadlock_report;
  if (rec.stop == StopCause::Timeout) text += "stopped by --timeout\n";
  if (text.empty()) text = fmt::format("exit status {}\n", rec.exit_code);
  if (text.back() != '\n') text += '\n';
  return text;
}

struct Sweep {
  const ScaleOptions& opt;
  std::shared_ptr<const Program> program;
  std::vector<EngineOptions> engines;  // one per policy, -D of the sweep not yet added
  ScaleResult result;
};

// What one cell's runs (every repeat) came to. Measured in this process or in a child (--jobs),
// then reported by the parent in the grid's order, so the output is the same either way.
struct CellRuns {
  std::vector<double> walls;  // seconds, one per repeat that finished
  int status = 0;             // 0, or the exit status of the run that failed (the cell is dropped)
  bool interrupted = false;   // Ctrl-C (or SIGTERM / SIGHUP) stopped it
  std::string failure;        // why the run failed, for the report
};

CellRuns measure_cell(const Sweep& s, size_t policy, size_t value) {
  CellRuns c;
  for (int k = 0; k < s.opt.repeat; ++k) {
    EngineOptions eo = s.engines[policy];
    // The sweep's value comes first: param() takes the first -D of a name.
    eo.defines.insert(eo.defines.begin(), {s.result.param, s.result.values[value]});
    eo.sim.seed += k;  // under sim, repeats sample the model's noise instead of repeating it
    eo.out = nullptr;  // the script's prints are captured, not shown
    eo.err = nullptr;
    auto engine = make_engine(eo);
    RunRecord rec = engine->run(s.program);
    if (rec.exit_code != 0) {
      c.status = rec.exit_code;
      c.interrupted = rec.stop == StopCause::Interrupt;
      if (!c.interrupted) c.failure = failure_text(rec, *engine);
      return c;
    }
    c.walls.push_back(static_cast<double>(rec.wall) / 1e9);
  }
  return c;
}

// A progress bar on stderr's last line while stderr is a terminal: redrawn after each cell's
// line, cleared at the end.
class ProgressBar {
 public:
  ProgressBar(bool shown, int total) : shown_(shown), total_(total) {}
  void clear() {
    if (shown_) fmt::print(stderr, "\r\033[K");
  }
  void draw(int done) {
    if (!shown_) return;
    constexpr int kWidth = 30;
    int filled = total_ > 0 ? done * kWidth / total_ : kWidth;
    fmt::print(stderr, "\r[{}{}] {}/{} cells", std::string(static_cast<size_t>(filled), '#'),
               std::string(static_cast<size_t>(kWidth - filled), '.'), done, total_);
    std::fflush(stderr);
  }

 private:
  bool shown_;
  int total_;
};

// Reports one measured cell: its progress line, and its place in the results. Returns 0, or the
// exit status of the run that failed (then the cell is left out of the results).
int report_cell(Sweep& s, size_t policy, size_t value, int number, int total, const CellRuns& c) {
  const std::string& p = s.result.policies[policy];
  const std::string label = fmt::format("{} {}={}", p, s.result.param, s.result.values[value]);
  if (!s.opt.quiet) {
    std::string line = fmt::format("[{}/{}] {}:", number, total, label);
    for (double w : c.walls) line += fmt::format(" {:.4g}", w);
    if (c.status != 0)
      line += " stopped\n";
    else if (s.opt.repeat > 1)
      line += fmt::format(" -> {:.4g} s\n", median(c.walls));
    else
      line += " s\n";
    fmt::print(stderr, "{}", line);
  }
  if (c.status != 0) {
    if (c.interrupted) {
      fmt::print(stderr, "gilsim scale: interrupted ({}); writing what was measured\n",
                 interrupt_name());
      return interrupt_exit_code();
    }
    fmt::print(stderr, "gilsim scale: {} (run {} of {}) failed with exit status {}:\n{}", label,
               c.walls.size() + 1, s.opt.repeat, c.status, c.failure);
    return c.status;
  }
  s.result.cells.push_back(ScaleCell{p, value, c.walls, median(c.walls), std::nullopt});
  return 0;
}

// The cells in the order they are reported: values outside, policies inside, so a stopped sweep
// leaves whole rows of the table.
std::vector<std::pair<size_t, size_t>> grid_order(const Sweep& s) {
  std::vector<std::pair<size_t, size_t>> cells;
  for (size_t v = 0; v < s.result.values.size(); ++v)
    for (size_t p = 0; p < s.result.policies.size(); ++p) cells.emplace_back(p, v);
  return cells;
}

int run_grid(Sweep& s, ProgressBar& bar) {
  auto cells = grid_order(s);
  const int total = static_cast<int>(cells.size());
  for (int i = 0; i < total; ++i) {
    if (interrupted()) {
      bar.clear();
      fmt::print(stderr, "gilsim scale: interrupted ({}); writing what was measured\n",
                 interrupt_name());
      return interrupt_exit_code();
    }
    CellRuns c =
        measure_cell(s, cells[static_cast<size_t>(i)].first, cells[static_cast<size_t>(i)].second);
    bar.clear();
    int status = report_cell(s, cells[static_cast<size_t>(i)].first,
                             cells[static_cast<size_t>(i)].second, i + 1, total, c);
    if (status != 0) return status;
    bar.draw(i + 1);
  }
  return 0;
}

// ---- --jobs N: cells measured in child processes -------------------------------------------
// Each child (fork) measures one cell and writes a CellRuns down a pipe; the parent keeps N
// children busy and reports the cells in the grid's order as they become available, stopping
// at the first that failed, exactly where --jobs 1 stops. The sim engine is deterministic, so the
// figures are the same as --jobs 1's.

std::string encode(const CellRuns& c) {
  std::string out = fmt::format("{} {} {}\n", c.status, c.interrupted ? 1 : 0, c.walls.size());
  for (double w : c.walls) out += fmt::format("{:.17g}\n", w);
  return out + c.failure;
}

bool decode(const std::string& text, CellRuns& c) {
  std::istringstream in(text);
  size_t n = 0;
  int interrupted = 0;
  if (!(in >> c.status >> interrupted >> n)) return false;
  c.interrupted = interrupted != 0;
  c.walls.resize(n);
  for (double& w : c.walls)
    if (!(in >> w)) return false;
  in.get();  // the newline after the last figure
  c.failure.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

struct Child {
  pid_t pid;
  int fd;
  size_t cell;
  std::string data;
};

int run_grid_parallel(Sweep& s, ProgressBar& bar, int jobs) {
  auto cells = grid_order(s);
  const size_t total = cells.size();
  std::vector<std::optional<CellRuns>> done(total);
  std::vector<Child> running;
  size_t next_start = 0, next_report = 0;
  int status = 0;
  bool stop = false;
  std::fflush(stdout);
  while (next_report < total) {
    if (interrupted() && !stop) {  // a signal to gilsim alone: pass it on to the children
      stop = true;
      for (const Child& c : running) kill(c.pid, SIGTERM);
    }
    while (!stop && running.size() < static_cast<size_t>(jobs) && next_start < total) {
      int fds[2];
      if (pipe(fds) != 0) break;
      pid_t pid = fork();
      if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        break;
      }
      if (pid == 0) {  // the child: measure, write, leave without running the parent's exit code
        close(fds[0]);
        std::string text =
            encode(measure_cell(s, cells[next_start].first, cells[next_start].second));
        for (size_t off = 0; off < text.size();) {
          ssize_t w = write(fds[1], text.data() + off, text.size() - off);
          if (w <= 0) break;
          off += static_cast<size_t>(w);
        }
        _exit(0);
      }
      close(fds[1]);
      running.push_back(Child{pid, fds[0], next_start++, {}});
    }
    if (running.empty()) break;
    std::vector<pollfd> polls;
    for (const Child& c : running) polls.push_back(pollfd{c.fd, POLLIN, 0});
    if (poll(polls.data(), polls.size(), 200) < 0 && errno != EINTR) break;
    for (size_t i = running.size(); i-- > 0;) {
      if (!(polls[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Child& c = running[i];
      char buf[4096];
      ssize_t n = read(c.fd, buf, sizeof buf);
      if (n > 0) {
        c.data.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      close(c.fd);
      int wstatus = 0;
      waitpid(c.pid, &wstatus, 0);
      CellRuns r;
      if (!decode(c.data, r)) {  // the child died before it could say (killed, out of memory)
        r.status = 1;
        r.failure =
            fmt::format("the worker process ended without a result (wait status {})\n", wstatus);
        if (stop) r.interrupted = true;
      }
      done[c.cell] = std::move(r);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    }
    while (status == 0 && next_report < total && done[next_report]) {
      bar.clear();
      status = report_cell(s, cells[next_report].first, cells[next_report].second,
                           static_cast<int>(next_report) + 1, static_cast<int>(total),
                           *done[next_report]);
      ++next_report;
      if (status == 0) bar.draw(static_cast<int>(next_report));
    }
    if (status != 0) {
      for (const Child& c : running) {
        kill(c.pid, SIGTERM);
        close(c.fd);
        waitpid(c.pid, nullptr, 0);
      }
      return status;
    }
    if (stop && running.empty() && next_report < total) {
      bar.clear();
      fmt::print(stderr, "gilsim scale: interrupted ({}); writing what was measured\n",
                 interrupt_name());
      return interrupt_exit_code();
    }
  }
  return status;
}

bool write_outputs(const ScaleOptions& opt, const ScaleResult& r) {
  bool ok = true;
  if (!opt.csv_path.empty())
    ok &= write_file(opt.csv_path, [&](std::ostream& f) { write_scale_csv(r, f); });
  if (!opt.json_path.empty())
    ok &= write_file(opt.json_path, [&](std::ostream& f) {
      f << scale_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    });
  if (!opt.svg_path.empty())
    ok &= write_file(opt.svg_path, [&](std::ostream& f) { write_scale_svg(r, f); });
  return ok;
}

}  // namespace

int run_scale(const ScaleOptions& opt) {
  ScaleResult r;
  if (opt.param.empty()) {
    usage_error("give the parameter to sweep: --param NAME=V1,V2,...");
    return 2;
  }
  if (!parse_param(opt.param, r.param, r.values) || !check_policies(opt.policies)) return 2;
  if (opt.repeat < 1) {
    usage_error("--repeat must be at least 1");
    return 2;
  }
  for (const auto& d : opt.run.defines) {
    if (d.rfind(r.param + "=", 0) == 0) {
      usage_error("-D {} and --param {} both set '{}': drop the -D", d, r.param, r.param);
      return 2;
    }
  }
  Sweep s{opt, nullptr, {}, {}};
  for (const auto& p : opt.policies) {
    RunOptions ro = opt.run;
    ro.policy = p;
    EngineOptions eo;
    if (!engine_options(ro, eo)) return 2;
    s.engines.push_back(std::move(eo));
  }
  if (!can_write_all({opt.csv_path, opt.json_path, opt.svg_path})) return 2;
  int load_status = 0;
  s.program = load_script(opt.run.script, load_status);
  if (!s.program) return load_status;

  r.script = opt.run.script;
  r.numbers = as_numbers(r.values);
  r.policies = opt.policies;
  r.engine = opt.run.engine;
  r.cores = opt.run.cores;
  r.seed = opt.run.seed;
  r.repeat = opt.repeat;
  s.result = std::move(r);

  int jobs = opt.jobs;
  if (jobs <= 0) {  // the default: every core under sim; one run at a time on the real clock
    jobs = opt.run.engine == "sim"
               ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
               : 1;
  }
  int status;
  {
    StopSignals stop_signals;
    ProgressBar bar(!opt.quiet && isatty(STDERR_FILENO),
                    static_cast<int>(s.result.values.size() * s.result.policies.size()));
    status = jobs > 1 ? run_grid_parallel(s, bar, jobs) : run_grid(s, bar);
    bar.clear();
  }

  s.result.complete = status == 0;
  s.result.compute_speedups();
  fmt::print("{}", format_scale_table(s.result));
  std::fflush(stdout);
  bool written = write_outputs(opt, s.result);
  if (!written && status == 0) return 2;
  return status;
}

CLI::App* add_scale_command(CLI::App& app, std::function<int()>& run) {
  auto options = std::make_shared<ScaleOptions>();
  auto* cmd = app.add_subcommand(
      "scale", "Run a script over values of a parameter and policies; chart the speedup");
  cmd->add_option("script", options->run.script, "The script (.gil)")->required();
  cmd->add_option("--param", options->param, "NAME=V1,V2,...: the -D parameter to sweep")
      ->required();
  cmd->add_option("--policy", options->policies, "GIL policies, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--repeat", options->repeat, "Runs per cell; the median is reported")
      ->capture_default_str();
  add_run_flags(cmd, options->run, /*policy=*/false);
  cmd->add_option("--csv", options->csv_path, "Write one row per cell (CSV)");
  cmd->add_option("--json", options->json_path, "Write the results as JSON");
  cmd->add_option("--svg", options->svg_path, "Write the speedup chart (SVG)");
  cmd->add_flag("-q,--quiet", options->quiet, "No progress lines on stderr");
  cmd->add_option("-j,--jobs", options->jobs,
                  "Runs at once, each in a process of its own (default: the number of cores "
                  "with --engine sim, 1 with threads, whose timing parallel runs would disturb)")
      ->check(CLI::Range(1, 256));
  run = [options] { return run_scale(*options); };
  return cmd;
}

}  // namespace gilsim
