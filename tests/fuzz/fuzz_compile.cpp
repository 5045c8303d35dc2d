// libFuzzer target: any bytes through the lexer, parser, compiler and disassembler.
//
// The property: no input crashes, hangs, overflows the stack or trips a sanitizer; every rejection
// is a SyntaxError with a position inside the text. Scripts are not run: running arbitrary loops
// would hang the fuzzer, and the eval loop has its own tests.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "vm/compiler.h"
#include "vm/disassembler.h"
#include "vm/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto source = std::make_shared<const gilsim::Source>(
      "fuzz.gil", std::string(reinterpret_cast<const char*>(data), size));
  try {
    auto program = gilsim::compile(source);
    (void)gilsim::disassemble(*program);
  } catch (const gilsim::SyntaxError& e) {
    if (e.line < 1 || e.line > source->line_count() + 1 || e.col < 1) std::abort();
  }
  return 0;
}
