#include "vm/lexer.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <optional>

#include "vm/errors.h"
#include "vm/pyformat.h"

namespace gilsim {

std::string_view tok_describe(Tok kind) {
  switch (kind) {
    case Tok::Newline:
      return "newline";
    case Tok::Indent:
      return "indent";
    case Tok::Dedent:
      return "dedent";
    case Tok::End:
      return "end of file";
    case Tok::Name:
      return "name";
    case Tok::Int:
      return "integer";
    case Tok::Float:
      return "float";
    case Tok::String:
      return "string";
    case Tok::Bytes:
      return "bytes";
    case Tok::LParen:
      return "'('";
    case Tok::RParen:
      return "')'";
    case Tok::LBracket:
      return "'['";
    case Tok::RBracket:
      return "']'";
    case Tok::LBrace:
      return "'{'";
    case Tok::RBrace:
      return "'}'";
    case Tok::Comma:
      return "','";
    case Tok::Colon:
      return "':'";
    case Tok::Dot:
      return "'.'";
    case Tok::Semicolon:
      return "';'";
    case Tok::Assign:
      return "'='";
    default:
      return "operator";
  }
}

namespace {

struct Keyword {
  const char* word;
  Tok kind;
};

constexpr Keyword kKeywords[] = {
    {"and", Tok::KwAnd},
    {"or", Tok::KwOr},
    {"not", Tok::KwNot},
    {"if", Tok::KwIf},
    {"elif", Tok::KwElif},
    {"else", Tok::KwElse},
    {"while", Tok::KwWhile},
    {"for", Tok::KwFor},
    {"in", Tok::KwIn},
    {"is", Tok::KwIs},
    {"break", Tok::KwBreak},
    {"continue", Tok::KwContinue},
    {"pass", Tok::KwPass},
    {"def", Tok::KwDef},
    {"return", Tok::KwReturn},
    {"global", Tok::KwGlobal},
    {"with", Tok::KwWith},
    {"as", Tok::KwAs},
    {"True", Tok::KwTrue},
    {"False", Tok::KwFalse},
    {"None", Tok::KwNone},
    {"class", Tok::KwUnsupported},
    {"try", Tok::KwUnsupported},
    {"except", Tok::KwUnsupported},
    {"finally", Tok::KwUnsupported},
    {"raise", Tok::KwUnsupported},
    {"import", Tok::KwUnsupported},
    {"from", Tok::KwUnsupported},
    {"lambda", Tok::KwUnsupported},
    {"yield", Tok::KwUnsupported},
    {"del", Tok::KwUnsupported},
    {"assert", Tok::KwUnsupported},
    {"nonlocal", Tok::KwUnsupported},
    {"async", Tok::KwUnsupported},
    {"await", Tok::KwUnsupported},
};

struct Punct {
  const char* text;
  Tok kind;
};

// Longest first, so "**=" wins over "**" and "*".
constexpr Punct kPuncts[] = {
    {"**=", Tok::StarStarAssign},
    {"//=", Tok::SlashSlashAssign},
    {"<<=", Tok::LeftShiftAssign},
    {">>=", Tok::RightShiftAssign},
    {"<<", Tok::LeftShift},
    {">>", Tok::RightShift},
    {"&=", Tok::AmpAssign},
    {"|=", Tok::PipeAssign},
    {"^=", Tok::CaretAssign},
    {"**", Tok::StarStar},
    {"//", Tok::SlashSlash},
    {"<=", Tok::LessEqual},
    {">=", Tok::GreaterEqual},
    {"==", Tok::EqualEqual},
    {"!=", Tok::NotEqual},
    {"+=", Tok::PlusAssign},
    {"-=", Tok::MinusAssign},
    {"*=", Tok::StarAssign},
    {"/=", Tok::SlashAssign},
    {"%=", Tok::PercentAssign},
    {"->", Tok::Arrow},
    {"@", Tok::At},  // lang-func: decorators
    {"(", Tok::LParen},
    {")", Tok::RParen},
    {"[", Tok::LBracket},
    {"]", Tok::RBracket},
    {"{", Tok::LBrace},
    {"}", Tok::RBrace},
    {",", Tok::Comma},
    {":", Tok::Colon},
    {".", Tok::Dot},
    {";", Tok::Semicolon},
    {"+", Tok::Plus},
    {"-", Tok::Minus},
    {"*", Tok::Star},
    {"/", Tok::Slash},
    {"%", Tok::Percent},
    {"<", Tok::Less},
    {">", Tok::Greater},
    {"=", Tok::Assign},
    {"&", Tok::Amp},
    {"|", Tok::Pipe},
    {"^", Tok::Caret},
    {"~", Tok::Tilde},
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

// Python's string prefixes (any case): r, u, b, f, br, rb, fr, rf. Anything else before a quote
// (`if'x':`, `in'abc'`) is a name or keyword followed by a string.
bool is_string_prefix(std::string_view w) {
  std::string lower;
  for (char c : w) lower += static_cast<char>(c | 0x20);
  for (const char* p : {"r", "u", "b", "f", "br", "rb", "fr", "rf"})
    if (lower == p) return true;
  return false;
}

// Checks UTF-8 well-formedness, as CPython does when it decodes a source file: overlong forms,
// surrogates (U+D800..U+DFFF) and code points past U+10FFFF are invalid too.
std::optional<size_t> first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xe  ? 2
                : (c >> 3) == 0x1e ? 3
                                   : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) return i;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return i;
    if (extra > 0) {
      std::uint32_t cp = c & (0x3f >> extra);
      for (int k = 1; k <= extra; ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3f);
      static constexpr std::uint32_t kShortest[] = {0, 0x80, 0x800, 0x10000};
      if (cp < kShortest[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    }
    i += extra + 1;
  }
  return std::nullopt;
}

class Lexer {
 public:
  explicit Lexer(const Source& source) : src_(source.text()) {}

  std::vector<Token> run() {
    check_encoding();
    indents_.push_back({0, 0});
    while (true) {
      if (at_line_start_ && brackets_.empty()) {
        if (!handle_indentation()) break;  // end of input
      }
      skip_blanks();
      if (pos_ >= src_.size()) break;
      char c = src_[pos_];
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n') advance();
        continue;
      }
      if (c == '\n' || c == '\r') {
        int line = line_, col = col_;
        consume_newline();
        if (brackets_.empty()) {
          push(Tok::Newline, "", line, col);
          at_line_start_ = true;
        }
        continue;
      }
      if (c == '\\') {
        advance();
        if (pos_ < src_.size() && (src_[pos_] == '\n' || src_[pos_] == '\r')) {
          consume_newline();
          if (pos_ >= src_.size()) fail("SyntaxError", "unexpected EOF while parsing");
          continue;
        }
        fail("SyntaxError", "unexpected character after line continuation character", line_,
             col_ - 1);
      }
      if (is_ascii_digit(c) ||
          (c == '.' && pos_ + 1 < src_.size() && is_ascii_digit(src_[pos_ + 1]))) {
        lex_number();
      } else if (is_ident_start(c)) {
        lex_name_or_string();
      } else if (c == '"' || c == '\'') {
        lex_string(line_, col_);
      } else {
        lex_punct();
      }
    }
    finish();
    return std::move(tokens_);
  }

 private:
  struct Level {
    int col;     // tabs to the next multiple of 8, as Python counts them
    int altcol;  // tabs as one column: the two orders must agree, or it is a TabError
  };
  struct Bracket {
    char ch;
    int line, col;
  };

  [[noreturn]] void fail(const char* kind, std::string msg, int line = -1, int col = -1) {
    throw SyntaxError(kind, std::move(msg), line < 0 ? line_ : line, col < 0 ? col_ : col);
  }

  void check_encoding() {
    if (src_.find('\0') != std::string_view::npos) {
      size_t at = src_.find('\0');
      set_position_of(at);
      fail("SyntaxError", "source code cannot contain null bytes");
    }
    if (auto bad = first_invalid_utf8(src_)) {
      set_position_of(*bad);
      fail("SyntaxError", fmt::format("invalid UTF-8 byte 0x{:02x} in source",
                                      static_cast<unsigned char>(src_[*bad])));
    }
    if (src_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a UTF-8 byte order mark, as Python allows
  }

  void set_position_of(size_t at) {
    line_ = 1;
    col_ = 1;
    for (size_t i = 0; i < at; ++i) {
      if (src_[i] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
    }
  }

  void advance() {
    ++pos_;
    ++col_;
  }
  void consume_newline() {
    if (src_[pos_] == '\r' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    col_ = 1;
  }
  void skip_blanks() {
    while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\f'))
      advance();
  }

  void push(Tok kind, std::string text, int line, int col) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.line = line;
    t.col = col;
    // The lexer has just consumed the token; layout tokens have no width.
    bool layout =
        kind == Tok::Newline || kind == Tok::Indent || kind == Tok::Dedent || kind == Tok::End;
    t.end_line = layout ? line : line_;
    t.end_col = layout ? col : col_;
    tokens_.push_back(std::move(t));
  }

  // At the start of a logical line: skip blank and comment-only lines, then compare the
  // indentation with the stack. Returns false at the end of input.
  bool handle_indentation() {
    while (true) {
      int col = 0, altcol = 0;
      while (pos_ < src_.size()) {
        char c = src_[pos_];
        if (c == ' ') {
          ++col;
          ++altcol;
        } else if (c == '\t') {
          col = (col / 8 + 1) * 8;
          ++altcol;
        } else if (c == '\f') {
          col = altcol = 0;
        } else {
          break;
        }
        advance();
      }
      if (pos_ >= src_.size()) return false;
      char c = src_[pos_];
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n') advance();
        if (pos_ >= src_.size()) return false;
      }
      if (src_[pos_] == '\n' || src_[pos_] == '\r') {
        consume_newline();
        continue;  // blank lines do not count for indentation
      }
      at_line_start_ = false;
      apply_indent(col, altcol);
      return true;
    }
  }

  void apply_indent(int col, int altcol) {
    const Level& top = indents_.back();
    if (col == top.col) {
      if (altcol != top.altcol) tab_error();
      return;
    }
    if (col > top.col) {
      if (altcol <= top.altcol) tab_error();
      if (static_cast<int>(indents_.size()) >= kMaxIndentLevels)
        fail("IndentationError", "too many levels of indentation");
      indents_.push_back({col, altcol});
      push(Tok::Indent, "", line_, col_);
      return;
    }
    while (indents_.size() > 1 && col < indents_.back().col) {
      indents_.pop_back();
      push(Tok::Dedent, "", line_, col_);
    }
    if (col != indents_.back().col)
      fail("IndentationError", "unindent does not match any outer indentation level");
    if (altcol != indents_.back().altcol) tab_error();
  }

  [[noreturn]] void tab_error() {
    fail("TabError", "inconsistent use of tabs and spaces in indentation", line_, 1);
  }

  void finish() {
    if (!brackets_.empty()) {
      const Bracket& b = brackets_.back();
      fail("SyntaxError", fmt::format("'{}' was never closed", b.ch), b.line, b.col);
    }
    if (!tokens_.empty() && tokens_.back().kind != Tok::Newline &&
        tokens_.back().kind != Tok::Dedent)
      push(Tok::Newline, "", line_, col_);
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(Tok::Dedent, "", line_, col_);
    }
    push(Tok::End, "", line_, col_);
  }

  void lex_punct() {
    int line = line_, col = col_;
    for (const Punct& p : kPuncts) {
      size_t n = std::strlen(p.text);
      if (src_.compare(pos_, n, p.text) != 0) continue;
      for (size_t i = 0; i < n; ++i) advance();
      track_brackets(p.kind, line, col);
      push(p.kind, p.text, line, col);
      return;
    }
    char c = src_[pos_];
    if (c == '!') fail("SyntaxError", "invalid syntax");
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) fail("SyntaxError", "invalid non-ASCII character outside a string or comment");
    fail("SyntaxError", fmt::format("invalid character '{}' (U+{:04X})", c, u));
  }

  void track_brackets(Tok kind, int line, int col) {
    char open = 0;
    switch (kind) {
      case Tok::LParen:
        open = '(';
        break;
      case Tok::LBracket:
        open = '[';
        break;
      case Tok::LBrace:
        open = '{';
        break;
      default:
        break;
    }
    if (open) {
      if (static_cast<int>(brackets_.size()) >= kMaxBracketDepth)
        fail("SyntaxError", "too many nested parentheses", line, col);
      brackets_.push_back({open, line, col});
      return;
    }
    char close = kind == Tok::RParen     ? ')'
                 : kind == Tok::RBracket ? ']'
                 : kind == Tok::RBrace   ? '}'
                                         : 0;
    if (!close) return;
    if (brackets_.empty()) fail("SyntaxError", fmt::format("unmatched '{}'", close), line, col);
    char expected = brackets_.back().ch == '(' ? ')' : brackets_.back().ch == '[' ? ']' : '}';
    if (close != expected) {
      const Bracket& b = brackets_.back();
      std::string msg =
          b.line == line
              ? fmt::format("closing parenthesis '{}' does not match opening parenthesis '{}'",
                            close, b.ch)
              : fmt::format(
                    "closing parenthesis '{}' does not match opening parenthesis '{}' on line {}",
                    close, b.ch, b.line);
      fail("SyntaxError", msg, line, col);
    }
    brackets_.pop_back();
  }

  void lex_name_or_string() {
    int line = line_, col = col_;
    size_t start = pos_;
    while (pos_ < src_.size() && is_ident_char(src_[pos_])) advance();
    std::string_view word = src_.substr(start, pos_ - start);
    if (pos_ < src_.size() && (src_[pos_] == '"' || src_[pos_] == '\'') && is_string_prefix(word)) {
      std::string lower;
      for (char c : word) lower += static_cast<char>(c | 0x20);
      bool raw = lower.find('r') != std::string::npos;
      if (lower.find('b') != std::string::npos) {
        lex_bytes(line, col, raw);
        return;
      }
      if (lower.find('f') != std::string::npos)
        lex_fstring(line, col, raw);
      else
        lex_string(line, col, raw);
      return;
    }
    if (pos_ < src_.size() && static_cast<unsigned char>(src_[pos_]) >= 0x80)
      fail("SyntaxError", "non-ASCII identifiers are not supported by gilsim", line, col);
    for (const Keyword& k : kKeywords) {
      if (word == k.word) {
        push(k.kind, std::string(word), line, col);
        return;
      }
    }
    push(Tok::Name, std::string(word), line, col);
  }

  void lex_number() {
    int line = line_, col = col_;
    size_t start = pos_;
    bool is_float = false;
    int base = 10;
    if (src_[pos_] == '0' && pos_ + 1 < src_.size() &&
        std::strchr("xXoObB", src_[pos_ + 1]) != nullptr) {
      char p = static_cast<char>(src_[pos_ + 1] | 0x20);
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      advance();
      advance();
    }
    auto digit_ok = [&](char c) {
      if (base == 16) return is_ascii_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
      if (base == 8) return c >= '0' && c <= '7';
      if (base == 2) return c == '0' || c == '1';
      return is_ascii_digit(c);
    };
    // PEP 515: one underscore may separate digits, and may follow a base prefix (0x_ff).
    auto digits = [&](bool after_prefix = false) {
      bool any = false;
      while (pos_ < src_.size()) {
        char c = src_[pos_];
        if (digit_ok(c)) {
          any = true;
          advance();
        } else if (c == '_' && (any || after_prefix) && pos_ + 1 < src_.size() &&
                   digit_ok(src_[pos_ + 1])) {
          after_prefix = false;
          advance();
        } else {
          break;
        }
      }
      return any;
    };
    bool int_digits = digits(base != 10);
    if (base == 10) {
      if (pos_ < src_.size() && src_[pos_] == '.') {
        is_float = true;
        advance();
        digits();
      }
      if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
        size_t save = pos_;
        int save_col = col_;
        advance();
        if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) advance();
        if (!digits()) {
          pos_ = save;
          col_ = save_col;
          fail("SyntaxError", "invalid float literal", line, col);
        }
        is_float = true;
      }
    } else if (!int_digits) {
      fail("SyntaxError",
           fmt::format("invalid {} literal", base == 16  ? "hexadecimal"
                                             : base == 8 ? "octal"
                                                         : "binary"),
           line, col);
    }
    if (pos_ < src_.size() && (is_ident_char(src_[pos_]))) {
      if (src_[pos_] == 'j' || src_[pos_] == 'J')
        fail("SyntaxError", "complex numbers are not supported by gilsim", line, col);
      fail("SyntaxError", "invalid decimal literal", line, col);
    }
    std::string spelled(src_.substr(start, pos_ - start));
    std::string clean;
    for (char c : spelled)
      if (c != '_') clean += c;
    Token t;
    t.line = line;
    t.col = col;
    t.end_line = line_;
    t.end_col = col_;
    t.text = spelled;
    if (is_float) {
      t.kind = Tok::Float;
      t.float_value = parse_float(clean).value_or(0.0);
    } else {
      t.kind = Tok::Int;
      if (base == 10 && clean.size() > 1 && clean[0] == '0' &&
          clean.find_first_not_of('0') != std::string::npos)
        fail("SyntaxError",
             "leading zeros in decimal integer literals are not permitted; use an 0o prefix for "
             "octal integers",
             line, col);
      std::string_view body =
          base == 10 ? std::string_view(clean) : std::string_view(clean).substr(2);
      std::uint64_t v = 0;
      for (char c : body) {
        int d = is_ascii_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        if (v > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base) ||
            v * base + d > static_cast<std::uint64_t>(INT64_MAX))
          fail("SyntaxError", "integer literal does not fit in 64 bits (gilsim ints are 64-bit)",
               line, col);
        v = v * base + d;
      }
      t.int_value = static_cast<std::int64_t>(v);
    }
    tokens_.push_back(std::move(t));
  }

  void lex_string(int line, int col, bool raw = false) {
    char quote = src_[pos_];
    bool triple = src_.compare(pos_, 3, std::string(3, quote)) == 0;
    for (int i = 0; i < (triple ? 3 : 1); ++i) advance();
    body_start_ = pos_;
    std::string value;
    while (true) {
      if (pos_ >= src_.size()) {
        fail("SyntaxError",
             fmt::format("unterminated {}string literal (detected at line {})",
                         triple ? "triple-quoted " : "", line_),
             line, col);
      }
      char c = src_[pos_];
      if (c == quote) {
        if (!triple) {
          advance();
          break;
        }
        if (src_.compare(pos_, 3, std::string(3, quote)) == 0) {
          advance();
          advance();
          advance();
          break;
        }
        value += c;
        advance();
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (!triple)
          fail("SyntaxError",
               fmt::format("unterminated string literal (detected at line {})", line), line, col);
        consume_newline();
        value += '\n';
        continue;
      }
      if (c == '\\') {
        if (raw)
          raw_escape(value);
        else
          lex_escape(value);
        continue;
      }
      value += c;
      advance();
    }
    push(Tok::String, std::move(value), line, col);
  }

  // lang12: b"...": lexed as a string, then each character (ASCII in the source; \xNN and
  // the octal escapes up to 0xff) becomes one byte. \u, \U and \N are no escapes in CPython's
  // bytes (the backslash stays): refused here rather than half-done.
  void lex_bytes(int line, int col, bool raw) {
    size_t open = pos_;
    lex_string(line, col, raw);
    Token& t = tokens_.back();
    for (size_t i = open; i < pos_; ++i) {
      auto c = static_cast<unsigned char>(src_[i]);
      if (c >= 0x80)
        fail("SyntaxError", "bytes can only contain ASCII literal characters", line, col);
      if (c == '\\' && !raw && i + 1 < pos_) {
        char e = src_[i + 1];
        if (e == 'u' || e == 'U' || e == 'N')
          fail("SyntaxError",
               fmt::format("'\\{}' in a bytes literal is not supported by gilsim", e), line, col);
        ++i;
      }
    }
    std::string bytes;
    for (size_t i = 0; i < t.text.size(); ++i) {
      auto c = static_cast<unsigned char>(t.text[i]);
      if (c < 0x80) {
        bytes += static_cast<char>(c);
      } else {  // U+0080..U+00FF from \xNN or an octal escape: two UTF-8 bytes, one byte here
        bytes += static_cast<char>(((c & 0x1F) << 6) |
                                   (static_cast<unsigned char>(t.text[i + 1]) & 0x3F));
        ++i;
      }
    }
    t.text = std::move(bytes);
    t.kind = Tok::Bytes;
  }

  // In a raw string a backslash stays, and keeps the next character (even a quote) literal.
  void raw_escape(std::string& out) {
    out += '\\';
    advance();
    if (pos_ >= src_.size()) return;
    if (src_[pos_] == '\n') {
      consume_newline();
      out += '\n';
      return;
    }
    out += src_[pos_];
    advance();
  }

  // ---- f-strings (lang-data): see token.h for the tokens an f-string becomes ----

  bool at_closing_quote(char quote, bool triple) const {
    if (src_[pos_] != quote) return false;
    return !triple || src_.compare(pos_, 3, std::string(3, quote)) == 0;
  }

  void lex_fstring(int line, int col, bool raw) {
    char quote = src_[pos_];
    bool triple = src_.compare(pos_, 3, std::string(3, quote)) == 0;
    for (int i = 0; i < (triple ? 3 : 1); ++i) advance();
    push(Tok::FStringStart, "", line, col);
    fstring_body(quote, triple, raw, line, col, false);
    for (int i = 0; i < (triple ? 3 : 1); ++i) advance();
    push(Tok::FStringEnd, "", line_, col_);
  }

  // Literal parts and fields up to the closing quote (or, in a spec, up to the field's '}'),
  // which is left for the caller.
  void fstring_body(char quote, bool triple, bool raw, int line, int col, bool in_spec) {
    std::string lit;
    int lit_line = line_, lit_col = col_;
    auto flush = [&]() {
      if (!lit.empty()) push(Tok::String, std::move(lit), lit_line, lit_col);
      lit.clear();
      lit_line = line_;
      lit_col = col_;
    };
    while (true) {
      if (pos_ >= src_.size())
        fail("SyntaxError",
             fmt::format("unterminated {}string literal (detected at line {})",
                         triple ? "triple-quoted " : "", line_),
             line, col);
      char c = src_[pos_];
      if (at_closing_quote(quote, triple)) {
        if (in_spec) fail("SyntaxError", "f-string: expecting '}'");
        break;
      }
      if ((c == '\n') && !triple)
        fail("SyntaxError", fmt::format("unterminated string literal (detected at line {})", line),
             line, col);
      if (c == '{') {
        if (!in_spec && pos_ + 1 < src_.size() && src_[pos_ + 1] == '{') {
          lit += '{';
          advance();
          advance();
          continue;
        }
        flush();
        lex_field(quote, triple, raw, line, col);
        lit_line = line_;
        lit_col = col_;
        continue;
      }
      if (c == '}') {
        if (in_spec) break;
        if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '}') {
          lit += '}';
          advance();
          advance();
          continue;
        }
        fail("SyntaxError", "f-string: single '}' is not allowed");
      }
      if (c == '\\') {
        if (raw)
          raw_escape(lit);
        else
          lex_escape(lit);
        continue;
      }
      if (c == '\n') {
        consume_newline();
        lit += '\n';
        continue;
      }
      lit += c;
      advance();
    }
    flush();
  }

  // One {expression[=][!conversion][:spec]} field; pos_ is at its '{'.
  void lex_field(char quote, bool triple, bool raw, int line, int col) {
    push(Tok::FieldStart, "{", line_, col_);
    advance();
    size_t start = pos_;
    int expr_line = line_, expr_col = col_;
    int depth = 0;
    char in_str = 0;
    bool debug = false;
    while (true) {
      if (pos_ >= src_.size() || (!in_str && at_closing_quote(quote, triple)))
        fail("SyntaxError", "f-string: expecting '}'");
      char c = src_[pos_];
      char after = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
      if (in_str) {
        if (c == in_str) in_str = 0;
        if (c == '\n') fail("SyntaxError", "f-string: expecting '}'");
        advance();
        continue;
      }
      if (c == '\\') fail("SyntaxError", "f-string expression part cannot include a backslash");
      if (c == '#') fail("SyntaxError", "f-string expression part cannot include '#'");
      if (c == '\'' || c == '"') {
        in_str = c;
        advance();
        continue;
      }
      if (c == '\n') {
        if (!triple) fail("SyntaxError", "f-string: expecting '}'");
        consume_newline();
        continue;
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || (c == '}' && depth > 0)) {
        --depth;
        advance();
        continue;
      }
      if (depth == 0) {
        if (c == '}' || c == ':' || (c == '!' && after != '=')) break;
        char before = pos_ > start ? src_[pos_ - 1] : '\0';
        if (c == '=' && after != '=' && !std::strchr("=!<>", before)) {
          debug = true;
          break;
        }
      }
      advance();
    }
    std::string text(src_.substr(start, pos_ - start));
    if (text.find_first_not_of(" \t\n") == std::string::npos)
      fail("SyntaxError", "f-string: empty expression not allowed");
    if (debug) {
      advance();  // '='
      while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\t')) advance();
      push(Tok::FieldDebug, std::string(src_.substr(start, pos_ - start)), expr_line, expr_col);
    }
    push_expression_tokens(text, expr_line, expr_col);
    if (pos_ < src_.size() && src_[pos_] == '!') {
      advance();
      char conv = pos_ < src_.size() ? src_[pos_] : '\0';
      if (conv != 's' && conv != 'r' && conv != 'a')
        fail("SyntaxError", "f-string: invalid conversion character: expected 's', 'r', or 'a'");
      push(Tok::FieldConversion, std::string(1, conv), line_, col_);
      advance();
    }
    if (pos_ < src_.size() && src_[pos_] == ':') {
      push(Tok::FieldSpec, ":", line_, col_);
      advance();
      fstring_body(quote, triple, raw, line, col, true);
    }
    if (pos_ >= src_.size() || src_[pos_] != '}') fail("SyntaxError", "f-string: expecting '}'");
    push(Tok::FieldEnd, "}", line_, col_);
    advance();
  }

  // The field's expression, tokenized on its own (in brackets, so that spaces and newlines mean
  // nothing), with positions moved to where it stands in the file.
  void push_expression_tokens(const std::string& text, int line, int col) {
    auto place = [&](int& l, int& c) {
      if (l == 1) c = col + c - 2;
      l = line + l - 1;
    };
    std::vector<Token> inner;
    try {
      inner = Lexer(Source("<f-string>", "(" + text + ")")).run();
    } catch (SyntaxError& e) {
      place(e.line, e.col);
      throw;
    }
    // Drop the '(' and, at the end, the ')', the newline and the end marker.
    while (!inner.empty() && inner.back().kind != Tok::RParen) inner.pop_back();
    if (!inner.empty()) inner.pop_back();
    for (size_t i = 1; i < inner.size(); ++i) {
      Token t = std::move(inner[i]);
      place(t.line, t.col);
      place(t.end_line, t.end_col);
      tokens_.push_back(std::move(t));
    }
  }

  void lex_escape(std::string& out) {
    int esc_line = line_, esc_col = col_;
    advance();  // the backslash
    if (pos_ >= src_.size()) return;
    char e = src_[pos_];
    switch (e) {
      case '\n':
      case '\r':
        consume_newline();  // a backslash-newline inside a string joins the lines
        return;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        advance();
        append_utf8(out, hex_digits(2, esc_line, esc_col, "\\xXX"));
        return;
      }
      case 'u':
      case 'U': {
        advance();
        size_t at = pos_ - 2 - body_start_;
        std::uint32_t v =
            hex_digits(e == 'u' ? 4 : 8, esc_line, esc_col, e == 'u' ? "\\uXXXX" : "\\UXXXXXXXX");
        if (v > 0x10FFFF)
          fail("SyntaxError",
               fmt::format("(unicode error) 'unicodeescape' codec can't decode bytes in position "
                           "{}-{}: illegal Unicode character",
                           at, pos_ - 1 - body_start_),
               esc_line, esc_col);
        append_utf8(out, v);
        return;
      }
      case 'N':
        fail("SyntaxError", "\\N{...} escapes are not supported by gilsim", esc_line, esc_col);
      default:
        if (e >= '0' && e <= '7') {
          int v = 0;
          for (int i = 0; i < 3 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7';
               ++i) {
            v = v * 8 + (src_[pos_] - '0');
            advance();
          }
          append_utf8(out, static_cast<std::uint32_t>(v));
          return;
        }
        // Unknown escapes keep their backslash, as in Python.
        out += '\\';
        return;  // the character itself is read by the caller's loop
    }
    advance();
  }

  // Unsigned: eight hex digits reach 0xFFFFFFFF, past an int.
  std::uint32_t hex_digits(int count, int line, int col, const char* form) {
    std::uint32_t v = 0;
    for (int i = 0; i < count; ++i) {
      if (pos_ >= src_.size() || !std::isxdigit(static_cast<unsigned char>(src_[pos_])))
        fail("SyntaxError", fmt::format("truncated {} escape", form), line, col);
      char c = src_[pos_];
      v = v * 16 + static_cast<std::uint32_t>(is_ascii_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
      advance();
    }
    return v;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view src_;
  size_t pos_ = 0;
  size_t body_start_ = 0;  // where the string literal being read starts, after its quotes
  int line_ = 1;
  int col_ = 1;
  bool at_line_start_ = true;
  std::vector<Level> indents_;
  std::vector<Bracket> brackets_;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const Source& source) { return Lexer(source).run(); }

}  // namespace gilsim
