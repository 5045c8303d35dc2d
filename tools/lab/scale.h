// `gilsim scale`: runs a script over a grid (every value of one -D parameter x every policy),
// N times per cell, and reports the median wall time and the speedup over the first value as a
// table, CSV, JSON and an SVG chart (docs/scale.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "tools/cli/run_options.h"

namespace gilsim {

struct ScaleOptions {
  RunOptions run;  // the run flags shared with `gilsim run` (its policy is not used)
  std::vector<std::string> policies{"modern"};
  std::string param;  // NAME=V1,V2,...
  int repeat = 3;
  std::string csv_path, json_path, svg_path;
  bool quiet = false;  // no progress lines on stderr
  int jobs = 0;        // cells measured at once, in child processes; 0: the default
};

// Adds the `scale` subcommand and its flags to `app`; `run` is set to what runs it once parsed.
CLI::App* add_scale_command(CLI::App& app, std::function<int()>& run);

// Runs the sweep: 0 when every run succeeded; 2 on bad input; else the first failing run's
// exit status (1 error or deadlock, 124 timeout, 130 Ctrl-C), after writing what was measured.
int run_scale(const ScaleOptions& options);

}  // namespace gilsim
