#include "vm/compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <set>
#include <unordered_map>

#include "vm/builtins.h"
#include "vm/errors.h"
#include "vm/objects.h"
#include "vm/parser.h"

namespace gilsim {

namespace {

constexpr std::uint32_t kMaxIndex = 0xffff;          // u16 operands
constexpr std::uint32_t kMaxWideIndex = 0x7fffffff;  // u32 operands, kept clear of overflow

struct ProgramBuilder {
  Program program;
  std::unordered_map<std::string, std::uint32_t> global_index;

  std::uint32_t global(const std::string& name) {
    auto [it, inserted] =
        global_index.emplace(name, static_cast<std::uint32_t>(program.global_names.size()));
    if (inserted) program.global_names.push_back(name);
    return it->second;
  }
};

// Which names a function's body binds locally, after Python's rules (symtable.c).
struct Scope {
  std::unordered_map<std::string, std::uint32_t> locals;
  std::set<std::string> globals;
};

class ScopeScanner {
 public:
  ScopeScanner(const Stmt& def, Code& code) : code_(code) {
    for (const auto& p : def.names) add_local(p, def);
    for (const auto& p : def.names) seen_.insert(p);
    scan_block(def.body);
    for (const auto& name : assigned_order_)
      if (!scope.globals.count(name)) add_local(name, def);
  }
  Scope scope;

 private:
  void add_local(const std::string& name, const Stmt& at) {
    if (scope.locals.count(name)) return;
    if (code_.local_names.size() > kMaxIndex)
      throw SyntaxError("SyntaxError", "too many local variables in one function", at.line, at.col);
    scope.locals.emplace(name, static_cast<std::uint32_t>(code_.local_names.size()));
    code_.local_names.push_back(name);
  }
  void assign(const std::string& name) {
    seen_.insert(name);
    assigned_order_.push_back(name);
  }
  void scan_target(const Expr& e) {
    if (e.kind == ExprKind::Name)
      assign(e.text);
    else if (e.kind == ExprKind::Tuple || e.kind == ExprKind::List || e.kind == ExprKind::Starred)
      for (const auto& k : e.kids) scan_target(*k);
    else
      scan_expr(e);
  }
  void scan_expr(const Expr& e) {
    if (e.kind == ExprKind::Name) seen_.insert(e.text);
    for (const auto& k : e.kids) scan_expr(*k);
  }
  void scan_block(const Block& block) {
    for (const auto& s : block) scan_stmt(*s);
  }
  void scan_stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Global:
        for (const auto& name : s.names) {
          if (seen_.count(name)) {
            bool is_param = false;
            for (const auto& p : code_.local_names) is_param |= (p == name);
            bool assigned = std::find(assigned_order_.begin(), assigned_order_.end(), name) !=
                            assigned_order_.end();
            // CPython's symtable.c: GLOBAL_PARAM, GLOBAL_AFTER_ASSIGN, GLOBAL_AFTER_USE.
            std::string msg =
                is_param   ? fmt::format("name '{}' is parameter and global", name)
                : assigned ? fmt::format("name '{}' is assigned to before global declaration", name)
                           : fmt::format("name '{}' is used prior to global declaration", name);
            throw SyntaxError("SyntaxError", msg, s.line, s.col);
          }
          scope.globals.insert(name);
        }
        return;
      case StmtKind::Def:
        throw SyntaxError("SyntaxError", "nested functions are not supported by gilsim", s.line,
                          s.col);
      default:
        break;
    }
    if (s.value) scan_expr(*s.value);
    if (s.kind == StmtKind::AugAssign && s.targets[0]->kind == ExprKind::Name)
      seen_.insert(s.targets[0]->text);
    for (const auto& t : s.targets) scan_target(*t);
    if (s.kind == StmtKind::With && !s.name.empty()) assign(s.name);
    scan_block(s.body);
    scan_block(s.orelse);
  }

  Code& code_;
  std::set<std::string> seen_;
  std::vector<std::string> assigned_order_;
};

class FunctionCompiler {
 public:
  FunctionCompiler(ProgramBuilder& pb, Code& code, const Scope* scope)
      : pb_(pb), code_(code), scope_(scope) {}

  void compile_body(const Block& body, int line) {
    line_ = line;
    col_ = 1;
    if (scope_) emit(Op::RESUME);
    block(body);
    emit_const(Value::none());
    emit(Op::RETURN_VALUE);
  }

 private:
  struct Loop {
    std::uint32_t continue_target;
    std::vector<std::uint32_t> break_patches;
    bool is_for;
    int with_depth;  // open `with` blocks when the loop started
  };

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
    if (v.is_obj())
      key += v.as<StrObj>()->text;
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
    std::uint32_t g = pb_.global(name);
    if (g >= kMaxWideIndex) fail("too many global names");
    return g;
  }

  [[noreturn]] void fail(std::string msg) {
    throw SyntaxError("SyntaxError", std::move(msg), line_, col_);
  }

  // ---- names ----
  const std::uint32_t* local_slot(const std::string& name) const {
    if (!scope_) return nullptr;
    auto it = scope_->locals.find(name);
    return it == scope_->locals.end() ? nullptr : &it->second;
  }
  const std::uint32_t* hidden_slot(const std::string& name) const {
    for (size_t i = comp_names_.size(); i-- > 0;)
      if (comp_names_[i].first == name) return &comp_names_[i].second;
    return nullptr;
  }
  void load_name(const std::string& name) {
    if (auto hidden = hidden_slot(name)) {
      emit(Op::LOAD_FAST, *hidden);
      return;
    }
    if (auto slot = local_slot(name))
      emit(Op::LOAD_FAST, *slot);
    else
      emit(Op::LOAD_GLOBAL, global(name));
  }
  void store_name(const std::string& name) {
    if (auto hidden = hidden_slot(name)) {
      emit(Op::STORE_FAST, *hidden);
      return;
    }
    if (auto slot = local_slot(name))
      emit(Op::STORE_FAST, *slot);
    else
      emit(Op::STORE_GLOBAL, global(name));
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
        if (!scope_) fail("'return' outside function");
        if (s.value)
          expr(*s.value);
        else
          emit_const(Value::none());
        at(s);
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
        return;
    }
  }

  void store(const Expr& target) {
    at(target);
    if (target.kind == ExprKind::Name) {
      store_name(target.text);
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
    loops_.push_back({top, {}, false, with_depth_});
    std::uint32_t body = label();
    block(s.body);
    expr(*s.value);
    at(s);
    emit_jump_back_if_true(body);
    std::uint32_t end = label();
    patch(to_end, end);
    for (auto p : loops_.back().break_patches) patch(p, end);
    loops_.pop_back();
  }

  void for_stmt(const Stmt& s) {
    expr(*s.value);
    at(s);
    emit(Op::GET_ITER);
    int depth_in_loop = depth_;  // the three iteration slots
    std::uint32_t top = label();
    std::uint32_t to_end = emit_jump(Op::FOR_ITER);
    store(*s.targets[0]);
    loops_.push_back({top, {}, true, with_depth_});
    block(s.body);
    at(s);
    emit(Op::JUMP_BACKWARD, top);
    depth_ = depth_in_loop - 3;  // FOR_ITER popped the slots when it jumped here
    std::uint32_t end = label();
    patch(to_end, end);
    for (auto p : loops_.back().break_patches) patch(p, end);
    loops_.pop_back();
  }

  void exit_withs_down_to(int with_depth) {
    for (int i = with_depth_; i > with_depth; --i) emit(Op::WITH_EXIT);
  }

  void break_stmt() {
    if (loops_.empty()) fail("'break' outside loop");
    Loop& loop = loops_.back();
    exit_withs_down_to(loop.with_depth);
    if (loop.is_for) emit(Op::POP_N, 3);
    loop.break_patches.push_back(emit_jump(Op::JUMP_FORWARD));
    if (loop.is_for) adjust_depth(3);  // code after the break (unreachable) keeps the loop's depth
  }

  void continue_stmt() {
    if (loops_.empty()) fail("'continue' not properly in loop");
    exit_withs_down_to(loops_.back().with_depth);
    emit(Op::JUMP_BACKWARD, loops_.back().continue_target);
  }

  void with_stmt(const Stmt& s) {
    expr(*s.value);
    at(s);
    if (!s.name.empty()) {
      emit(Op::DUP_TOP);
      store_name(s.name);
    }
    emit(Op::WITH_ENTER);
    ++with_depth_;
    block(s.body);
    --with_depth_;
    at(s);
    emit(Op::WITH_EXIT);
  }

  void def_stmt(const Stmt& s);

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
      case ExprKind::GenExp:
        comprehension(e);
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
  // hidden local slots of their own, so that they do not leak into the enclosing scope. A
  // generator expression is built eagerly into a list. Each clause is a for loop: its back edge
  // is a safe point, as in a for statement.
  void comprehension(const Expr& e) {
    bool is_dict = e.kind == ExprKind::DictComp;
    at(e);
    emit(e.kind == ExprKind::SetComp ? Op::BUILD_SET : is_dict ? Op::BUILD_MAP : Op::BUILD_LIST, 0);
    size_t first_clause = is_dict ? 2 : 1;
    size_t renames_before = comp_names_.size();
    comprehension_clause(e, first_clause, 0);
    comp_names_.resize(renames_before);
  }

  void bind_hidden(const Expr& target) {
    if (target.kind == ExprKind::Name) {
      if (code_.local_names.size() > kMaxIndex) fail("too many local variables in one function");
      comp_names_.emplace_back(target.text, static_cast<std::uint32_t>(code_.local_names.size()));
      code_.local_names.push_back(target.text);
      return;
    }
    if (target.kind == ExprKind::Tuple || target.kind == ExprKind::List ||
        target.kind == ExprKind::Starred)
      for (const auto& k : target.kids) bind_hidden(*k);
  }

  void comprehension_clause(const Expr& e, size_t k, int levels) {
    const Expr& clause = *e.kids[k];
    expr(*clause.kids[1]);
    at(clause);
    emit(Op::GET_ITER);
    int depth_in_loop = depth_;
    std::uint32_t top = label();
    std::uint32_t to_end = emit_jump(Op::FOR_ITER);
    bind_hidden(*clause.kids[0]);
    store(*clause.kids[0]);
    std::vector<std::uint32_t> to_next;
    for (size_t i = 2; i < clause.kids.size(); ++i) {
      expr(*clause.kids[i]);
      at(clause);
      to_next.push_back(emit_jump_if_false());
    }
    if (k + 1 < e.kids.size()) {
      comprehension_clause(e, k + 1, levels + 1);
    } else {
      auto distance = static_cast<std::uint32_t>(3 * (levels + 1) + 1);
      if (e.kind == ExprKind::DictComp) {
        expr(*e.kids[0]);
        expr(*e.kids[1]);
        at(e);
        emit(Op::MAP_ADD, distance);
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
  const Scope* scope_;  // null at module level: every name is global there
  int line_ = 1, col_ = 1;
  int depth_ = 0;
  int with_depth_ = 0;
  std::vector<Loop> loops_;
  std::uint32_t prev_op_offset_ = kNone;
  Op prev_op_ = Op::NOP;
  std::uint32_t label_here_ = kNone;
  std::unordered_map<std::string, std::uint32_t> constant_index_;
  // The comprehension variables in scope, innermost last, with their hidden local slots.
  std::vector<std::pair<std::string, std::uint32_t>> comp_names_;
};

void FunctionCompiler::def_stmt(const Stmt& s) {
  if (scope_) fail("nested functions are not supported by gilsim");
  auto code = std::make_unique<Code>();
  code->name = s.name;
  code->first_line = s.line;
  code->num_params = static_cast<int>(s.names.size());
  ScopeScanner scanner(s, *code);
  FunctionCompiler fc(pb_, *code, &scanner.scope);
  fc.compile_body(s.body, s.line);
  auto index = static_cast<std::uint32_t>(pb_.program.functions.size());
  pb_.program.functions.push_back(std::move(code));
  at(s);
  emit(Op::MAKE_FUNCTION, index);
  store_name(s.name);
}

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
  pb.program.source = source;
  for (const auto& name : builtin_names()) pb.global(name);
  pb.program.module = std::make_unique<Code>();
  pb.program.module->name = "<module>";
  FunctionCompiler fc(pb, *pb.program.module, nullptr);
  fc.compile_body(tree, 1);
  return std::make_shared<const Program>(std::move(pb.program));
}

}  // namespace gilsim
