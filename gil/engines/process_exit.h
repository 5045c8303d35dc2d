// The end of an interpreter's main thread, as CPython's Py_FinalizeEx begins it:
// wait_for_thread_shutdown calls threading._shutdown(), which runs the hooks registered with
// threading._register_atexit (how a ThreadPoolExecutor's idle workers are told to stop) and joins
// the non-daemon threads. The engine then stops the daemon threads that are left.
#pragma once

#include "vm/thread_state.h"
#include "vm/value.h"

namespace gilsim {

// threading._shutdown of the thread's interpreter, to be called on the run's main thread once its
// module has returned; None when the program never imported threading. (A spawn_process child's
// copy of threading describes its parent's threads, as after a fork: the engines leave it be.)
Value threading_shutdown(ThreadState& ts);

}  // namespace gilsim
