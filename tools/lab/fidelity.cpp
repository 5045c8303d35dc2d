#include "tools/lab/fidelity.h"

#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <string>
#include <vector>

#include "tools/lab/external_run.h"
#include "tools/lab/source_path.h"

namespace gilsim {

namespace {

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "gilsim";
}

int run_fidelity(const std::vector<std::string>& args) {
  std::vector<std::string> tried;
  std::string script = find_source_file("tools/lab/fidelity.py", tried);
  if (script.empty()) {
    fmt::print(stderr, "gilsim fidelity: tools/lab/fidelity.py not found (looked at: {})\n",
               fmt::join(tried, ", "));
    return 2;
  }
  auto python = find_program("python3");
  if (!python) {
    fmt::print(stderr, "gilsim fidelity: needs python3 on PATH\n");
    return 2;
  }
  std::vector<std::string> argv = {*python, script, "--gilsim", self_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  std::fflush(stdout);
  execv(raw[0], raw.data());  // its table and exit status are the command's
  fmt::print(stderr, "gilsim fidelity: cannot start {}\n", *python);
  return 2;
}

}  // namespace

CLI::App* add_fidelity_command(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand(
      "fidelity",
      "Each policy against its real runtime on this machine (CPython 2.7/3.x, PyPy, Ruby, "
      "OCaml): the same phenomena, one table (docs/fidelity.md). Options: --repeat N, "
      "--only NAMES, --runtime NAME=PATH, --json F, --csv F");
  cmd->prefix_command();  // every option is tools/lab/fidelity.py's
  run = [cmd] { return run_fidelity(cmd->remaining()); };
  return cmd;
}

}  // namespace gilsim
