// gilsim.mark / span / counter: recorded as events by both engines (at the thread's virtual time
// on the sim engine, with no effect on the GIL), written into the trace as i / X / C events that
// `gilsim check` accepts, and refused with CPython-like TypeErrors when misused.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gil/engines/sim_cost.h"
#include "gil/record/annotations.h"
#include "tests/engine_support.h"
#include "tools/export/report.h"
#include "tools/export/trace_check.h"
#include "tools/export/trace_export.h"

using namespace gilsim;
using namespace gilsim::test;
using nlohmann::json;

namespace {

// A worker with nested spans around I/O, marks and counters on two threads.
const char* kAnnotated = R"(
from gilsim import counter, io, mark, span

def worker(n):
    with span("job"):
        with span("read"):
            io(2)
        counter("done", n)

mark("start")
t = spawn(worker, 1)
with span("main work"):
    io(1)
    counter("done", 0.5)
t.join()
mark("end")
print("ok")
)";

struct Note {
  EventKind kind;
  int thread;
  std::string label;
  Nanos time;
  std::int64_t arg;
};

std::vector<Note> notes(const RunRecord& r) {
  std::vector<Note> out;
  for (const Event& e : r.events)
    if (is_annotation(e.kind)) {
      REQUIRE(e.code >= 0);
      REQUIRE(static_cast<size_t>(e.code) < r.labels.size());
      out.push_back({e.kind, e.thread, r.labels[static_cast<size_t>(e.code)], e.time, e.arg});
    }
  return out;
}

std::string describe(const std::vector<Note>& ns) {
  std::string s;
  for (const Note& n : ns) {
    s += std::to_string(n.thread) + " " + std::string(event_kind_name(n.kind)) + " " + n.label;
    if (n.kind == EventKind::SpanBegin || n.kind == EventKind::SpanEnd)
      s += " @" + std::to_string(n.arg);
    s += "\n";
  }
  return s;
}

// The time of the first event of `kind` on `thread` at or after `from`.
Nanos first_at(const RunRecord& r, int thread, EventKind kind, Nanos from = 0) {
  for (const Event& e : r.events)
    if (e.thread == thread && e.kind == kind && e.time >= from) return e.time;
  return -1;
}

json trace_json(const EngineRun& r) {
  std::ostringstream out;
  write_chrome_trace(r.record, r.metrics, out);
  return json::parse(out.str());
}

// `text` under modern on `engine`.
EngineRun run_modern(const char* engine, const char* text) {
  EngineOptions o;
  o.engine = engine;
  return run_on_engine("modern", text, o);
}

}  // namespace

TEST_CASE("annotations: both engines record marks, nested spans and counters in order") {
  for (const char* engine : {"threads", "sim"}) {
    CAPTURE(engine);
    EngineRun r = run_modern(engine, kAnnotated);
    REQUIRE(r.err == "");
    CHECK(r.out == "ok\n");
    CHECK(check_invariants(r.record).empty());
    std::vector<Note> ns = notes(r.record);
    std::vector<Note> main, worker;
    for (const Note& n : ns) (n.thread == 0 ? main : worker).push_back(n);
    CHECK(describe(main) ==
          "0 mark start\n0 span_begin main work @0\n0 counter done\n0 span_end main work @0\n"
          "0 mark end\n");
    CHECK(describe(worker) ==
          "1 span_begin job @0\n1 span_begin read @1\n1 span_end read @1\n1 counter done\n"
          "1 span_end job @0\n");
    for (const Note& n : ns)
      if (n.kind == EventKind::Counter)
        CHECK(counter_value(Event{0, n.arg, 0, EventKind::Counter, Reason::None, 0}) ==
              (n.thread == 0 ? 0.5 : 1.0));
    // The spans enclose the I/O they were opened around.
    Nanos read_begin = worker[1].time, read_end = worker[2].time;
    Nanos io_begin = first_at(r.record, 1, EventKind::IoBegin);
    Nanos io_end = first_at(r.record, 1, EventKind::IoEnd);
    CHECK(read_begin <= io_begin);
    CHECK(io_end <= read_end);
    CHECK(read_end - read_begin >= 2'000'000);
    // An annotation is no state: metrics and intervals ignore it.
    CHECK(r.metrics.threads.size() == 2);
    json s = results_json(r.record, r.metrics)["annotations"];
    CHECK(s == json{{"marks", 2}, {"spans", 3}, {"counter_samples", 2}});
  }
}

TEST_CASE("annotations: on the sim engine an event has the thread's exact virtual time") {
  // counter()'s event comes one CALL after now_ms() read the clock: exactly that CALL's cost.
  EngineRun r = run_on_sim("modern", R"(
from gilsim import counter, io, mark
io(3)
counter("clock", now_ms())
)");
  REQUIRE(r.err == "");
  std::vector<Note> ns = notes(r.record);
  REQUIRE(ns.size() == 1);
  double clock_ms = std::bit_cast<double>(ns[0].arg);
  auto clock_ps = static_cast<std::int64_t>(std::llround(clock_ms * 1e9));
  std::int64_t call_ps = cost_table(1.0)[static_cast<int>(Op::CALL)];
  CHECK(ns[0].time == (clock_ps + call_ps) / 1000);
  // After the I/O: the thread took the GIL back before it ran the call.
  CHECK(ns[0].time > first_at(r.record, 0, EventKind::IoEnd));
  CHECK(ns[0].time >= first_at(r.record, 0, EventKind::Acquire, 3'000'000));
}

TEST_CASE("annotations: a mark costs no more virtual time than any call; the GIL never sees it") {
  // The same bytecode with import_extension() (a no-op under modern) in place of mark(): every
  // GIL event at the same time.
  const char* with_marks = R"(
from gilsim import io, mark
def w():
    for i in range(20):
        mark("tick")
        io(0.1)
ts = [spawn(w), spawn(w)]
for t in ts:
    t.join()
)";
  std::string plain = with_marks;
  plain.replace(plain.find("io, mark"), 8, "io, import_extension as mark");
  EngineRun a = run_on_sim("modern", with_marks, 2);
  EngineRun b = run_on_sim("modern", plain, 2);
  REQUIRE(a.err == "");
  REQUIRE(b.err == "");
  std::vector<Event> ga, gb;
  for (const Event& e : a.record.events)
    if (!is_annotation(e.kind)) ga.push_back(e);
  gb = b.record.events;
  REQUIRE(ga.size() == gb.size());
  for (size_t i = 0; i < ga.size(); ++i) {
    CAPTURE(i);
    CHECK(ga[i].time == gb[i].time);
    CHECK(ga[i].kind == gb[i].kind);
    CHECK(ga[i].thread == gb[i].thread);
  }
  CHECK(a.record.wall == b.record.wall);
  CHECK(notes(a.record).size() == 40);
}

TEST_CASE("annotations: a span closes on an exception and at its thread's end") {
  for (const char* engine : {"threads", "sim"}) {
    CAPTURE(engine);
    EngineRun r = run_modern(engine, R"(
from gilsim import span
def leaves_open():
    s = span("left open")
    s.__enter__()
    with span("inner"):
        pass
try:
    with span("fails"):
        raise ValueError("x")
except ValueError:
    print("caught")
t = spawn(leaves_open)
t.join()
s = span("twice")
with s:
    pass
s.__exit__(None, None, None)
print(s.name)
)");
    REQUIRE(r.err == "");
    CHECK(r.out == "caught\ntwice\n");
    std::vector<Note> ns = notes(r.record);
    CHECK(describe(ns) ==
          "0 span_begin fails @0\n0 span_end fails @0\n1 span_begin left open @0\n"
          "1 span_begin inner @1\n1 span_end inner @1\n1 span_end left open @0\n"
          "0 span_begin twice @0\n0 span_end twice @0\n");
    // The span left open ends with its thread: at its Exit event.
    CHECK(ns[5].time == first_at(r.record, 1, EventKind::Exit));
  }
}

TEST_CASE("annotations: bad arguments are TypeErrors with CPython-like messages") {
  struct Case {
    const char* call;
    const char* error;
  };
  for (Case c :
       {Case{"mark(3)", "TypeError: mark() argument must be str, not int"},
        Case{"span(None)", "TypeError: span() argument must be str, not NoneType"},
        Case{"counter(1, 2)", "TypeError: counter() argument 1 must be str, not int"},
        Case{"counter('q', '3')", "TypeError: counter() value must be a number, not 'str'"},
        Case{"counter('q', True)", "TypeError: counter() value must be a number, not 'bool'"},
        Case{"counter('q', float('nan'))", "ValueError: counter() value must be finite"},
        Case{"mark()", "TypeError: mark() takes exactly one argument (0 given)"}}) {
    CAPTURE(c.call);
    EngineRun r = run_on_sim(
        "modern", std::string("from gilsim import mark, span, counter\n") + c.call + "\n");
    CHECK(r.record.exit_code == 1);
    CHECK(r.err.find(c.error) != std::string::npos);
  }
}

TEST_CASE("annotations: the trace has i, X and C events, and gilsim check passes it") {
  for (const char* engine : {"threads", "sim"}) {
    CAPTURE(engine);
    EngineRun r = run_modern(engine, kAnnotated);
    REQUIRE(r.err == "");
    json doc = trace_json(r);
    CHECK(joined(check_trace(doc)) == "");
    json span_tracks = doc["metadata"]["span_tracks"];
    REQUIRE(span_tracks.size() == 2);  // both threads have spans
    std::vector<std::string> marks, spans, counters, track_names;
    for (const json& e : doc["traceEvents"]) {
      if (e["ph"] == "i" && e.value("cat", "") == "mark") {
        CHECK(e["s"] == "t");
        CHECK(e["tid"] == 1);
        marks.push_back(e["name"]);
      } else if (e["ph"] == "X" && e.value("cat", "") == "span") {
        CHECK(span_tracks.contains(std::to_string(e["tid"].get<int>())));
        spans.push_back(e["name"].get<std::string>() + "/" +
                        std::to_string(e["args"]["depth"].get<int>()));
      } else if (e["ph"] == "C" && e["name"] == "done") {
        counters.push_back(e["args"]["value"].dump());
      } else if (e["ph"] == "M" && e["name"] == "thread_name" &&
                 span_tracks.contains(std::to_string(e["tid"].get<int>()))) {
        track_names.push_back(e["args"]["name"]);
      }
    }
    CHECK(marks == std::vector<std::string>{"start", "end"});
    CHECK(spans == std::vector<std::string>{"main work/0", "job/0", "read/1"});
    std::sort(counters.begin(), counters.end());
    CHECK(counters == std::vector<std::string>{"0.5", "1"});
    CHECK(track_names == std::vector<std::string>{"MainThread spans", "Thread-1 (worker) spans"});
  }
}

TEST_CASE("annotations: gilsim check finds spans that do not nest on a span track") {
  EngineRun r = run_on_sim("modern", kAnnotated);
  json doc = trace_json(r);
  for (json& e : doc["traceEvents"])
    if (e["ph"] == "X" && e.value("cat", "") == "span" && e["name"] == "read")
      e["dur"] = 1e9;  // now ends long after "job", which holds it
  CHECK(joined(check_trace(doc)).find("spans that do not nest") != std::string::npos);
}

TEST_CASE("annotations: past --max-events nothing more is recorded, labels included") {
  EngineOptions o;
  o.max_events = 40;
  EngineRun r = run_on_sim("modern", R"(
from gilsim import mark
for i in range(1000):
    mark(str(i))
)",
                           4, o);
  REQUIRE(r.err == "");
  CHECK(r.record.events.size() == 40);
  CHECK(r.record.labels.size() < 40);
  CHECK(r.record.events_dropped > 900);
  json doc = trace_json(r);
  CHECK(joined(check_trace(doc)) == "");
}
