// Lexer: source text to tokens, with Python's indentation rules.
//
// Produces the whole token list at once (scripts are small). Newlines inside brackets and after a
// backslash are joined away; at the start of each logical line the indentation is compared with a
// stack of levels to emit Indent/Dedent, with Python's IndentationError and TabError. The first
// problem throws SyntaxError: there is never a cascade of follow-on errors.
#pragma once

#include <vector>

#include "vm/source.h"
#include "vm/token.h"

namespace gilsim {

// Python's tokenizer limits (Parser/tokenizer.h MAXINDENT and MAXLEVEL): beyond them CPython also
// refuses the file, and they keep the recursive-descent parser's depth bounded.
inline constexpr int kMaxIndentLevels = 100;
inline constexpr int kMaxBracketDepth = 200;

std::vector<Token> tokenize(const Source& source);

}  // namespace gilsim
