// Annotations: gilsim.mark, span and counter, recorded the same way by both engines.
//
// An annotation is a note on the calling thread's track at its time: it changes no state and
// takes no GIL, so the invariants and the metrics never see it. Each becomes events
// (gil/core/event.h): Mark, SpanBegin/SpanEnd, Counter, whose `code` is the label's index in the
// run's label table (RunRecord::labels). Spans nest per thread: the events of one thread always
// open and close them in LIFO order, which is what the exporters rely on (docs/traces.md).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gil/core/event.h"
#include "gil/record/run_record.h"
#include "vm/host.h"

namespace gilsim {

// The run's labels, each once. Thread-safe: the threads engine's threads intern concurrently.
class Labels {
 public:
  std::int32_t intern(std::string_view label);
  std::vector<std::string> names() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::int32_t> index_;  // GUARDED_BY(mu_)
  std::vector<std::string> names_;                       // GUARDED_BY(mu_)
};

// One event an annotation records: its kind, its arg and its label.
struct AnnotationStep {
  EventKind kind;
  std::int64_t arg;
  std::string label;
};

// The events one annotate() call records on a thread whose open spans (labels, outermost first)
// are `open`; `open` follows. A span's exit closes the innermost open span of that label, and
// first those opened inside it (only a generator left suspended inside a `with span()` can
// leave any), so a thread's spans always nest; an exit with no such span open records nothing.
std::vector<AnnotationStep> annotation_steps(std::vector<std::string>& open, Annotation kind,
                                             std::string_view label, double value);

// The SpanEnd events that close every span still open when the thread ends, innermost first.
std::vector<AnnotationStep> close_open_spans(std::vector<std::string>& open);

// A Counter event's value.
double counter_value(const Event& e);

// A span as the outputs draw it: a slice of its thread's track.
struct SpanSlice {
  int thread;
  Nanos start, end;
  std::int32_t label;  // an index into RunRecord::labels
  std::int64_t depth;  // 0: outermost
};

// Each thread's spans (indexed by thread), by start, outer before inner, from the SpanBegin and
// SpanEnd events, which nest per thread. One still open where the events stop (--max-events)
// ends there.
std::vector<std::vector<SpanSlice>> span_slices(const RunRecord& run);

}  // namespace gilsim
