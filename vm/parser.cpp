#include "vm/parser.h"

#include <fmt/format.h>

#include <algorithm>

#include "vm/errors.h"
#include "vm/lexer.h"

namespace gilsim {

namespace {

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : toks_(tokens) {}

  Block file() {
    Block stmts;
    while (peek().kind != Tok::End) {
      if (peek().kind == Tok::Newline) {
        next();
        continue;
      }
      if (peek().kind == Tok::Indent) fail_at(peek(), "IndentationError", "unexpected indent");
      statement(stmts);
    }
    return stmts;
  }

 private:
  // ---- token helpers ----
  const Token& peek(int ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < toks_.size() - 1) ++pos_;
    return t;
  }
  bool accept(Tok kind) {
    if (peek().kind != kind) return false;
    next();
    return true;
  }
  [[noreturn]] void fail_at(const Token& t, const char* kind, std::string msg) {
    throw SyntaxError(kind, std::move(msg), t.line, t.col);
  }
  [[noreturn]] void invalid(const Token& t) {
    if (t.kind == Tok::KwUnsupported)
      fail_at(t, "SyntaxError", fmt::format("'{}' is not supported by gilsim", t.text));
    if (t.kind == Tok::Indent) fail_at(t, "IndentationError", "unexpected indent");
    fail_at(t, "SyntaxError", "invalid syntax");
  }
  const Token& expect(Tok kind, const char* what) {
    if (peek().kind != kind) {
      const Token& t = peek();
      if (t.kind == Tok::KwUnsupported || t.kind == Tok::Indent) invalid(t);
      // Python points "expected ':'" just past the previous token.
      const Token& prev = pos_ > 0 ? toks_[pos_ - 1] : t;
      if (kind == Tok::Colon && pos_ > 0)
        throw SyntaxError("SyntaxError", fmt::format("expected {}", what), prev.end_line,
                          prev.end_col);
      fail_at(t, "SyntaxError", fmt::format("expected {}", what));
    }
    return next();
  }

  // A left-deep chain (a + b + c ..., elif after elif) becomes a tree as deep as it is long, and
  // the compiler walks it recursively: bound it so that no input can exhaust the C++ stack.
  void check_chain(int links, const Token& at) {
    if (links > kMaxChain)
      fail_at(at, "SyntaxError", fmt::format("more than {} operators in a row", kMaxChain));
  }

  // Every tree walk (compiling, freeing) recurses once per level, so the tree's height is what
  // must stay bounded, whatever mix of brackets and operator chains made it.
  void add_kid(Expr& parent, ExprPtr kid) {
    parent.height = std::max(parent.height, kid->height + 1);
    if (parent.height > kMaxTreeHeight)
      throw SyntaxError("SyntaxError",
                        fmt::format("expression too complex (more than {} levels)", kMaxTreeHeight),
                        kid->line, kid->col);
    parent.kids.push_back(std::move(kid));
  }

  struct DepthGuard {
    DepthGuard(Parser& p, const Token& at) : p(p) {
      if (++p.depth_ > kMaxExprDepth) p.fail_at(at, "SyntaxError", "expression nested too deeply");
    }
    ~DepthGuard() { --p.depth_; }
    Parser& p;
  };

  ExprPtr make(ExprKind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    e->col = at.col;
    return e;
  }
  StmtPtr make_stmt(StmtKind kind, const Token& at) {
    auto s = std::make_unique<Stmt>();
    s->kind = kind;
    s->line = at.line;
    s->col = at.col;
    return s;
  }

  // ---- statements ----
  void statement(Block& out) {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::KwIf:
        out.push_back(if_stmt());
        return;
      case Tok::KwWhile:
        out.push_back(while_stmt());
        return;
      case Tok::KwFor:
        out.push_back(for_stmt());
        return;
      case Tok::KwDef:
        out.push_back(def_stmt());
        return;
      case Tok::KwWith:
        out.push_back(with_stmt());
        return;
      case Tok::KwUnsupported:
        if (t.text == "class" || t.text == "try" || (t.text == "async" && false)) {
          out.push_back(t.text == "class" ? class_stmt({}) : try_stmt());
          return;
        }
        simple_statements(out);
        return;
      case Tok::At:
        out.push_back(decorated());
        return;
      case Tok::KwElse:
      case Tok::KwElif:
        invalid(t);
      default:
        simple_statements(out);
    }
  }

  void simple_statements(Block& out) {
    while (true) {
      out.push_back(small_statement());
      if (!accept(Tok::Semicolon)) break;
      if (peek().kind == Tok::Newline) break;
    }
    if (peek().kind != Tok::Newline) invalid(peek());
    next();
  }

  StmtPtr small_statement() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::KwPass:
        next();
        return make_stmt(StmtKind::Pass, t);
      case Tok::KwBreak:
        next();
        return make_stmt(StmtKind::Break, t);
      case Tok::KwContinue:
        next();
        return make_stmt(StmtKind::Continue, t);
      case Tok::KwReturn: {
        next();
        auto s = make_stmt(StmtKind::Return, t);
        if (peek().kind != Tok::Newline && peek().kind != Tok::Semicolon)
          s->value = star_expressions();
        return s;
      }
      case Tok::KwGlobal: {
        next();
        auto s = make_stmt(StmtKind::Global, t);
        do {
          s->names.push_back(expect(Tok::Name, "a name").text);
        } while (accept(Tok::Comma));
        return s;
      }
      case Tok::KwUnsupported:
        if (StmtPtr s = func_simple_statement(t)) return s;
        invalid(t);
      default:
        return expression_statement();
    }
  }

  static bool is_aug_assign(Tok k) {
    switch (k) {
      case Tok::PlusAssign:
      case Tok::MinusAssign:
      case Tok::StarAssign:
      case Tok::SlashAssign:
      case Tok::SlashSlashAssign:
      case Tok::PercentAssign:
      case Tok::StarStarAssign:
      case Tok::AmpAssign:
      case Tok::PipeAssign:
      case Tok::CaretAssign:
      case Tok::LeftShiftAssign:
      case Tok::RightShiftAssign:
        return true;
      default:
        return false;
    }
  }

  StmtPtr expression_statement() {
    const Token& start = peek();
    ExprPtr first = star_expressions_or_yield();
    if (is_aug_assign(peek().kind)) {
      const Token& op = next();
      check_target(*first, true);
      auto s = make_stmt(StmtKind::AugAssign, start);
      s->op = op.kind;
      s->targets.push_back(std::move(first));
      s->value = star_expressions_or_yield();
      return s;
    }
    if (peek().kind != Tok::Assign) {
      auto s = make_stmt(StmtKind::Expr, start);
      s->value = std::move(first);
      return s;
    }
    auto s = make_stmt(StmtKind::Assign, start);
    s->targets.push_back(std::move(first));
    while (accept(Tok::Assign)) s->targets.push_back(star_expressions_or_yield());
    s->value = std::move(s->targets.back());
    s->targets.pop_back();
    for (auto& target : s->targets) check_target(*target, false);
    return s;
  }

  // del takes names, subscripts, attributes, and tuples and lists of them (lang2).
  void check_delete_target(const Expr& e) {
    if (e.kind == ExprKind::Tuple || e.kind == ExprKind::List) {
      for (const auto& k : e.kids) check_delete_target(*k);
      return;
    }
    if (e.kind != ExprKind::Name && e.kind != ExprKind::Subscript && e.kind != ExprKind::Attribute)
      throw SyntaxError("SyntaxError", "cannot delete expression", e.line, e.col);
  }

  void check_target(const Expr& e, bool augmented) {
    const char* what = nullptr;
    switch (e.kind) {
      case ExprKind::Name:
      case ExprKind::Subscript:
        return;
      case ExprKind::Attribute:  // lang-func
        return;
      case ExprKind::Int:
      case ExprKind::Float:
      case ExprKind::String:
      case ExprKind::Bytes:
      case ExprKind::JoinedStr:
        what = "literal";
        break;
      case ExprKind::True:
        what = "True";
        break;
      case ExprKind::False:
        what = "False";
        break;
      case ExprKind::None:
        what = "None";
        break;
      case ExprKind::Call:
        what = "function call";
        break;
      case ExprKind::Tuple:
      case ExprKind::List: {
        if (augmented) {
          what = e.kind == ExprKind::Tuple ? "tuple" : "list display";
          break;
        }
        int starred = 0;
        for (const auto& k : e.kids) {
          if (k->kind == ExprKind::Starred) {
            if (++starred > 1)
              throw SyntaxError("SyntaxError", "multiple starred expressions in assignment",
                                k->line, k->col);
            check_target(*k->kids[0], false);
            continue;
          }
          check_target(*k, false);
        }
        return;
      }
      case ExprKind::Starred:
        if (augmented) {
          what = "starred";
          break;
        }
        // Only an element of a tuple or list target may be starred (handled above), as in CPython.
        throw SyntaxError("SyntaxError", "starred assignment target must be in a list or tuple",
                          e.line, e.col);
      case ExprKind::Dict:
        what = "dict literal";
        break;
      case ExprKind::Set:
        what = "set display";
        break;
      case ExprKind::ListComp:
        what = "list comprehension";
        break;
      case ExprKind::DictComp:
        what = "dict comprehension";
        break;
      case ExprKind::SetComp:
        what = "set comprehension";
        break;
      case ExprKind::GenExp:
        what = "generator expression";
        break;
      case ExprKind::Yield:
      case ExprKind::YieldFrom:
        what = "yield expression";
        break;
      default:
        what = "expression";
        break;
    }
    std::string msg =
        augmented ? fmt::format("'{}' is an illegal expression for augmented assignment", what)
                  : fmt::format("cannot assign to {}", what);
    throw SyntaxError("SyntaxError", msg, e.line, e.col);
  }

  // block: ':' then either simple statements on the same line or an indented suite.
  Block block(const Token& owner, const char* owner_desc) {
    expect(Tok::Colon, "':'");
    Block body;
    if (peek().kind != Tok::Newline) {
      simple_statements(body);
      return body;
    }
    next();
    if (peek().kind != Tok::Indent) {
      // At the end of the file Python points at the header line itself.
      const Token& where = peek().kind == Tok::End ? toks_[pos_ - 1] : peek();
      bool at_end = peek().kind == Tok::End;
      throw SyntaxError(
          "IndentationError",
          fmt::format("expected an indented block after {} on line {}", owner_desc, owner.line),
          at_end ? where.end_line : where.line, at_end ? where.end_col : where.col);
    }
    next();
    while (peek().kind != Tok::Dedent && peek().kind != Tok::End) {
      if (peek().kind == Tok::Indent) fail_at(peek(), "IndentationError", "unexpected indent");
      statement(body);
    }
    accept(Tok::Dedent);
    return body;
  }

  StmtPtr if_stmt() {
    const Token& t = next();  // 'if' or 'elif'
    auto s = make_stmt(StmtKind::If, t);
    s->value = expression();
    s->body = block(t, t.kind == Tok::KwIf ? "'if' statement" : "'elif' statement");
    if (peek().kind == Tok::KwElif) {
      if (++elif_chain_ > kMaxChain)
        fail_at(peek(), "SyntaxError",
                fmt::format("more than {} elif branches in a row", kMaxChain));
      s->orelse.push_back(if_stmt());
      --elif_chain_;
    } else if (peek().kind == Tok::KwElse) {
      const Token& e = next();
      s->orelse = block(e, "'else' statement");
    }
    return s;
  }

  StmtPtr while_stmt() {
    const Token& t = next();
    auto s = make_stmt(StmtKind::While, t);
    s->value = expression();
    s->body = block(t, "'while' statement");
    if (peek().kind == Tok::KwElse) {
      const Token& e = next();
      s->orelse = block(e, "'else' statement");
    }
    return s;
  }

  StmtPtr for_stmt() {
    const Token& t = next();
    auto s = make_stmt(StmtKind::For, t);
    ExprPtr target = target_list();
    check_target(*target, false);
    s->targets.push_back(std::move(target));
    expect(Tok::KwIn, "'in'");
    s->value = star_expressions();
    s->body = block(t, "'for' statement");
    if (peek().kind == Tok::KwElse) {
      const Token& e = next();
      s->orelse = block(e, "'else' statement");
    }
    return s;
  }

  // The targets of a for loop or a comprehension clause: `x`, `k, v`, `i, (a, b)`, `a, *rest`.
  // Parsed below comparisons, so that the `in` that follows is not taken for an operator.
  ExprPtr target_list() {
    const Token& start = peek();
    ExprPtr first = target_item();
    if (peek().kind != Tok::Comma) return first;
    auto tuple = make(ExprKind::Tuple, start);
    add_kid(*tuple, std::move(first));
    while (accept(Tok::Comma)) {
      if (peek().kind == Tok::KwIn) break;
      add_kid(*tuple, target_item());
    }
    return tuple;
  }
  ExprPtr target_item() {
    if (peek().kind != Tok::Star) return bitwise_or();
    const Token& t = next();
    auto e = make(ExprKind::Starred, t);
    add_kid(*e, bitwise_or());
    return e;
  }

  StmtPtr def_stmt() {
    const Token& t = next();
    auto s = make_stmt(StmtKind::Def, t);
    s->name = expect(Tok::Name, "a function name").text;
    expect(Tok::LParen, "'('");
    s->params = parameters(Tok::RParen);
    s->names = s->params->names;
    expect(Tok::RParen, "')'");
    if (peek().kind == Tok::Arrow)
      fail_at(peek(), "SyntaxError", "annotations are not supported by gilsim");
    s->body = block(t, "function definition");
    return s;
  }

  // `with a as x, b as y:` is two nested `with` statements, as CPython compiles it.
  StmtPtr with_stmt() {
    const Token& t = next();
    std::vector<StmtPtr> items;
    do {
      auto s = make_stmt(StmtKind::With, t);
      s->value = expression();
      if (accept(Tok::KwAs)) {
        ExprPtr target = target_item();
        check_target(*target, false);
        s->targets.push_back(std::move(target));
      }
      items.push_back(std::move(s));
    } while (accept(Tok::Comma));
    Block body = block(t, "'with' statement");
    for (size_t i = items.size(); i-- > 0;) {
      items[i]->body = std::move(body);
      body.clear();
      if (i > 0) body.push_back(std::move(items[i]));
    }
    return std::move(items[0]);
  }

  // ---- expressions, lowest precedence first ----

  // lang12: where CPython's grammar takes a yield_expr (an expression statement, either side of
  // `=`, after an augmented assignment, inside parentheses): `yield`, `yield x`, `yield a, b`,
  // `yield from it`.
  ExprPtr star_expressions_or_yield() {
    if (!is_word(peek(), "yield")) return star_expressions();
    const Token& t = next();
    DepthGuard guard(*this, t);
    if (is_word(peek(), "from")) {
      next();
      auto e = make(ExprKind::YieldFrom, t);
      add_kid(*e, expression());
      return e;
    }
    auto e = make(ExprKind::Yield, t);
    if (starts_expression(peek().kind)) add_kid(*e, star_expressions());
    return e;
  }

  // An expression list: `a`, or `a, b` and `a, *b` (a tuple), as on either side of `=`.
  ExprPtr star_expressions() {
    const Token& start = peek();
    ExprPtr first = star_expression();
    if (peek().kind != Tok::Comma) return first;
    auto tuple = make(ExprKind::Tuple, start);
    add_kid(*tuple, std::move(first));
    while (accept(Tok::Comma)) {
      if (!starts_expression(peek().kind)) break;
      add_kid(*tuple, star_expression());
    }
    return tuple;
  }
  ExprPtr star_expression() {
    if (peek().kind != Tok::Star) return expression();
    const Token& t = next();
    auto e = make(ExprKind::Starred, t);
    add_kid(*e, bitwise_or());
    return e;
  }
  static bool starts_expression(Tok k) {
    switch (k) {
      case Tok::Name:
      case Tok::Int:
      case Tok::Float:
      case Tok::String:
      case Tok::Bytes:
      case Tok::FStringStart:
      case Tok::LParen:
      case Tok::LBracket:
      case Tok::LBrace:
      case Tok::Minus:
      case Tok::Plus:
      case Tok::Tilde:
      case Tok::Star:
      case Tok::KwNot:
      case Tok::KwTrue:
      case Tok::KwFalse:
      case Tok::KwNone:
      case Tok::KwUnsupported:
        return true;
      default:
        return false;
    }
  }

  ExprPtr expression() {
    DepthGuard guard(*this, peek());
    if (is_word(peek(), "lambda")) return lambda();
    ExprPtr body = disjunction();
    if (peek().kind != Tok::KwIf) return body;
    const Token& t = next();
    auto e = make(ExprKind::IfElse, t);
    e->line = body->line;
    e->col = body->col;
    ExprPtr cond = disjunction();
    expect(Tok::KwElse, "'else'");
    ExprPtr orelse = expression();
    add_kid(*e, std::move(cond));
    add_kid(*e, std::move(body));
    add_kid(*e, std::move(orelse));
    return e;
  }

  ExprPtr disjunction() {
    ExprPtr left = conjunction();
    int links = 0;
    while (peek().kind == Tok::KwOr) {
      check_chain(++links, next());
      auto e = make(ExprKind::Or, *&peek());
      e->line = left->line;
      e->col = left->col;
      add_kid(*e, std::move(left));
      add_kid(*e, conjunction());
      left = std::move(e);
    }
    return left;
  }

  ExprPtr conjunction() {
    ExprPtr left = inversion();
    int links = 0;
    while (peek().kind == Tok::KwAnd) {
      check_chain(++links, next());
      auto e = make(ExprKind::And, peek());
      e->line = left->line;
      e->col = left->col;
      add_kid(*e, std::move(left));
      add_kid(*e, inversion());
      left = std::move(e);
    }
    return left;
  }

  ExprPtr inversion() {
    if (peek().kind != Tok::KwNot) return comparison();
    const Token& t = next();
    DepthGuard guard(*this, t);
    auto e = make(ExprKind::Unary, t);
    e->op = Tok::KwNot;
    add_kid(*e, inversion());
    return e;
  }

  bool comparison_op(CmpOp& op) {
    switch (peek().kind) {
      case Tok::Less:
        op = CmpOp::Lt;
        break;
      case Tok::LessEqual:
        op = CmpOp::Le;
        break;
      case Tok::Greater:
        op = CmpOp::Gt;
        break;
      case Tok::GreaterEqual:
        op = CmpOp::Ge;
        break;
      case Tok::EqualEqual:
        op = CmpOp::Eq;
        break;
      case Tok::NotEqual:
        op = CmpOp::Ne;
        break;
      case Tok::KwIn:
        op = CmpOp::In;
        break;
      case Tok::KwIs:
        next();
        op = accept(Tok::KwNot) ? CmpOp::IsNot : CmpOp::Is;
        return true;
      case Tok::KwNot:
        if (peek(1).kind != Tok::KwIn) return false;
        next();
        op = CmpOp::NotIn;
        break;
      default:
        return false;
    }
    next();
    return true;
  }

  ExprPtr comparison() {
    ExprPtr first = bitwise_or();
    CmpOp op;
    if (!comparison_op(op)) return first;
    auto e = make(ExprKind::Compare, peek());
    e->line = first->line;
    e->col = first->col;
    add_kid(*e, std::move(first));
    do {
      e->ops.push_back(op);
      add_kid(*e, bitwise_or());
    } while (comparison_op(op));
    return e;
  }

  ExprPtr binary_chain(ExprPtr (Parser::*operand)(), std::initializer_list<Tok> ops) {
    ExprPtr left = (this->*operand)();
    int links = 0;
    while (true) {
      Tok k = peek().kind;
      bool match = false;
      for (Tok o : ops) match |= (o == k);
      if (!match) return left;
      const Token& t = next();
      check_chain(++links, t);
      auto e = make(ExprKind::Binary, t);
      e->op = k;
      add_kid(*e, std::move(left));
      add_kid(*e, (this->*operand)());
      left = std::move(e);
    }
  }

  ExprPtr bitwise_or() { return binary_chain(&Parser::bitwise_xor, {Tok::Pipe}); }
  ExprPtr bitwise_xor() { return binary_chain(&Parser::bitwise_and, {Tok::Caret}); }
  ExprPtr bitwise_and() { return binary_chain(&Parser::shift_expr, {Tok::Amp}); }
  ExprPtr shift_expr() { return binary_chain(&Parser::sum, {Tok::LeftShift, Tok::RightShift}); }
  ExprPtr sum() { return binary_chain(&Parser::term, {Tok::Plus, Tok::Minus}); }
  ExprPtr term() {
    return binary_chain(&Parser::factor, {Tok::Star, Tok::Slash, Tok::SlashSlash, Tok::Percent});
  }

  ExprPtr factor() {
    Tok k = peek().kind;
    if (k != Tok::Minus && k != Tok::Plus && k != Tok::Tilde) return power();
    const Token& t = next();
    DepthGuard guard(*this, t);
    auto e = make(ExprKind::Unary, t);
    e->op = k;
    add_kid(*e, factor());
    return e;
  }

  ExprPtr power() {
    ExprPtr base = primary();
    if (peek().kind != Tok::StarStar) return base;
    const Token& t = next();
    DepthGuard guard(*this, t);
    auto e = make(ExprKind::Binary, t);
    e->op = Tok::StarStar;
    add_kid(*e, std::move(base));
    add_kid(*e, factor());  // right-associative, and binds tighter than a unary minus on its left
    return e;
  }

  ExprPtr primary() {
    ExprPtr e = atom();
    while (true) {
      const Token& t = peek();
      if (t.kind == Tok::Dot) {
        next();
        auto a = make(ExprKind::Attribute, t);
        a->text = expect(Tok::Name, "an attribute name").text;
        add_kid(*a, std::move(e));
        e = std::move(a);
      } else if (t.kind == Tok::LParen) {
        next();
        auto c = make(ExprKind::Call, t);
        c->line = e->line;
        c->col = e->col;
        add_kid(*c, std::move(e));
        call_arguments(*c);
        e = std::move(c);
      } else if (t.kind == Tok::LBracket) {
        next();
        auto s = make(ExprKind::Subscript, t);
        s->line = e->line;
        s->col = e->col;
        add_kid(*s, std::move(e));
        add_kid(*s, subscript_index());
        expect(Tok::RBracket, "']'");
        e = std::move(s);
      } else {
        return e;
      }
    }
  }

  // What goes between the brackets of a subscript: an expression, a slice, or a tuple of them.
  ExprPtr subscript_index() {
    const Token& start = peek();
    ExprPtr first = slice_or_expression();
    if (peek().kind != Tok::Comma) return first;
    auto tuple = make(ExprKind::Tuple, start);
    add_kid(*tuple, std::move(first));
    while (accept(Tok::Comma)) {
      if (peek().kind == Tok::RBracket) break;
      add_kid(*tuple, slice_or_expression());
    }
    return tuple;
  }
  ExprPtr slice_or_expression() {
    const Token& start = peek();
    ExprPtr lower;
    if (peek().kind != Tok::Colon) {
      lower = expression();
      if (peek().kind != Tok::Colon) return lower;
    }
    auto slice = make(ExprKind::Slice, start);
    add_kid(*slice, lower ? std::move(lower) : make(ExprKind::None, start));
    next();  // ':'
    auto bound = [&]() {
      Tok k = peek().kind;
      if (k == Tok::Colon || k == Tok::RBracket || k == Tok::Comma)
        return make(ExprKind::None, peek());
      return expression();
    };
    add_kid(*slice, bound());
    if (accept(Tok::Colon))
      add_kid(*slice, bound());
    else
      add_kid(*slice, make(ExprKind::None, start));
    return slice;
  }

  // `for ... in ... if ...` clauses after a comprehension's element.
  void comprehension_clauses(Expr& e) {
    while (peek().kind == Tok::KwFor) {
      const Token& t = next();
      auto clause = make(ExprKind::CompFor, t);
      ExprPtr target = target_list();
      check_target(*target, false);
      add_kid(*clause, std::move(target));
      expect(Tok::KwIn, "'in'");
      add_kid(*clause, disjunction());
      while (peek().kind == Tok::KwIf) {
        next();
        add_kid(*clause, disjunction());
      }
      add_kid(e, std::move(clause));
    }
  }

  ExprPtr comprehension(ExprKind kind, const Token& at, ExprPtr element) {
    auto e = make(kind, at);
    add_kid(*e, std::move(element));
    comprehension_clauses(*e);
    return e;
  }

  // Positional arguments, then keywords (Keyword nodes); *xs and **kw as Starred nodes. CPython's
  // ordering rules: no positional argument after a keyword one or after **.
  void call_arguments(Expr& call) {
    bool seen_keyword = false, seen_kwunpack = false;
    while (peek().kind != Tok::RParen) {
      const Token& t = peek();
      if (t.kind == Tok::Star || t.kind == Tok::StarStar) {
        next();
        auto st = make(ExprKind::Starred, t);
        st->op = t.kind;
        add_kid(*st, expression());
        if (t.kind == Tok::StarStar)
          seen_kwunpack = true;
        else if (seen_kwunpack)
          fail_at(t, "SyntaxError",
                  "iterable argument unpacking follows keyword argument unpacking");
        add_kid(call, std::move(st));
      } else if (t.kind == Tok::Name && peek(1).kind == Tok::Assign) {
        next();
        next();
        for (size_t i = 1; i < call.kids.size(); ++i)
          if (call.kids[i]->kind == ExprKind::Keyword && call.kids[i]->text == t.text)
            fail_at(t, "SyntaxError", fmt::format("keyword argument repeated: {}", t.text));
        auto kw = make(ExprKind::Keyword, t);
        kw->text = t.text;
        add_kid(*kw, expression());
        add_kid(call, std::move(kw));
        seen_keyword = true;
      } else {
        ExprPtr arg = expression();
        if (peek().kind == Tok::KwFor) {
          const Token& at = peek();
          arg = comprehension(ExprKind::GenExp, at, std::move(arg));
          arg->line = arg->kids[0]->line;
          arg->col = arg->kids[0]->col;
          if (call.kids.size() > 1 || peek().kind == Tok::Comma)
            fail_at(t, "SyntaxError", "Generator expression must be parenthesized");
        }
        if (seen_kwunpack)
          fail_at(t, "SyntaxError", "positional argument follows keyword argument unpacking");
        if (seen_keyword) fail_at(t, "SyntaxError", "positional argument follows keyword argument");
        add_kid(call, std::move(arg));
      }
      if (!accept(Tok::Comma)) break;
    }
    expect(Tok::RParen, "')'");
  }

  // ---- lang-func: parameters, lambda, class, try, raise and the other statements ----
  static bool is_word(const Token& t, const char* word) {
    return t.kind == Tok::KwUnsupported && t.text == word;
  }

  // def f(a, b=1, *args, c, d=2, **kw) and lambda's parameters, up to `end`.
  ParamsPtr parameters(Tok end) {
    auto p = std::make_unique<Params>();
    std::vector<std::string> pos, kwonly;
    std::string varargs, varkw;
    bool star_seen = false;
    auto check_dup = [&](const Token& at, const std::string& name) {
      auto has = [&](const std::vector<std::string>& v) {
        return std::find(v.begin(), v.end(), name) != v.end();
      };
      if (has(pos) || has(kwonly) || name == varargs || name == varkw)
        fail_at(at, "SyntaxError",
                fmt::format("duplicate argument '{}' in function definition", name));
    };
    while (peek().kind != end) {
      const Token& t = peek();
      if (!varkw.empty()) fail_at(t, "SyntaxError", "arguments cannot follow var-keyword argument");
      if (t.kind == Tok::StarStar) {
        next();
        const Token& n = expect(Tok::Name, "a parameter name");
        check_dup(n, n.text);
        varkw = n.text;
      } else if (t.kind == Tok::Star) {
        if (star_seen) fail_at(t, "SyntaxError", "* argument may appear only once");
        next();
        star_seen = true;
        if (peek().kind == Tok::Name) {
          const Token& n = next();
          check_dup(n, n.text);
          varargs = n.text;
        } else if (peek().kind == end || peek(1).kind == end) {
          fail_at(t, "SyntaxError", "named arguments must follow bare *");
        }
      } else if (t.kind == Tok::Slash) {
        fail_at(t, "SyntaxError", "positional-only parameters (/) are not supported by gilsim");
      } else {
        const Token& n = expect(Tok::Name, "a parameter name");
        check_dup(n, n.text);
        if (peek().kind == Tok::Colon && end == Tok::RParen)
          fail_at(peek(), "SyntaxError", "annotations are not supported by gilsim");
        ExprPtr def;
        if (accept(Tok::Assign)) def = expression();
        if (star_seen) {
          kwonly.push_back(n.text);
          p->kwdefaults.push_back(std::move(def));
        } else {
          if (!def && !p->defaults.empty())
            fail_at(n, "SyntaxError", "non-default argument follows default argument");
          pos.push_back(n.text);
          if (def) p->defaults.push_back(std::move(def));
        }
      }
      if (!accept(Tok::Comma)) break;
    }
    if (star_seen && varargs.empty() && kwonly.empty())
      fail_at(peek(), "SyntaxError", "named arguments must follow bare *");
    p->positional = static_cast<int>(pos.size());
    p->kwonly = static_cast<int>(kwonly.size());
    p->varargs = !varargs.empty();
    p->varkw = !varkw.empty();
    p->names = pos;
    for (auto& k : kwonly) p->names.push_back(k);
    if (p->varargs) p->names.push_back(varargs);
    if (p->varkw) p->names.push_back(varkw);
    return p;
  }

  ExprPtr lambda() {
    const Token& t = next();
    DepthGuard guard(*this, t);
    auto e = make(ExprKind::Lambda, t);
    e->params = parameters(Tok::Colon);
    expect(Tok::Colon, "':'");
    add_kid(*e, expression());
    return e;
  }

  // @decorator lines, then the def or class they decorate.
  StmtPtr decorated() {
    std::vector<ExprPtr> decorators;
    while (peek().kind == Tok::At) {
      next();
      decorators.push_back(expression());
      expect(Tok::Newline, "newline");
    }
    const Token& t = peek();
    StmtPtr s;
    if (t.kind == Tok::KwDef)
      s = def_stmt();
    else if (is_word(t, "class"))
      s = class_stmt({});
    else
      invalid(t);
    s->decorators = std::move(decorators);
    return s;
  }

  StmtPtr class_stmt(std::vector<ExprPtr>) {
    const Token& t = next();
    auto s = make_stmt(StmtKind::Class, t);
    s->name = expect(Tok::Name, "a class name").text;
    if (accept(Tok::LParen)) {
      while (peek().kind != Tok::RParen) {
        const Token& b = peek();
        if (b.kind == Tok::Name && peek(1).kind == Tok::Assign)
          fail_at(b, "SyntaxError",
                  "class keyword arguments (metaclass=...) are not supported by gilsim");
        if (b.kind == Tok::Star || b.kind == Tok::StarStar) invalid(b);
        s->targets.push_back(expression());
        if (!accept(Tok::Comma)) break;
      }
      expect(Tok::RParen, "')'");
    }
    s->body = block(t, "class definition");
    return s;
  }

  StmtPtr try_stmt() {
    const Token& t = next();
    auto s = make_stmt(StmtKind::Try, t);
    s->body = block(t, "'try' statement");
    bool bare_seen = false;
    while (is_word(peek(), "except")) {
      const Token& e = next();
      if (bare_seen) fail_at(e, "SyntaxError", "default 'except:' must be last");
      auto h = make_stmt(StmtKind::Except, e);
      if (peek().kind == Tok::Star)
        fail_at(peek(), "SyntaxError", "'except*' is not supported by gilsim");
      if (peek().kind != Tok::Colon) {
        h->value = expression();
        if (peek().kind == Tok::Comma)
          fail_at(peek(), "SyntaxError", "multiple exception types must be parenthesized");
        if (peek().kind == Tok::KwAs) {
          next();
          h->name = expect(Tok::Name, "a name").text;
        }
      } else {
        bare_seen = true;
      }
      h->body = block(e, "'except' statement");
      s->handlers.push_back(std::move(h));
    }
    if (peek().kind == Tok::KwElse) {
      const Token& e = next();
      if (s->handlers.empty()) fail_at(e, "SyntaxError", "expected 'except' or 'finally' block");
      s->orelse = block(e, "'else' statement");
    }
    if (is_word(peek(), "finally")) {
      const Token& f = next();
      s->finalbody = block(f, "'finally' statement");
    }
    if (s->handlers.empty() && s->finalbody.empty())
      fail_at(peek(), "SyntaxError", "expected 'except' or 'finally' block");
    return s;
  }

  std::string dotted_name() {
    std::string name = expect(Tok::Name, "a module name").text;
    while (accept(Tok::Dot)) name += "." + expect(Tok::Name, "a name").text;
    return name;
  }

  // The simple statements spelled with words the lexer leaves to the parser: raise, assert,
  // del, nonlocal, import, from; nullptr for any other word.
  StmtPtr func_simple_statement(const Token& t) {
    auto ends = [&] {
      Tok k = peek().kind;
      return k == Tok::Newline || k == Tok::Semicolon || k == Tok::End;
    };
    if (is_word(t, "yield")) return expression_statement();  // lang12
    if (is_word(t, "raise")) {
      next();
      auto s = make_stmt(StmtKind::Raise, t);
      if (!ends()) {
        s->value = expression();
        if (is_word(peek(), "from")) {
          next();
          s->targets.push_back(expression());
        }
      }
      return s;
    }
    if (is_word(t, "assert")) {
      next();
      auto s = make_stmt(StmtKind::Assert, t);
      s->value = expression();
      if (accept(Tok::Comma)) s->targets.push_back(expression());
      return s;
    }
    if (is_word(t, "del")) {
      next();
      auto s = make_stmt(StmtKind::Del, t);
      do {
        if (ends()) break;
        ExprPtr target = expression();
        check_delete_target(*target);
        s->targets.push_back(std::move(target));
      } while (accept(Tok::Comma));
      if (s->targets.empty()) invalid(peek());
      return s;
    }
    if (is_word(t, "nonlocal")) {
      next();
      auto s = make_stmt(StmtKind::Nonlocal, t);
      do {
        s->names.push_back(expect(Tok::Name, "a name").text);
      } while (accept(Tok::Comma));
      return s;
    }
    if (is_word(t, "import")) {
      next();
      auto s = make_stmt(StmtKind::Import, t);
      do {
        std::string name = dotted_name();
        std::string alias;
        if (accept(Tok::KwAs)) alias = expect(Tok::Name, "a name").text;
        s->names.push_back(name);
        s->aliases.push_back(alias);
      } while (accept(Tok::Comma));
      return s;
    }
    if (is_word(t, "from")) {
      next();
      auto s = make_stmt(StmtKind::Import, t);
      s->from_import = true;
      if (peek().kind == Tok::Dot)
        fail_at(peek(), "SyntaxError", "relative imports are not supported by gilsim");
      s->name = dotted_name();
      if (!is_word(peek(), "import")) fail_at(peek(), "SyntaxError", "expected 'import'");
      next();
      if (peek().kind == Tok::Star)
        fail_at(peek(), "SyntaxError", "'from ... import *' is not supported by gilsim");
      bool paren = accept(Tok::LParen);
      do {
        if (paren && peek().kind == Tok::RParen) break;
        s->names.push_back(expect(Tok::Name, "a name").text);
        std::string alias;
        if (accept(Tok::KwAs)) alias = expect(Tok::Name, "a name").text;
        s->aliases.push_back(alias);
      } while (accept(Tok::Comma));
      if (paren) expect(Tok::RParen, "')'");
      return s;
    }
    return nullptr;
  }
  // ---- end lang-func ----

  ExprPtr atom() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::Name: {
        next();
        auto e = make(ExprKind::Name, t);
        e->text = t.text;
        return e;
      }
      case Tok::Int: {
        next();
        auto e = make(ExprKind::Int, t);
        e->int_value = t.int_value;
        return e;
      }
      case Tok::Float: {
        next();
        auto e = make(ExprKind::Float, t);
        e->float_value = t.float_value;
        return e;
      }
      case Tok::String:
      case Tok::FStringStart:
        return strings();
      case Tok::Bytes: {  // lang12: adjacent bytes literals join; never with a str
        auto e = make(ExprKind::Bytes, t);
        while (peek().kind == Tok::Bytes) e->text += next().text;
        if (peek().kind == Tok::String || peek().kind == Tok::FStringStart)
          fail_at(peek(), "SyntaxError", "cannot mix bytes and nonbytes literals");
        return e;
      }
      case Tok::KwTrue:
        next();
        return make(ExprKind::True, t);
      case Tok::KwFalse:
        next();
        return make(ExprKind::False, t);
      case Tok::KwNone:
        next();
        return make(ExprKind::None, t);
      case Tok::LParen: {
        next();
        if (accept(Tok::RParen)) return make(ExprKind::Tuple, t);
        if (is_word(peek(), "yield")) {  // lang12: (yield x) inside an expression
          ExprPtr y = star_expressions_or_yield();
          expect(Tok::RParen, "')'");
          return y;
        }
        ExprPtr first = star_expression();
        if (peek().kind == Tok::KwFor && first->kind != ExprKind::Starred) {
          ExprPtr gen = comprehension(ExprKind::GenExp, t, std::move(first));
          expect(Tok::RParen, "')'");
          return gen;
        }
        if (peek().kind != Tok::Comma) {
          if (first->kind == ExprKind::Starred)
            fail_at(t, "SyntaxError", "cannot use starred expression here");
          expect(Tok::RParen, "')'");
          return first;
        }
        auto tuple = make(ExprKind::Tuple, t);
        add_kid(*tuple, std::move(first));
        while (accept(Tok::Comma)) {
          if (peek().kind == Tok::RParen) break;
          add_kid(*tuple, star_expression());
        }
        expect(Tok::RParen, "')'");
        return tuple;
      }
      case Tok::LBracket: {
        next();
        auto e = make(ExprKind::List, t);
        while (peek().kind != Tok::RBracket) {
          ExprPtr item = star_expression();
          if (peek().kind == Tok::KwFor && e->kids.empty() && item->kind != ExprKind::Starred) {
            ExprPtr comp = comprehension(ExprKind::ListComp, t, std::move(item));
            expect(Tok::RBracket, "']'");
            return comp;
          }
          add_kid(*e, std::move(item));
          if (!accept(Tok::Comma)) break;
        }
        expect(Tok::RBracket, "']'");
        return e;
      }
      case Tok::LBrace:
        return brace_display();
      default:
        invalid(t);
    }
  }

  // {}, {k: v, **d}, {a, *b} and their comprehensions.
  ExprPtr brace_display() {
    const Token& t = next();
    if (accept(Tok::RBrace)) return make(ExprKind::Dict, t);
    bool is_dict = peek().kind == Tok::StarStar;
    ExprPtr first;
    if (!is_dict) {
      first = star_expression();
      is_dict = peek().kind == Tok::Colon && first->kind != ExprKind::Starred;
    }
    if (!is_dict) {
      if (peek().kind == Tok::KwFor && first->kind != ExprKind::Starred) {
        ExprPtr comp = comprehension(ExprKind::SetComp, t, std::move(first));
        expect(Tok::RBrace, "'}'");
        return comp;
      }
      auto e = make(ExprKind::Set, t);
      add_kid(*e, std::move(first));
      while (accept(Tok::Comma)) {
        if (peek().kind == Tok::RBrace) break;
        add_kid(*e, star_expression());
      }
      expect(Tok::RBrace, "'}'");
      return e;
    }
    auto e = make(ExprKind::Dict, t);
    bool first_item = true;
    while (peek().kind != Tok::RBrace) {
      if (peek().kind == Tok::StarStar) {
        const Token& star = next();
        auto spread = make(ExprKind::DoubleStarred, star);
        add_kid(*spread, bitwise_or());
        add_kid(*e, std::move(spread));
        add_kid(*e, make(ExprKind::None, star));
      } else {
        ExprPtr key = first ? std::move(first) : expression();
        first = nullptr;
        expect(Tok::Colon, "':'");
        ExprPtr value = expression();
        if (first_item && peek().kind == Tok::KwFor) {
          auto comp = make(ExprKind::DictComp, t);
          add_kid(*comp, std::move(key));
          add_kid(*comp, std::move(value));
          comprehension_clauses(*comp);
          expect(Tok::RBrace, "'}'");
          return comp;
        }
        add_kid(*e, std::move(key));
        add_kid(*e, std::move(value));
      }
      first_item = false;
      if (!accept(Tok::Comma)) break;
    }
    expect(Tok::RBrace, "'}'");
    return e;
  }

  // Adjacent string literals and f-strings concatenate: "a" f"{b}" "c".
  ExprPtr strings() {
    const Token& t = peek();
    bool any_f = false;
    for (size_t i = pos_; i < toks_.size(); ++i) {
      if (toks_[i].kind == Tok::FStringStart) {
        any_f = true;
        break;
      }
      if (toks_[i].kind != Tok::String) break;
    }
    if (!any_f) {
      auto e = make(ExprKind::String, t);
      while (peek().kind == Tok::String) e->text += next().text;
      if (peek().kind == Tok::Bytes)
        fail_at(peek(), "SyntaxError", "cannot mix bytes and nonbytes literals");
      return e;
    }
    auto joined = make(ExprKind::JoinedStr, t);
    while (peek().kind == Tok::String || peek().kind == Tok::FStringStart) {
      if (peek().kind == Tok::String) {
        add_string_part(*joined, next());
        continue;
      }
      next();
      fstring_parts(*joined, Tok::FStringEnd);
      next();  // FStringEnd
    }
    return joined;
  }
  void add_string_part(Expr& joined, const Token& s) {
    if (s.text.empty()) return;
    if (!joined.kids.empty() && joined.kids.back()->kind == ExprKind::String) {
      joined.kids.back()->text += s.text;
      return;
    }
    auto part = make(ExprKind::String, s);
    part->text = s.text;
    add_kid(joined, std::move(part));
  }
  // The parts of an f-string (or of a field's spec) up to the token `end`, which is left.
  void fstring_parts(Expr& joined, Tok end) {
    while (peek().kind != end) {
      if (peek().kind == Tok::String) {
        add_string_part(joined, next());
        continue;
      }
      const Token& start = expect(Tok::FieldStart, "'{'");
      DepthGuard guard(*this, start);
      if (peek().kind == Tok::FieldDebug) add_string_part(joined, next());
      bool debug = toks_[pos_ - 1].kind == Tok::FieldDebug;
      auto field = make(ExprKind::FormattedValue, start);
      ExprPtr value = star_expressions();
      field->line = value->line;
      field->col = value->col;
      add_kid(*field, std::move(value));
      if (peek().kind == Tok::FieldConversion) field->int_value = next().text[0];
      if (accept(Tok::FieldSpec)) {
        auto spec = make(ExprKind::JoinedStr, peek());
        fstring_parts(*spec, Tok::FieldEnd);
        add_kid(*field, std::move(spec));
      } else if (debug && field->int_value == 0) {
        field->int_value = 'r';  // {x=} shows repr(x) unless a conversion or spec says otherwise
      }
      if (peek().kind != Tok::FieldEnd) fail_at(peek(), "SyntaxError", "f-string: expecting '}'");
      next();
      add_kid(joined, std::move(field));
    }
  }

  const std::vector<Token>& toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  int elif_chain_ = 0;
};

}  // namespace

Block parse_tokens(const std::vector<Token>& tokens) { return Parser(tokens).file(); }

Block parse(const Source& source) { return parse_tokens(tokenize(source)); }

}  // namespace gilsim
