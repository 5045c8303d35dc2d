// The syntax tree: what the parser builds and the compiler walks.
//
// Two node structs with a kind tag keep the tree easy to read in a debugger; each kind documents
// which fields it uses. Nodes own their children. Depth is bounded by the parser's limits, so
// walking and freeing a tree never recurses deeper than a few hundred levels.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vm/token.h"

namespace gilsim {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

// ---- lang-func: a function's parameter list (def, lambda) ----
// names: positional parameters, then keyword-only ones, then *args, then **kwargs (the order of
// the function's first local slots). defaults: for the last defaults.size() positional
// parameters; kwdefaults: one per keyword-only parameter, null where it has none.
struct Params {
  std::vector<std::string> names;
  int positional = 0;
  int kwonly = 0;
  bool varargs = false;
  bool varkw = false;
  std::vector<ExprPtr> defaults;
  std::vector<ExprPtr> kwdefaults;
};
using ParamsPtr = std::unique_ptr<Params>;
// ---- end lang-func ----

enum class ExprKind {
  Int,     // int_value
  Float,   // float_value
  String,  // text
  Bytes,   // lang12: text holds the bytes
  True,
  False,
  None,
  Name,    // text
  List,    // kids: the items
  Unary,   // op (Minus, Plus, KwNot), kids[0]
  Binary,  // op (Plus ... StarStar), kids[0] op kids[1]
  And,
  Or,         // kids[0] and/or kids[1]
  Compare,    // kids[0] ops[0] kids[1] ops[1] kids[2] ... (chained)
  IfElse,     // kids[1] if kids[0] else kids[2]
  Call,       // kids[0](kids[1..])
  Attribute,  // kids[0].text
  Subscript,  // kids[0][kids[1]]
  // lang-func:
  Lambda,   // lambda params: kids[0]
  Keyword,  // text=kids[0], a keyword argument of a Call (only there)
  // lang-data
  Tuple,           // kids: the items (a Starred item unpacks an iterable)
  Dict,            // kids: key, value, key, value ... (a DoubleStarred key has a None value)
  Set,             // kids: the items
  Starred,         // *kids[0] in a display, an assignment target or a call's arguments; in a call,
                   // op StarStar marks **kids[0]
  DoubleStarred,   // **kids[0], in a dict display
  Slice,           // kids[0]:kids[1]:kids[2] inside a subscript; a missing bound is a None node
  ListComp,        // [kids[0] for ...]: kids[1..] are CompFor clauses
  SetComp,         // {kids[0] for ...}
  DictComp,        // {kids[0]: kids[1] for ...}: kids[2..] are CompFor clauses
  GenExp,          // (kids[0] for ...): a generator function of its own, called at once
  Yield,           // lang12: yield [kids[0]] (no kids: yield None)
  YieldFrom,       // lang12: yield from kids[0]
  CompFor,         // for kids[0] in kids[1] if kids[2] if kids[3] ...
  JoinedStr,       // an f-string: kids are String parts and FormattedValue fields
  FormattedValue,  // {kids[0]!conversion:kids[1]}: int_value is the conversion (0, 's', 'r', 'a');
                   // kids[1], when present, is the spec (a JoinedStr)
};

// Comparison operators, including the two-word ones the lexer sees as two tokens.
enum class CmpOp { Lt, Le, Gt, Ge, Eq, Ne, Is, IsNot, In, NotIn };

struct Expr {
  ExprKind kind;
  int line = 0, col = 0;
  int height = 1;  // levels below and including this node; bounded by the parser
  Tok op = Tok::End;
  std::vector<CmpOp> ops;
  std::string text;
  std::int64_t int_value = 0;
  double float_value = 0.0;
  std::vector<ExprPtr> kids;
  ParamsPtr params;  // lang-func: Lambda
};

enum class StmtKind {
  Expr,       // value
  Assign,     // targets = ... = value (chained)
  AugAssign,  // targets[0] op= value
  If,         // if value: body else: orelse (elif is a nested If in orelse)
  While,      // while value: body
  For,        // for targets[0] in value: body
  Def,        // def name(params): body
  Return,     // return [value]
  Global,     // global names
  With,       // with value [as targets[0]]: body (`with a, b:` is parsed as nested Withs)
  Break,
  Continue,
  Pass,
  // lang-func:
  Nonlocal,  // nonlocal names
  Class,     // class name(targets[0]?): body; decorators as in Def
  Try,       // try: body; handlers (each: Except); else: orelse; finally: finalbody
  Except,    // except [value [as name]]: body  (only inside Try::handlers)
  Raise,     // raise [value [from targets[0]]]
  Assert,    // assert value [, targets[0]]
  Del,       // del targets
  Import,    // import names[i] as aliases[i]; from name import names[i] as aliases[i]
};

struct Stmt {
  StmtKind kind;
  int line = 0, col = 0;
  ExprPtr value;
  std::vector<ExprPtr> targets;
  Tok op = Tok::End;
  std::string name;
  std::vector<std::string> names;  // Def: parameters; Global: the names
  Block body;
  Block orelse;
  // lang-func:
  ParamsPtr params;                  // Def
  std::vector<ExprPtr> decorators;   // Def, Class: outermost first
  Block handlers;                    // Try: Except clauses
  Block finalbody;                   // Try
  std::vector<std::string> aliases;  // Import
  bool from_import = false;          // Import: from name import ...
};

}  // namespace gilsim
