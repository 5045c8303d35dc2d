// Chrome / Perfetto trace JSON and the CSV of state intervals, written straight from the events.
//
// What the trace holds (docs: DESIGN.md "Events and traces"):
//
//   pid      one per GIL (interpreter / process); the pid is the tid of the process's first
//            thread, as with OS processes, so no pid ever equals the tid of another process's
//            thread (Perfetto's importer keys threads by tid alone, like OS tids, so tids are
//            unique across processes).
//   tid      one per script thread: its index in the run + 1 (0 is avoided: Perfetto's tokenizer
//            replaces a tid of 0 by the pid).
//   M        (at ts 0) process_name / process_sort_index per process, thread_name (the
//            thread's label) / thread_sort_index (spawn order) per thread.
//   X        one slice per state interval (gil/record/intervals.h), named by the state, args:
//   reason
//            (why the state began; absent on running slices), bytecodes (running), handoff_from
//            (running, when another thread held the GIL just before), code ("count:9": the
//            function and line the thread was at when the slice began: where it took the GIL, let
//            go of it or asked for it; gil/record/code_places.h). No "cat": it would repeat
//            "state" on every slice (a tenth of a big trace) and Perfetto needs none.
//   GIL      per process, while there is a GIL (not under `none`): a track of its own, a pseudo
//            thread named "GIL" (tid: after every script thread's) sorted above the process's
//            threads, with one X slice per tenure named after the holder (args: tid, the
//            holder's; acquisitions and free_us when the tenure joins several acquisitions). A
//            tenure is the time from a thread's acquire until it lets go for anything but a
//            check-interval tick or a drop request it answered by taking the GIL straight back:
//            legacy's release-and-retake every 100 ticks is not a change of hands (the running
//            slices on the thread's own track still show each one). Perfetto colours slices by
//            name, so each holder keeps one colour, as the HTML timeline's GIL lane draws it.
//   i        thread-scoped instants (cat "gil"): drop_request on the requester's track (args:
//            holder), forced_switch, failed_acquire (args: holder), uncaught_error (args:
//            exception, the last line of the traceback, and traceback, as printed), and stopped
//            (the run was stopped by --timeout, Ctrl-C or a deadlock while the thread lived;
//            `gilsim check` accepts a waiting slice that ends there).
//   C        per process, while there is a GIL: "threads waiting for the GIL" (series "count",
//            from Request/Acquire events).
//   annotations (gilsim.mark / span / counter, gil/record/annotations.h):
//            mark     an 'i' instant (s:"t", cat "mark") on the thread's track, named by its label.
//            span     an X slice named by its label (args: depth) on the thread's span track: a
//                     pseudo thread "<label> spans" of the same process (tid: after the GIL
//                     tracks'; the same sort index as its thread, so it sits beside it), made
//                     only for a thread with spans. Not on the thread's own track: its state
//                     slices tile it, and Perfetto drops X slices that do not nest. A span still
//                     open where the events stop (--max-events) ends there.
//            counter  'C' on the thread's process, named by its label, series "value".
//            metadata "span_tracks": {span track tid: its thread's tid}.
//   flows    v2 flow fields on the X slices: from the running slice that ended at a release to the
//            next running slice of the thread that took that GIL next, when it is another thread.
//
// The document: {"displayTimeUnit":"ms", "metadata":{...}, "traceEvents":[...]}, metadata first
// so that the head of a big file says where it came from: the --json results (script, policy,
// params, engine, wall_s, stop, exit_code, gil metrics, ...) plus "generator":"gilsim" (what
// `gilsim check` looks for), "end_us" (the run's end, or where --max-events stopped recording)
// "tids" (tid -> thread label) and "gil_tracks" (the GIL tracks' tids). One event per line; each
// track's events in time order.
//
// Timestamps are microseconds from the run's start, written from the integer nanoseconds with
// up to three decimals (trailing zeros left out), so every consumer gets the nanoseconds back
// (Perfetto rounds ts * 1000).
//
// Perfetto rules relied on, read in google/perfetto src/trace_processor/importers/json/:
//  - json_trace_tokenizer.cc: the outer object's keys may come in any order; unknown keys
//    ("metadata") are skipped; "displayTimeUnit" is read and otherwise ignored; every event but
//    'M' needs a "ts" (else it is dropped); ts/dur as doubles are llround(x * 1000) ns; a tid of 0
//    becomes the pid; "bind_id" may be an integer or a string; "flow_in"/"flow_out" must be
//    JSON booleans.
//  - json_trace_parser(_impl).cc MaybeAddFlow: on B/X events, bind_id + flow_out begins a flow,
//    flow_in ends it (always bound to the enclosing slice, i.e. the X slice itself), and both on
//    one event is a step. An event carries one bind_id, so a running slice that both receives
//    the GIL from one thread and hands it to another must use a single id for both arrows.
//  - common/flow_tracker.cc: Begin with an id already begun is dropped (flow_duplicate_id); End
//    does not close the flow nor move its source, Step moves the source to the new slice. Hence
//    the ids here: a hand-off chain (A -> B -> C ... on one GIL, each link a switch) shares one id:
//    its first slice has flow_out, the middle ones flow_in + flow_out, the last flow_in; a new
//    chain starts with a fresh id. Chrome's own JSON exporter writes in+out with one bind_id the
//    same way, and test/trace_processor/.../parsing/flow_events_json_v2.json uses this shape.
//  - 'C' events: one counter track per process per args key, named "<name> <key>"; 'i' with s:"t"
//    is a zero-length slice on the thread's track (so it must carry pid and tid); 'M'
//    process_sort_index / thread_sort_index are read from args.sort_index as sort hints, names
//    from args.name; every event, 'M' included, ties its tid to its pid (UpdateThread).
#include "tools/export/trace_export.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gil/record/annotations.h"
#include "gil/record/intervals.h"
#include "tools/export/report.h"

namespace gilsim {

namespace {

// A JSON string literal (quotes included); invalid UTF-8 becomes U+FFFD so the output stays valid.
std::string json_string(std::string_view s) {
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Nanoseconds as microseconds with exactly three decimals: 1234567 -> "1234.567".
void append_us(std::string& buf, Nanos ns) {
  std::uint64_t mag = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  if (ns < 0) buf.push_back('-');
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, mag / 1000);
  buf.append(tmp, r.ptr);
  auto frac = static_cast<unsigned>(mag % 1000);
  char f[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
               static_cast<char>('0' + frac % 10)};
  buf.append(f, 4);
}

// The same, without trailing zeros: "5000.5", "7000" (the trace's shorter form, same value).
void append_us_short(std::string& buf, Nanos ns) {
  append_us(buf, ns);
  size_t end = buf.size();
  while (buf[end - 1] == '0') --end;
  if (buf[end - 1] == '.') --end;
  buf.resize(end);
}

// Buffered writing to the stream: the trace is produced event by event, never held whole.
class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) { buf_.reserve(kChunk + 4096); }
  ~Writer() { flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& raw(std::string_view s) {
    buf_.append(s);
    return *this;
  }
  Writer& num(std::int64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, r.ptr);
    return *this;
  }
  Writer& us(Nanos ns) {
    append_us_short(buf_, ns);
    return *this;
  }
  // Between events: a comma after the first one, a newline each (greppable, diffable).
  void next_event() {
    buf_.append(first_ ? "\n" : ",\n");
    first_ = false;
    if (buf_.size() >= kChunk) flush();
  }
  void flush() {
    if (!buf_.empty()) out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  std::ostream& out_;
  std::string buf_;
  bool first_ = true;
};

enum class InstantKind : std::uint8_t {
  DropRequest,
  ForcedSwitch,
  FailedAcquire,
  Error,
  Stopped,
  Mark
};

struct Instant {
  Nanos time;
  InstantKind kind;
  int other;  // the holder's thread for drop_request / failed_acquire, a mark's label, else -1
};

// A counter's value as JSON: an integer when it is one (queue depths, counts), else a double.
std::string counter_number(double v) {
  if (std::nearbyint(v) == v && std::fabs(v) < 9e15) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, static_cast<std::int64_t>(v));
    return std::string(tmp, r.ptr);
  }
  return nlohmann::json(v).dump();
}

constexpr std::uint8_t kFlowIn = 1, kFlowOut = 2;

// A slice of a GIL track: one thread's tenure (see the top of the file).
struct Tenure {
  int thread;
  Nanos start, end;
  std::int64_t acquisitions;
  Nanos free;  // inside the tenure, while the GIL was released and not yet taken back
};

// Each GIL's tenures, in time order.
std::vector<std::vector<Tenure>> gil_tenures(const RunRecord& run) {
  std::vector<std::vector<Tenure>> out(run.gils.size());
  struct Held {
    int thread = -1;
    Nanos since = 0;
    Reason last_release = Reason::None;  // how the last tenure's last span ended
    bool open = false;                   // a tenure that may still grow
  };
  std::vector<Held> held(run.gils.size());
  auto close_span = [&](size_t g, Nanos at, Reason why) {
    Held& h = held[g];
    if (h.thread < 0) return;
    if (at > h.since) {  // a zero-length span shows nowhere, so joins nothing
      std::vector<Tenure>& list = out[g];
      bool retaken = h.open && !list.empty() && list.back().thread == h.thread &&
                     (h.last_release == Reason::Tick || h.last_release == Reason::DropRequest);
      if (retaken) {
        list.back().free += h.since - list.back().end;
        list.back().end = at;
        ++list.back().acquisitions;
      } else {
        list.push_back(Tenure{h.thread, h.since, at, 1, 0});
      }
      h.open = true;
      h.last_release = why;
    }
    h.thread = -1;
  };
  for (const Event& e : run.events) {
    if (e.gil >= held.size()) continue;
    if (e.kind == EventKind::Acquire) {
      close_span(e.gil, e.time, Reason::None);
      held[e.gil].thread = e.thread;
      held[e.gil].since = e.time;
    } else if (e.kind == EventKind::Release && held[e.gil].thread == e.thread) {
      close_span(e.gil, e.time, e.reason);
    }
  }
  for (size_t g = 0; g < held.size(); ++g) close_span(g, run.observed_end(), Reason::None);
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

void write_chrome_trace(const RunRecord& run, const Metrics& metrics, std::ostream& out) {
  const std::vector<StateInterval> ivs = state_intervals(run);
  const size_t n_threads = run.threads.size();
  const size_t n_gils = run.gils.size();
  const Nanos end = run.observed_end();

  // Ids and names.
  std::vector<std::int64_t> tid(n_threads), pid(n_gils, -1);
  std::vector<std::string> name(n_threads);
  for (size_t t = 0; t < n_threads; ++t) {
    tid[t] = static_cast<std::int64_t>(t) + 1;
    name[t] = json_string(run.threads[t].label);
    auto g = static_cast<size_t>(run.threads[t].gil);
    if (g < n_gils && pid[g] < 0) pid[g] = tid[t];
  }
  for (size_t g = 0; g < n_gils; ++g)
    if (pid[g] < 0) pid[g] = 1'000'000 + static_cast<std::int64_t>(g);  // a process with no thread
  auto pid_of = [&](size_t t) {
    auto g = static_cast<size_t>(run.threads[t].gil);
    return g < n_gils ? pid[g] : 0;
  };

  // Where the code was: the functions' names, escaped for a JSON string (without the quotes).
  std::vector<std::string> function;
  for (const std::string& f : run.functions) {
    std::string quoted = json_string(f);
    function.push_back(quoted.substr(1, quoted.size() - 2));
  }

  // Spawn order (the sort index of each thread's track), and the instants per thread.
  std::vector<std::int64_t> spawn_index(n_threads, -1);
  std::int64_t spawned = 0;
  std::vector<std::vector<Instant>> instants(n_threads);
  std::vector<bool> finished(n_threads, false);  // released the GIL for good (exit or error)
  for (const Event& e : run.events) {
    auto t = static_cast<size_t>(e.thread);
    if (t >= n_threads) continue;
    auto other = static_cast<int>(e.arg);
    if (other < 0 || static_cast<size_t>(other) >= n_threads) other = -1;
    switch (e.kind) {
      case EventKind::Spawn:
        if (spawn_index[t] < 0) spawn_index[t] = spawned++;
        break;
      case EventKind::DropRequest:
        instants[t].push_back({e.time, InstantKind::DropRequest, other});
        break;
      case EventKind::ForcedSwitch:
        instants[t].push_back({e.time, InstantKind::ForcedSwitch, -1});
        break;
      case EventKind::FailedAcquire:
        instants[t].push_back({e.time, InstantKind::FailedAcquire, other});
        break;
      case EventKind::Release:
        if (e.reason == Reason::Error) instants[t].push_back({e.time, InstantKind::Error, -1});
        if (state_after_release(e.reason) == ThreadStateKind::Done) finished[t] = true;
        break;
      case EventKind::Exit:
        if (!finished[t] && run.stop != StopCause::None)
          instants[t].push_back({e.time, InstantKind::Stopped, -1});
        break;
      case EventKind::Mark:
        if (e.code >= 0 && static_cast<size_t>(e.code) < run.labels.size())
          instants[t].push_back({e.time, InstantKind::Mark, e.code});
        break;
      default:
        break;
    }
  }
  for (size_t t = 0; t < n_threads; ++t)
    if (spawn_index[t] < 0) spawn_index[t] = spawned++;

  // Each thread's intervals: [first[t], first[t + 1]).
  std::vector<size_t> first(n_threads + 1, ivs.size());
  for (size_t i = ivs.size(); i-- > 0;) first[static_cast<size_t>(ivs[i].thread)] = i;
  for (size_t t = n_threads; t-- > 0;) first[t] = std::min(first[t], first[t + 1]);

  // Flows: the releasing slice is the holder's running interval that ended at the release.
  std::vector<std::uint32_t> bind(ivs.size(), 0);
  std::vector<std::uint8_t> flow(ivs.size(), 0);
  {
    std::vector<std::pair<size_t, size_t>> handoffs;  // (acquiring slice, releasing slice)
    for (size_t i = 0; i < ivs.size(); ++i) {
      const StateInterval& iv = ivs[i];
      if (iv.state != ThreadStateKind::Running || iv.handoff_from < 0) continue;
      auto from = static_cast<size_t>(iv.handoff_from);
      if (from >= n_threads) continue;
      auto lo = ivs.begin() + static_cast<std::ptrdiff_t>(first[from]);
      auto hi = ivs.begin() + static_cast<std::ptrdiff_t>(first[from + 1]);
      auto it = std::lower_bound(lo, hi, iv.handoff_release,
                                 [](const StateInterval& a, Nanos at) { return a.end < at; });
      if (it == hi || it->end != iv.handoff_release || it->state != ThreadStateKind::Running)
        continue;  // a zero-length running interval: nothing to draw from
      handoffs.emplace_back(i, static_cast<size_t>(it - ivs.begin()));
    }
    std::sort(handoffs.begin(), handoffs.end(), [&](const auto& a, const auto& b) {
      return ivs[a.first].start < ivs[b.first].start;
    });
    std::uint32_t next_id = 1;  // not 0: chrome://tracing tests bind_id for truth
    for (auto [dst, src] : handoffs) {
      if (flow[src] & kFlowOut) continue;  // one release, one hand-off
      std::uint32_t id = (flow[src] & kFlowIn) ? bind[src] : next_id++;
      bind[src] = id;
      flow[src] |= kFlowOut;
      bind[dst] = id;
      flow[dst] |= kFlowIn;
    }
  }

  Writer w(out);
  nlohmann::json meta = results_json(run, metrics);
  meta["generator"] = "gilsim";
  meta["trace_format"] = 2;
  meta["end_us"] = static_cast<double>(end) / 1000.0;  // the run's end (or where recording stopped)
  nlohmann::json tids = nlohmann::json::object();
  for (size_t t = 0; t < n_threads; ++t) tids[std::to_string(tid[t])] = run.threads[t].label;
  meta["tids"] = tids;
  // The GIL tracks: pseudo threads after the script threads, one per process with a GIL.
  std::vector<std::int64_t> gil_tid(n_gils, 0);
  nlohmann::json gil_tracks = nlohmann::json::array();
  if (run.exclusive) {
    for (size_t g = 0; g < n_gils; ++g) {
      gil_tid[g] = static_cast<std::int64_t>(n_threads + 1 + g);
      gil_tracks.push_back(gil_tid[g]);
    }
  }
  meta["gil_tracks"] = gil_tracks;
  // The span tracks: pseudo threads after the GIL tracks, one per thread with spans.
  const std::vector<std::vector<SpanSlice>> spans = span_slices(run);
  std::vector<std::int64_t> span_tid(n_threads, 0);
  nlohmann::json span_tracks = nlohmann::json::object();
  std::int64_t next_tid = static_cast<std::int64_t>(n_threads + n_gils + 1);
  for (size_t t = 0; t < n_threads; ++t) {
    if (spans[t].empty()) continue;
    span_tid[t] = next_tid++;
    span_tracks[std::to_string(span_tid[t])] = tid[t];
  }
  meta["span_tracks"] = span_tracks;
  w.raw("{\"displayTimeUnit\":\"ms\",\n\"metadata\":")
      .raw(meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .raw(",\n\"traceEvents\":[");

  // Metadata events.
  for (size_t g = 0; g < n_gils; ++g) {
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"process_name\",\"pid\":")
        .num(pid[g])
        .raw(",\"tid\":")
        .num(pid[g]);
    w.raw(",\"args\":{\"name\":").raw(json_string(run.gils[g].process)).raw("}}");
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"process_sort_index\",\"pid\":")
        .num(pid[g])
        .raw(",\"tid\":");
    w.num(pid[g]).raw(",\"args\":{\"sort_index\":").num(static_cast<std::int64_t>(g)).raw("}}");
  }
  for (size_t t = 0; t < n_threads; ++t) {
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"thread_name\",\"pid\":")
        .num(pid_of(t))
        .raw(",\"tid\":");
    w.num(tid[t]).raw(",\"args\":{\"name\":").raw(name[t]).raw("}}");
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"thread_sort_index\",\"pid\":")
        .num(pid_of(t))
        .raw(",\"tid\":");
    w.num(tid[t]).raw(",\"args\":{\"sort_index\":").num(spawn_index[t]).raw("}}");
    if (!span_tid[t]) continue;
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"thread_name\",\"pid\":").num(pid_of(t));
    w.raw(",\"tid\":").num(span_tid[t]).raw(",\"args\":{\"name\":");
    w.raw(json_string(run.threads[t].label + " spans")).raw("}}");
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"thread_sort_index\",\"pid\":").num(pid_of(t));
    w.raw(",\"tid\":").num(span_tid[t]).raw(",\"args\":{\"sort_index\":");
    w.num(spawn_index[t]).raw("}}");
  }

  for (size_t g = 0; g < n_gils && run.exclusive; ++g) {
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"thread_name\",\"pid\":").num(pid[g]);
    w.raw(",\"tid\":").num(gil_tid[g]).raw(",\"args\":{\"name\":\"GIL\"}}");
    w.next_event();
    w.raw("{\"ph\":\"M\",\"ts\":0,\"name\":\"thread_sort_index\",\"pid\":").num(pid[g]);
    w.raw(",\"tid\":").num(gil_tid[g]).raw(",\"args\":{\"sort_index\":-1}}");
  }

  // The GIL tracks: who held each GIL, a slice per tenure named after the holder.
  if (run.exclusive) {
    const std::vector<std::vector<Tenure>> tenures = gil_tenures(run);
    for (size_t g = 0; g < n_gils; ++g) {
      for (const Tenure& te : tenures[g]) {
        if (te.thread < 0 || static_cast<size_t>(te.thread) >= n_threads) continue;
        w.next_event();
        w.raw("{\"ph\":\"X\",\"name\":").raw(name[static_cast<size_t>(te.thread)]);
        w.raw(",\"pid\":").num(pid[g]).raw(",\"tid\":").num(gil_tid[g]);
        w.raw(",\"ts\":").us(te.start).raw(",\"dur\":").us(te.end - te.start);
        w.raw(",\"args\":{\"tid\":").num(tid[static_cast<size_t>(te.thread)]);
        if (te.acquisitions > 1)
          w.raw(",\"acquisitions\":").num(te.acquisitions).raw(",\"free_us\":").us(te.free);
        w.raw("}}");
      }
    }
  }

  // Each thread's track: its slices and instants by time (a slice before an instant at its start).
  for (size_t t = 0; t < n_threads; ++t) {
    const std::vector<Instant>& ins = instants[t];
    size_t k = 0;
    auto write_instant = [&](const Instant& in) {
      static constexpr const char* kNames[] = {"drop_request", "forced_switch", "failed_acquire",
                                               "uncaught_error", "stopped"};
      w.next_event();
      if (in.kind == InstantKind::Mark) {
        w.raw("{\"ph\":\"i\",\"s\":\"t\",\"name\":");
        w.raw(json_string(run.labels[static_cast<size_t>(in.other)]));
        w.raw(",\"cat\":\"mark\",\"pid\":").num(pid_of(t)).raw(",\"tid\":").num(tid[t]);
        w.raw(",\"ts\":").us(in.time).raw("}");
        return;
      }
      w.raw("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"").raw(kNames[static_cast<int>(in.kind)]);
      w.raw("\",\"cat\":\"gil\",\"pid\":").num(pid_of(t)).raw(",\"tid\":").num(tid[t]);
      w.raw(",\"ts\":").us(in.time).raw(",\"args\":{");
      if (in.other >= 0) w.raw("\"holder\":").raw(name[static_cast<size_t>(in.other)]);
      if (in.kind == InstantKind::Stopped) w.raw("\"stop\":\"").raw(stop_name(run.stop)).raw("\"");
      if (in.kind == InstantKind::Error) {
        const std::string& tb = run.threads[t].traceback;
        w.raw("\"exception\":").raw(json_string(exception_line(tb)));
        w.raw(",\"traceback\":").raw(json_string(tb));
      }
      w.raw("}}");
    };
    for (size_t i = first[t]; i < first[t + 1]; ++i) {
      const StateInterval& iv = ivs[i];
      while (k < ins.size() && ins[k].time < iv.start) write_instant(ins[k++]);
      w.next_event();
      w.raw("{\"ph\":\"X\",\"name\":\"").raw(state_name(iv.state));
      w.raw("\",\"pid\":").num(pid_of(t)).raw(",\"tid\":").num(tid[t]);
      w.raw(",\"ts\":").us(iv.start).raw(",\"dur\":").us(iv.end - iv.start);
      // Args only where there are some: an empty "args":{} costs 10 bytes a slice.
      const char* sep = ",\"args\":{";
      if (iv.reason != Reason::None) {
        w.raw(sep).raw("\"reason\":\"").raw(reason_name(iv.reason)).raw("\"");
        sep = ",";
      }
      if (iv.state == ThreadStateKind::Running) {
        w.raw(sep).raw("\"bytecodes\":").num(static_cast<std::int64_t>(iv.bytecodes));
        sep = ",";
        if (iv.handoff_from >= 0 && static_cast<size_t>(iv.handoff_from) < n_threads)
          w.raw(",\"handoff_from\":").raw(name[static_cast<size_t>(iv.handoff_from)]);
      }
      if (iv.code >= 0 && static_cast<size_t>(iv.code) < function.size()) {
        w.raw(sep).raw("\"code\":\"").raw(function[static_cast<size_t>(iv.code)]).raw(":");
        w.num(iv.line).raw("\"");
        sep = ",";
      }
      if (sep[0] == ',' && sep[1] == '\0') w.raw("}");
      if (flow[i]) {
        w.raw(",\"bind_id\":").num(bind[i]);
        if (flow[i] & kFlowIn) w.raw(",\"flow_in\":true");
        if (flow[i] & kFlowOut) w.raw(",\"flow_out\":true");
      }
      w.raw("}");
    }
    while (k < ins.size()) write_instant(ins[k++]);
    for (const SpanSlice& sp : spans[t]) {
      w.next_event();
      bool known = sp.label >= 0 && static_cast<size_t>(sp.label) < run.labels.size();
      w.raw("{\"ph\":\"X\",\"name\":");
      w.raw(json_string(known ? run.labels[static_cast<size_t>(sp.label)] : "?"));
      w.raw(",\"cat\":\"span\",\"pid\":").num(pid_of(t)).raw(",\"tid\":").num(span_tid[t]);
      w.raw(",\"ts\":").us(sp.start).raw(",\"dur\":").us(sp.end - sp.start);
      w.raw(",\"args\":{\"depth\":").num(sp.depth).raw("}}");
    }
  }

  // The counters of gilsim.counter(): per process, one track per label, every sample.
  for (const Event& e : run.events) {
    auto t = static_cast<size_t>(e.thread);
    if (e.kind != EventKind::Counter || t >= n_threads || e.code < 0 ||
        static_cast<size_t>(e.code) >= run.labels.size())
      continue;
    w.next_event();
    w.raw("{\"ph\":\"C\",\"name\":").raw(json_string(run.labels[static_cast<size_t>(e.code)]));
    w.raw(",\"pid\":").num(pid_of(t)).raw(",\"tid\":").num(pid_of(t));
    w.raw(",\"ts\":").us(e.time).raw(",\"args\":{\"value\":");
    w.raw(counter_number(counter_value(e))).raw("}}");
  }

  // Counter tracks, per process, only when there is a GIL to wait for.
  if (run.exclusive) {
    for (size_t g = 0; g < n_gils; ++g) {
      // A value is written when it differs from the last one written; changes at one instant
      // are collapsed into the value that instant ends with.
      auto counter = [&](const char* counter_name, const char* key) {
        struct Series {
          Writer& w;
          std::int64_t pid;
          const char* name;
          const char* key;
          Nanos pending_at = 0;
          std::int64_t pending = 0, written = -1;
          bool any = false;
          void put(Nanos at, std::int64_t v) {
            if (any && at != pending_at) emit();
            pending_at = at;
            pending = v;
            any = true;
          }
          void emit() {
            if (pending == written) return;
            w.next_event();
            w.raw("{\"ph\":\"C\",\"name\":\"").raw(name).raw("\",\"pid\":").num(pid);
            w.raw(",\"tid\":").num(pid).raw(",\"ts\":").us(pending_at).raw(",\"args\":{\"");
            w.raw(key).raw("\":").num(pending).raw("}}");
            written = pending;
          }
          void finish(Nanos at) {
            if (any) emit();
            if (at > pending_at || !any) {  // the track reaches the end of the run
              pending_at = at;
              written = -1;
              emit();
            }
          }
        };
        return Series{w, pid[g], counter_name, key};
      };

      auto waiting = counter("threads waiting for the GIL", "count");
      waiting.put(0, 0);
      std::vector<bool> queued(n_threads, false);
      std::int64_t count = 0;
      for (const Event& e : run.events) {
        if (e.gil != g || static_cast<size_t>(e.thread) >= n_threads) continue;
        auto t = static_cast<size_t>(e.thread);
        if (e.kind == EventKind::Request && !queued[t]) {
          queued[t] = true;
          waiting.put(e.time, ++count);
        } else if ((e.kind == EventKind::Acquire || e.kind == EventKind::Exit) && queued[t]) {
          queued[t] = false;
          waiting.put(e.time, --count);
        }
      }
      waiting.finish(end);
    }
  }

  w.raw("\n]}\n");
  w.flush();
  out.flush();
}

// RFC 4180 quoting where a label needs it; lines end in "\n" (what spreadsheets and pandas take).
void write_state_csv(const RunRecord& run, std::ostream& out) {
  std::string buf = "thread,state,start_us,end_us,reason\n";
  buf.reserve(1 << 20 | 4096);
  std::vector<std::string> label;
  for (const ThreadInfo& t : run.threads) label.push_back(csv_field(t.label));
  for (const StateInterval& iv : state_intervals(run)) {
    auto t = static_cast<size_t>(iv.thread);
    buf += t < label.size() ? label[t] : std::to_string(iv.thread);
    buf += ',';
    buf += state_name(iv.state);
    buf += ',';
    append_us(buf, iv.start);
    buf += ',';
    append_us(buf, iv.end);
    buf += ',';
    buf += reason_name(iv.reason);
    buf += '\n';
    if (buf.size() >= (1 << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
}

}  // namespace gilsim
