// Finding files of the source tree (workloads/, tools/gilsim_shim.py) from the gilsim binary.
//
// Where it looks, in order:
//   1. GILSIM_SOURCE_DIR, the source directory CMake compiled into this file (the usual case:
//      the binary runs where it was built);
//   2. two levels above the binary's own directory (/proc/self/exe), which is the source tree
//      when the tree was moved or copied with its build/<preset>/ folder inside.
// A file found nowhere is reported with every place tried, so a user can see what is missing.
#pragma once

#include <string>
#include <vector>

namespace gilsim {

// The path of `relative` (e.g. "tools/gilsim_shim.py") in the source tree, or "" when it is
// not found; `tried` then lists the paths looked at.
std::string find_source_file(const std::string& relative, std::vector<std::string>& tried);

}  // namespace gilsim
