// _process: the primitives vm/stdlib/multiprocessing.py and subprocess.py are written on
// (docs/stdlib.md §5). A process is spawn_process's: a new interpreter with a copy of its
// parent's globals (as after a fork) and its own GIL; a multiprocessing Queue is the Queue()
// builtin's object, whose items the engine copies between interpreters. subprocess's child is a
// script run as a new process of its own program (run_script: Host::run_script). Every wait is
// the engine's, so the parent waits with its GIL released, `blocked`, in virtual time on the sim
// engine, a timed one too (join(handle, timeout)).
#include <fmt/format.h>
#include <unistd.h>

#include <string_view>
#include <system_error>

#include "vm/bytes.h"
#include "vm/classes.h"
#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/host.h"
#include "vm/interpreter.h"
#include "vm/native_module.h"
#include "vm/operations.h"
#include "vm/run_limits.h"
#include "vm/sim_objects.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

Host& host(ThreadState& ts) { return ts.interp.host(); }

const Value& process_arg(const Value& v, const char* fn) {
  if (!v.is(ObjType::Thread) || !v.as<ThreadObj>()->is_process)
    raise("TypeError", fmt::format("{}() expects a process handle, not {}", fn, type_name(v)));
  return v;
}

// start(fn, name, daemon): fn() (a bound method: its self first) in a new process; its handle.
// The engine names the process's track as spawn_process does and waits for it at the end of the
// run whatever `daemon` says, as for threads (docs/stdlib.md's status).
Value p_start(ThreadState& ts, Value* args, int) { return spawn_callable(ts, args[0], true); }

// join(handle, timeout=-1): True once the process has finished, False if the timeout (seconds)
// ran out first. Its last act, as every blocking host call must be on the sim engine (which
// suspends the thread and resumes it after the call, with a timed wait's outcome).
Value p_join(ThreadState& ts, Value* args, int n) {
  const Value& p = process_arg(args[0], "join");
  double timeout = n > 1 && args[1].is_number() ? args[1].to_double() : -1;
  check_can_block(ts, "join()");
  if (timeout < 0) {
    host(ts).join(ts, p);
    return Value::boolean(true);
  }
  return Value::boolean(host(ts).join_timed(ts, p, timeout * 1000.0));
}

// subproc13: the text of one stream mode, as subprocess.py names them.
StreamMode stream_mode(ThreadState& ts, const Value& v) {
  std::string mode = v.is(ObjType::Str) ? v.as<StrObj>()->text : to_str(ts, v);
  if (mode == "inherit") return StreamMode::Inherit;
  if (mode == "pipe") return StreamMode::Pipe;
  if (mode == "devnull") return StreamMode::Devnull;
  if (mode == "stdout") return StreamMode::Stdout;
  raise("ValueError", fmt::format("run_script(): unknown stream mode '{}'", mode));
}

// subproc13: run_script(path, argv, stdout_mode, stderr_mode): the child script `path` as a new
// process with sys.argv `argv` (python3's: the script first), its handle. Counted against the
// run's process limits as spawn_process is. The arguments are str, as CPython's exec needs them.
Value p_run_script(ThreadState& ts, Value* args, int) {
  if (!args[0].is(ObjType::Str))
    raise("TypeError",
          fmt::format("expected str, bytes or os.PathLike object, not {}", type_name(args[0])));
  if (!args[1].is(ObjType::List)) raise("TypeError", "run_script() argv must be a list");
  std::vector<std::string> argv;
  for (const Value& a : args[1].as<ListObj>()->items) {
    if (!a.is(ObjType::Str))
      raise("TypeError",
            fmt::format("expected str, bytes or os.PathLike object, not {}", type_name(a)));
    argv.push_back(a.as<StrObj>()->text);
  }
  StreamMode out = stream_mode(ts, args[2]);
  StreamMode err = stream_mode(ts, args[3]);
  admit_spawn(ts, true);  // RuntimeError past the run's thread or process limits
  try {
    return host(ts).run_script(ts, args[0].as<StrObj>()->text, std::move(argv), out, err);
  } catch (const std::system_error&) {  // the OS refused a thread: as spawn_process says it
    cancel_spawn(ts, true);
    raise("RuntimeError", "can't start new process");
  } catch (...) {
    cancel_spawn(ts, true);
    throw;
  }
}

// subproc13: output(handle, text): what the finished child script wrote to its PIPE streams,
// (stdout, stderr), as str with text=True and bytes otherwise, as CPython's communicate().
Value p_output(ThreadState& ts, Value* args, int) {
  ScriptOutput o = host(ts).script_output(ts, process_arg(args[0], "output"));
  bool text = truthy(ts, args[1]);
  auto as_value = [text](std::string s) {
    return text ? make_str(std::move(s)) : make_bytes(std::move(s));
  };
  return make_tuple({as_value(std::move(o.out)), as_value(std::move(o.err))});
}

// exitcode(handle): None while it runs, 0 after a normal end, 1 after an uncaught exception.
Value p_exitcode(ThreadState& ts, Value* args, int) {
  int outcome = host(ts).thread_outcome(ts, process_arg(args[0], "exitcode"));
  return outcome < 0 ? Value::none() : Value::integer(outcome);
}

// pid(handle): gilsim's processes live in one OS process; each gets a number of its own above
// the OS's pid, so that no two processes of a run share one.
Value p_pid(ThreadState&, Value* args, int) {
  return Value::integer(::getpid() + args[0].as<ThreadObj>()->thread_id);
}

Value p_queue(ThreadState& ts, Value*, int) { return host(ts).make_queue(ts); }

const NativeDef d_start{"start", p_start, 3, 3, false};
const NativeDef d_join{"join", p_join, 1, 2, false};
const NativeDef d_exitcode{"exitcode", p_exitcode, 1, 1, false};
const NativeDef d_pid{"pid", p_pid, 1, 1, false};
const NativeDef d_queue{"Queue", p_queue, 0, 0, false};
const NativeDef d_run_script{"run_script", p_run_script, 4, 4, false};
const NativeDef d_output{"output", p_output, 2, 2, false};

}  // namespace

// subproc13: a host without processes (the VM alone) refuses a child script.
Value Host::run_script(ThreadState&, const std::string& path, std::vector<std::string>, StreamMode,
                       StreamMode) {
  raise("OSError", fmt::format("this host cannot start a child process ({})", path));
}

ScriptOutput Host::script_output(ThreadState&, const Value&) { return {}; }

const NativeModule& process_module() {
  static const NativeModule m{
      "_process", {&d_start, &d_join, &d_exitcode, &d_pid, &d_queue, &d_run_script, &d_output}, {}};
  return m;
}

}  // namespace gilsim
