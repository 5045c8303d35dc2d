// The data of the self-contained HTML timeline (`--timeline FILE.html`).
//
// The page itself is tools/timeline/ (page.html, timeline.css, timeline.js), embedded at build
// time; this file only makes the run's data and puts the pieces together. Everything the run
// contributes (script name, thread names, defines) travels only inside one JSON block, escaped so
// that no "<" can close it, and the page's code puts it on screen with textContent or on the
// canvas, never as markup.
//
// The data is columnar and compact: per thread, arrays of gaps, durations, states, reasons and
// bytecodes; per GIL, the holder spans and the drop requests; hand-offs as arrays. Times are in
// microseconds rounded to 0.1 µs, and each array is delta-coded against the previous item, so a
// million events fit in about ten megabytes and parse in a fraction of a second.
#include "tools/export/timeline_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gil/record/annotations.h"
#include "gil/record/intervals.h"
#include "tools/export/markup.h"
#include "tools/export/report.h"
#include "tools/export/timeline_assets.h"

namespace gilsim {

namespace {

using nlohmann::json;

// Time in units of 0.1 µs, rounded: the resolution of the page's data.
std::int64_t tenths(Nanos ns) { return ns >= 0 ? (ns + 50) / 100 : -((-ns + 50) / 100); }

// A delta in 0.1 µs units as a JSON number of µs: an integer when it is one (shorter), else one
// decimal.
json micros(std::int64_t t) {
  if (t % 10 == 0) return t / 10;
  return static_cast<double>(t) / 10.0;
}

// gilsim.mark / span / counter (docs/traces.md "Annotations"), delta-coded like the lanes.
// labels: the run's labels. marks, by time: a (since the previous mark), t (thread), l (label).
// spans, by start: b (start since the previous span's start), d (duration), t, l, z (depth: 0
// outermost). counters: one per process and label, in order of first sample: g (process), l,
// a (time since the previous sample), v (values).
void add_annotations(json& data, const RunRecord& run) {
  const size_t nthreads = run.threads.size();
  json ma = json::array(), mt = json::array(), ml = json::array();
  std::int64_t last_mark = 0;
  struct Counter {
    int gil;
    std::int32_t label;
    json a = json::array(), v = json::array();
    std::int64_t last = 0;
  };
  std::vector<Counter> counters;
  std::map<std::pair<int, std::int32_t>, size_t> counter_index;
  for (const Event& e : run.events) {
    if (static_cast<size_t>(e.thread) >= nthreads || e.code < 0 ||
        static_cast<size_t>(e.code) >= run.labels.size())
      continue;
    std::int64_t at = tenths(e.time);
    if (e.kind == EventKind::Mark) {
      ma.push_back(micros(at - last_mark));
      mt.push_back(e.thread);
      ml.push_back(e.code);
      last_mark = at;
    } else if (e.kind == EventKind::Counter) {
      int g = run.threads[static_cast<size_t>(e.thread)].gil;
      auto [it, added] = counter_index.try_emplace({g, e.code}, counters.size());
      if (added) counters.push_back(Counter{g, e.code});
      Counter& c = counters[it->second];
      c.a.push_back(micros(at - c.last));
      c.v.push_back(counter_value(e));
      c.last = at;
    }
  }
  std::vector<SpanSlice> spans;
  for (auto& list : span_slices(run)) spans.insert(spans.end(), list.begin(), list.end());
  std::stable_sort(spans.begin(), spans.end(),
                   [](const SpanSlice& x, const SpanSlice& y) { return x.start < y.start; });
  json sb = json::array(), sd = json::array(), st = json::array(), sl = json::array(),
       sz = json::array();
  std::int64_t last_span = 0;
  for (const SpanSlice& sp : spans) {
    std::int64_t b = tenths(sp.start), e = std::max(b, tenths(sp.end));
    sb.push_back(micros(b - last_span));
    sd.push_back(micros(e - b));
    st.push_back(sp.thread);
    sl.push_back(sp.label);
    sz.push_back(sp.depth);
    last_span = b;
  }
  json counters_json = json::array();
  for (Counter& c : counters)
    counters_json.push_back(
        {{"g", c.gil}, {"l", c.label}, {"a", std::move(c.a)}, {"v", std::move(c.v)}});
  data["labels"] = run.labels;
  data["marks"] = {{"a", ma}, {"t", mt}, {"l", ml}};
  data["spans"] = {{"b", sb}, {"d", sd}, {"t", st}, {"l", sl}, {"z", sz}};
  data["counters"] = std::move(counters_json);
}

json page_data(const RunRecord& run, const Metrics& m) {
  const size_t nthreads = run.threads.size();
  const size_t ngils = run.gils.size();

  json data;
  data["format"] = "gilsim-timeline";
  data["version"] = 1;
  data["script"] = run.script;
  data["policy"] = run.policy;
  data["policy_params"] = policy_parameters(run);
  data["engine"] = run.engine;
  data["exclusive"] = run.exclusive;
  data["wall_us"] = micros(tenths(run.wall));
  data["stop"] = stop_name(run.stop);
  data["exit_code"] = run.exit_code;
  json defines = json::array();
  for (const auto& [k, v] : run.defines) defines.push_back(json::array({k, v}));
  data["defines"] = defines;

  json states = json::array();
  for (int s = 0; s <= static_cast<int>(ThreadStateKind::Done); ++s)
    states.push_back(std::string(state_name(static_cast<ThreadStateKind>(s))));
  data["state_names"] = states;
  json reasons = json::array();
  for (int r = 0; r <= static_cast<int>(Reason::Error); ++r)
    reasons.push_back(std::string(reason_name(static_cast<Reason>(r))));
  data["reason_names"] = reasons;

  const GilMetrics& g = m.gil;
  data["gil"] = {{"acquisitions", g.acquisitions},
                 {"switches", g.switches},
                 {"drop_requests", g.drop_requests},
                 {"forced_switches", g.forced_switches},
                 {"failed_acquisitions", g.failed_acquisitions},
                 {"held_fraction", g.held_fraction},
                 {"wait_p50_ms", g.wait_p50_ms},
                 {"wait_p99_ms", g.wait_p99_ms},
                 {"wait_max_ms", g.wait_max_ms}};

  json processes = json::array();
  for (const auto& gi : run.gils) processes.push_back(gi.process);
  data["processes"] = processes;

  json threads = json::array();
  for (size_t t = 0; t < nthreads; ++t) {
    const ThreadInfo& ti = run.threads[t];
    json th = {{"name", ti.name},
               {"label", ti.label},
               {"gil", ti.gil},
               {"parent", ti.parent},
               {"failed", ti.failed}};
    if (ti.failed) {
      th["error"] = exception_line(ti.traceback);
      th["traceback"] = ti.traceback;
    }
    if (t < m.threads.size()) {
      const ThreadMetrics& tm = m.threads[t];
      json ns = json::array();
      for (Nanos v : tm.state_ns) ns.push_back(static_cast<double>(v) / 1e9);
      th["state_s"] = ns;
      th["bytecodes"] = tm.bytecodes;
      th["acquisitions"] = tm.acquisitions;
      th["start_us"] = micros(tenths(tm.start));
      th["end_us"] = micros(tenths(tm.end));
    }
    threads.push_back(th);
  }
  data["threads"] = threads;

  // Per thread: the state intervals, columnar. g: gap since the previous interval's end (the
  // first: since 0); d: duration; k: state; r: reason; n: bytecodes (running only).
  std::vector<StateInterval> intervals = state_intervals(run);
  struct Columns {
    json g = json::array(), d = json::array(), k = json::array(), r = json::array(),
         n = json::array(), c = json::array();
    std::int64_t last_end = 0;
  };
  // Where the code was: each (function, line) once in `places` ("count:9"), a lane's `c` the index
  // of its interval's place (-1: not known).
  std::map<std::pair<std::int32_t, std::int32_t>, int> place_index;
  json places = json::array();
  auto place_of = [&](const StateInterval& iv) -> int {
    if (iv.code < 0 || static_cast<size_t>(iv.code) >= run.functions.size()) return -1;
    auto [it, added] = place_index.try_emplace({iv.code, iv.line}, static_cast<int>(places.size()));
    if (added)
      places.push_back(fmt::format("{}:{}", run.functions[static_cast<size_t>(iv.code)], iv.line));
    return it->second;
  };
  std::vector<Columns> lanes(nthreads);
  struct Handoff {
    int from, to;
    std::int64_t release, acquire;
  };
  std::vector<Handoff> handoffs;
  for (const StateInterval& iv : intervals) {
    if (iv.thread < 0 || static_cast<size_t>(iv.thread) >= nthreads) continue;
    Columns& c = lanes[static_cast<size_t>(iv.thread)];
    std::int64_t s = tenths(iv.start), e = std::max(s, tenths(iv.end));
    c.g.push_back(micros(s - c.last_end));
    c.d.push_back(micros(e - s));
    c.k.push_back(static_cast<int>(iv.state));
    c.r.push_back(static_cast<int>(iv.reason));
    c.n.push_back(iv.bytecodes);
    c.c.push_back(place_of(iv));
    c.last_end = e;
    if (iv.state == ThreadStateKind::Running && iv.handoff_from >= 0 && iv.handoff_release >= 0)
      handoffs.push_back({iv.handoff_from, iv.thread, tenths(iv.handoff_release), s});
  }
  json lanes_json = json::array();
  for (auto& c : lanes)
    lanes_json.push_back({{"g", std::move(c.g)},
                          {"d", std::move(c.d)},
                          {"k", std::move(c.k)},
                          {"r", std::move(c.r)},
                          {"n", std::move(c.n)},
                          {"c", std::move(c.c)}});
  data["lanes"] = std::move(lanes_json);
  data["places"] = std::move(places);

  // Per GIL: who held it (free spans left out). b: start since the previous span's end; d:
  // duration; t: thread. drop: the drop requests' times, each since the previous one.
  struct Holder {
    json b = json::array(), d = json::array(), t = json::array(), drop = json::array();
    std::int64_t last_end = 0, last_drop = 0;
  };
  std::vector<Holder> holders(ngils);
  if (run.exclusive) {
    for (const HolderSpan& h : holder_spans(run)) {
      if (h.thread < 0 || h.gil < 0 || static_cast<size_t>(h.gil) >= ngils) continue;
      Holder& o = holders[static_cast<size_t>(h.gil)];
      std::int64_t s = tenths(h.start), e = std::max(s, tenths(h.end));
      o.b.push_back(micros(s - o.last_end));
      o.d.push_back(micros(e - s));
      o.t.push_back(h.thread);
      o.last_end = e;
    }
    for (const Event& e : run.events) {
      if (e.kind != EventKind::DropRequest || e.gil >= ngils) continue;
      Holder& o = holders[e.gil];
      std::int64_t at = tenths(e.time);
      o.drop.push_back(micros(at - o.last_drop));
      o.last_drop = at;
    }
  }
  json holders_json = json::array();
  for (auto& h : holders)
    holders_json.push_back({{"b", std::move(h.b)},
                            {"d", std::move(h.d)},
                            {"t", std::move(h.t)},
                            {"drop", std::move(h.drop)}});
  data["holders"] = std::move(holders_json);

  // Hand-offs, by the time of the acquire. a: acquire since the previous one; w: from the release
  // to the acquire; f: the releasing thread; t: the acquiring one.
  std::stable_sort(handoffs.begin(), handoffs.end(),
                   [](const Handoff& x, const Handoff& y) { return x.acquire < y.acquire; });
  json ha = json::array(), hw = json::array(), hf = json::array(), ht = json::array();
  std::int64_t last = 0;
  for (const Handoff& h : handoffs) {
    ha.push_back(micros(h.acquire - last));
    hw.push_back(micros(std::max<std::int64_t>(0, h.acquire - h.release)));
    hf.push_back(h.from);
    ht.push_back(h.to);
    last = h.acquire;
  }
  data["handoffs"] = {{"a", ha}, {"w", hw}, {"f", hf}, {"t", ht}};
  add_annotations(data, run);
  return data;
}

// The JSON text, safe inside <script type="application/json">: every "<" becomes \u003c, so
// neither "</script>" nor "<!--" can appear in it (JSON has "<" only inside strings, where the
// escape means the same character).
std::string script_safe_json(const json& data) {
  std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

// Replaces the one `marker` in `page` with `text`. The markers are fixed in page.html; a page
// without one is a build of the web files that this writer does not understand.
void replace_marker(std::string& page, std::string_view marker, std::string_view text) {
  size_t at = page.find(marker);
  if (at == std::string::npos)
    throw std::logic_error(fmt::format("timeline page.html lacks the marker {}", marker));
  page.replace(at, marker.size(), text);
}

}  // namespace

std::string timeline_page(std::string_view data_json, std::string_view title) {
  std::string page(timeline_assets::page);
  replace_marker(
      page, "<title>gilsim timeline</title>",
      fmt::format("<title>gilsim timeline · {}</title>", markup_escape(std::string(title))));
  replace_marker(page, "<link rel=\"stylesheet\" href=\"timeline.css\">",
                 fmt::format("<style>\n{}</style>", timeline_assets::css));
  replace_marker(
      page, "<script type=\"application/json\" id=\"gilsim-data\"></script>",
      fmt::format("<script type=\"application/json\" id=\"gilsim-data\">{}</script>", data_json));
  replace_marker(page, "<script src=\"timeline.js\"></script>",
                 fmt::format("<script>\n{}</script>", timeline_assets::js));
  return page;
}

std::string timeline_data_json(const RunRecord& run, const Metrics& metrics) {
  return script_safe_json(page_data(run, metrics));
}

void write_timeline_html(const RunRecord& run, const Metrics& metrics, std::ostream& out) {
  out << timeline_page(timeline_data_json(run, metrics), run.script);
}

std::string timeline_compare_json(const std::vector<TimelineRun>& runs) {
  json data;
  data["format"] = "gilsim-compare";
  data["version"] = 1;
  json list = json::array();
  for (const TimelineRun& r : runs) list.push_back(page_data(*r.run, *r.metrics));
  data["runs"] = std::move(list);
  return script_safe_json(data);
}

void write_compare_timeline_html(const std::vector<TimelineRun>& runs, std::ostream& out) {
  std::string title = runs.empty() ? std::string() : runs.front().run->script;
  out << timeline_page(timeline_compare_json(runs), title);
}

}  // namespace gilsim
