// Helpers shared by the VM's unit tests: compile and run a script in-process, catch syntax errors,
// walk a code object instruction by instruction. Header-only; every function is inline.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/script_loader.h"
#include "vm/code.h"
#include "vm/direct_host.h"
#include "vm/errors.h"
#include "vm/interpreter.h"
#include "vm/opcode.h"
#include "vm/thread_state.h"

namespace gilsim::testing {

// The tests/ folder, for fixtures: ctest passes it as GILSIM_TESTS_DIR (so a build whose compiler
// cache rewrote __FILE__ to a relative path still finds them); __FILE__ is the fallback for a
// test binary started by hand.
inline std::filesystem::path tests_dir() {
  if (const char* dir = std::getenv("GILSIM_TESTS_DIR")) return dir;
  return std::filesystem::path(__FILE__).parent_path();
}

// One script, compiled and ready to run on a DirectHost; keeps the interpreter alive afterwards so
// a test can inspect globals, output and the thread state.
class Harness {
 public:
  explicit Harness(std::string text, std::string name = "t.gil")
      : program(compile_text(name, std::move(text))),
        interp(program, host),
        ts(interp, "MainThread", 0) {}

  RunResult run() { return run_module(ts); }

  // The value of a global after the run (Unset when it was never assigned).
  const Value& global(std::string_view name) const {
    for (size_t i = 0; i < program->global_names.size(); ++i)
      if (program->global_names[i] == name) return interp.globals[i];
    FAIL("no global named " << name);
    return interp.globals[0];
  }

  std::shared_ptr<const Program> program;
  DirectHost host;
  Interp interp;
  ThreadState ts;
};

// Runs a script that must succeed and returns what it printed.
inline std::string run_ok(const std::string& text) {
  Harness h(text);
  RunResult r = h.run();
  if (r.failure) FAIL_CHECK("unexpected failure:\n" << format_traceback(*h.program, *r.failure));
  return h.host.output();
}

// Runs a script that must fail at run time and returns the failure.
inline ScriptFailure run_failing(const std::string& text) {
  Harness h(text);
  RunResult r = h.run();
  if (!r.failure) {
    FAIL_CHECK("expected a runtime error; the script printed:\n" << h.host.output());
    return {};
  }
  return *r.failure;
}

// The SyntaxError compiling `text` raises, or nullopt when it compiles.
inline std::optional<SyntaxError> compile_error(const std::string& text) {
  try {
    compile_text("t.gil", text);
  } catch (const SyntaxError& e) {
    return e;
  }
  return std::nullopt;
}

// One decoded instruction of a code object.
struct Instr {
  std::uint32_t offset;
  Op op;
  std::uint32_t arg;
  int line;
  int col;
  std::uint32_t next() const { return offset + 1 + op_operand_width(op); }
};

// Decodes `code` by walking its positions table (one entry per instruction). Checks that the
// positions tile the bytes exactly: each instruction starts where the previous one ends.
inline std::vector<Instr> decode(const Code& code) {
  std::vector<Instr> out;
  std::uint32_t expect_at = 0;
  for (const Position& p : code.positions) {
    REQUIRE(p.offset == expect_at);
    REQUIRE(p.offset < code.bytes.size());
    REQUIRE(code.bytes[p.offset] < kOpCount);
    auto op = static_cast<Op>(code.bytes[p.offset]);
    int width = op_operand_width(op);
    REQUIRE(p.offset + 1 + width <= code.bytes.size());
    std::uint32_t arg = width ? read_operand(&code.bytes[p.offset + 1], width) : 0;
    out.push_back({p.offset, op, arg, p.line, p.col});
    expect_at = out.back().next();
  }
  REQUIRE(expect_at == code.bytes.size());
  return out;
}

inline std::vector<Op> ops_of(const Code& code) {
  std::vector<Op> ops;
  for (const Instr& i : decode(code)) ops.push_back(i.op);
  return ops;
}

// "LOAD_CONST STORE_GLOBAL ..." — readable in a failed CHECK.
inline std::string op_names(const std::vector<Op>& ops) {
  std::string out;
  for (Op op : ops) {
    if (!out.empty()) out += ' ';
    out += op_name(op);
  }
  return out;
}

inline std::string op_names(const Code& code) { return op_names(ops_of(code)); }

// The function named `name` in a compiled program.
inline const Code& function_named(const Program& program, std::string_view name) {
  for (const auto& fn : program.functions)
    if (fn->name == name) return *fn;
  FAIL("no function named " << name);
  return *program.module;
}

}  // namespace gilsim::testing
