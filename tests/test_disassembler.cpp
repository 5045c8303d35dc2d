// The disassembler: one section per code object, one line per instruction with its offset, opcode
// and resolved operand, source lines where they change, '>>' at jump targets; and the opcode table.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"
#include "vm/disassembler.h"

namespace {

using gilsim::Code;
using gilsim::compile_text;
using gilsim::disassemble;
using gilsim::disassemble_code;
using gilsim::kOpCount;
using gilsim::Op;
using gilsim::op_is_jump;
using gilsim::op_name;
using gilsim::opcode_table;
using gilsim::Program;
using gilsim::testing::decode;
using gilsim::testing::Instr;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// One instruction line of a listing.
struct Row {
  int source_line;  // 0 when the column is blank (same line as before)
  bool target;      // marked '>>'
  std::uint32_t offset;
  std::string op;
  std::string operand;  // the rest: number(s) and "(meaning)", or empty
};

struct Section {
  std::string header;
  std::vector<Row> rows;
};

// Splits a listing into its sections, checking that every line is a header, a row or blank.
std::vector<Section> parse_listing(const std::string& text) {
  static const std::regex header(R"(^Disassembly of (\S+) \(line \d+, .*\):$)");
  static const std::regex row(R"(^( {4}|[ \d]{3}\d)  (>>|  ) +(\d+) ([A-Z_]+) *(.*)$)");
  std::vector<Section> out;
  for (const std::string& line : lines_of(text)) {
    std::smatch m;
    if (line.empty()) continue;
    if (std::regex_match(line, m, header)) {
      out.push_back({line, {}});
      continue;
    }
    REQUIRE_MESSAGE(std::regex_match(line, m, row), "unexpected line: " << line);
    REQUIRE(!out.empty());
    std::string col = m[1].str();
    int source_line = col.find_first_not_of(' ') == std::string::npos ? 0 : std::stoi(col);
    out.back().rows.push_back({source_line, m[2].str() == ">>",
                               static_cast<std::uint32_t>(std::stoul(m[3].str())), m[4].str(),
                               m[5].str()});
  }
  return out;
}

const char* kScript =
    "def f(a, b):\n"
    "    if a < b:\n"
    "        return a + 1\n"
    "    return [b, 'two', 2.5, None, True]\n"
    "def g(c):\n"
    "    for i in range(c):\n"
    "        print(i)\n"
    "x = f(1, 2)\n"
    "while x:\n"
    "    x = x.pop()\n";

TEST_CASE("one section per code object, module first, one row per instruction") {
  auto program = compile_text("t.gil", kScript);
  std::string listing = disassemble(*program);
  std::vector<Section> sections = parse_listing(listing);
  REQUIRE(sections.size() == 1 + program->functions.size());
  CHECK(sections[0].header.rfind("Disassembly of <module> (line 1, 0 parameters, 0 locals", 0) ==
        0);
  CHECK(sections[1].header.rfind("Disassembly of f (line 1, 2 parameters, 2 locals, max stack ",
                                 0) == 0);
  CHECK(sections[2].header.rfind("Disassembly of g (line 5, 1 parameter, 2 locals, max stack ",
                                 0) == 0);
  std::vector<const Code*> codes = {program->module.get()};
  for (const auto& fn : program->functions) codes.push_back(fn.get());
  for (size_t s = 0; s < codes.size(); ++s) {
    CAPTURE(codes[s]->name);
    CHECK(sections[s].header.find("max stack " + std::to_string(codes[s]->max_stack) + "):") !=
          std::string::npos);
    std::vector<Instr> instrs = decode(*codes[s]);
    REQUIRE(sections[s].rows.size() == instrs.size());
    int last_line = -1;
    for (size_t i = 0; i < instrs.size(); ++i) {
      const Row& row = sections[s].rows[i];
      CAPTURE(row.offset);
      CHECK(row.offset == instrs[i].offset);
      CHECK(row.op == op_name(instrs[i].op));
      // The source line is printed where it changes, and only there.
      if (instrs[i].line != last_line)
        CHECK(row.source_line == instrs[i].line);
      else
        CHECK(row.source_line == 0);
      last_line = instrs[i].line;
    }
    // disassemble_code gives the same section on its own.
    CHECK(listing.find(disassemble_code(*program, *codes[s])) != std::string::npos);
  }
}

TEST_CASE("jumps say where they go, and their targets are marked") {
  auto program = compile_text("t.gil", kScript);
  for (const Section& section : parse_listing(disassemble(*program))) {
    CAPTURE(section.header);
    std::set<std::uint32_t> targets, marked;
    std::set<std::uint32_t> offsets;
    for (const Row& row : section.rows) offsets.insert(row.offset);
    for (const Row& row : section.rows) {
      if (row.target) marked.insert(row.offset);
      Op op = Op::NOP;
      for (int i = 0; i < kOpCount; ++i)
        if (op_name(static_cast<Op>(i)) == row.op) op = static_cast<Op>(i);
      if (!op_is_jump(op)) continue;
      std::smatch m;
      static const std::regex to(R"(^(\d+) \(to (\d+)\)$)");
      REQUIRE_MESSAGE(std::regex_match(row.operand, m, to), row.op << " " << row.operand);
      CHECK(m[1].str() == m[2].str());
      std::uint32_t target = static_cast<std::uint32_t>(std::stoul(m[2].str()));
      CHECK(offsets.count(target) == 1);
      targets.insert(target);
    }
    CHECK(marked == targets);
  }
  // The listing has jumps at all: the loop and the if.
  CHECK(disassemble(*program).find(">>") != std::string::npos);
}

// The operand text of the first row with opcode `op` whose operand contains `needle`.
bool has_row(const Section& s, const std::string& op, const std::string& operand_suffix) {
  for (const Row& row : s.rows)
    if (row.op == op && row.operand.size() >= operand_suffix.size() &&
        row.operand.compare(row.operand.size() - operand_suffix.size(), operand_suffix.size(),
                            operand_suffix) == 0)
      return true;
  return false;
}

TEST_CASE("operands are resolved to what they mean") {
  auto program = compile_text("t.gil", kScript);
  std::vector<Section> sections = parse_listing(disassemble(*program));
  REQUIRE(sections.size() == 3);
  const Section& module = sections[0];
  const Section& f = sections[1];
  const Section& g = sections[2];
  CHECK(has_row(module, "MAKE_FUNCTION", " (code object f)"));
  CHECK(has_row(module, "MAKE_FUNCTION", " (code object g)"));
  CHECK(has_row(module, "STORE_GLOBAL", " (x)"));
  CHECK(has_row(module, "LOAD_GLOBAL", " (f)"));
  CHECK(has_row(module, "LOAD_CONST", " (1)"));
  CHECK(has_row(module, "LOAD_CONST", " (None)"));
  CHECK(has_row(module, "LOAD_METHOD", " (pop)"));
  CHECK(has_row(module, "CALL", "2"));
  // Locals by name, constants by repr, the packed superinstructions both halves.
  CHECK(has_row(f, "LOAD_FAST_LOAD_FAST", " (a, b)"));
  CHECK(has_row(f, "LOAD_FAST_LOAD_CONST", " (a, 1)"));
  CHECK(has_row(f, "LOAD_CONST", " (2.5)"));
  CHECK(has_row(f, "LOAD_CONST", " (True)"));
  CHECK(has_row(f, "BUILD_LIST", "5"));
  bool two =
      has_row(f, "LOAD_CONST", " ('two')") || has_row(f, "LOAD_FAST_LOAD_CONST", " (b, 'two')");
  CHECK(two);
  CHECK(has_row(g, "LOAD_GLOBAL", " (range)"));
  CHECK(has_row(g, "LOAD_FAST", " (c)"));
  CHECK(has_row(g, "STORE_FAST", " (i)"));
  CHECK(has_row(g, "RESUME", ""));
  // Instructions without an operand print nothing after the name.
  for (const Row& row : f.rows)
    if (row.op == "RETURN_VALUE" || row.op == "BINARY_ADD" || row.op == "RESUME")
      CHECK(row.operand.empty());
}

TEST_CASE("string and float constants print as Python's repr") {
  auto program =
      compile_text("t.gil", "a = \"it's\"\nb = 'a\\nb'\nc = 1e100\nd = -0.0\ne = 'q\"'\n");
  std::string listing = disassemble(*program);
  CHECK(listing.find("(\"it's\")") != std::string::npos);
  CHECK(listing.find("('a\\nb')") != std::string::npos);
  CHECK(listing.find("(1e+100)") != std::string::npos);
  CHECK(listing.find("(-0.0)") != std::string::npos);
  CHECK(listing.find("('q\"')") != std::string::npos);
}

TEST_CASE("opcode_table lists every opcode exactly once with its facts") {
  std::vector<std::string> rows = lines_of(opcode_table());
  REQUIRE(rows.size() == static_cast<size_t>(kOpCount) + 1);
  CHECK(rows[0].rfind("opcode", 0) == 0);
  std::map<std::string, int> seen;
  static const std::regex row(R"(^([A-Z_]+) +(\d) +([+-]\d+) +(yes|no)  (.+)$)");
  for (size_t i = 1; i < rows.size(); ++i) {
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_match(rows[i], m, row), "unexpected row: " << rows[i]);
    ++seen[m[1].str()];
  }
  CHECK(seen.size() == static_cast<size_t>(kOpCount));
  for (int i = 0; i < kOpCount; ++i) {
    auto op = static_cast<Op>(i);
    std::string name(op_name(op));
    CAPTURE(name);
    CHECK(seen[name] == 1);
    const std::string& line = rows[static_cast<size_t>(i) + 1];
    std::smatch m;
    REQUIRE(std::regex_match(line, m, row));
    CHECK(m[1].str() == name);  // in enum order
    CHECK(std::stoi(m[2].str()) == 1 + gilsim::op_operand_width(op));
    CHECK(std::stoi(m[3].str()) == gilsim::op_stack_effect(op, 1));
    CHECK((m[4].str() == "yes") == gilsim::op_ticks(op));
    CHECK(m[5].str() == gilsim::op_comment(op));
  }
}

}  // namespace
