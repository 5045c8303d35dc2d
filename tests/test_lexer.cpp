// The lexer: token kinds, values and positions, Python's indentation rules, and its errors.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "vm/errors.h"
#include "vm/lexer.h"
#include "vm/source.h"
#include "vm/token.h"

namespace {

using gilsim::kMaxBracketDepth;
using gilsim::kMaxIndentLevels;
using gilsim::Source;
using gilsim::SyntaxError;
using gilsim::Tok;
using gilsim::Token;

std::vector<Token> lex(const std::string& text) { return gilsim::tokenize(Source("t.gil", text)); }

const char* kind_name(Tok k) {
  switch (k) {
    case Tok::Newline:
      return "NEWLINE";
    case Tok::Indent:
      return "INDENT";
    case Tok::Dedent:
      return "DEDENT";
    case Tok::End:
      return "END";
    case Tok::Name:
      return "NAME";
    case Tok::Int:
      return "INT";
    case Tok::Float:
      return "FLOAT";
    case Tok::String:
      return "STRING";
    case Tok::Bytes:
      return "BYTES";
    case Tok::LParen:
      return "(";
    case Tok::RParen:
      return ")";
    case Tok::LBracket:
      return "[";
    case Tok::RBracket:
      return "]";
    case Tok::LBrace:
      return "{";
    case Tok::RBrace:
      return "}";
    case Tok::Comma:
      return ",";
    case Tok::Colon:
      return ":";
    case Tok::Dot:
      return ".";
    case Tok::Semicolon:
      return ";";
    case Tok::Plus:
      return "+";
    case Tok::Minus:
      return "-";
    case Tok::Star:
      return "*";
    case Tok::Slash:
      return "/";
    case Tok::SlashSlash:
      return "//";
    case Tok::Percent:
      return "%";
    case Tok::StarStar:
      return "**";
    case Tok::Less:
      return "<";
    case Tok::LessEqual:
      return "<=";
    case Tok::Greater:
      return ">";
    case Tok::GreaterEqual:
      return ">=";
    case Tok::EqualEqual:
      return "==";
    case Tok::NotEqual:
      return "!=";
    case Tok::Assign:
      return "=";
    case Tok::PlusAssign:
      return "+=";
    case Tok::MinusAssign:
      return "-=";
    case Tok::StarAssign:
      return "*=";
    case Tok::SlashAssign:
      return "/=";
    case Tok::SlashSlashAssign:
      return "//=";
    case Tok::PercentAssign:
      return "%=";
    case Tok::StarStarAssign:
      return "**=";
    case Tok::Arrow:
      return "->";
    case Tok::KwAnd:
      return "and";
    case Tok::KwOr:
      return "or";
    case Tok::KwNot:
      return "not";
    case Tok::KwIf:
      return "if";
    case Tok::KwElif:
      return "elif";
    case Tok::KwElse:
      return "else";
    case Tok::KwWhile:
      return "while";
    case Tok::KwFor:
      return "for";
    case Tok::KwIn:
      return "in";
    case Tok::KwIs:
      return "is";
    case Tok::KwBreak:
      return "break";
    case Tok::KwContinue:
      return "continue";
    case Tok::KwPass:
      return "pass";
    case Tok::KwDef:
      return "def";
    case Tok::KwReturn:
      return "return";
    case Tok::KwGlobal:
      return "global";
    case Tok::KwWith:
      return "with";
    case Tok::KwAs:
      return "as";
    case Tok::KwTrue:
      return "True";
    case Tok::KwFalse:
      return "False";
    case Tok::KwNone:
      return "None";
    case Tok::KwUnsupported:
      return "UNSUPPORTED";
    case Tok::Amp:
      return "&";
    case Tok::Pipe:
      return "|";
    case Tok::Caret:
      return "^";
    case Tok::Tilde:
      return "~";
    case Tok::LeftShift:
      return "<<";
    case Tok::RightShift:
      return ">>";
    case Tok::AmpAssign:
      return "&=";
    case Tok::PipeAssign:
      return "|=";
    case Tok::CaretAssign:
      return "^=";
    case Tok::LeftShiftAssign:
      return "<<=";
    case Tok::RightShiftAssign:
      return ">>=";
    case Tok::FStringStart:
      return "FSTART";
    case Tok::FStringEnd:
      return "FEND";
    case Tok::FieldStart:
      return "{field";
    case Tok::FieldDebug:
      return "DEBUG";
    case Tok::FieldConversion:
      return "!conv";
    case Tok::FieldSpec:
      return ":spec";
    case Tok::FieldEnd:
      return "field}";
    default:
      break;  // the others print as "?"
  }
  return "?";
}

// The token kinds of `text`, space-separated: a failed CHECK shows the whole stream.
std::string kinds(const std::string& text) {
  std::string out;
  for (const Token& t : lex(text)) {
    if (!out.empty()) out += ' ';
    out += kind_name(t.kind);
  }
  return out;
}

// The single token `text` lexes to (before its NEWLINE and END).
Token only(const std::string& text) {
  auto toks = lex(text);
  REQUIRE(toks.size() == 3);
  REQUIRE(toks[1].kind == Tok::Newline);
  REQUIRE(toks[2].kind == Tok::End);
  return toks[0];
}

std::optional<SyntaxError> lex_error(const std::string& text) {
  try {
    lex(text);
  } catch (const SyntaxError& e) {
    return e;
  }
  return std::nullopt;
}

#define CHECK_LEX_ERROR(text, kind_, line_, col_, needle)               \
  do {                                                                  \
    auto err_ = lex_error(text);                                        \
    REQUIRE_MESSAGE(err_.has_value(), "no error for: " << (text));      \
    CHECK(err_->kind == (kind_));                                       \
    CHECK(err_->line == (line_));                                       \
    CHECK(err_->col == (col_));                                         \
    CHECK(std::string(err_->what()).find(needle) != std::string::npos); \
    CAPTURE(err_->what());                                              \
  } while (0)

TEST_CASE("integer literals in every base, with underscores") {
  CHECK(only("0").int_value == 0);
  CHECK(only("42").int_value == 42);
  CHECK(only("1_000_000").int_value == 1000000);
  CHECK(only("0xff").int_value == 255);
  CHECK(only("0XdeadBEEF").int_value == 0xdeadbeef);
  CHECK(only("0o17").int_value == 15);
  CHECK(only("0O777").int_value == 511);
  CHECK(only("0b1011").int_value == 11);
  CHECK(only("0b1_0000_0000").int_value == 256);
  CHECK(only("0xffff_ffff").int_value == 0xffffffff);
  CHECK(only("000").int_value == 0);
  CHECK(only("0_0").int_value == 0);
  Token t = only("0x1F");
  CHECK(t.kind == Tok::Int);
  CHECK(t.text == "0x1F");  // the spelling, for messages
}

TEST_CASE("integer literals at the edge of 64 bits") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  CHECK(only("9223372036854775807").int_value == kMax);
  CHECK(only("0x7fffffffffffffff").int_value == kMax);
  CHECK(only("0b" + std::string(63, '1')).int_value == kMax);
  CHECK(only("0o777777777777777777777").int_value == kMax);
  CHECK_LEX_ERROR("x = 9223372036854775808\n", "SyntaxError", 1, 5, "64 bits");
  CHECK_LEX_ERROR("x = 0x8000000000000000\n", "SyntaxError", 1, 5, "64 bits");
  CHECK_LEX_ERROR("x = 0xffffffffffffffff\n", "SyntaxError", 1, 5, "64 bits");
  CHECK_LEX_ERROR("x = 99999999999999999999999\n", "SyntaxError", 1, 5, "64 bits");
  CHECK_LEX_ERROR("x = 0b1" + std::string(63, '0') + "\n", "SyntaxError", 1, 5, "64 bits");
}

TEST_CASE("malformed integer literals") {
  CHECK_LEX_ERROR("x = 0123\n", "SyntaxError", 1, 5, "leading zeros in decimal integer literals");
  CHECK_LEX_ERROR("x = 007\n", "SyntaxError", 1, 5, "leading zeros");
  CHECK_LEX_ERROR("x = 0x\n", "SyntaxError", 1, 5, "invalid hexadecimal literal");
  CHECK_LEX_ERROR("x = 0o8\n", "SyntaxError", 1, 5, "invalid octal literal");
  CHECK_LEX_ERROR("x = 0b2\n", "SyntaxError", 1, 5, "invalid binary literal");
  CHECK_LEX_ERROR("x = 1__0\n", "SyntaxError", 1, 5, "invalid decimal literal");
  CHECK_LEX_ERROR("x = 1_\n", "SyntaxError", 1, 5, "invalid decimal literal");
  CHECK_LEX_ERROR("x = 12abc\n", "SyntaxError", 1, 5, "invalid decimal literal");
  CHECK_LEX_ERROR("x = 3j\n", "SyntaxError", 1, 5, "complex numbers are not supported by gilsim");
}

// Regression test (the bug is fixed): PEP 515 allows one underscore right after the base prefix
// (`0x_ff`, `0o_17`, `0b_1`), and CPython 3.11 accepts these literals; gilsim's lexer rejects them
// as "invalid hexadecimal literal".
TEST_CASE("an underscore may follow the base prefix, as PEP 515 allows") {
  CHECK(only("0x_ff").int_value == 255);
  CHECK(only("0o_17").int_value == 15);
  CHECK(only("0b_1").int_value == 1);
}

TEST_CASE("float literals") {
  CHECK(only("1.5").kind == Tok::Float);
  CHECK(only("1.5").float_value == 1.5);
  CHECK(only("1.").float_value == 1.0);
  CHECK(only(".25").float_value == 0.25);
  CHECK(only("1e3").float_value == 1000.0);
  CHECK(only("1E3").kind == Tok::Float);  // an exponent alone makes a float
  CHECK(only("2.5e-3").float_value == 0.0025);
  CHECK(only("1e+2").float_value == 100.0);
  CHECK(only("1_000.000_1").float_value == 1000.0001);
  CHECK(only("1e1_0").float_value == 1e10);
  CHECK(only("00.5").float_value == 0.5);  // leading zeros are fine in floats
  CHECK(only("1.e5").float_value == 1e5);
  CHECK(only("1e400").float_value == std::numeric_limits<double>::infinity());
  CHECK(only("1.5").text == "1.5");
  CHECK_LEX_ERROR("x = 1e\n", "SyntaxError", 1, 5, "invalid float literal");
  CHECK_LEX_ERROR("x = 1e+\n", "SyntaxError", 1, 5, "invalid float literal");
}

TEST_CASE("string literals and their escapes") {
  CHECK(only("'abc'").text == "abc");
  CHECK(only("\"abc\"").text == "abc");
  CHECK(only("''").text.empty());
  CHECK(only(R"('a\nb')").text == "a\nb");
  CHECK(only(R"('a\tb')").text == "a\tb");
  CHECK(only(R"('a\\b')").text == "a\\b");
  CHECK(only(R"('\'')").text == "'");
  CHECK(only(R"("\"")").text == "\"");
  CHECK(only(R"('\r\a\b\f\v')").text == "\r\a\b\f\v");
  CHECK(only(R"('\x41\x7e')").text == "A~");
  CHECK(only(R"('\xe9')").text == "\xc3\xa9");  // the code point U+00E9, stored as UTF-8
  CHECK(only(R"('\u00e9')").text == "\xc3\xa9");
  CHECK(only(R"('\u20ac')").text == "\xe2\x82\xac");
  CHECK(only(R"('\U0001F600')").text == "\xf0\x9f\x98\x80");
  CHECK(only(R"('\101\102')").text == "AB");  // octal
  CHECK(only(R"('\0')").text == std::string(1, '\0'));
  CHECK(only(R"('\1234')").text == "S4");              // at most three octal digits
  CHECK(only(R"('\q')").text == "\\q");                // unknown escapes keep their backslash
  CHECK(only("'caf\xc3\xa9'").text == "caf\xc3\xa9");  // UTF-8 passes through
  CHECK(only("'a\\\nb'").text == "ab");                // backslash-newline joins the lines
  CHECK(only("\"it's\"").text == "it's");
}

TEST_CASE("bad escapes") {
  CHECK_LEX_ERROR(R"(x = '\x4')"
                  "\n",
                  "SyntaxError", 1, 6, "truncated \\xXX escape");
  CHECK_LEX_ERROR(R"(x = '\u12')"
                  "\n",
                  "SyntaxError", 1, 6, "truncated \\uXXXX escape");
  CHECK_LEX_ERROR(R"(x = '\U00110000')"
                  "\n",
                  "SyntaxError", 1, 6, "illegal Unicode character");
  CHECK_LEX_ERROR(R"(x = 'a\N{DASH}')"
                  "\n",
                  "SyntaxError", 1, 7, "\\N{...} escapes are not supported by gilsim");
}

TEST_CASE("triple-quoted strings span lines") {
  auto toks = lex("s = '''one\ntwo ' '' \"\"\"\nthree'''\nx = 1\n");
  REQUIRE(toks.size() >= 4);
  CHECK(toks[2].kind == Tok::String);
  CHECK(toks[2].text == "one\ntwo ' '' \"\"\"\nthree");
  CHECK(toks[2].line == 1);
  CHECK(toks[2].col == 5);
  // The lines inside the string still count: x is on line 4.
  CHECK(toks[4].kind == Tok::Name);
  CHECK(toks[4].text == "x");
  CHECK(toks[4].line == 4);
  CHECK(toks[4].col == 1);
  CHECK(only("\"\"\"a\"b\"\"\"").text == "a\"b");
  CHECK(only("''''''").text.empty());
}

TEST_CASE("adjacent strings are separate tokens (the parser joins them)") {
  CHECK(kinds("'a' \"b\"'c'") == "STRING STRING STRING NEWLINE END");
}

TEST_CASE("bytes literals are lexed to their bytes; r, u and f strings are lexed") {
  // lang12: \xNN is one byte; \u is no escape in CPython's bytes: refused, as is non-ASCII text
  CHECK(kinds("b'a' rb'\\d' B\"x\"") == "BYTES BYTES BYTES NEWLINE END");
  CHECK(lex("b'\\xff\\x41'")[0].text == "\xff\x41");
  CHECK(lex("rb'\\x41'")[0].text == "\\x41");
  CHECK_LEX_ERROR("x = b'\\u00e9'\n", "SyntaxError", 1, 5,
                  "'\\u' in a bytes literal is not supported by gilsim");
  CHECK_LEX_ERROR("x = b'caf\xc3\xa9'\n", "SyntaxError", 1, 5,
                  "bytes can only contain ASCII literal characters");
  CHECK(kinds("r'a\\n' u'b'") == "STRING STRING NEWLINE END");
  CHECK(
      kinds("f'a{x!r:>{w}}b'") ==
      "FSTART STRING {field NAME !conv :spec STRING {field NAME field} field} STRING FEND NEWLINE "
      "END");
  CHECK(kinds("f'{x = }'") == "FSTART {field DEBUG NAME field} FEND NEWLINE END");
}

TEST_CASE("f-string errors name the f-string") {
  CHECK_LEX_ERROR("f'{}'\n", "SyntaxError", 1, 4, "f-string: empty expression not allowed");
  CHECK_LEX_ERROR("f'}'\n", "SyntaxError", 1, 3, "f-string: single '}' is not allowed");
  CHECK_LEX_ERROR("f'{x'\n", "SyntaxError", 1, 5, "f-string: expecting '}'");
  CHECK_LEX_ERROR("f'{x!z}'\n", "SyntaxError", 1, 6, "f-string: invalid conversion character");
  CHECK_LEX_ERROR("f'{a\\n}'\n", "SyntaxError", 1, 5, "backslash");
}

// Regression test (the bug is fixed): any name of one or two letters directly followed by a quote
// is taken for a string prefix, so valid Python such as `"a" in"abc"` or `if"x":` is refused
// ("string prefix 'in' is not supported by gilsim"). Only r, b, u, f and their two-letter
// combinations are prefixes; CPython 3.11 lexes `in"abc"` as the keyword `in` followed by a string.
TEST_CASE("a keyword directly followed by a string is not a string prefix") {
  CHECK(kinds("x = 'a' in'abc'\n") == "NAME = STRING in STRING NEWLINE END");
  CHECK(kinds("if'x':\n    pass\n") == "if STRING : NEWLINE INDENT pass NEWLINE DEDENT END");
}

TEST_CASE("unterminated strings") {
  CHECK_LEX_ERROR("x = 'abc\n", "SyntaxError", 1, 5,
                  "unterminated string literal (detected at line 1)");
  CHECK_LEX_ERROR("x = 1\ny = \"abc", "SyntaxError", 2, 5, "unterminated string literal");
  CHECK_LEX_ERROR("x = '''abc\n\n", "SyntaxError", 1, 5,
                  "unterminated triple-quoted string literal (detected at line 3)");
  CHECK_LEX_ERROR("x = 'abc\\", "SyntaxError", 1, 5, "unterminated string literal");
}

TEST_CASE("operators take the longest match") {
  CHECK(kinds("a **= 2") == "NAME **= INT NEWLINE END");
  CHECK(kinds("a**2") == "NAME ** INT NEWLINE END");
  CHECK(kinds("a //= b // c / d") == "NAME //= NAME // NAME / NAME NEWLINE END");
  CHECK(kinds("a<=b>=c<d>e==f!=g") ==
        "NAME <= NAME >= NAME < NAME > NAME == NAME != NAME NEWLINE END");
  CHECK(kinds("a+=1;b-=1;c*=1;d/=1;e%=1") ==
        "NAME += INT ; NAME -= INT ; NAME *= INT ; NAME /= INT ; NAME %= INT NEWLINE END");
  CHECK(kinds("def f() -> x: pass") == "def NAME ( ) -> NAME : pass NEWLINE END");
  CHECK(kinds("a.b[c]{d}") == "NAME . NAME [ NAME ] { NAME } NEWLINE END");
  CHECK(kinds("***") == "** * NEWLINE END");
  CHECK(kinds("a = = b") == "NAME = = NAME NEWLINE END");
}

TEST_CASE("keywords, unsupported keywords and names") {
  CHECK(kinds("if elif else while for in is not and or") ==
        "if elif else while for in is not and or NEWLINE END");
  CHECK(kinds("break continue pass def return global with as True False None") ==
        "break continue pass def return global with as True False None NEWLINE END");
  CHECK(kinds("class try lambda import yield") ==
        "UNSUPPORTED UNSUPPORTED UNSUPPORTED UNSUPPORTED UNSUPPORTED NEWLINE END");
  CHECK(kinds("iffy _x x1 print True_") == "NAME NAME NAME NAME NAME NEWLINE END");
  CHECK(lex("lambda")[0].text == "lambda");  // kept for the parser's message
  CHECK(lex("_under_score1")[0].text == "_under_score1");
}

TEST_CASE("token positions are 1-based lines and byte columns") {
  auto toks = lex("x = 10\nif  yy>= 2.5 :\n    print('hi')\n");
  struct Want {
    Tok kind;
    int line, col;
  };
  std::vector<Want> want = {
      {Tok::Name, 1, 1},    {Tok::Assign, 1, 3},   {Tok::Int, 1, 5},          {Tok::Newline, 1, 7},
      {Tok::KwIf, 2, 1},    {Tok::Name, 2, 5},     {Tok::GreaterEqual, 2, 7}, {Tok::Float, 2, 10},
      {Tok::Colon, 2, 14},  {Tok::Newline, 2, 15}, {Tok::Indent, 3, 5},       {Tok::Name, 3, 5},
      {Tok::LParen, 3, 10}, {Tok::String, 3, 11},  {Tok::RParen, 3, 15},      {Tok::Newline, 3, 16},
      {Tok::Dedent, 4, 1},  {Tok::End, 4, 1},
  };
  REQUIRE(toks.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(kind_name(toks[i].kind) == std::string(kind_name(want[i].kind)));
    CHECK(toks[i].line == want[i].line);
    CHECK(toks[i].col == want[i].col);
  }
}

TEST_CASE("columns count bytes, and a tab is one byte") {
  auto toks = lex("s = '\xc3\xa9\xc3\xa9'; t = 1\n");
  REQUIRE(toks.size() >= 5);
  CHECK(toks[3].kind == Tok::Semicolon);
  CHECK(toks[3].col == 11);  // the two-byte characters count twice
  auto tabbed = lex("x\t= 1\n");
  CHECK(tabbed[1].col == 3);
}

TEST_CASE("INDENT and DEDENT sequences") {
  CHECK(kinds("if a:\n    b\nc\n") ==
        "if NAME : NEWLINE INDENT NAME NEWLINE DEDENT NAME NEWLINE END");
  CHECK(kinds("if a:\n  if b:\n    c\nd\n") ==
        "if NAME : NEWLINE INDENT if NAME : NEWLINE INDENT NAME NEWLINE DEDENT DEDENT NAME NEWLINE "
        "END");
  // Dedenting two levels to the middle one.
  CHECK(kinds("if a:\n if b:\n  if c:\n   d\n e\n") ==
        "if NAME : NEWLINE INDENT if NAME : NEWLINE INDENT if NAME : NEWLINE INDENT NAME NEWLINE "
        "DEDENT DEDENT NAME NEWLINE DEDENT END");
  // Every open level is closed at the end of the file, even without a final newline.
  CHECK(kinds("if a:\n    if b:\n        c") ==
        "if NAME : NEWLINE INDENT if NAME : NEWLINE INDENT NAME NEWLINE DEDENT DEDENT END");
  // A tab counts to the next multiple of 8, consistently used.
  CHECK(kinds("if a:\n\tb\n\tc\n") ==
        "if NAME : NEWLINE INDENT NAME NEWLINE NAME NEWLINE DEDENT END");
}

TEST_CASE("blank lines and comment lines do not count for indentation") {
  CHECK(kinds("if a:\n\n    # note\n        # deeper note\n    b\n\n# out\nc\n") ==
        "if NAME : NEWLINE INDENT NAME NEWLINE DEDENT NAME NEWLINE END");
  CHECK(kinds("x = 1  # trailing comment\n") == "NAME = INT NEWLINE END");
  CHECK(kinds("# only a comment") == "END");
  CHECK(kinds("") == "END");
  CHECK(kinds("\n\n   \n") == "END");
  CHECK(kinds("x = '#not a comment'\n") == "NAME = STRING NEWLINE END");
}

TEST_CASE("line endings: CRLF, lone CR, and a missing final newline") {
  CHECK(kinds("a = 1\r\nb = 2\r\n") == "NAME = INT NEWLINE NAME = INT NEWLINE END");
  auto toks = lex("a\r\nb\rc");
  REQUIRE(toks.size() == 7);
  CHECK(toks[2].line == 2);
  CHECK(toks[4].line == 3);
  CHECK(kinds("a = 1") == "NAME = INT NEWLINE END");
}

TEST_CASE("a byte order mark at the start is skipped") {
  CHECK(kinds("\xEF\xBB\xBFx = 1\n") == "NAME = INT NEWLINE END");
}

TEST_CASE("newlines inside brackets are joined away, whatever the indentation") {
  auto toks = lex("x = [1,\n        2,  # two\n\n  3]\ny = 4\n");
  CHECK(kinds("x = [1,\n        2,  # two\n\n  3]\ny = 4\n") ==
        "NAME = [ INT , INT , INT ] NEWLINE NAME = INT NEWLINE END");
  CHECK(toks[7].kind == Tok::Int);
  CHECK(toks[7].line == 4);
  CHECK(toks[7].col == 3);
  CHECK(kinds("f(a,\nb)(\n)\n") == "NAME ( NAME , NAME ) ( ) NEWLINE END");
}

TEST_CASE("a backslash joins physical lines") {
  CHECK(kinds("x = 1 + \\\n        2\ny = 3\n") ==
        "NAME = INT + INT NEWLINE NAME = INT NEWLINE END");
  auto toks = lex("x = 1 + \\\n  2\n");
  CHECK(toks[4].line == 2);
  CHECK(toks[4].col == 3);
  CHECK_LEX_ERROR("x = 1 \\ 2\n", "SyntaxError", 1, 7,
                  "unexpected character after line continuation");
  CHECK_LEX_ERROR("x = 1 + \\\n", "SyntaxError", 2, 1, "unexpected EOF");
}

TEST_CASE("bad dedent is an IndentationError") {
  CHECK_LEX_ERROR("if x:\n    a\n  b\n", "IndentationError", 3, 3,
                  "unindent does not match any outer indentation level");
  CHECK_LEX_ERROR("if x:\n        a\n    b\n", "IndentationError", 3, 5, "unindent does not match");
}

TEST_CASE("inconsistent tabs and spaces are a TabError") {
  // A tab (column 8) and eight spaces agree on the column but not when a tab counts as one.
  CHECK_LEX_ERROR("if x:\n\tpass\n        pass\n", "TabError", 3, 1,
                  "inconsistent use of tabs and spaces in indentation");
  CHECK_LEX_ERROR("if x:\n        a\n\tb\n", "TabError", 3, 1, "inconsistent use of tabs");
  // Indenting further in one counting but not in the other.
  CHECK_LEX_ERROR("if x:\n        if y:\n\t\tb\n", "TabError", 3, 1, "inconsistent use of tabs");
}

TEST_CASE("null bytes and invalid UTF-8 are refused with their position") {
  CHECK_LEX_ERROR(std::string("x = 1\ny = \0\n", 12), "SyntaxError", 2, 5,
                  "source code cannot contain null bytes");
  CHECK_LEX_ERROR("x = 1\ny = '\xff'\n", "SyntaxError", 2, 6, "invalid UTF-8 byte 0xff");
  CHECK_LEX_ERROR("# caf\xc3\n", "SyntaxError", 1, 6, "invalid UTF-8 byte 0xc3");  // truncated
  CHECK_LEX_ERROR("s = '\xe2\x82'\n", "SyntaxError", 1, 6, "invalid UTF-8");
  CHECK_LEX_ERROR("s = '\x80'\n", "SyntaxError", 1, 6, "invalid UTF-8 byte 0x80");
}

TEST_CASE("characters outside the language") {
  CHECK_LEX_ERROR("x = $\n", "SyntaxError", 1, 5, "invalid character '$' (U+0024)");
  CHECK(kinds("a & b | c ^ ~d") == "NAME & NAME | NAME ^ ~ NAME NEWLINE END");
  CHECK(kinds("a<=b>=c") == "NAME <= NAME >= NAME NEWLINE END");  // not shifts
  CHECK_LEX_ERROR("x = a ! b\n", "SyntaxError", 1, 7, "invalid syntax");
  CHECK_LEX_ERROR("x = \xc3\xa9\n", "SyntaxError", 1, 5, "invalid non-ASCII character");
  CHECK_LEX_ERROR("caf\xc3\xa9 = 1\n", "SyntaxError", 1, 1,
                  "non-ASCII identifiers are not supported by gilsim");
}

TEST_CASE("shift operators are single tokens, not two comparisons") {
  CHECK(kinds("a << 2 >> b") == "NAME << INT >> NAME NEWLINE END");
  CHECK(kinds("a <<= 2") == "NAME <<= INT NEWLINE END");
}

TEST_CASE("brackets must match") {
  CHECK_LEX_ERROR("x = (1,\n", "SyntaxError", 1, 5, "'(' was never closed");
  CHECK_LEX_ERROR("x = 1)\n", "SyntaxError", 1, 6, "unmatched ')'");
  CHECK_LEX_ERROR("x = [1)\n", "SyntaxError", 1, 7,
                  "closing parenthesis ')' does not match opening parenthesis '['");
  CHECK_LEX_ERROR("x = [1,\n2)\n", "SyntaxError", 2, 2,
                  "closing parenthesis ')' does not match opening parenthesis '[' on line 1");
}

TEST_CASE("bracket nesting is bounded by kMaxBracketDepth") {
  std::string ok =
      "x = " + std::string(kMaxBracketDepth, '(') + "1" + std::string(kMaxBracketDepth, ')') + "\n";
  CHECK_NOTHROW(lex(ok));
  std::string deep = "x = " + std::string(kMaxBracketDepth + 1, '(') + "1" +
                     std::string(kMaxBracketDepth + 1, ')') + "\n";
  CHECK_LEX_ERROR(deep, "SyntaxError", 1, 5 + kMaxBracketDepth, "too many nested parentheses");
  // Any bracket kind counts.
  std::string mixed;
  for (int i = 0; i <= kMaxBracketDepth; ++i) mixed += "([{"[i % 3];
  CHECK_LEX_ERROR(mixed, "SyntaxError", 1, 1 + kMaxBracketDepth, "too many nested parentheses");
  // A hundred thousand open brackets stop at the limit, not at the end of memory.
  CHECK_LEX_ERROR(std::string(100000, '['), "SyntaxError", 1, 1 + kMaxBracketDepth,
                  "too many nested parentheses");
}

TEST_CASE("indentation depth is bounded by kMaxIndentLevels") {
  auto nested = [](int levels) {
    std::string s;
    for (int i = 0; i < levels; ++i) s += std::string(i, ' ') + "if x:\n";
    return s + std::string(levels, ' ') + "pass\n";
  };
  // As CPython's tokenizer (`indent + 1 >= MAXINDENT`): 99 levels are fine, the 100th is refused.
  CHECK_NOTHROW(lex(nested(kMaxIndentLevels - 1)));
  CHECK_LEX_ERROR(nested(kMaxIndentLevels), "IndentationError", kMaxIndentLevels + 1,
                  kMaxIndentLevels + 1, "too many levels of indentation");
  CHECK_LEX_ERROR(nested(kMaxIndentLevels + 50), "IndentationError", kMaxIndentLevels + 1,
                  kMaxIndentLevels + 1, "too many levels of indentation");
}

}  // namespace
