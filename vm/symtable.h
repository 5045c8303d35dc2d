// The symbol table (lang-func): which scope each name of a script belongs to, after Python's
// rules (CPython's symtable.c), before any code is generated.
//
// A name assigned in a function is local to it unless declared `global` or `nonlocal`; a name a
// nested function uses and an enclosing function binds is free in the inner one and a cell in
// the outer one (both then reach the same CellObj); anything else is global, falling back to the
// builtin of that name. Class bodies bind their own names, which the methods inside do not see.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "vm/ast.h"

namespace gilsim {

enum class NameKind { Fast, Deref, Global };

struct SymScope {
  enum class Kind { Module, Function, Class };
  Kind kind = Kind::Module;
  std::string qualname;  // as CPython's __qualname__: "f", "C.m", "f.<locals>.g"
  SymScope* parent = nullptr;
  std::vector<std::unique_ptr<SymScope>> children;

  // Local slots: parameters first, then the other bound names, then the free names.
  std::vector<std::string> slots;
  std::unordered_map<std::string, std::uint32_t> slot_of;
  std::set<std::string> globals;    // declared global here
  std::set<std::string> nonlocals;  // declared nonlocal here
  std::set<std::string> cells;      // bound here, captured by a nested function
  std::vector<std::string> frees;   // taken from the enclosing function, in slot order
  bool uses_super = false;          // mentions the name super (zero-argument super())
  bool is_generator = false;        // lang12: its body yields (a generator function)
  // lang12: the comprehensions around this scope's definition inside its parent (innermost
  // last), with the loop variables each binds: a free name of this scope that one of them binds
  // is that comprehension's variable, held in a cell (SymbolTable::comp_cells).
  std::vector<std::pair<const void*, std::set<std::string>>> comp_env;

  // Collected before resolution.
  std::vector<std::string> bound_order;  // parameters, then names bound in the body
  std::set<std::string> bound, used;
  std::unordered_map<std::string, std::pair<int, int>> nonlocal_at;  // line, col of the declaration

  NameKind kind_of(const std::string& name, std::uint32_t& slot) const;
};

class SymbolTable {
 public:
  explicit SymbolTable(const Block& module);  // throws SyntaxError (global/nonlocal misuse)
  const SymScope& module() const { return *root_; }
  // The scope of a Def or Class statement, or of a Lambda expression.
  const SymScope& scope_of(const void* node) const { return *by_node_.at(node); }
  // lang12: the loop variables of a comprehension (its node) that a function inside it captures:
  // the compiler keeps them in cells, as CPython 3.11's comprehension function does.
  const std::set<std::string>& comp_cells(const void* node) const {
    static const std::set<std::string> none;
    auto it = comp_cells_.find(node);
    return it == comp_cells_.end() ? none : it->second;
  }

 private:
  std::unique_ptr<SymScope> root_;
  std::unordered_map<const void*, SymScope*> by_node_;
  std::unordered_map<const void*, std::set<std::string>> comp_cells_;
  friend class SymbolCollector;
};

}  // namespace gilsim
