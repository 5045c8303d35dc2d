#include "tools/lab/source_path.h"

#include <filesystem>
#include <system_error>

#ifndef GILSIM_SOURCE_DIR
#define GILSIM_SOURCE_DIR ""
#endif

namespace gilsim {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> source_roots() {
  std::vector<fs::path> roots;
  if (std::string(GILSIM_SOURCE_DIR).size() > 0) roots.emplace_back(GILSIM_SOURCE_DIR);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  // build/release/gilsim -> the tree holding build/
  if (!ec) roots.push_back(exe.parent_path().parent_path().parent_path());
  return roots;
}

}  // namespace

std::string find_source_file(const std::string& relative, std::vector<std::string>& tried) {
  tried.clear();
  for (const auto& root : source_roots()) {
    fs::path candidate = root / relative;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
    tried.push_back(candidate.lexically_normal().string());
  }
  return "";
}

}  // namespace gilsim
