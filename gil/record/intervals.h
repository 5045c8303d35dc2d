// State intervals: the lanes of every picture, derived from the events.
//
// Each thread's life cut into consecutive intervals, one per state it was in (running, waiting,
// io, native, blocked), with why it entered that state. The trace, the CSV and the timeline all
// draw these, and the metrics add up the same boundaries, so every view agrees.
#pragma once

#include <cstdint>
#include <vector>

#include "gil/record/run_record.h"

namespace gilsim {

struct StateInterval {
  int thread;
  ThreadStateKind state;
  Nanos start;
  Nanos end;
  Reason reason;               // why the state began: the release reason, the request reason
  std::uint64_t bytecodes;     // running: bytecodes executed in it; else 0
  int handoff_from = -1;       // running: the thread that held this GIL just before, if another
  Nanos handoff_release = -1;  // ... and when it released it
  // Where the code was when the interval began (Event::code, Event::line): for a running
  // interval where the thread took the GIL, else where it let go or asked for it. -1: unknown.
  std::int32_t code = -1;
  std::int32_t line = 0;
};

// All intervals, thread by thread in order of time. Zero-length intervals are kept out.
std::vector<StateInterval> state_intervals(const RunRecord& run);

// When the GIL of each process changed hands: which thread held it from when (-1: nobody).
struct HolderSpan {
  int gil;
  int thread;  // -1 while free
  Nanos start;
  Nanos end;
};
std::vector<HolderSpan> holder_spans(const RunRecord& run);

}  // namespace gilsim
