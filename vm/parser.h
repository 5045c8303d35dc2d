// Parser: tokens to a syntax tree, by recursive descent after Python's grammar
// (Grammar/python.gram), restricted to the subset gilsim implements.
//
// Stops at the first error with a SyntaxError naming line and column, so a user never sees a
// cascade. Recursion is bounded: brackets and indentation by the lexer's limits, prefix operators
// by kMaxExprDepth, so no input can overflow the C++ stack.
#pragma once

#include <vector>

#include "vm/ast.h"
#include "vm/source.h"
#include "vm/token.h"

namespace gilsim {

inline constexpr int kMaxExprDepth = 250;    // above the 200 brackets Python allows
inline constexpr int kMaxChain = 1000;       // operators in one chain, elifs in a row
inline constexpr int kMaxTreeHeight = 1500;  // levels of one expression tree (above kMaxChain)

Block parse(const Source& source);  // tokenizes, then parses
Block parse_tokens(const std::vector<Token>& tokens);

}  // namespace gilsim
