#include "vm/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "vm/builtins.h"
#include "vm/bytes.h"
#include "vm/classes.h"
#include "vm/errors.h"
#include "vm/import.h"
#include "vm/native_module.h"
#include "vm/objects.h"
#include "vm/parser.h"
#include "vm/stdlib_sources.h"
#include "vm/symtable.h"

namespace gilsim {

namespace {

constexpr std::uint32_t kMaxIndex = 0xffff;          // u16 operands
constexpr std::uint32_t kMaxWideIndex = 0x7fffffff;  // u32 operands, kept clear of overflow

struct ProgramBuilder {
  Program program;
  std::unordered_map<std::string, std::uint32_t> global_index;

  // stdlib2: while a module's code is compiled, its globals are the slots "module:name" (a name
  // it never binds that is a builtin stays the builtin's slot); the modules met so far.
  struct ModuleScope {
    std::string prefix;
    std::set<std::string> bound;
  };
  const ModuleScope* module_scope = nullptr;
  std::unordered_map<std::string, std::uint32_t> module_index;
  // The `from __future__ import` statements at the beginning of a module (after its docstring),
  // the only place Python allows them.
  std::unordered_set<const Stmt*> future_imports_at_top;
  void note_future_imports(const Block& body) {
    for (size_t i = 0; i < body.size(); ++i) {
      const Stmt& s = *body[i];
      bool docstring = i == 0 && s.kind == StmtKind::Expr && s.value->kind == ExprKind::String;
      if (docstring) continue;
      if (s.kind != StmtKind::Import || !s.from_import || s.name != "__future__") break;
      future_imports_at_top.insert(&s);
    }
  }
  std::string global_name(const std::string& name) const {
    if (!module_scope || module_scope->bound.count(name))
      return module_scope ? module_scope->prefix + name : name;
    static const std::set<std::string> builtins = [] {
      std::set<std::string> out(builtin_names().begin(), builtin_names().end());
      out.insert(builtin_class_names().begin(), builtin_class_names().end());
      return out;
    }();
    return builtins.count(name) ? name : module_scope->prefix + name;
  }

  std::uint32_t global(const std::string& name) {
    auto [it, inserted] =
        global_index.emplace(name, static_cast<std::uint32_t>(program.global_names.size()));
    if (inserted) program.global_names.push_back(name);
    return it->second;
  }
};

class FunctionCompiler {
 public:
  FunctionCompiler(ProgramBuilder& pb, Code& code, const SymbolTable& table, const SymScope& sym)
      : pb_(pb), code_(code), table_(table), sym_(sym) {}

  void compile_body(const Block& body, int line) {
    line_ = line;
    col_ = 1;
    if (in_function()) {
      generator_prologue();
      emit(Op::RESUME);
    }
    block(body);
    emit_const(Value::none());
    emit(Op::RETURN_VALUE);
  }

  // lang12: a generator expression's body: its clauses loop over the iterator `.0` (local 0)
  // and yield the element.
  void compile_genexp(const Expr& e) {
    at(e);
    generator_prologue();
    emit(Op::RESUME);
    comprehension(e);
    emit_const(Value::none());
    emit(Op::RETURN_VALUE);
  }

  // lang-func: a lambda's body is one expression, returned.
  void compile_lambda(const Expr& body) {
    at(body);
    generator_prologue();
    emit(Op::RESUME);
    expr(body);
    at(body);
    emit(Op::RETURN_VALUE);
  }

 private:
  struct Loop {
    std::uint32_t continue_target;
    std::vector<std::uint32_t> break_patches;
    bool is_for;
    size_t fblock_depth = 0;  // lang-func: open try and with blocks when the loop started
  };
  // lang-func: a try block, a finally or an except clause the code is inside of; leaving it by
  // break, continue or return runs what normal exit would (POP_BLOCK, the finally body...).
  struct FBlock {
    enum Kind { Try, Finally, Handler, With } kind;
    const Block* final_body = nullptr;
    int exit_depth = 0;  // lang2: With: the stack depth below its __exit__ slot
  };
  std::vector<FBlock> fblocks_;

  // lang12: a generator function starts as CPython 3.11's does: the call returns the generator
  // (RETURN_GENERATOR); the first resumption goes on here, dropping the None it sends.
  void generator_prologue() {
    if (!sym_.is_generator) return;
    emit(Op::RETURN_GENERATOR);
    emit(Op::POP_TOP);
  }

  // ---- emission ----
  void at(const Expr& e) { line_ = e.line, col_ = e.col; }
  void at(const Stmt& s) { line_ = s.line, col_ = s.col; }

  std::uint32_t here() const { return static_cast<std::uint32_t>(code_.bytes.size()); }

  void emit(Op op, std::uint32_t arg = 0) {
    int width = op_operand_width(op);
    if (try_fuse(op, arg)) return;
    prev_op_offset_ = here();
    prev_op_ = op;
    code_.positions.push_back({here(), line_, col_});
    code_.bytes.push_back(static_cast<std::uint8_t>(op));
    for (int i = 0; i < width; ++i)
      code_.bytes.push_back(static_cast<std::uint8_t>(arg >> (8 * i)));
    adjust_depth(op_stack_effect(op, static_cast<int>(arg)));
  }

  void adjust_depth(int delta) {
    depth_ += delta;
    if (depth_ > code_.max_stack) code_.max_stack = depth_;
  }

  // Superinstructions, as CPython 3.12's LOAD_FAST__LOAD_FAST and COMPARE_AND_BRANCH: two common
  // neighbours become one dispatch. Never across a jump target, so every jump still lands on an
  // instruction boundary, and never changing where safe points are.
  bool try_fuse(Op op, std::uint32_t arg) {
    if (prev_op_offset_ == kNone || label_here_ == here()) return false;
    auto rewrite = [&](Op fused, std::uint32_t fused_arg, int extra_effect) {
      code_.bytes.resize(prev_op_offset_);
      code_.bytes.push_back(static_cast<std::uint8_t>(fused));
      for (int i = 0; i < op_operand_width(fused); ++i)
        code_.bytes.push_back(static_cast<std::uint8_t>(fused_arg >> (8 * i)));
      prev_op_ = fused;
      adjust_depth(extra_effect);
      return true;
    };
    std::uint32_t prev_arg =
        op_operand_width(prev_op_) == 2 ? read_operand(&code_.bytes[prev_op_offset_ + 1], 2) : 0;
    if (prev_op_ == Op::LOAD_FAST && op == Op::LOAD_FAST)
      return rewrite(Op::LOAD_FAST_LOAD_FAST, prev_arg | (arg << 16), 1);
    if (prev_op_ == Op::LOAD_FAST && op == Op::LOAD_CONST && arg <= kMaxIndex)
      return rewrite(Op::LOAD_FAST_LOAD_CONST, prev_arg | (arg << 16), 1);
    // `x = x + y` and `x += y`: the sum goes straight to the local instead of through the stack,
    // which removes one store-to-load hop from the loop's critical path.
    if ((prev_op_ == Op::BINARY_ADD || prev_op_ == Op::INPLACE_ADD) && op == Op::STORE_FAST)
      return rewrite(
          prev_op_ == Op::BINARY_ADD ? Op::BINARY_ADD_STORE_FAST : Op::INPLACE_ADD_STORE_FAST, arg,
          -1);
    return false;
  }

  // A compare followed by a conditional jump fuses too, but the target is only known here.
  std::uint32_t emit_jump_if_false() {
    if (prev_op_ == Op::COMPARE_LT && prev_op_offset_ != kNone && label_here_ != here()) {
      code_.bytes.resize(prev_op_offset_);
      code_.positions.back().offset = prev_op_offset_;
      std::uint32_t patch_at = prev_op_offset_ + 1;
      code_.bytes.push_back(static_cast<std::uint8_t>(Op::JUMP_IF_NOT_LT));
      for (int i = 0; i < 4; ++i) code_.bytes.push_back(0);
      prev_op_ = Op::JUMP_IF_NOT_LT;
      adjust_depth(-1);  // COMPARE_LT's -1 was counted; the fused op pops both operands
      return patch_at;
    }
    emit(Op::POP_JUMP_IF_FALSE, 0);
    return here() - 4;
  }

  void emit_jump_back_if_true(std::uint32_t target) {
    if (prev_op_ == Op::COMPARE_LT && prev_op_offset_ != kNone && label_here_ != here()) {
      code_.bytes.resize(prev_op_offset_);
      code_.bytes.push_back(static_cast<std::uint8_t>(Op::JUMP_BACKWARD_IF_LT));
      for (int i = 0; i < 4; ++i)
        code_.bytes.push_back(static_cast<std::uint8_t>(target >> (8 * i)));
      prev_op_ = Op::JUMP_BACKWARD_IF_LT;
      adjust_depth(-1);
      return;
    }
    emit(Op::POP_JUMP_BACKWARD_IF_TRUE, target);
  }

  std::uint32_t emit_jump(Op op) {
    emit(op, 0);
    return here() - 4;
  }
  void patch(std::uint32_t operand_at, std::uint32_t target) {
    for (int i = 0; i < 4; ++i)
      code_.bytes[operand_at + i] = static_cast<std::uint8_t>(target >> (8 * i));
  }
  // Marks the current offset as a jump target: nothing fuses across it.
  std::uint32_t label() {
    label_here_ = here();
    return here();
  }

  void emit_const(const Value& v) { emit(Op::LOAD_CONST, constant(v)); }

  // Pooled by kind and exact value (0.0 and -0.0 are two constants), through a hash map so a
  // generated script with 100,000 literals compiles in linear time.
  std::uint32_t constant(const Value& v) {
    std::string key(1, static_cast<char>(v.tag()));
    if (v.is(ObjType::Bytes))
      key += "b" + v.as<BytesObj>()->data;  // lang12: never the str of the same text
    else if (v.is_obj())
      key += "s" + v.as<StrObj>()->text;
    else if (v.is_float())
      key += std::to_string(std::bit_cast<std::uint64_t>(v.as_float()));
    else
      key += std::to_string(v.as_int());
    auto& consts = code_.constants;
    auto [it, inserted] =
        constant_index_.emplace(std::move(key), static_cast<std::uint32_t>(consts.size()));
    if (!inserted) return it->second;
    if (consts.size() >= kMaxWideIndex) fail("too many constants in one function");
    consts.push_back(v);
    return it->second;
  }

  std::uint32_t name_index(const std::string& name) {
    auto& names = code_.names;
    for (std::uint32_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return i;
    if (names.size() > kMaxIndex) fail("too many attribute names in one function");
    names.push_back(name);
    return static_cast<std::uint32_t>(names.size() - 1);
  }

  std::uint32_t global(const std::string& name) {
    std::uint32_t g = pb_.global(pb_.global_name(name));
    if (g >= kMaxWideIndex) fail("too many global names");
    return g;
  }

  [[noreturn]] void fail(std::string msg) {
    throw SyntaxError("SyntaxError", std::move(msg), line_, col_);
  }

  // ---- names ----
  bool in_function() const { return sym_.kind == SymScope::Kind::Function; }
  // lang-data: a comprehension's loop variables live in hidden slots (see comprehension()).
  const std::uint32_t* hidden_slot(const std::string& name) const {
    for (size_t i = comp_names_.size(); i-- > 0;)
      if (comp_names_[i].first == name) return &comp_names_[i].second;
    return nullptr;
  }
  // lang12: a hidden slot that a function defined in the comprehension captures holds a cell.
  bool hidden_cell(std::uint32_t slot) const { return hidden_cells_.count(slot) != 0; }
  void load_name(const std::string& name) {
    if (auto hidden = hidden_slot(name)) {
      emit(hidden_cell(*hidden) ? Op::LOAD_DEREF : Op::LOAD_FAST, *hidden);
      return;
    }
    std::uint32_t slot = 0;
    switch (sym_.kind_of(name, slot)) {
      case NameKind::Fast:
        emit(Op::LOAD_FAST, slot);
        return;
      case NameKind::Deref:
        emit(Op::LOAD_DEREF, slot);
        return;
      case NameKind::Global:
        emit(Op::LOAD_GLOBAL, global(name));
        return;
    }
  }
  void store_name(const std::string& name) {
    if (auto hidden = hidden_slot(name)) {
      emit(hidden_cell(*hidden) ? Op::STORE_DEREF : Op::STORE_FAST, *hidden);
      return;
    }
    std::uint32_t slot = 0;
    switch (sym_.kind_of(name, slot)) {
      case NameKind::Fast:
        emit(Op::STORE_FAST, slot);
        return;
      case NameKind::Deref:
        emit(Op::STORE_DEREF, slot);
        return;
      case NameKind::Global:
        emit(Op::STORE_GLOBAL, global(name));
        return;
    }
  }

  // ---- statements ----
  void block(const Block& stmts) {
    for (const auto& s : stmts) statement(*s);
  }

  void statement(const Stmt& s) {
    at(s);
    switch (s.kind) {
      case StmtKind::Expr:
        expr(*s.value);
        emit(Op::POP_TOP);
        return;
      case StmtKind::Assign:
        expr(*s.value);
        for (size_t i = 0; i < s.targets.size(); ++i) {
          if (i + 1 < s.targets.size()) emit(Op::DUP_TOP);
          store(*s.targets[i]);
        }
        return;
      case StmtKind::AugAssign:
        aug_assign(s);
        return;
      case StmtKind::If:
        if_stmt(s);
        return;
      case StmtKind::While:
        while_stmt(s);
        return;
      case StmtKind::For:
        for_stmt(s);
        return;
      case StmtKind::Def:
        def_stmt(s);
        return;
      case StmtKind::Return:
        if (!in_function()) fail("'return' outside function");
        if (s.value)
          expr(*s.value);
        else
          emit_const(Value::none());
        at(s);
        unwind_fblocks(0, true);
        emit(Op::RETURN_VALUE);
        return;
      case StmtKind::Global:
        return;
      case StmtKind::With:
        with_stmt(s);
        return;
      case StmtKind::Break:
        break_stmt();
        return;
      case StmtKind::Continue:
        continue_stmt();
        return;
      case StmtKind::Pass:
      case StmtKind::Nonlocal:
        return;
      default:
        func_statement(s);
        return;
    }
  }

  void store(const Expr& target) {
    at(target);
    if (target.kind == ExprKind::Name) {
      store_name(target.text);
      return;
    }
    if (target.kind == ExprKind::Attribute) {  // lang-func
      expr(*target.kids[0]);
      at(target);
      emit(Op::STORE_ATTR, name_index(target.text));
      return;
    }
    if (target.kind == ExprKind::Tuple || target.kind == ExprKind::List) {
      unpack_into(target);
      return;
    }
    // Subscript: the value is already on the stack; CPython evaluates the container and the index
    // after it, then STORE_SUBSCR takes value, container and index.
    expr(*target.kids[0]);
    expr(*target.kids[1]);
    at(target);
    emit(Op::STORE_SUBSCR);
  }

  static Op binary_op(Tok t, bool inplace) {
    switch (t) {
      case Tok::Plus:
      case Tok::PlusAssign:
        return inplace ? Op::INPLACE_ADD : Op::BINARY_ADD;
      case Tok::Minus:
        return Op::BINARY_SUBTRACT;
      case Tok::MinusAssign:
        return inplace ? Op::INPLACE_SUBTRACT : Op::BINARY_SUBTRACT;
      case Tok::Star:
      case Tok::StarAssign:
        return inplace ? Op::INPLACE_MULTIPLY : Op::BINARY_MULTIPLY;
      case Tok::Slash:
      case Tok::SlashAssign:
        return Op::BINARY_TRUE_DIVIDE;
      case Tok::SlashSlash:
      case Tok::SlashSlashAssign:
        return Op::BINARY_FLOOR_DIVIDE;
      case Tok::Percent:
      case Tok::PercentAssign:
        return Op::BINARY_MODULO;
      case Tok::Amp:
        return Op::BINARY_AND;
      case Tok::AmpAssign:
        return Op::INPLACE_AND;
      case Tok::Pipe:
        return Op::BINARY_OR;
      case Tok::PipeAssign:
        return Op::INPLACE_OR;
      case Tok::Caret:
        return Op::BINARY_XOR;
      case Tok::CaretAssign:
        return Op::INPLACE_XOR;
      case Tok::LeftShift:
      case Tok::LeftShiftAssign:
        return Op::BINARY_LSHIFT;
      case Tok::RightShift:
      case Tok::RightShiftAssign:
        return Op::BINARY_RSHIFT;
      default:
        return Op::BINARY_POWER;
    }
  }

  // Load, operate and store are separate instructions, as in CPython: a thread switch can fall
  // between them, which is exactly how `x += 1` loses updates.
  void aug_assign(const Stmt& s) {
    const Expr& target = *s.targets[0];
    Op op = binary_op(s.op, true);
    if (target.kind == ExprKind::Name) {
      at(target);
      load_name(target.text);
      expr(*s.value);
      at(s);
      emit(op);
      at(target);
      store_name(target.text);
      return;
    }
    if (target.kind == ExprKind::Attribute) {  // lang-func: obj.x += v
      expr(*target.kids[0]);
      at(target);
      emit(Op::DUP_TOP);
      emit(Op::LOAD_ATTR, name_index(target.text));
      expr(*s.value);
      at(s);
      emit(op);
      emit(Op::ROT_TWO);
      at(target);
      emit(Op::STORE_ATTR, name_index(target.text));
      return;
    }
    expr(*target.kids[0]);
    expr(*target.kids[1]);
    at(target);
    emit(Op::DUP_TOP_TWO);
    emit(Op::BINARY_SUBSCR);
    expr(*s.value);
    at(s);
    emit(op);
    emit(Op::ROT_THREE);
    emit(Op::STORE_SUBSCR);
  }

  void if_stmt(const Stmt& s) {
    expr(*s.value);
    at(s);
    std::uint32_t to_else = emit_jump_if_false();
    block(s.body);
    if (s.orelse.empty()) {
      patch(to_else, label());
      return;
    }
    std::uint32_t to_end = emit_jump(Op::JUMP_FORWARD);
    patch(to_else, label());
    block(s.orelse);
    patch(to_end, label());
  }

  // As CPython 3.11 lays out a while loop: the test at the top runs once, a copy at the bottom
  // jumps back while it holds, so each iteration costs one conditional back edge (the safe
  // point) instead of a test plus an unconditional jump.
  void while_stmt(const Stmt& s) {
    std::uint32_t top = label();
    expr(*s.value);
    at(s);
    std::uint32_t to_end = emit_jump_if_false();
    loops_.push_back({top, {}, false, fblocks_.size()});
    std::uint32_t body = label();
    block(s.body);
    expr(*s.value);
    at(s);
    emit_jump_back_if_true(body);
    std::vector<std::uint32_t> breaks = std::move(loops_.back().break_patches);
    loops_.pop_back();
    patch(to_end, label());
    block(s.orelse);  // lang-func: while ... else runs when the test fails, not after a break
    std::uint32_t end = label();
    for (auto p : breaks) patch(p, end);
  }

  void for_stmt(const Stmt& s) {
    expr(*s.value);
    at(s);
    emit(Op::GET_ITER);
    int depth_in_loop = depth_;  // the three iteration slots
    std::uint32_t top = label();
    std::uint32_t to_end = emit_jump(Op::FOR_ITER);
    store(*s.targets[0]);
    loops_.push_back({top, {}, true, fblocks_.size()});
    block(s.body);
    at(s);
    emit(Op::JUMP_BACKWARD, top);
    depth_ = depth_in_loop - 3;  // FOR_ITER popped the slots when it jumped here
    std::vector<std::uint32_t> breaks = std::move(loops_.back().break_patches);
    loops_.pop_back();
    patch(to_end, label());
    block(s.orelse);  // lang-func: for ... else runs when the items run out, not after a break
    std::uint32_t end = label();
    for (auto p : breaks) patch(p, end);
  }

  void break_stmt() {
    if (loops_.empty()) fail("'break' outside loop");
    unwind_fblocks(loops_.back().fblock_depth, false);
    Loop& loop = loops_.back();
    if (loop.is_for) emit(Op::POP_N, 3);
    loop.break_patches.push_back(emit_jump(Op::JUMP_FORWARD));
    if (loop.is_for) adjust_depth(3);  // code after the break (unreachable) keeps the loop's depth
  }

  void continue_stmt() {
    if (loops_.empty()) fail("'continue' not properly in loop");
    unwind_fblocks(loops_.back().fblock_depth, false);
    emit(Op::JUMP_BACKWARD, loops_.back().continue_target);
  }

  // lang2: as CPython 3.11 lays out `with`: __exit__ stays on the stack under the body, a try
  // block sends an exception to a handler that calls __exit__ with it and re-raises it unless
  // the result is true. A Lock takes a fast path inside the same instructions (no calls).
  void with_stmt(const Stmt& s) {
    expr(*s.value);
    at(s);
    int d0 = depth_;  // the manager's slot, soon __exit__'s, is at depth d0 - 1
    emit(Op::BEFORE_WITH);
    std::uint32_t setup = emit_jump(Op::SETUP_WITH);
    if (!s.targets.empty())
      store(*s.targets[0]);
    else
      emit(Op::POP_TOP);
    fblocks_.push_back({FBlock::With, nullptr, d0 - 1});
    block(s.body);
    fblocks_.pop_back();
    at(s);
    emit(Op::POP_BLOCK);
    emit_with_exit(d0 - 1, false);
    std::uint32_t to_end = emit_jump(Op::JUMP_FORWARD);
    patch(setup, label());
    depth_ = d0;
    adjust_depth(1);  // the exception, above __exit__
    emit(Op::WITH_EXCEPT_START);
    std::uint32_t suppress = emit_jump(Op::POP_JUMP_IF_TRUE);
    emit(Op::RERAISE);
    patch(suppress, label());
    adjust_depth(1);  // RERAISE did not fall through: the exception is still there
    emit(Op::POP_EXCEPT);
    emit(Op::POP_TOP);
    patch(to_end, label());
    depth_ = d0 - 1;
  }

  // Calls the __exit__ at depth `exit_depth` with three Nones and drops the result; the __exit__
  // slot goes too unless `keep` (a return leaves it for RETURN_VALUE to clear, under its value).
  void emit_with_exit(int exit_depth, bool keep) {
    auto above = static_cast<std::uint32_t>(depth_ - 1 - exit_depth);
    emit(Op::WITH_EXIT, above);
    emit(Op::POP_TOP);
    if (!keep) emit(Op::POP_TOP);
  }

  void def_stmt(const Stmt& s);
  // lang-func:
  void unwind_fblocks(size_t down_to, bool preserve_tos);
  void try_stmt(const Stmt& s);
  void class_stmt(const Stmt& s);
  void compile_class_body(const Block& body, int line) {
    line_ = line;
    col_ = 1;
    block(body);
    emit(Op::CLASS_NAMESPACE);
    emit(Op::RETURN_VALUE);
  }
  std::unique_ptr<Code> new_function_code(const SymScope& fs, const Params& p,
                                          const std::string& name, int line);
  void make_function(std::unique_ptr<Code> code, const SymScope& fs, const Params& p);
  void lambda(const Expr& e);
  void call_general(const Expr& e);
  void call_double_star(const Expr& e);  // lang2
  std::uint32_t kwnames_index(std::vector<std::string> names);
  // stdlib2: the import statement (its block below).
  void import_stmt(const Stmt& s);
  void future_import(const Stmt& s);
  void import_dotted(const std::string& dotted);
  bool importable(const std::string& dotted);
  std::uint32_t module(const std::string& name);
  void compile_module(std::uint32_t index, const StdlibSource& src);

 public:
  void compile_module_body(const Block& body, std::uint32_t index) {
    line_ = 1;
    col_ = 1;
    block(body);
    emit(Op::IMPORT_NAME, index);  // the module's body returns the module object
    emit(Op::RETURN_VALUE);
  }

 private:
  void func_statement(const Stmt& s);
  void delete_target(const Expr& t);  // lang2

  // ---- expressions ----
  void expr(const Expr& e) {
    at(e);
    switch (e.kind) {
      case ExprKind::Int:
        emit_const(Value::integer(e.int_value));
        return;
      case ExprKind::Float:
        emit_const(Value::floating(e.float_value));
        return;
      case ExprKind::String:
        emit_const(make_str(e.text));
        return;
      case ExprKind::Bytes:
        emit_const(make_bytes(e.text));
        return;
      case ExprKind::True:
        emit_const(Value::boolean(true));
        return;
      case ExprKind::False:
        emit_const(Value::boolean(false));
        return;
      case ExprKind::None:
        emit_const(Value::none());
        return;
      case ExprKind::Name:
        load_name(e.text);
        return;
      case ExprKind::List:
        sequence_display(e);
        return;
      case ExprKind::Unary:
        unary(e);
        return;
      case ExprKind::Binary:
        expr(*e.kids[0]);
        expr(*e.kids[1]);
        at(e);
        emit(binary_op(e.op, false));
        return;
      case ExprKind::And:
      case ExprKind::Or: {
        expr(*e.kids[0]);
        at(e);
        emit(Op::DUP_TOP);
        std::uint32_t to_end =
            emit_jump(e.kind == ExprKind::And ? Op::POP_JUMP_IF_FALSE : Op::POP_JUMP_IF_TRUE);
        emit(Op::POP_TOP);
        expr(*e.kids[1]);
        patch(to_end, label());
        return;
      }
      case ExprKind::Compare:
        compare(e);
        return;
      case ExprKind::IfElse: {
        expr(*e.kids[0]);
        at(e);
        std::uint32_t to_else = emit_jump_if_false();
        expr(*e.kids[1]);
        std::uint32_t to_end = emit_jump(Op::JUMP_FORWARD);
        adjust_depth(-1);  // the else branch starts without the body's value
        patch(to_else, label());
        expr(*e.kids[2]);
        patch(to_end, label());
        return;
      }
      case ExprKind::Call:
        call(e);
        return;
      case ExprKind::Attribute:
        expr(*e.kids[0]);
        at(e);
        emit(Op::LOAD_ATTR, name_index(e.text));
        return;
      case ExprKind::Subscript:
        expr(*e.kids[0]);
        expr(*e.kids[1]);
        at(e);
        emit(Op::BINARY_SUBSCR);
        return;
      case ExprKind::Lambda:
        lambda(e);
        return;
      case ExprKind::Keyword:
        fail("invalid syntax");
      default:
        data_expr(e);
        return;
    }
  }

  // ---- lang-data: displays, unpacking, comprehensions, f-strings (expressions of ast.h's
  // lang-data kinds) ----
  void data_expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Tuple:
      case ExprKind::Set:
        sequence_display(e);
        return;
      case ExprKind::Dict:
        dict_display(e);
        return;
      case ExprKind::Starred:
      case ExprKind::DoubleStarred:
        fail("can't use starred expression here");
      case ExprKind::Slice: {
        bool step = e.kids[2]->kind != ExprKind::None;
        expr(*e.kids[0]);
        expr(*e.kids[1]);
        if (step) expr(*e.kids[2]);
        at(e);
        emit(Op::BUILD_SLICE, step ? 3 : 2);
        return;
      }
      case ExprKind::ListComp:
      case ExprKind::SetComp:
      case ExprKind::DictComp:
        comprehension(e);
        return;
      case ExprKind::GenExp:
        genexp(e);
        return;
      case ExprKind::Yield:
        if (e.kids.empty())
          emit_const(Value::none());
        else
          expr(*e.kids[0]);
        at(e);
        emit_yield();
        return;
      case ExprKind::YieldFrom:
        yield_from(e);
        return;
      case ExprKind::JoinedStr:
        joined_str(e);
        return;
      default:
        fail("invalid expression");
    }
  }

  static bool has_starred(const Expr& e) {
    for (const auto& k : e.kids)
      if (k->kind == ExprKind::Starred) return true;
    return false;
  }

  // A list, tuple or set display; a starred item extends a list built so far.
  void sequence_display(const Expr& e) {
    std::uint32_t n = static_cast<std::uint32_t>(e.kids.size());
    if (!has_starred(e)) {
      for (const auto& k : e.kids) expr(*k);
      at(e);
      emit(e.kind == ExprKind::Tuple ? Op::BUILD_TUPLE
           : e.kind == ExprKind::Set ? Op::BUILD_SET
                                     : Op::BUILD_LIST,
           n);
      return;
    }
    bool set = e.kind == ExprKind::Set;
    at(e);
    emit(set ? Op::BUILD_SET : Op::BUILD_LIST, 0);
    for (const auto& k : e.kids) {
      if (k->kind == ExprKind::Starred) {
        expr(*k->kids[0]);
        at(*k);
        emit(set ? Op::SET_UPDATE : Op::LIST_EXTEND, 1);
      } else {
        expr(*k);
        at(*k);
        emit(set ? Op::SET_ADD : Op::LIST_APPEND, 1);
      }
    }
    if (e.kind == ExprKind::Tuple) emit(Op::LIST_TO_TUPLE);
  }

  void dict_display(const Expr& e) {
    size_t pairs = e.kids.size() / 2;
    bool spread = false;
    for (size_t i = 0; i < e.kids.size(); i += 2)
      spread |= e.kids[i]->kind == ExprKind::DoubleStarred;
    if (!spread) {
      for (const auto& k : e.kids) expr(*k);
      at(e);
      emit(Op::BUILD_MAP, static_cast<std::uint32_t>(pairs));
      return;
    }
    at(e);
    emit(Op::BUILD_MAP, 0);
    for (size_t i = 0; i < e.kids.size(); i += 2) {
      if (e.kids[i]->kind == ExprKind::DoubleStarred) {
        expr(*e.kids[i]->kids[0]);
        at(*e.kids[i]);
        emit(Op::DICT_UPDATE, 1);
      } else {
        expr(*e.kids[i]);
        expr(*e.kids[i + 1]);
        emit(Op::MAP_ADD, 1);
      }
    }
  }

  // a, b = ... and a, *b, c = ...: the value is on the stack.
  void unpack_into(const Expr& target) {
    size_t star = target.kids.size();
    for (size_t i = 0; i < target.kids.size(); ++i)
      if (target.kids[i]->kind == ExprKind::Starred) star = i;
    at(target);
    if (star == target.kids.size()) {
      emit(Op::UNPACK_SEQUENCE, static_cast<std::uint32_t>(target.kids.size()));
    } else {
      size_t after = target.kids.size() - star - 1;
      if (star > 0xff || after > 0xffffff)
        fail("too many expressions in star-unpacking assignment");
      emit(Op::UNPACK_EX, static_cast<std::uint32_t>(star | (after << 8)));
    }
    for (const auto& k : target.kids) store(k->kind == ExprKind::Starred ? *k->kids[0] : *k);
  }

  // Comprehensions run inline, as CPython 3.12 runs them (PEP 709), with their loop variables in
  // hidden local slots of their own, so that they do not leak into the enclosing scope; a
  // variable a lambda inside captures is a cell made fresh each time the comprehension runs, so
  // the lambdas share it (late binding, as CPython 3.11's comprehension function has it). Each
  // clause is a for loop: its back edge is a safe point, as in a for statement. A generator
  // expression is its own generator function (genexp()); its body comes here too, yielding.
  void comprehension(const Expr& e) {
    bool is_dict = e.kind == ExprKind::DictComp;
    bool is_gen = e.kind == ExprKind::GenExp;
    at(e);
    if (!is_gen)
      emit(e.kind == ExprKind::SetComp ? Op::BUILD_SET
           : is_dict                   ? Op::BUILD_MAP
                                       : Op::BUILD_LIST,
           0);
    size_t first_clause = is_dict ? 2 : 1;
    size_t renames_before = comp_names_.size();
    // Every clause's slots first, so the cells are made once, before the first iterable.
    std::vector<std::vector<std::pair<std::string, std::uint32_t>>> slots;
    const auto& cells = table_.comp_cells(&e);
    for (size_t k = first_clause; k < e.kids.size(); ++k) {
      slots.emplace_back();
      bind_hidden(*e.kids[k]->kids[0], slots.back());
      for (const auto& [name, slot] : slots.back())
        if (cells.count(name) && hidden_cells_.insert(slot).second) emit(Op::MAKE_CELL, slot);
    }
    comprehension_clause(e, first_clause, 0, slots);
    comp_names_.resize(renames_before);
  }

  void bind_hidden(const Expr& target, std::vector<std::pair<std::string, std::uint32_t>>& out) {
    if (target.kind == ExprKind::Name) {
      if (code_.local_names.size() > kMaxIndex) fail("too many local variables in one function");
      out.emplace_back(target.text, static_cast<std::uint32_t>(code_.local_names.size()));
      code_.local_names.push_back(target.text);
      return;
    }
    if (target.kind == ExprKind::Tuple || target.kind == ExprKind::List ||
        target.kind == ExprKind::Starred)
      for (const auto& k : target.kids) bind_hidden(*k, out);
  }

  void comprehension_clause(
      const Expr& e, size_t k, int levels,
      const std::vector<std::vector<std::pair<std::string, std::uint32_t>>>& slots) {
    const Expr& clause = *e.kids[k];
    bool is_gen = e.kind == ExprKind::GenExp;
    if (is_gen && levels == 0) {
      at(clause);
      emit(Op::LOAD_FAST, 0);  // `.0`: the iterator of the first iterable
    } else {
      expr(*clause.kids[1]);
    }
    at(clause);
    emit(Op::GET_ITER);
    int depth_in_loop = depth_;
    std::uint32_t top = label();
    std::uint32_t to_end = emit_jump(Op::FOR_ITER);
    for (const auto& named : slots[static_cast<size_t>(levels)]) comp_names_.push_back(named);
    store(*clause.kids[0]);
    std::vector<std::uint32_t> to_next;
    for (size_t i = 2; i < clause.kids.size(); ++i) {
      expr(*clause.kids[i]);
      at(clause);
      to_next.push_back(emit_jump_if_false());
    }
    if (k + 1 < e.kids.size()) {
      comprehension_clause(e, k + 1, levels + 1, slots);
    } else {
      auto distance = static_cast<std::uint32_t>(3 * (levels + 1) + 1);
      if (e.kind == ExprKind::DictComp) {
        expr(*e.kids[0]);
        expr(*e.kids[1]);
        at(e);
        emit(Op::MAP_ADD, distance);
      } else if (is_gen) {
        expr(*e.kids[0]);
        at(e);
        emit_yield();
        emit(Op::POP_TOP);
      } else {
        expr(*e.kids[0]);
        at(e);
        emit(e.kind == ExprKind::SetComp ? Op::SET_ADD : Op::LIST_APPEND, distance);
      }
    }
    std::uint32_t next = label();
    for (auto p : to_next) patch(p, next);
    at(clause);
    emit(Op::JUMP_BACKWARD, top);
    depth_ = depth_in_loop - 3;  // FOR_ITER popped the slots when it jumped here
    patch(to_end, label());
  }

  // lang12: yield TOS; the resumption leaves the sent value there and is a safe point (RESUME).
  void emit_yield() {
    emit(Op::YIELD_VALUE);
    emit(Op::RESUME);
  }

  // yield from: as CPython 3.11 lays it out, a SEND loop whose YIELD_VALUE hands every value of
  // the inner iterator out and every sent value in; the inner generator's return value is the
  // expression's value.
  void yield_from(const Expr& e) {
    expr(*e.kids[0]);
    at(e);
    emit(Op::GET_YIELD_FROM_ITER);
    emit_const(Value::none());
    std::uint32_t loop = label();
    std::uint32_t to_end = emit_jump(Op::SEND);
    emit_yield();
    emit(Op::JUMP_BACKWARD_NO_INTERRUPT, loop);
    adjust_depth(-1);  // at the exit: SEND left the return value in place of the iterator
    patch(to_end, label());
  }

  void genexp(const Expr& e);

  void joined_str(const Expr& e) {
    if (e.kids.empty()) {
      emit_const(make_str(""));
      return;
    }
    for (const auto& part : e.kids) {
      if (part->kind == ExprKind::String) {
        emit_const(make_str(part->text));
        continue;
      }
      expr(*part->kids[0]);
      std::uint32_t flags = part->int_value == 's'   ? 1
                            : part->int_value == 'r' ? 2
                            : part->int_value == 'a' ? 3
                                                     : 0;
      if (part->kids.size() > 1) {
        joined_str(*part->kids[1]);
        flags |= 4;
      }
      at(*part);
      emit(Op::FORMAT_VALUE, flags);
    }
    at(e);
    if (e.kids.size() > 1 || e.kids[0]->kind != ExprKind::String)
      emit(Op::BUILD_STRING, static_cast<std::uint32_t>(e.kids.size()));
  }

  void unary(const Expr& e) {
    const Expr& operand = *e.kids[0];
    // Fold a minus on a numeric literal, as CPython's optimizer does: `-1` is one constant.
    if (e.op == Tok::Minus && operand.kind == ExprKind::Int) {
      at(e);
      emit_const(Value::integer(-operand.int_value));
      return;
    }
    if (e.op == Tok::Minus && operand.kind == ExprKind::Float) {
      at(e);
      emit_const(Value::floating(-operand.float_value));
      return;
    }
    expr(operand);
    at(e);
    emit(e.op == Tok::Minus   ? Op::UNARY_NEGATIVE
         : e.op == Tok::Plus  ? Op::UNARY_POSITIVE
         : e.op == Tok::Tilde ? Op::UNARY_INVERT
                              : Op::UNARY_NOT);
  }

  static Op compare_op(CmpOp op) {
    switch (op) {
      case CmpOp::Lt:
        return Op::COMPARE_LT;
      case CmpOp::Le:
        return Op::COMPARE_LE;
      case CmpOp::Gt:
        return Op::COMPARE_GT;
      case CmpOp::Ge:
        return Op::COMPARE_GE;
      case CmpOp::Eq:
        return Op::COMPARE_EQ;
      case CmpOp::Ne:
        return Op::COMPARE_NE;
      case CmpOp::Is:
        return Op::COMPARE_IS;
      case CmpOp::IsNot:
        return Op::COMPARE_IS_NOT;
      case CmpOp::In:
        return Op::COMPARE_IN;
      case CmpOp::NotIn:
        return Op::COMPARE_NOT_IN;
    }
    return Op::COMPARE_EQ;
  }

  // a < b < c evaluates b once and stops at the first false comparison, like CPython.
  void compare(const Expr& e) {
    expr(*e.kids[0]);
    size_t n = e.ops.size();
    if (n == 1) {
      expr(*e.kids[1]);
      at(e);
      emit(compare_op(e.ops[0]));
      return;
    }
    std::vector<std::uint32_t> to_cleanup;
    for (size_t i = 0; i + 1 < n; ++i) {
      expr(*e.kids[i + 1]);
      at(e);
      emit(Op::DUP_TOP);
      emit(Op::ROT_THREE);
      emit(compare_op(e.ops[i]));
      emit(Op::DUP_TOP);
      to_cleanup.push_back(emit_jump(Op::POP_JUMP_IF_FALSE));
      emit(Op::POP_TOP);
    }
    expr(*e.kids[n]);
    at(e);
    emit(compare_op(e.ops[n - 1]));
    std::uint32_t to_end = emit_jump(Op::JUMP_FORWARD);
    adjust_depth(1);  // at cleanup: the middle operand and the false result
    std::uint32_t cleanup = label();
    for (auto p : to_cleanup) patch(p, cleanup);
    emit(Op::ROT_TWO);
    emit(Op::POP_TOP);
    patch(to_end, label());
  }

  void call(const Expr& e) {
    size_t argc = e.kids.size() - 1;
    if (argc > 255) fail("more than 255 arguments");
    for (size_t i = 1; i < e.kids.size(); ++i)
      if (e.kids[i]->kind == ExprKind::Keyword || e.kids[i]->kind == ExprKind::Starred) {
        call_general(e);
        return;
      }
    const Expr& callee = *e.kids[0];
    if (callee.kind == ExprKind::Attribute) {
      expr(*callee.kids[0]);
      at(callee);
      emit(Op::LOAD_METHOD, name_index(callee.text));
      for (size_t i = 1; i < e.kids.size(); ++i) expr(*e.kids[i]);
      at(e);
      emit(Op::CALL_METHOD, static_cast<std::uint32_t>(argc));
      return;
    }
    expr(callee);
    for (size_t i = 1; i < e.kids.size(); ++i) expr(*e.kids[i]);
    at(e);
    emit(Op::CALL, static_cast<std::uint32_t>(argc));
  }

  static constexpr std::uint32_t kNone = 0xffffffff;

  ProgramBuilder& pb_;
  Code& code_;
  const SymbolTable& table_;
  const SymScope& sym_;
  int line_ = 1, col_ = 1;
  int depth_ = 0;
  std::vector<Loop> loops_;
  std::uint32_t prev_op_offset_ = kNone;
  Op prev_op_ = Op::NOP;
  std::uint32_t label_here_ = kNone;
  std::unordered_map<std::string, std::uint32_t> constant_index_;
  // The comprehension variables in scope, innermost last, with their hidden local slots.
  std::vector<std::pair<std::string, std::uint32_t>> comp_names_;
  std::set<std::uint32_t> hidden_cells_;  // lang12: those of them that hold a cell
};

// ---- lang-func: functions, lambdas, closures, calls with keywords ----

// A new Code for a def or lambda, its parameters and slots from the symbol table.
std::unique_ptr<Code> FunctionCompiler::new_function_code(const SymScope& fs, const Params& p,
                                                          const std::string& name, int line) {
  auto code = std::make_unique<Code>();
  code->name = name;
  code->qualname = fs.qualname;
  code->first_line = line;
  code->num_params = p.positional;
  code->num_kwonly = p.kwonly;
  code->varargs = p.varargs;
  code->varkw = p.varkw;
  if (fs.slots.size() > kMaxIndex + 1) fail("too many local variables in one function");
  code->local_names = fs.slots;
  for (const auto& c : fs.cells) code->cell_slots.push_back(fs.slot_of.at(c));
  std::sort(code->cell_slots.begin(), code->cell_slots.end());
  for (const auto& f : fs.frees) code->free_slots.push_back(fs.slot_of.at(f));
  bool simple = p.kwonly == 0 && !p.varargs && !p.varkw && code->cell_slots.empty() &&
                code->free_slots.empty();
  code->fast_argc = simple ? p.positional : -1;
  return code;
}

// Emits MAKE_FUNCTION and what completes the function (defaults, keyword-only defaults, the
// closure's cells); leaves the function on the stack.
void FunctionCompiler::make_function(std::unique_ptr<Code> code, const SymScope& fs,
                                     const Params& p) {
  auto index = static_cast<std::uint32_t>(pb_.program.functions.size());
  pb_.program.functions.push_back(std::move(code));
  emit(Op::MAKE_FUNCTION, index);
  for (const auto& d : p.defaults) expr(*d);
  if (!p.defaults.empty())
    emit(Op::FUNCTION_DEFAULTS, static_cast<std::uint32_t>(p.defaults.size()));
  for (size_t j = 0; j < p.kwdefaults.size(); ++j) {
    if (!p.kwdefaults[j]) continue;
    expr(*p.kwdefaults[j]);
    emit(Op::FUNCTION_KWDEFAULT, static_cast<std::uint32_t>(j));
  }
  for (const auto& f : fs.frees) {
    std::uint32_t slot = 0;
    if (auto hidden = hidden_slot(f); hidden && hidden_cell(*hidden))
      slot = *hidden;  // lang12: a comprehension's variable
    else if (sym_.kind_of(f, slot) != NameKind::Deref)
      fail("internal error: free variable without a cell");
    emit(Op::LOAD_CLOSURE, slot);
  }
  if (!fs.frees.empty()) emit(Op::FUNCTION_CLOSURE, static_cast<std::uint32_t>(fs.frees.size()));
}

void FunctionCompiler::def_stmt(const Stmt& s) {
  for (const auto& d : s.decorators) expr(*d);
  const SymScope& fs = table_.scope_of(&s);
  auto code = new_function_code(fs, *s.params, s.name, s.line);
  FunctionCompiler fc(pb_, *code, table_, fs);
  fc.compile_body(s.body, s.line);
  at(s);
  make_function(std::move(code), fs, *s.params);
  for (size_t i = s.decorators.size(); i-- > 0;) {
    at(*s.decorators[i]);
    emit(Op::CALL, 1);
  }
  at(s);
  store_name(s.name);
}

// lang12: (x for x in xs) is a generator function of its own, called at once with the iterator
// of its first iterable (evaluated here, as in CPython: iter() errors come at once).
void FunctionCompiler::genexp(const Expr& e) {
  const SymScope& fs = table_.scope_of(&e);
  Params none;
  none.names = {".0"};
  none.positional = 1;
  auto code = new_function_code(fs, none, "<genexpr>", e.line);
  FunctionCompiler fc(pb_, *code, table_, fs);
  fc.compile_genexp(e);
  at(e);
  make_function(std::move(code), fs, none);
  expr(*e.kids[1]->kids[1]);
  at(e);
  emit(Op::GET_YIELD_FROM_ITER);
  emit(Op::CALL, 1);
}

void FunctionCompiler::lambda(const Expr& e) {
  const SymScope& fs = table_.scope_of(&e);
  auto code = new_function_code(fs, *e.params, "<lambda>", e.line);
  FunctionCompiler fc(pb_, *code, table_, fs);
  fc.compile_lambda(*e.kids[0]);
  at(e);
  make_function(std::move(code), fs, *e.params);
}

// A call with keywords or *args: CALL_KW, or CALL_EX with the positional arguments in a list.
void FunctionCompiler::call_general(const Expr& e) {
  std::vector<std::string> names;
  bool star = false, double_star = false;
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const Expr& a = *e.kids[i];
    bool ds = a.kind == ExprKind::Starred && a.op == Tok::StarStar;
    double_star |= ds;
    star |= a.kind == ExprKind::Starred && !ds;
  }
  expr(*e.kids[0]);
  if (double_star) {
    call_double_star(e);
    return;
  }
  if (!star) {
    std::uint32_t n = 0;
    for (size_t i = 1; i < e.kids.size(); ++i) {
      const Expr& a = *e.kids[i];
      if (a.kind == ExprKind::Keyword) {
        names.push_back(a.text);
        expr(*a.kids[0]);
      } else {
        expr(a);
      }
      ++n;
    }
    at(e);
    emit(Op::CALL_KW, n | (kwnames_index(std::move(names)) << 8));
    return;
  }
  std::uint32_t plain = 0;
  bool list_built = false;
  auto flush = [&] {
    if (!list_built) {
      emit(Op::BUILD_LIST, plain);
      list_built = true;
    } else if (plain) {
      emit(Op::BUILD_LIST, plain);
      emit(Op::CALL_ARGS_EXTEND);
    }
    plain = 0;
  };
  std::uint32_t nkw = 0;
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const Expr& a = *e.kids[i];
    if (a.kind == ExprKind::Keyword) continue;
    if (a.kind == ExprKind::Starred) {
      flush();
      expr(*a.kids[0]);
      at(a);
      emit(Op::CALL_ARGS_EXTEND);
    } else {
      expr(a);
      ++plain;
    }
  }
  flush();
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const Expr& a = *e.kids[i];
    if (a.kind != ExprKind::Keyword) continue;
    names.push_back(a.text);
    expr(*a.kids[0]);
    ++nkw;
  }
  at(e);
  emit(Op::CALL_EX, nkw | (kwnames_index(std::move(names)) << 8));
}

// lang2: a call with **mapping: the positional arguments as a list, then every keyword (k=v
// and **m, in order) merged into one dict (DICT_MERGE refuses a name given twice), then
// CALL_FUNCTION_EX. The callee is already on the stack.
void FunctionCompiler::call_double_star(const Expr& e) {
  emit(Op::BUILD_LIST, 0);
  std::uint32_t plain = 0;
  auto flush = [&] {
    if (plain) {
      emit(Op::BUILD_LIST, plain);
      emit(Op::CALL_ARGS_EXTEND);
    }
    plain = 0;
  };
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const Expr& a = *e.kids[i];
    if (a.kind == ExprKind::Keyword || (a.kind == ExprKind::Starred && a.op == Tok::StarStar))
      continue;
    if (a.kind == ExprKind::Starred) {
      flush();
      expr(*a.kids[0]);
      at(a);
      emit(Op::CALL_ARGS_EXTEND);
    } else {
      expr(a);
      ++plain;
    }
  }
  flush();
  emit(Op::BUILD_MAP, 0);
  for (size_t i = 1; i < e.kids.size(); ++i) {
    const Expr& a = *e.kids[i];
    if (a.kind == ExprKind::Keyword) {
      emit_const(make_str(a.text));
      expr(*a.kids[0]);
      at(a);
      emit(Op::BUILD_MAP, 1);
      emit(Op::DICT_MERGE, 1);
    } else if (a.kind == ExprKind::Starred && a.op == Tok::StarStar) {
      expr(*a.kids[0]);
      at(a);
      emit(Op::DICT_MERGE, 1);
    }
  }
  at(e);
  emit(Op::CALL_FUNCTION_EX);
}

std::uint32_t FunctionCompiler::kwnames_index(std::vector<std::string> names) {
  auto& sets = code_.kwnames;
  for (size_t i = 0; i < sets.size(); ++i)
    if (sets[i] == names) return static_cast<std::uint32_t>(i);
  if (sets.size() >= 0xffffff) fail("too many calls with keywords in one function");
  sets.push_back(std::move(names));
  return static_cast<std::uint32_t>(sets.size() - 1);
}

void FunctionCompiler::unwind_fblocks(size_t down_to, bool preserve_tos) {
  std::vector<FBlock> unwound;
  int d0 = depth_;
  while (fblocks_.size() > down_to) {
    FBlock fb = fblocks_.back();
    fblocks_.pop_back();
    switch (fb.kind) {
      case FBlock::Try:
        emit(Op::POP_BLOCK);
        break;
      case FBlock::Handler:
        if (preserve_tos) emit(Op::ROT_TWO);
        emit(Op::POP_EXCEPT);
        break;
      case FBlock::Finally:
        emit(Op::POP_BLOCK);
        block(*fb.final_body);
        break;
      case FBlock::With:
        emit(Op::POP_BLOCK);
        emit_with_exit(fb.exit_depth, preserve_tos);
        break;
    }
    unwound.push_back(fb);
  }
  // The code after a break/continue/return (unreachable) is still inside these blocks, at the
  // depth they left.
  while (!unwound.empty()) {
    fblocks_.push_back(unwound.back());
    unwound.pop_back();
  }
  depth_ = d0;
}

// try/except/else/finally, laid out as CPython 3.10 did with blocks: SETUP_EXCEPT pushes a try
// block; an exception in the body lands at the handler with the exception on the stack.
void FunctionCompiler::try_stmt(const Stmt& s) {
  int d0 = depth_;
  std::uint32_t fin_setup = 0;
  if (!s.finalbody.empty()) {
    fin_setup = emit_jump(Op::SETUP_EXCEPT);
    fblocks_.push_back({FBlock::Finally, &s.finalbody});
  }
  if (!s.handlers.empty()) {
    std::uint32_t setup = emit_jump(Op::SETUP_EXCEPT);
    fblocks_.push_back({FBlock::Try});
    block(s.body);
    fblocks_.pop_back();
    at(s);
    emit(Op::POP_BLOCK);
    block(s.orelse);
    std::vector<std::uint32_t> to_end{emit_jump(Op::JUMP_FORWARD)};
    patch(setup, label());
    depth_ = d0;
    adjust_depth(1);  // the exception
    fblocks_.push_back({FBlock::Handler});
    bool bare = false;
    for (const auto& h : s.handlers) {
      at(*h);
      std::uint32_t next = 0;
      if (h->value) {
        expr(*h->value);
        at(*h);
        emit(Op::CHECK_EXC_MATCH);
        next = emit_jump(Op::POP_JUMP_IF_FALSE);
      } else {
        bare = true;
      }
      if (!h->name.empty()) {
        emit(Op::DUP_TOP);
        store_name(h->name);
      }
      block(h->body);
      at(*h);
      emit(Op::POP_EXCEPT);
      to_end.push_back(emit_jump(Op::JUMP_FORWARD));
      depth_ = d0 + 1;
      if (h->value) patch(next, label());
    }
    fblocks_.pop_back();
    if (!bare) {
      at(s);
      emit(Op::RERAISE);
    }
    std::uint32_t end = label();
    for (auto p : to_end) patch(p, end);
    depth_ = d0;
  } else {
    block(s.body);
  }
  if (!s.finalbody.empty()) {
    fblocks_.pop_back();
    emit(Op::POP_BLOCK);
    block(s.finalbody);
    std::uint32_t to_end = emit_jump(Op::JUMP_FORWARD);
    patch(fin_setup, label());
    depth_ = d0;
    adjust_depth(1);
    fblocks_.push_back({FBlock::Handler});
    block(s.finalbody);
    fblocks_.pop_back();
    emit(Op::RERAISE);
    patch(to_end, label());
    depth_ = d0;
  }
}

// class C(Base): body  runs the body as a function whose locals become the class's attributes.
void FunctionCompiler::class_stmt(const Stmt& s) {
  if (!s.decorators.empty()) {
    at(*s.decorators[0]);
    fail("class decorators are not supported by gilsim");
  }
  if (s.targets.size() > 1) {
    at(*s.targets[1]);
    fail("multiple inheritance is not supported by gilsim");
  }
  for (const auto& b : s.targets) expr(*b);
  const SymScope& cs = table_.scope_of(&s);
  auto code = std::make_unique<Code>();
  code->name = s.name;
  code->qualname = cs.qualname;
  code->first_line = s.line;
  code->local_names = cs.slots;
  code->class_slots = static_cast<std::uint32_t>(cs.slots.size());
  for (const auto& f : cs.frees) code->free_slots.push_back(cs.slot_of.at(f));
  code->fast_argc = code->free_slots.empty() ? 0 : -1;
  FunctionCompiler fc(pb_, *code, table_, cs);
  fc.compile_class_body(s.body, s.line);
  at(s);
  Params none;
  make_function(std::move(code), cs, none);
  emit(Op::CALL, 0);
  emit(Op::BUILD_CLASS, static_cast<std::uint32_t>(s.targets.size()));
  store_name(s.name);
}

// lang2: del NAME, del x[i], del x.a, del a, (b, c)
void FunctionCompiler::delete_target(const Expr& t) {
  at(t);
  switch (t.kind) {
    case ExprKind::Name: {
      if (auto hidden = hidden_slot(t.text)) {
        emit(Op::DELETE_FAST, *hidden);
        return;
      }
      std::uint32_t slot = 0;
      switch (sym_.kind_of(t.text, slot)) {
        case NameKind::Fast:
          emit(Op::DELETE_FAST, slot);
          return;
        case NameKind::Deref:
          emit(Op::DELETE_DEREF, slot);
          return;
        case NameKind::Global:
          emit(Op::DELETE_GLOBAL, global(t.text));
          return;
      }
      return;
    }
    case ExprKind::Attribute:
      expr(*t.kids[0]);
      at(t);
      emit(Op::DELETE_ATTR, name_index(t.text));
      return;
    case ExprKind::Subscript:
      expr(*t.kids[0]);
      expr(*t.kids[1]);
      at(t);
      emit(Op::DELETE_SUBSCR);
      return;
    case ExprKind::Tuple:
    case ExprKind::List:
      for (const auto& k : t.kids) delete_target(*k);
      return;
    default:
      fail("cannot delete this expression");
  }
}

// The statements issue 12 has not brought yet: refused at compile time, by name.
void FunctionCompiler::func_statement(const Stmt& s) {
  switch (s.kind) {
    case StmtKind::Class:
      class_stmt(s);
      return;
    case StmtKind::Try:
      try_stmt(s);
      return;
    case StmtKind::Raise:
      if (s.value) expr(*s.value);
      if (!s.targets.empty()) expr(*s.targets[0]);
      at(s);
      emit(Op::RAISE, s.value ? (s.targets.empty() ? 1 : 2) : 0);
      return;
    case StmtKind::Assert: {
      expr(*s.value);
      at(s);
      std::uint32_t ok = emit_jump(Op::POP_JUMP_IF_TRUE);
      emit(Op::LOAD_GLOBAL, global("AssertionError"));
      if (!s.targets.empty()) {
        expr(*s.targets[0]);
        at(s);
        emit(Op::CALL, 1);
      }
      emit(Op::RAISE, 1);
      patch(ok, label());
      return;
    }
    case StmtKind::Import:
      import_stmt(s);
      return;
    case StmtKind::Del:
      for (const auto& t : s.targets) delete_target(*t);
      return;
    default:
      fail("this statement is not supported by gilsim");
  }
}
// ---- end lang-func ----

// ---- stdlib2 block: the import statement (docs/stdlib.md §4) ----
// `import a.b` imports a, then a.b, and binds a; `import a.b as c` binds c to a.b; `from a.b
// import x as y` binds y to a.b's x. Each module is compiled into the program the first time a
// statement names it; IMPORT_NAME runs its code once per interpreter.

// Whether `dotted` and every package on its way exist; a module of gilsim's own library that
// imports one that does not (multiprocessing's _process, for ProcessPoolExecutor) gets the
// ImportError when that statement runs, so the rest of it still works; a script is refused.
bool FunctionCompiler::importable(const std::string& dotted) {
  ModuleSpec spec;
  for (size_t dot = dotted.find('.'); dot != std::string::npos; dot = dotted.find('.', dot + 1))
    if (!pb_.module_index.count(dotted.substr(0, dot)) && !find_module(dotted.substr(0, dot), spec))
      return false;
  if (pb_.module_index.count(dotted) || find_module(dotted, spec)) return true;
  if (!pb_.module_scope) fail(module_not_available(dotted));
  emit(Op::LOAD_GLOBAL, global("ImportError"));
  emit_const(make_str(module_not_available(dotted)));
  emit(Op::CALL, 1);
  emit(Op::RAISE, 1);
  return false;
}

// `from __future__ import division, print_function`: every feature but one is what Python 3 always
// does, so the statement only imports the names, as Python's does; it is checked as Python checks
// it (Python/future.c).
void FunctionCompiler::future_import(const Stmt& s) {
  static const std::set<std::string> python3_features = {
      "nested_scopes",  "generators",       "division",       "absolute_import", "with_statement",
      "print_function", "unicode_literals", "generator_stop", "annotations"};
  at(s);
  if (!pb_.future_imports_at_top.count(&s))
    fail("from __future__ imports must occur at the beginning of the file");
  for (const std::string& feature : s.names) {
    if (feature == "braces") fail("not a chance");
    // barry_as_FLUFL turns `!=` into `<>`: a joke gilsim's parser does not tell.
    if (feature == "barry_as_FLUFL")
      fail("future feature barry_as_FLUFL is not supported by gilsim");
    if (!python3_features.count(feature))
      fail(fmt::format("future feature {} is not defined", feature));
  }
}

void FunctionCompiler::import_stmt(const Stmt& s) {
  if (s.from_import && s.name == "__future__") future_import(s);
  for (const auto& dotted : s.from_import ? std::vector<std::string>{s.name} : s.names)
    if (!importable(dotted)) return;
  if (s.from_import) {
    import_dotted(s.name);
    for (size_t i = 0; i < s.names.size(); ++i) {
      at(s);
      emit(Op::IMPORT_FROM, name_index(s.names[i]));
      store_name(s.aliases[i].empty() ? s.names[i] : s.aliases[i]);
    }
    emit(Op::POP_TOP);
    return;
  }
  for (size_t i = 0; i < s.names.size(); ++i) {
    const std::string& dotted = s.names[i];
    at(s);
    import_dotted(dotted);
    if (!s.aliases[i].empty()) {
      store_name(s.aliases[i]);
      continue;
    }
    std::string top = dotted.substr(0, dotted.find('.'));
    if (top != dotted) {
      emit(Op::POP_TOP);
      emit(Op::IMPORT_NAME, module(top));
    }
    store_name(top);
  }
}

// Imports every package on the way (a, then a.b), leaving the last module on the stack.
void FunctionCompiler::import_dotted(const std::string& dotted) {
  for (size_t dot = dotted.find('.'); dot != std::string::npos; dot = dotted.find('.', dot + 1)) {
    emit(Op::IMPORT_NAME, module(dotted.substr(0, dot)));
    emit(Op::POP_TOP);
  }
  emit(Op::IMPORT_NAME, module(dotted));
}

// The index of the module in Program::modules, compiling it on first sight.
std::uint32_t FunctionCompiler::module(const std::string& name) {
  if (auto it = pb_.module_index.find(name); it != pb_.module_index.end()) return it->second;
  ModuleSpec spec;
  if (!find_module(name, spec)) fail(module_not_available(name));
  auto index = static_cast<std::uint32_t>(pb_.program.modules.size());
  pb_.module_index.emplace(name, index);
  {
    ModuleInfo info;
    info.name = name;
    info.slot = pb_.global("<module " + name + ">");
    info.native = spec.native;
    info.file = spec.source ? std::string(spec.source->file) : "<gilsim>/" + name;
    info.attrs.emplace_back("__name__", pb_.global(name + ":__name__"));
    if (spec.native) {
      auto add = [&](std::string_view attr) {
        info.attrs.emplace_back(std::string(attr), pb_.global(name + ":" + std::string(attr)));
      };
      for (const NativeDef* d : spec.native->functions) add(d->name);
      for (const auto& c : spec.native->constants) add(c.first);
      for (std::string_view m : spec.native->made) add(m);
    }
    pb_.program.modules.push_back(std::move(info));
  }
  if (size_t dot = name.rfind('.'); dot != std::string::npos) {
    std::uint32_t parent = module(name.substr(0, dot));
    pb_.program.modules[parent].submodules.emplace_back(name.substr(dot + 1), index);
  }
  if (spec.source) compile_module(index, *spec.source);
  return index;
}

void FunctionCompiler::compile_module(std::uint32_t index, const StdlibSource& src) {
  std::string name = pb_.program.modules[index].name;
  auto source = std::make_shared<const Source>(std::string(src.file), std::string(src.text));
  auto code = std::make_unique<Code>();
  code->name = "<module>";
  code->qualname = "<module>";
  ProgramBuilder::ModuleScope scope;
  const ProgramBuilder::ModuleScope* saved = pb_.module_scope;
  try {
    Block tree = parse(*source);
    pb_.note_future_imports(tree);
    SymbolTable table(tree);
    scope.prefix = name + ":";
    scope.bound = table.module().bound;
    scope.bound.insert("__name__");
    pb_.module_scope = &scope;
    FunctionCompiler fc(pb_, *code, table, table.module());
    fc.compile_module_body(tree, index);
    for (const StmtPtr& st : tree) pb_.future_imports_at_top.erase(st.get());  // freed next
  } catch (const SyntaxError& e) {
    pb_.module_scope = saved;
    // A gilsim bug, not the script's: say where, in the script's error format.
    fail(fmt::format("{}:{}:{}: {}: {} (importing '{}')", src.file, e.line, e.col, e.kind, e.what(),
                     name));
  }
  pb_.module_scope = saved;
  ModuleInfo& info = pb_.program.modules[index];
  info.source = source;
  info.body = static_cast<int>(pb_.program.functions.size());
  pb_.program.functions.push_back(std::move(code));
  for (const auto& n : scope.bound)
    if (n != "__name__") info.attrs.emplace_back(n, pb_.global(scope.prefix + n));
}
// ---- end stdlib2 ----

}  // namespace

Position Code::position_at(std::uint32_t offset) const {
  Position found{0, first_line, 1};
  for (const Position& p : positions) {
    if (p.offset > offset) break;
    found = p;
  }
  return found;
}

std::shared_ptr<const Program> compile(std::shared_ptr<const Source> source) {
  Block tree = parse(*source);
  ProgramBuilder pb;
  pb.note_future_imports(tree);
  pb.program.source = source;
  for (const auto& name : builtin_names()) pb.global(name);
  for (const auto& name : builtin_class_names()) pb.global(name);  // lang-func (Interp binds them)
  pb.global("__name__");        // "__main__": the script is always the main module (Interp)
  pb.global("NotImplemented");  // lang2: what a binary special method returns to decline
  pb.program.module = std::make_unique<Code>();
  pb.program.module->name = "<module>";
  SymbolTable table(tree);
  FunctionCompiler fc(pb, *pb.program.module, table, table.module());
  fc.compile_body(tree, 1);
  return std::make_shared<const Program>(std::move(pb.program));
}

}  // namespace gilsim
