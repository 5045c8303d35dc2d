#include "tools/cli/script_loader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vm/compiler.h"

namespace gilsim {

std::string format_syntax_error(const Source& source, const SyntaxError& e) {
  std::string out =
      fmt::format("{}:{}:{}: {}: {}\n", source.path(), e.line, e.col, e.kind, e.what());
  std::string_view text = source.line(e.line);
  if (text.empty()) return out;
  // Long lines (minified or generated input) are cut around the error so the caret stays visible.
  size_t col = static_cast<size_t>(std::max(e.col, 1)) - 1;
  size_t from = col > 60 ? col - 40 : 0;
  std::string_view shown = text.substr(from, 120);
  out += fmt::format("    {}{}\n", from > 0 ? "..." : "", shown);
  std::string pad = from > 0 ? "   " : "";
  // Copy tabs from the source line so the caret lines up however the terminal renders them.
  for (size_t i = from; i < col && i < text.size(); ++i) pad += text[i] == '\t' ? '\t' : ' ';
  out += fmt::format("    {}^\n", pad);
  return out;
}

std::shared_ptr<const Program> load_script(const std::string& path, int& exit_code) {
  // A directory opens as a stream on Linux and reads as nothing: it would run as an empty script.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    fmt::print(stderr, "gilsim: cannot open '{}': {}\n", path, std::strerror(EISDIR));
    exit_code = 2;
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    fmt::print(stderr, "gilsim: cannot open '{}': {}\n", path, std::strerror(err));
    exit_code = 2;
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto source = std::make_shared<const Source>(path, text.str());
  try {
    return compile(source);
  } catch (const SyntaxError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}", format_syntax_error(*source, e));
    exit_code = 2;
    return nullptr;
  }
}

std::shared_ptr<const Program> compile_text(const std::string& name, std::string text) {
  return compile(std::make_shared<const Source>(name, std::move(text)));
}

}  // namespace gilsim
