// The gilsim module: what only the simulator has, for programs that also run under CPython
// (there tools/python/gilsim.py stands in for it; docs/stdlib.md §2). io, native, native_hold,
// param, now_ms and thread_name are the very builtins of docs/language.md §5, so a program
// that imports them and a script that calls the builtins run the same code. The annotations
// (mark, span, counter) are the host's annotate(): events on the calling thread's track, drawn
// in every output (docs/traces.md "Annotations").
// import_extension(name) stands for loading a C extension without a Py_mod_gil slot
// (docs/policies/free-threaded.md).
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string_view>

#include "vm/builtins.h"
#include "vm/classes.h"
#include "vm/errors.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

const NativeDef* builtin(std::string_view name) {
  const auto& names = builtin_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return builtin_defs()[i];
  throw std::logic_error("the gilsim module names a builtin that does not exist");
}

Host& host_of(ThreadState& ts) { return ts.interp.host(); }

// A label, checked as CPython checks a str argument ("intern() argument must be str, not int").
// `which` is empty for a function's only argument, else "argument 1".
const std::string& label_of(const Value& v, const char* fn, const char* which) {
  if (!v.is(ObjType::Str))
    raise("TypeError", fmt::format("{}() {} must be str, not {}", fn, which, type_name(v)));
  return v.as<StrObj>()->text;
}

Value g_mark(ThreadState& ts, Value* args, int) {
  host_of(ts).annotate(ts, Annotation::Mark, label_of(args[0], "mark", "argument"), 0.0);
  return Value::none();
}

// A bool is refused, as tools/python/gilsim.py refuses it: counter("busy", True) is most likely
// a mistake, and the trace's value would read 1 anyway. Not finite: JSON has no such number.
Value g_counter(ThreadState& ts, Value* args, int) {
  const std::string& label = label_of(args[0], "counter", "argument 1");
  const Value& v = args[1];
  if (v.is_bool() || !v.is_number())
    raise("TypeError", fmt::format("counter() value must be a number, not '{}'", type_name(v)));
  double value = v.to_double();
  if (!std::isfinite(value)) raise("ValueError", "counter() value must be finite");
  host_of(ts).annotate(ts, Annotation::Counter, label, value);
  return Value::none();
}

// span(name): a context manager whose name is its `name` attribute, as in tools/python/gilsim.py.
// A function, as a native class cannot have a native __init__; each span gets a class of its own
// (two methods: cheap), since a class outlives no interpreter (their teardown clears classes).
Value span_class();

Value g_span(ThreadState& ts, Value* args, int) {
  label_of(args[0], "span", "argument");
  Value self = Value::adopt(new InstanceObj(span_class()));
  set_attribute(ts, self, "name", args[0]);
  return self;
}

std::string span_name(ThreadState& ts, const Value& self) {
  Value name = get_attribute(ts, self, "name");
  return label_of(name, "span", "name");
}

Value span_enter(ThreadState& ts, Value* args, int) {
  host_of(ts).annotate(ts, Annotation::SpanBegin, span_name(ts, args[0]), 0.0);
  return args[0];
}

// Exits on an exception too (the with statement calls it), and never swallows one.
Value span_exit(ThreadState& ts, Value* args, int) {
  host_of(ts).annotate(ts, Annotation::SpanEnd, span_name(ts, args[0]), 0.0);
  return Value::boolean(false);
}

const NativeDef d_mark{"mark", g_mark, 1, 1, false};
const NativeDef d_counter{"counter", g_counter, 2, 2, false};
const NativeDef d_span{"span", g_span, 1, 1, false};
const NativeDef d_span_enter{"__enter__", span_enter, 0, 0, true};
const NativeDef d_span_exit{"__exit__", span_exit, 3, 3, true};

Value span_class() { return make_native_class("span", {&d_span_enter, &d_span_exit}); }

}  // namespace

const NativeModule& gilsim_module() {
  static const NativeModule m{"gilsim",
                              {builtin("io"), builtin("native"), builtin("native_hold"),
                               builtin("param"), builtin("now_ms"), builtin("thread_name"),
                               builtin("import_extension"), &d_mark, &d_counter, &d_span},
                              {}};
  return m;
}

}  // namespace gilsim
