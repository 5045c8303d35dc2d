// Events: everything that happens to a script thread, recorded as it happens.
//
// One source of truth: the metrics, the summary table, --json, the traces, the CSV and the
// timeline are all computed from these events, so they can never disagree.
//
// Recording is cheap and lock-free: each script thread appends only to its own EventBuffer (a
// plain vector that no other thread touches while the run is going); the engine merges the
// buffers by time after the run.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace gilsim {

using Nanos = std::int64_t;  // nanoseconds since the run started

enum class EventKind : std::uint8_t {
  Spawn,          // the thread exists (arg: parent thread id, -1 for a process's first thread)
  Exit,           // finished (arg: bytecodes it executed; reason Error if it died of an error)
  Request,        // wants the GIL: state -> waiting (reason: why it asks)
  Acquire,        // got the GIL: state -> running (arg: ns it waited)
  Release,        // let go of the GIL: state by reason (io, native, blocked, waiting, done);
                  // arg: the bytecodes the thread had executed so far
  DropRequest,    // asked the holder to drop the GIL (arg: the holder's id)
  ForcedSwitch,   // dropped on request and waited until another thread took the GIL
  FailedAcquire,  // woke for a free GIL and found it taken again (arg: the holder's id)
  IoBegin,        // io()/sleep() starts (arg: requested µs)
  IoEnd,
  NativeBegin,  // native() starts, GIL released (arg: requested µs)
  NativeEnd,
  NativeHoldBegin,  // native_hold() starts, GIL kept (arg: requested µs); state stays running
  NativeHoldEnd,
  BlockBegin,  // waits on a Lock, a Queue or a join: state -> blocked (arg: object id)
  BlockEnd,
  LockAcquired,  // a script Lock was taken (arg: lock id)
  LockReleased,  // (arg: lock id)
  QueuePut,      // (arg: queue id)
  QueueGet,      // (arg: queue id)
  // Annotations (gilsim.mark, span, counter; gil/record/annotations.h): notes on the thread's track
  // that change no state. `code` is the label, an index into RunRecord::labels.
  Mark,       // an instant
  SpanBegin,  // a named slice opens (arg: its depth among the thread's open spans, 0 outermost)
  SpanEnd,    // the innermost open span closes (arg: its depth)
  Counter,    // a sample of the counter track named by the label (arg: the value, a double's bits)
};

// Why a thread requests or releases the GIL, or what it blocks on.
enum class Reason : std::uint8_t {
  None,
  Start,        // a new thread's first request
  Io,           // io() or sleep()
  Native,       // native()
  Lock,         // a script Lock
  Queue,        // Queue.get()
  Join,         // Thread.join()
  DropRequest,  // the policy asked the holder to drop (switch interval, quantum, I/O priority)
  Tick,         // the legacy check interval ran out
  Exit,         // the thread finished
  Error,        // the thread finished with an uncaught error
};

// 32 bytes: a million events cost 32 MB.
struct Event {
  Nanos time;
  std::int64_t arg;
  std::int32_t thread;
  EventKind kind;
  Reason reason;
  std::uint16_t gil;  // which GIL (interpreter/process) the thread belongs to
  // Where the code was, on the GIL's events (gil/record/code_places.h): the function (an index into
  // RunRecord::functions; -1: not known, e.g. before the thread's function started) and the line.
  // On an annotation: its label (an index into RunRecord::labels).
  std::int32_t code = -1;
  std::int32_t line = 0;
};
static_assert(sizeof(Event) <= 32, "events must stay compact");

std::string_view event_kind_name(EventKind k);
std::string_view reason_name(Reason r);

// Mark, SpanBegin, SpanEnd, Counter.
inline bool is_annotation(EventKind k) {
  return k == EventKind::Mark || k == EventKind::SpanBegin || k == EventKind::SpanEnd ||
         k == EventKind::Counter;
}

// Thread states: the lanes of every picture and the keys of every metric.
enum class ThreadStateKind : std::uint8_t { Running, Waiting, Io, Native, Blocked, Done };
std::string_view state_name(ThreadStateKind s);

// The state a thread is in after releasing the GIL for `reason`.
ThreadStateKind state_after_release(Reason reason);

}  // namespace gilsim
