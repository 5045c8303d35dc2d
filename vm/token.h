// Tokens: what the lexer hands the parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gilsim {

enum class Tok : std::uint8_t {
  // layout
  Newline,
  Indent,
  Dedent,
  End,
  // literals and names
  Name,
  Int,
  Float,
  String,
  Bytes,  // lang12: b"..."; text holds the bytes
  // brackets and punctuation
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Dot,
  Semicolon,
  // operators
  Plus,
  Minus,
  Star,
  Slash,
  SlashSlash,
  Percent,
  StarStar,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  EqualEqual,
  NotEqual,
  Assign,
  PlusAssign,
  MinusAssign,
  StarAssign,
  SlashAssign,
  SlashSlashAssign,
  PercentAssign,
  StarStarAssign,
  Arrow,
  At,  // lang-func: a decorator's @
  // lang-data: bitwise operators
  Amp,
  Pipe,
  Caret,
  Tilde,
  LeftShift,
  RightShift,
  AmpAssign,
  PipeAssign,
  CaretAssign,
  LeftShiftAssign,
  RightShiftAssign,
  // lang-data: an f-string is FStringStart, then String parts and fields, then FStringEnd. A
  // field is FieldStart [FieldDebug] <expression tokens> [FieldConversion] [FieldSpec <parts>]
  // FieldEnd, where a spec's parts are String parts and nested fields.
  FStringStart,
  FStringEnd,
  FieldStart,
  FieldDebug,       // text: the `expr=` source text that `{expr=}` prints before the value
  FieldConversion,  // text: "s", "r" or "a"
  FieldSpec,
  FieldEnd,
  // keywords gilsim implements
  KwAnd,
  KwOr,
  KwNot,
  KwIf,
  KwElif,
  KwElse,
  KwWhile,
  KwFor,
  KwIn,
  KwIs,
  KwBreak,
  KwContinue,
  KwPass,
  KwDef,
  KwReturn,
  KwGlobal,
  KwWith,
  KwAs,
  KwTrue,
  KwFalse,
  KwNone,
  // Python keywords gilsim does not implement: a clear "not supported" error instead of a guess
  KwUnsupported,
};

struct Token {
  Tok kind = Tok::End;
  std::string text;  // the source spelling; for strings, the decoded value
  std::int64_t int_value = 0;
  double float_value = 0.0;
  int line = 1;
  int col = 1;       // 1-based, in bytes
  int end_line = 1;  // just past the token's last character
  int end_col = 1;
};

std::string_view tok_describe(Tok kind);  // for messages: "')'", "newline", "name"

}  // namespace gilsim
