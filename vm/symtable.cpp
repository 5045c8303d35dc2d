#include "vm/symtable.h"

#include <fmt/format.h>

#include <algorithm>

#include "vm/errors.h"

namespace gilsim {

NameKind SymScope::kind_of(const std::string& name, std::uint32_t& slot) const {
  if (kind == Kind::Module || globals.count(name)) return NameKind::Global;
  auto it = slot_of.find(name);
  if (it == slot_of.end()) return NameKind::Global;
  slot = it->second;
  if (cells.count(name) || std::find(frees.begin(), frees.end(), name) != frees.end())
    return NameKind::Deref;
  return NameKind::Fast;
}

// Walks the tree once, building one SymScope per function, lambda and class body, with the
// names each binds and uses; then resolve() decides locals, cells and frees top-down.
class SymbolCollector {
 public:
  explicit SymbolCollector(SymbolTable& table) : table_(table) {}

  void module(const Block& body) {
    table_.root_ = std::make_unique<SymScope>();
    cur_ = table_.root_.get();
    block(body);
    resolve(*table_.root_, {});
  }

 private:
  SymScope* open(const void* node, SymScope::Kind kind, const std::string& name) {
    auto s = std::make_unique<SymScope>();
    s->kind = kind;
    s->parent = cur_;
    s->qualname = cur_->kind == SymScope::Kind::Module     ? name
                  : cur_->kind == SymScope::Kind::Function ? cur_->qualname + ".<locals>." + name
                                                           : cur_->qualname + "." + name;
    SymScope* raw = s.get();
    raw->comp_env = comp_env_;
    table_.by_node_[node] = raw;
    cur_->children.push_back(std::move(s));
    return raw;
  }

  void bind(const std::string& name) {
    cur_->used.insert(name);  // "seen" for the global/nonlocal order checks
    if (cur_->bound.insert(name).second) cur_->bound_order.push_back(name);
  }
  void use(const std::string& name) {
    cur_->used.insert(name);
    if (name == "super") cur_->uses_super = true;
  }

  void declare(const Stmt& s, bool is_global) {
    const char* what = is_global ? "global" : "nonlocal";
    if (!is_global && cur_->kind == SymScope::Kind::Module)
      throw SyntaxError("SyntaxError", "nonlocal declaration not allowed at module level", s.line,
                        s.col);
    for (const auto& name : s.names) {
      if (cur_->used.count(name)) {
        bool is_param = std::find(params_.begin(), params_.end(), name) != params_.end() &&
                        cur_->kind == SymScope::Kind::Function;
        std::string msg =
            is_param ? fmt::format("name '{}' is parameter and {}", name, what)
            : cur_->bound.count(name)
                ? fmt::format("name '{}' is assigned to before {} declaration", name, what)
                : fmt::format("name '{}' is used prior to {} declaration", name, what);
        throw SyntaxError("SyntaxError", msg, s.line, s.col);
      }
      if ((is_global ? cur_->nonlocals : cur_->globals).count(name))
        throw SyntaxError("SyntaxError", fmt::format("name '{}' is nonlocal and global", name),
                          s.line, s.col);
      (is_global ? cur_->globals : cur_->nonlocals).insert(name);
      if (!is_global) cur_->nonlocal_at[name] = {s.line, s.col};
    }
  }

  void block(const Block& b) {
    for (const auto& s : b) stmt(*s);
  }

  void target(const Expr& e) {
    if (e.kind == ExprKind::Name)
      bind(e.text);
    else if (e.kind == ExprKind::Tuple || e.kind == ExprKind::List || e.kind == ExprKind::Starred)
      for (const auto& k : e.kids) target(*k);
    else
      expr(e);
  }

  void function(const void* node, const std::string& name, const Params& p, const Block* body,
                const Expr* lambda_body) {
    for (const auto& d : p.defaults) expr(*d);
    for (const auto& d : p.kwdefaults)
      if (d) expr(*d);
    SymScope* saved = cur_;
    std::vector<std::string> saved_params = params_;
    cur_ = open(node, SymScope::Kind::Function, name);
    auto saved_env = std::move(comp_env_);
    comp_env_.clear();
    params_ = p.names;
    for (const auto& n : p.names) {
      cur_->bound.insert(n);
      cur_->used.insert(n);
      cur_->bound_order.push_back(n);
    }
    if (body) block(*body);
    if (lambda_body) expr(*lambda_body);
    cur_ = saved;
    params_ = saved_params;
    comp_env_ = std::move(saved_env);
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Global:
        declare(s, true);
        return;
      case StmtKind::Nonlocal:
        declare(s, false);
        return;
      case StmtKind::Def:
        for (const auto& d : s.decorators) expr(*d);
        function(&s, s.name, *s.params, &s.body, nullptr);
        bind(s.name);
        return;
      case StmtKind::Class: {
        for (const auto& d : s.decorators) expr(*d);
        for (const auto& b : s.targets) expr(*b);
        SymScope* saved = cur_;
        cur_ = open(&s, SymScope::Kind::Class, s.name);
        auto saved_env = std::move(comp_env_);
        comp_env_.clear();
        block(s.body);
        comp_env_ = std::move(saved_env);
        cur_ = saved;
        bind(s.name);
        return;
      }
      case StmtKind::Import:
        for (size_t i = 0; i < s.names.size(); ++i) {
          const std::string& n = s.names[i];
          bind(!s.aliases[i].empty() ? s.aliases[i] : s.from_import ? n : n.substr(0, n.find('.')));
        }
        return;
      case StmtKind::Del:
        for (const auto& t : s.targets) target(*t);
        return;
      default:
        break;
    }
    if (s.value) expr(*s.value);
    if (s.kind == StmtKind::AugAssign && s.targets[0]->kind == ExprKind::Name)
      use(s.targets[0]->text);
    if (s.kind == StmtKind::Raise || s.kind == StmtKind::Assert) {
      for (const auto& t : s.targets) expr(*t);
    } else {
      for (const auto& t : s.targets) target(*t);
    }
    if ((s.kind == StmtKind::With || s.kind == StmtKind::Except) && !s.name.empty()) bind(s.name);
    block(s.body);
    block(s.orelse);
    block(s.handlers);
    block(s.finalbody);
  }

  void expr(const Expr& e) {
    if (e.kind == ExprKind::Name) use(e.text);
    if (e.kind == ExprKind::Lambda) {
      function(&e, "<lambda>", *e.params, nullptr, e.kids[0].get());
      return;
    }
    if (e.kind == ExprKind::Yield || e.kind == ExprKind::YieldFrom) {
      if (comp_env_.size() > comp_floor_)
        throw SyntaxError("SyntaxError",
                          fmt::format("'yield' inside {}", comp_description(comp_kind_)), e.line,
                          e.col);
      if (cur_->kind != SymScope::Kind::Function)
        throw SyntaxError("SyntaxError", "'yield' outside function", e.line, e.col);
      cur_->is_generator = true;
    }
    if (e.kind == ExprKind::GenExp) {
      genexp(e);
      return;
    }
    if (e.kind == ExprKind::ListComp || e.kind == ExprKind::SetComp ||
        e.kind == ExprKind::DictComp) {
      size_t first = e.kind == ExprKind::DictComp ? 2 : 1;
      expr(*e.kids[first]->kids[1]);  // the first iterable: the enclosing scope's
      ExprKind saved_kind = comp_kind_;
      comp_kind_ = e.kind;
      comprehension_body(e, first, false);
      comp_kind_ = saved_kind;
      return;
    }
    if (e.kind == ExprKind::CompFor) {
      // The loop variables live in the comprehension's hidden slots (compiler.cpp), not in
      // this scope: only what the target evaluates (a.b, a[i]) is a use here.
      comp_target(*e.kids[0]);
      for (size_t i = 1; i < e.kids.size(); ++i) expr(*e.kids[i]);
      return;
    }
    for (const auto& k : e.kids) expr(*k);
  }
  static const char* comp_description(ExprKind k) {
    return k == ExprKind::SetComp    ? "set comprehension"
           : k == ExprKind::DictComp ? "dict comprehension"
           : k == ExprKind::GenExp   ? "generator expression"
                                     : "list comprehension";
  }

  static void comp_names(const Expr& target, std::set<std::string>& out) {
    if (target.kind == ExprKind::Name) out.insert(target.text);
    if (target.kind == ExprKind::Tuple || target.kind == ExprKind::List ||
        target.kind == ExprKind::Starred)
      for (const auto& k : target.kids) comp_names(*k, out);
  }

  // A comprehension's parts but its first iterable, with its loop variables visible to the
  // functions defined inside it (comp_env). `skip_first_iterable`: already walked.
  void comprehension_body(const Expr& e, size_t first, bool) {
    std::set<std::string> names;
    for (size_t k = first; k < e.kids.size(); ++k) comp_names(*e.kids[k]->kids[0], names);
    comp_env_.emplace_back(&e, std::move(names));
    for (size_t k = 0; k < first; ++k) expr(*e.kids[k]);
    for (size_t k = first; k < e.kids.size(); ++k) {
      const Expr& clause = *e.kids[k];
      comp_target(*clause.kids[0]);
      for (size_t i = k == first ? 2 : 1; i < clause.kids.size(); ++i) expr(*clause.kids[i]);
    }
    comp_env_.pop_back();
  }

  // lang12: a generator expression is a generator function of its own (as in CPython), whose one
  // parameter `.0` is the iterator of its first iterable, evaluated in the enclosing scope.
  void genexp(const Expr& e) {
    expr(*e.kids[1]->kids[1]);
    SymScope* saved = cur_;
    std::vector<std::string> saved_params = params_;
    cur_ = open(&e, SymScope::Kind::Function, "<genexpr>");
    cur_->is_generator = true;
    auto saved_env = std::move(comp_env_);
    comp_env_.clear();
    size_t saved_floor = comp_floor_;
    ExprKind saved_kind = comp_kind_;
    comp_kind_ = ExprKind::GenExp;
    comp_floor_ = 0;
    params_ = {".0"};
    cur_->bound.insert(".0");
    cur_->used.insert(".0");
    cur_->bound_order.push_back(".0");
    comprehension_body(e, 1, true);
    cur_ = saved;
    params_ = saved_params;
    comp_env_ = std::move(saved_env);
    comp_floor_ = saved_floor;
    comp_kind_ = saved_kind;
  }

  void comp_target(const Expr& e) {
    if (e.kind == ExprKind::Name) return;
    if (e.kind == ExprKind::Tuple || e.kind == ExprKind::List || e.kind == ExprKind::Starred)
      for (const auto& k : e.kids) comp_target(*k);
    else
      expr(e);
  }

  // `enclosing`: the names bound by the enclosing functions (class bodies excluded), which a
  // name of this scope may refer to as a free variable. Returns the frees this scope needs.
  std::set<std::string> resolve(SymScope& s, const std::set<std::string>& enclosing) {
    bool is_fn = s.kind == SymScope::Kind::Function;
    std::set<std::string> local;  // names bound here (not global/nonlocal)
    if (s.kind != SymScope::Kind::Module)
      for (const auto& n : s.bound_order)
        if (!s.globals.count(n) && !s.nonlocals.count(n)) local.insert(n);
    for (const auto& n : s.nonlocals)
      if (!enclosing.count(n))
        throw SyntaxError("SyntaxError", fmt::format("no binding for nonlocal '{}' found", n),
                          s.nonlocal_at.at(n).first, s.nonlocal_at.at(n).second);
    std::set<std::string> visible = enclosing;
    if (is_fn) visible.insert(local.begin(), local.end());
    if (s.kind == SymScope::Kind::Module) visible.clear();
    std::set<std::string> frees;
    for (auto& child : s.children) {
      std::set<std::string> child_visible = visible;
      for (const auto& [node, names] : child->comp_env)
        child_visible.insert(names.begin(), names.end());
      for (const auto& n : resolve(*child, child_visible)) {
        // lang12: the variable of a comprehension around the child's definition (innermost
        // first) shadows the scope's own name: it is that comprehension's cell.
        const void* comp = nullptr;
        for (auto it = child->comp_env.rbegin(); it != child->comp_env.rend() && !comp; ++it)
          if (it->second.count(n)) comp = it->first;
        if (comp) {
          table_.comp_cells_[comp].insert(n);
          continue;
        }
        if (is_fn && local.count(n))
          s.cells.insert(n);
        else
          frees.insert(n);  // passes through this scope (or a class body) to an outer function
      }
    }
    if (s.kind == SymScope::Kind::Module) return {};
    for (const auto& n : s.nonlocals) frees.insert(n);
    for (const auto& n : s.used)
      if (!local.count(n) && !s.globals.count(n) && enclosing.count(n)) frees.insert(n);
    // Slots: parameters and other locals in binding order, then frees.
    for (const auto& n : s.bound_order)
      if (local.count(n) && !s.slot_of.count(n)) {
        s.slot_of[n] = static_cast<std::uint32_t>(s.slots.size());
        s.slots.push_back(n);
      }
    for (const auto& n : frees) {
      s.slot_of[n] = static_cast<std::uint32_t>(s.slots.size());
      s.slots.push_back(n);
      s.frees.push_back(n);
    }
    return frees;
  }

  SymbolTable& table_;
  SymScope* cur_ = nullptr;
  std::vector<std::string> params_;
  // lang12: the comprehensions being walked in the current scope, innermost last.
  std::vector<std::pair<const void*, std::set<std::string>>> comp_env_;
  size_t comp_floor_ = 0;  // comprehensions of the scope below which a yield is allowed
  ExprKind comp_kind_ = ExprKind::ListComp;
};

SymbolTable::SymbolTable(const Block& module) { SymbolCollector(*this).module(module); }

}  // namespace gilsim
