#include "gil/engines/child_script.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "vm/compiler.h"
#include "vm/errors.h"
#include "vm/source.h"

namespace gilsim {

Sink route_output(ProcessStreams* s, bool to_err, std::string_view text, MemoryBudget* budget) {
  for (; s; s = s->parent.get()) {
    StreamMode mode = to_err ? s->err : s->out;
    if (mode == StreamMode::Stdout) {  // stderr=STDOUT: in the same stream, in order
      to_err = false;
      mode = s->out;
    }
    if (mode == StreamMode::Devnull) return Sink::Taken;
    if (mode == StreamMode::Pipe) {
      if (budget && !budget->try_charge(static_cast<std::int64_t>(text.size())))
        return Sink::OverBudget;
      (to_err ? s->captured.err : s->captured.out) += text;
      return Sink::Taken;
    }
  }
  return to_err ? Sink::RunErr : Sink::RunOut;
}

void captured_past_budget(const MemoryBudget& budget) {
  raise("MemoryError", fmt::format("a child's captured output would pass --max-memory ({} bytes)",
                                   budget.limit()));
}

namespace {

// What CPython prints for a syntax error in the script it was asked to run (no traceback: the
// module never started): the file and line, the line without its indentation, a caret.
std::string cpython_syntax_error(const Source& source, const SyntaxError& e) {
  std::string out = fmt::format("  File \"{}\", line {}\n", source.path(), e.line);
  std::string_view text = source.line(e.line);
  size_t indent = text.find_first_not_of(" \t\f");
  if (indent != std::string_view::npos) {
    std::string_view shown = text.substr(indent);
    size_t col = static_cast<size_t>(std::max(e.col, 1)) - 1;
    size_t caret = col > indent ? std::min(col - indent, shown.size()) : 0;
    out += fmt::format("    {}\n    {}^\n", shown, std::string(caret, ' '));
  }
  return out + fmt::format("{}: {}\n", e.kind, e.what());
}

// python3 PATH: the source text, or python3's complaint and exit status.
bool read_script(const std::string& path, const std::string& shown, std::string& text,
                 std::string& error, int& status) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = fmt::format("python3: can't find '__main__' module in '{}'\n", shown);
    status = 1;
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    error = fmt::format("python3: can't open file '{}': [Errno {}] {}\n", shown, err,
                        std::strerror(err));
    status = 2;
    return false;
  }
  // hostile: /dev/zero never ends; no script is this long.
  constexpr size_t kMaxSource = size_t{64} << 20;
  char chunk[1 << 16];
  text.clear();
  while (text.size() <= kMaxSource && in.read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxSource) {
    error = fmt::format("gilsim: the child script '{}' is longer than 64 MiB\n", shown);
    status = 1;
    return false;
  }
  return true;
}

}  // namespace

ChildScript load_child_script(ThreadState& parent, Host& host, const std::string& path,
                              std::vector<std::string> argv, StreamMode out, StreamMode err,
                              std::shared_ptr<ProcessStreams> parent_streams) {
  ChildScript child;
  // CPython 3.9+ names the script by its absolute path in tracebacks and messages (sys.argv
  // keeps the path as given).
  std::error_code ec;
  std::string shown = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) shown = path;
  std::shared_ptr<const Program> program;
  std::string text;
  if (read_script(path, shown, text, child.startup_error, child.startup_status)) {
    auto source = std::make_shared<const Source>(shown, std::move(text));
    try {
      program = compile(source);
    } catch (const SyntaxError& e) {
      child.startup_error = cpython_syntax_error(*source, e);
      child.startup_status = 1;
    }
  }
  // One that fails at startup never runs: its parent's program stands in.
  child.interp = std::make_shared<Interp>(program ? program : parent.interp.program_ptr(), host);
  child.interp->share_run(parent.interp);  // hostile: one memory budget and thread count per run
  child.interp->argv = std::move(argv);
  child.streams = std::make_shared<ProcessStreams>(out, err, std::move(parent_streams));
  return child;
}

std::string child_process_name(int number, const std::string& path) {
  return fmt::format("Process-{} ({})", number, std::filesystem::path(path).filename().string());
}

}  // namespace gilsim
