// A child script of subprocess (subproc13): `[sys.executable, "child.py", arg...]` run as a new
// process with its own interpreter and GIL (Host::run_script), what both engines share of it.
//
// The child is what `python3 child.py arg...` would be: its file opened relative to the working
// directory, compiled as a program of its own (its own modules, its own globals, `__main__`), its
// sys.argv ["child.py", arg...]. What python3 does when the script cannot run is done here too:
// a file it cannot open ends the child with status 2 and python3's message, a syntax error with
// status 1 and the error in CPython's form, both on the child's stderr. Its stdout and stderr go
// where subprocess asked (ProcessStreams): captured for communicate(), dropped, or inherited from
// its parent (a process started by the child inherits the child's streams, as after a fork).
//
// Thread-safety: ProcessStreams is not synchronised; the threads engine writes it under its
// output mutex. Its modes and parent never change after construction.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vm/code.h"
#include "vm/host.h"
#include "vm/memory_budget.h"
#include "vm/thread_state.h"

namespace gilsim {

// Where one write of a process ended up: taken by a child's capture (or dropped), to be written
// to the run's own output or errors by the engine, or refused: captured, it would pass the run's
// --max-memory (captured_past_budget then raises MemoryError in the writer).
enum class Sink { Taken, RunOut, RunErr, OverBudget };

// The streams of one child script's process (and of the processes it starts).
struct ProcessStreams {
  ProcessStreams(StreamMode out, StreamMode err, std::shared_ptr<ProcessStreams> parent)
      : out(out), err(err), parent(std::move(parent)) {}
  const StreamMode out, err;
  const std::shared_ptr<ProcessStreams> parent;  // Inherit: its streams; null: the run's
  ScriptOutput captured;                         // what went to a Pipe
};

// Writes `text` to stdout (or stderr, `to_err`) of the process whose streams are `s` (null: a
// process of the run's own, whose writes are the run's). What a Pipe captures is charged to
// `budget` (when given) for the rest of the run: the engine holds it until then.
Sink route_output(ProcessStreams* s, bool to_err, std::string_view text,
                  MemoryBudget* budget = nullptr);
[[noreturn]] void captured_past_budget(const MemoryBudget& budget);

// A child script ready to start: its interpreter and its process's streams, or, when python3
// would have stopped before running it, what it prints and its exit status.
struct ChildScript {
  std::shared_ptr<Interp> interp;
  std::shared_ptr<ProcessStreams> streams;
  std::string startup_error;  // non-empty: the child prints this on its stderr and ends
  int startup_status = 0;     // ... with this exit status
};

// Loads and compiles `path` for a child of the thread `parent` (a file read and a compile: the
// engines call it before taking their own locks). A child that fails at startup still gets an
// interpreter (of its parent's program, never run), so that it is started, joined and asked for
// its status like any other.
ChildScript load_child_script(ThreadState& parent, Host& host, const std::string& path,
                              std::vector<std::string> argv, StreamMode out, StreamMode err,
                              std::shared_ptr<ProcessStreams> parent_streams);

// The child's process as every output names it: "Process-N (child.py)", N counting the run's
// processes as spawn_process's "Process-N" does.
std::string child_process_name(int number, const std::string& path);

}  // namespace gilsim
