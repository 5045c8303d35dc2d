// `gilsim bench`, the memory section (issue 12): the peak RSS of gilsim and of python3 running the
// same scripts, each in a process of its own (wait4's ru_maxrss), side by side:
//   empty    nothing: what the interpreter itself costs
//   ints     a list of 1,000,000 small ints
//   strdict  a dict of 100,000 str keys
//   objects  a list of 100,000 small objects (instances with two attributes)
//   cycles   a loop that builds and drops reference cycles for N rounds, then for 10 N: the same
//            peak both times when the cycles are collected (vm/cycle_collector.h)
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tools/lab/bench.h"

extern char** environ;

namespace gilsim {

namespace {

struct MemoryCase {
  const char* name;
  std::string text;
};

std::vector<MemoryCase> memory_cases(long rounds) {
  const std::string cycles = R"(class Node:
    def __init__(self):
        self.peer = None

for i in range(ROUNDS):
    a = Node()
    b = Node()
    a.peer = b
    b.peer = a
    l = []
    l.append(l)
)";
  auto with_rounds = [&](long n) {
    std::string t = cycles;
    t.replace(t.find("ROUNDS"), 6, std::to_string(n));
    return t;
  };
  return {
      {"empty", "pass\n"},
      {"ints", "l = list(range(1000000))\n"},
      {"strdict", "d = {}\nfor i in range(100000):\n    d['key' + str(i)] = i\n"},
      {"objects",
       "class P:\n    def __init__(self, x):\n        self.x = x\n        self.y = None\n\n"
       "l = [P(i) for i in range(100000)]\n"},
      {"cycles", with_rounds(rounds)},
      {"cycles10", with_rounds(rounds * 10)},
  };
}

// Runs argv with stdout and stderr thrown away; its peak RSS in KB, or -1 when it failed.
long peak_rss_kb(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return usage.ru_maxrss;
}

std::string kb(double v) { return v > 0 ? fmt::format("{:>9.0f}", v) : fmt::format("{:>9}", "-"); }

}  // namespace

int run_memory_bench(const BenchOptions& opt) {
  long rounds = std::max(1000L, static_cast<long>(20'000 * opt.scale));
  int repeat = std::min(opt.repeat, 3);  // a peak varies little from run to run
  fmt::print("gilsim bench: peak RSS in KB (median of {} runs each, one process per run)\n",
             repeat);
  fmt::print(
      "cycles: {} rounds of two instances pointing at each other and a list holding itself; "
      "cycles10: {} rounds\n\n",
      rounds, rounds * 10);
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  auto dir = std::filesystem::temp_directory_path() / fmt::format("gilsim-bench-mem-{}", getpid());
  std::filesystem::create_directories(dir);
  fmt::print("{:<10}{:>9} {:>9}  {:>14}\n", "script", "gilsim", "python3", "gilsim/python3");
  int status = 0;
  for (const MemoryCase& c : memory_cases(rounds)) {
    std::string file = (dir / (std::string(c.name) + ".py")).string();
    std::ofstream(file) << c.text;
    std::vector<double> ours, theirs;
    for (int r = 0; r < repeat; ++r) {
      ours.push_back(static_cast<double>(peak_rss_kb({self, "run", "-q", file})));
      theirs.push_back(static_cast<double>(peak_rss_kb({opt.python, file})));
    }
    double g = median(ours), p = median(theirs);
    if (g <= 0) status = 1;
    fmt::print("{:<10}{} {}  {:>14}\n", c.name, kb(g), kb(p),
               g > 0 && p > 0 ? fmt::format("{:.2f}", g / p) : "-");
  }
  std::filesystem::remove_all(dir);
  fmt::print(
      "\ngilsim/python3 below 1 means gilsim holds less. cycles10 about equal to cycles means the "
      "dropped\ncycles were freed while the loop ran.\n");
  return status;
}

}  // namespace gilsim
