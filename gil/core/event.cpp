#include "gil/core/event.h"

namespace gilsim {

std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::Spawn:
      return "spawn";
    case EventKind::Exit:
      return "exit";
    case EventKind::Request:
      return "request";
    case EventKind::Acquire:
      return "acquire";
    case EventKind::Release:
      return "release";
    case EventKind::DropRequest:
      return "drop_request";
    case EventKind::ForcedSwitch:
      return "forced_switch";
    case EventKind::FailedAcquire:
      return "failed_acquire";
    case EventKind::IoBegin:
      return "io_begin";
    case EventKind::IoEnd:
      return "io_end";
    case EventKind::NativeBegin:
      return "native_begin";
    case EventKind::NativeEnd:
      return "native_end";
    case EventKind::NativeHoldBegin:
      return "native_hold_begin";
    case EventKind::NativeHoldEnd:
      return "native_hold_end";
    case EventKind::BlockBegin:
      return "block";
    case EventKind::BlockEnd:
      return "unblock";
    case EventKind::LockAcquired:
      return "lock_acquired";
    case EventKind::LockReleased:
      return "lock_released";
    case EventKind::QueuePut:
      return "queue_put";
    case EventKind::QueueGet:
      return "queue_get";
    case EventKind::Mark:
      return "mark";
    case EventKind::SpanBegin:
      return "span_begin";
    case EventKind::SpanEnd:
      return "span_end";
    case EventKind::Counter:
      return "counter";
  }
  return "?";
}

std::string_view reason_name(Reason r) {
  switch (r) {
    case Reason::None:
      return "";
    case Reason::Start:
      return "start";
    case Reason::Io:
      return "io";
    case Reason::Native:
      return "native";
    case Reason::Lock:
      return "lock";
    case Reason::Queue:
      return "queue";
    case Reason::Join:
      return "join";
    case Reason::DropRequest:
      return "drop_request";
    case Reason::Tick:
      return "tick";
    case Reason::Exit:
      return "exit";
    case Reason::Error:
      return "error";
  }
  return "?";
}

std::string_view state_name(ThreadStateKind s) {
  switch (s) {
    case ThreadStateKind::Running:
      return "running";
    case ThreadStateKind::Waiting:
      return "waiting";
    case ThreadStateKind::Io:
      return "io";
    case ThreadStateKind::Native:
      return "native";
    case ThreadStateKind::Blocked:
      return "blocked";
    case ThreadStateKind::Done:
      return "done";
  }
  return "?";
}

ThreadStateKind state_after_release(Reason reason) {
  switch (reason) {
    case Reason::Io:
      return ThreadStateKind::Io;
    case Reason::Native:
      return ThreadStateKind::Native;
    case Reason::Lock:
    case Reason::Queue:
    case Reason::Join:
      return ThreadStateKind::Blocked;
    case Reason::Exit:
    case Reason::Error:
      return ThreadStateKind::Done;
    default:
      return ThreadStateKind::Waiting;
  }
}

}  // namespace gilsim
