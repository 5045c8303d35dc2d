// `gilsim check`: the run invariants, verified on a trace alone (tools/export/trace_export.cpp
// wrote it).
#include "tools/export/trace_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gilsim {

namespace {

using nlohmann::json;
using Ns = std::int64_t;

// Times are compared in integer nanoseconds, converted as Perfetto does (llround(us * 1000)), so a
// trace gilsim wrote (three decimals) compares exactly; 1 ns of slack allows for hand-made ones.
constexpr Ns kSlack = 1;

std::optional<Ns> to_ns(const json& v) {
  if (!v.is_number()) return std::nullopt;
  double us = v.get<double>();
  if (!std::isfinite(us) || std::fabs(us) > 9e15) return std::nullopt;
  return static_cast<Ns>(std::llround(us * 1000.0));
}

std::string us_text(Ns ns) {
  std::uint64_t mag = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  return fmt::format("{}{}.{:03d} µs", ns < 0 ? "-" : "", mag / 1000, static_cast<int>(mag % 1000));
}

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string string_member(const json& obj, const char* key) {
  const json* v = member(obj, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<std::int64_t> int_member(const json& obj, const char* key) {
  const json* v = member(obj, key);
  if (!v || !v->is_number()) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  double d = v->get<double>();
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e15) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

using Track = std::pair<std::int64_t, std::int64_t>;  // (pid, tid)

struct Slice {
  Track track;
  Ns ts;
  Ns dur;
  std::string name;
  size_t index;  // in traceEvents
  Ns end() const { return ts + std::max<Ns>(dur, 0); }
};

// Collects violations, at most kPerKind of each kind, then one line saying how many more.
class Report {
 public:
  void add(const std::string& kind, std::string message) {
    size_t n = ++count_[kind];
    if (n <= kPerKind) lines_.push_back(std::move(message));
  }
  std::vector<std::string> take() {
    for (const auto& [kind, n] : count_)
      if (n > kPerKind) lines_.push_back(fmt::format("... and {} more {}", n - kPerKind, kind));
    return std::move(lines_);
  }

 private:
  static constexpr size_t kPerKind = 20;
  std::map<std::string, size_t> count_;
  std::vector<std::string> lines_;
};

}  // namespace

std::vector<std::string> check_trace(const json& trace) {
  Report report;
  const json* events = member(trace, "traceEvents");
  if (!events || !events->is_array()) {
    report.add("document",
               "not a trace: expected a JSON object with a \"traceEvents\" array (Chrome trace "
               "object form, as gilsim run --trace writes it)");
    return report.take();
  }
  const json* meta = member(trace, "metadata");
  if (!meta || string_member(*meta, "generator") != "gilsim") {
    report.add("document",
               "not a gilsim trace: metadata.generator is not \"gilsim\" (this check knows only "
               "the traces gilsim run --trace writes)");
    return report.take();
  }

  // Where the run ends, and whether there is a GIL at all.
  std::optional<Ns> run_end;
  if (const json* e = member(*meta, "end_us"); e) run_end = to_ns(*e);
  if (!run_end)
    if (const json* wall = member(*meta, "wall_s"); wall && wall->is_number())
      run_end = to_ns(json(wall->get<double>() * 1e6));
  if (!run_end)
    report.add("metadata",
               "the metadata gives no end of the run (end_us or wall_s): waiting "
               "slices at the end cannot be checked");
  bool exclusive = string_member(*meta, "policy") != "none";
  Ns exclusive_from = 0;  // free-threaded: threads ran free until the GIL came on
  if (const json* gil = member(*meta, "gil"); gil) {
    if (const json* ex = member(*gil, "exclusive"); ex && ex->is_boolean() && !ex->get<bool>())
      exclusive = false;
    if (const json* from = member(*gil, "exclusive_from_ms"); from && from->is_number())
      exclusive_from = static_cast<Ns>(std::llround(from->get<double>() * 1e6));
  }

  // The GIL tracks (trace format 2): pseudo threads whose slices are the holders' tenures.
  std::set<std::int64_t> gil_tids;
  if (const json* g = member(*meta, "gil_tracks"); g && g->is_array())
    for (const json& v : *g)
      if (v.is_number_integer()) gil_tids.insert(v.get<std::int64_t>());
  struct GilSlice {
    Slice slice;
    std::int64_t holder;  // args.tid, -1 when absent
  };
  std::map<std::int64_t, std::vector<GilSlice>> gil_slices;  // by pid, in file order
  // The span tracks (gilsim.span()): tid -> the tid of the thread whose spans they are.
  std::map<std::int64_t, std::int64_t> span_owner;
  if (const json* st = member(*meta, "span_tracks"); st && st->is_object())
    for (const auto& [key, owner] : st->items()) {
      char* end = nullptr;
      long long k = std::strtoll(key.c_str(), &end, 10);
      if (end && *end == '\0' && owner.is_number_integer())
        span_owner[k] = owner.get<std::int64_t>();
    }
  std::map<Track, std::vector<Slice>> span_slices;  // in file order

  // One pass over the events.
  std::map<Track, std::string> thread_names;
  std::map<std::int64_t, std::string> process_names;
  std::set<Track> tracks;  // every thread that has slices or instants
  std::vector<Slice> slices;
  std::map<Track, std::set<Ns>> stopped;  // "stopped" instants: the run was stopped there
  for (size_t i = 0; i < events->size(); ++i) {
    const json& ev = (*events)[i];
    std::string ph = string_member(ev, "ph");
    if (ph.empty()) {
      report.add("malformed events", fmt::format("event #{} is not an object with a \"ph\"", i));
      continue;
    }
    auto pid = int_member(ev, "pid");
    auto tid = int_member(ev, "tid");
    std::string name = string_member(ev, "name");
    if (ph == "M") {
      const json* args = member(ev, "args");
      std::string value = args ? string_member(*args, "name") : std::string();
      if (name == "thread_name" && pid && tid && !value.empty())
        thread_names[{*pid, *tid}] = value;
      else if (name == "process_name" && pid && !value.empty())
        process_names[*pid] = value;
      continue;
    }
    if (ph != "X" && ph != "i" && ph != "I") continue;  // counters, flows: nothing to check
    const json* ts_field = member(ev, "ts");
    auto ts = ts_field ? to_ns(*ts_field) : std::nullopt;
    if (!pid || !tid || !ts) {
      report.add("malformed events",
                 fmt::format("event #{} ({} \"{}\") lacks a numeric pid, tid or ts", i, ph, name));
      continue;
    }
    Track track{*pid, *tid};
    tracks.insert(track);
    if (ph != "X") {
      if (name == "stopped" && string_member(ev, "cat") != "mark") stopped[track].insert(*ts);
      continue;
    }
    const json* dur_field = member(ev, "dur");
    auto dur = dur_field ? to_ns(*dur_field) : std::nullopt;
    if (!dur) {
      report.add("malformed events",
                 fmt::format("event #{} (X \"{}\") has no numeric dur", i, name));
      continue;
    }
    if (span_owner.count(*tid)) {
      span_slices[track].push_back(Slice{track, *ts, *dur, name, i});
      continue;
    }
    if (gil_tids.count(*tid)) {
      const json* args = member(ev, "args");
      gil_slices[*pid].push_back(GilSlice{Slice{track, *ts, *dur, name, i},
                                          args ? int_member(*args, "tid").value_or(-1) : -1});
      continue;
    }
    slices.push_back(Slice{track, *ts, *dur, name, i});
  }

  auto thread_text = [&](const Track& t) {
    auto it = thread_names.find(t);
    if (it != thread_names.end()) return it->second;
    return fmt::format("tid {} (pid {})", t.second, t.first);
  };
  auto process_text = [&](std::int64_t pid) {
    auto it = process_names.find(pid);
    return it != process_names.end() ? fmt::format("{} (pid {})", it->second, pid)
                                     : fmt::format("pid {}", pid);
  };

  for (const Track& t : tracks)
    if (!thread_names.count(t))
      report.add("missing thread names",
                 fmt::format("tid {} in {} has events but no thread_name metadata event", t.second,
                             process_text(t.first)));

  // Span tracks: a span lies inside the one around it or after it (they nest, as `with` blocks
  // do), in time order, with no negative duration; each track's thread is a thread of its process.
  for (const auto& [track, list] : span_slices) {
    Track owner{track.first, span_owner[track.second]};
    if (!thread_names.count(owner))
      report.add("span tracks",
                 fmt::format("the span track {} belongs to tid {}, which is no thread of {}",
                             thread_text(track), owner.second, process_text(track.first)));
    std::vector<const Slice*> around;  // the spans still open at the current one's start
    for (size_t k = 0; k < list.size(); ++k) {
      const Slice& s = list[k];
      if (s.dur < 0) {
        report.add("negative durations",
                   fmt::format("negative duration: the span \"{}\" of {} at {} lasts {}", s.name,
                               thread_text(track), us_text(s.ts), us_text(s.dur)));
        continue;
      }
      if (k > 0 && s.ts < list[k - 1].ts)
        report.add("span tracks", fmt::format("spans out of order on {}: \"{}\" at {} comes after "
                                              "\"{}\" at {}",
                                              thread_text(track), s.name, us_text(s.ts),
                                              list[k - 1].name, us_text(list[k - 1].ts)));
      while (!around.empty() && around.back()->end() <= s.ts + kSlack) around.pop_back();
      if (!around.empty() && s.end() > around.back()->end() + kSlack)
        report.add(
            "span tracks",
            fmt::format("spans that do not nest on {}: \"{}\" {} to {} and \"{}\" {} to {}",
                        thread_text(track), around.back()->name, us_text(around.back()->ts),
                        us_text(around.back()->end()), s.name, us_text(s.ts), us_text(s.end())));
      around.push_back(&s);
    }
  }

  for (const Slice& s : slices)
    if (s.dur < 0)
      report.add("negative durations",
                 fmt::format("negative duration: the {} slice of {} at {} lasts {}", s.name,
                             thread_text(s.track), us_text(s.ts), us_text(s.dur)));

  // Per thread: in order, not overlapping. Slices grouped by thread, each group in file order.
  std::map<Track, std::vector<const Slice*>> by_thread;
  for (const Slice& s : slices) by_thread[s.track].push_back(&s);
  for (auto& [track, list] : by_thread) {
    const Slice* latest = nullptr;  // the slice reaching furthest so far
    for (size_t k = 0; k < list.size(); ++k) {
      const Slice& s = *list[k];
      if (k > 0 && s.ts < list[k - 1]->ts)
        report.add("slices out of order",
                   fmt::format("slices out of order on {}: the {} slice at {} comes after the {} "
                               "slice at {}",
                               thread_text(track), s.name, us_text(s.ts), list[k - 1]->name,
                               us_text(list[k - 1]->ts)));
      else if (latest && s.ts + kSlack < latest->end())
        report.add("overlapping slices",
                   fmt::format("overlapping slices on {}: {} {} to {} and {} {} to {}",
                               thread_text(track), latest->name, us_text(latest->ts),
                               us_text(latest->end()), s.name, us_text(s.ts), us_text(s.end())));
      if (!latest || s.end() > latest->end()) latest = &s;
    }
    // From here on, by time.
    std::stable_sort(list.begin(), list.end(),
                     [](const Slice* a, const Slice* b) { return a->ts < b->ts; });
  }

  // At most one running thread per GIL (process) at any time.
  if (exclusive) {
    std::map<std::int64_t, std::vector<const Slice*>> running;
    for (const Slice& s : slices)
      if (s.name == "running" && s.dur > 0 && s.ts >= exclusive_from - kSlack)
        running[s.track.first].push_back(&s);
    for (auto& [pid, list] : running) {
      std::stable_sort(list.begin(), list.end(),
                       [](const Slice* a, const Slice* b) { return a->ts < b->ts; });
      const Slice* holder = nullptr;  // the running slice reaching furthest so far
      for (const Slice* s : list) {
        if (holder && s->track != holder->track && s->ts + kSlack < holder->end())
          report.add("GIL overlaps",
                     fmt::format("two threads hold the GIL of {} at once: {} runs {} to {} and {} "
                                 "runs {} to {}",
                                 process_text(pid), thread_text(holder->track), us_text(holder->ts),
                                 us_text(holder->end()), thread_text(s->track), us_text(s->ts),
                                 us_text(s->end())));
        if (!holder || s->end() > holder->end()) holder = s;
      }
    }
  }

  // The GIL tracks: each slice names a thread of its process, begins where a running slice of
  // that thread begins and ends where one ends; slices in order, apart; and every running slice
  // lies inside a slice of its thread on its process's GIL track.
  if (exclusive && !gil_tids.empty()) {
    std::map<Track, std::set<Ns>> run_starts, run_ends;
    for (const Slice& s : slices)
      if (s.name == "running" && s.dur > 0) {
        run_starts[s.track].insert(s.ts);
        run_ends[s.track].insert(s.end());
      }
    auto near = [](const std::set<Ns>& set, Ns at) {
      auto it = set.lower_bound(at - kSlack);
      return it != set.end() && *it <= at + kSlack;
    };
    for (auto& [pid, list] : gil_slices) {
      const GilSlice* last = nullptr;
      for (const GilSlice& g : list) {
        const Slice& s = g.slice;
        Track holder{pid, g.holder};
        auto it = thread_names.find(holder);
        if (it == thread_names.end() || it->second != s.name) {
          report.add("GIL track slices",
                     fmt::format("the GIL track of {} names \"{}\" at {}, which is not the "
                                 "name of thread tid {} of that process",
                                 process_text(pid), s.name, us_text(s.ts), g.holder));
          continue;
        }
        if (last && s.ts + kSlack < last->slice.end())
          report.add("GIL track slices",
                     fmt::format("the GIL track of {} has {} at {} before {}'s tenure ends at {}",
                                 process_text(pid), s.name, us_text(s.ts), last->slice.name,
                                 us_text(last->slice.end())));
        if (!near(run_starts[holder], s.ts) || !near(run_ends[holder], s.end()))
          report.add("GIL track slices",
                     fmt::format("the GIL track of {} says {} held it from {} to {}, but no "
                                 "running slice of that thread begins or ends there",
                                 process_text(pid), s.name, us_text(s.ts), us_text(s.end())));
        last = &g;
      }
    }
    for (auto& [pid, list] : gil_slices)
      std::stable_sort(list.begin(), list.end(), [](const GilSlice& a, const GilSlice& b) {
        return a.slice.ts < b.slice.ts;
      });
    for (const Slice& s : slices) {
      if (s.name != "running" || s.dur <= 0) continue;
      auto found = gil_slices.find(s.track.first);
      const GilSlice* in = nullptr;
      if (found != gil_slices.end()) {
        auto& list = found->second;
        auto it = std::upper_bound(list.begin(), list.end(), s.ts + kSlack,
                                   [](Ns at, const GilSlice& g) { return at < g.slice.ts; });
        if (it != list.begin()) in = &*(it - 1);
      }
      if (!in || in->holder != s.track.second || in->slice.end() + kSlack < s.end())
        report.add("GIL track slices",
                   fmt::format("{} runs from {} to {}, but the GIL track of {} does not show it "
                               "holding the GIL then",
                               thread_text(s.track), us_text(s.ts), us_text(s.end()),
                               process_text(s.track.first)));
    }
  }

  // Every waiting slice ends in a running slice (an acquire), at the run's end, or where the run
  // was stopped (a "stopped" instant).
  for (auto& [track, list] : by_thread) {
    auto stopped_at = [&, &track = track](Ns at) {
      auto it = stopped.find(track);
      if (it == stopped.end()) return false;
      auto s = it->second.lower_bound(at - kSlack);
      return s != it->second.end() && *s <= at + kSlack;
    };
    for (size_t k = 0; k < list.size(); ++k) {
      const Slice& s = *list[k];
      if (s.name != "waiting" || s.dur < 0) continue;
      Ns end = s.ts + s.dur;
      if (stopped_at(end)) continue;
      if (k + 1 < list.size()) {
        const Slice& next = *list[k + 1];
        if (next.name == "running" && std::llabs(next.ts - end) <= kSlack) continue;
        report.add("waiting slices that do not end in running",
                   fmt::format("{} waits for the GIL from {} to {} and then does not run: the "
                               "next slice is {} at {}",
                               thread_text(track), us_text(s.ts), us_text(end), next.name,
                               us_text(next.ts)));
      } else if (run_end && end + kSlack < *run_end) {
        report.add("waiting slices that do not end in running",
                   fmt::format("{} waits for the GIL from {} to {} and never runs, though the run "
                               "goes on until {}",
                               thread_text(track), us_text(s.ts), us_text(end), us_text(*run_end)));
      }
    }
  }
  return report.take();
}

}  // namespace gilsim
