// The self-contained HTML timeline (`--timeline FILE.html`).
//
// The page is one file with no network use at all (a Content-Security-Policy forbids it): three
// inline scripts (an error catcher, the run's data as one JSON block, the drawing code) and one
// inline style. Everything the run contributes (script name, thread names, defines) travels only
// inside the JSON block, which is escaped so that no "<" can close it, and the page's code puts it
// on screen with textContent or on the canvas, never as markup.
//
// The data is columnar and compact: per thread, arrays of gaps, durations, states, reasons and
// bytecodes; per GIL, the holder spans and the drop requests; hand-offs as arrays. Times are in
// microseconds rounded to 0.1 µs, and each array is delta-coded against the previous item, so a
// million events fit in about ten megabytes and parse in a fraction of a second.
//
// Drawing stays fast with millions of intervals: the canvas is redrawn per frame and each lane
// walks only what is visible, found by binary search; where many intervals fall into one pixel
// column, the column is drawn once in the colour of the state that covers most of it, computed from
// per-state prefix sums (so a frame costs O(width × log n), whatever the zoom).
#include "tools/timeline_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gil/intervals.h"
#include "tools/markup.h"
#include "tools/report.h"

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
         n = json::array();
    std::int64_t last_end = 0;
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
                          {"n", std::move(c.n)}});
  data["lanes"] = std::move(lanes_json);

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

constexpr const char* kHead = R"GILSIM(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="gilsim">
)GILSIM";

// Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), chosen to stay
// apart for the common colour-vision deficiencies and on a washed-out projector, on white:
//   running  #009E73 bluish green  the one state that holds the GIL: the strong, "go" colour
//   waiting  #D55E00 vermillion    wants the GIL: the alarm colour, far from green for every viewer
//   io       #56B4E9 sky blue      light and calm: the GIL is released, nothing burns
//   native   #CC79A7 reddish purple GIL released but a core is busy
//   blocked  #999999 grey           parked on a Lock, a Queue or a join
// Running is not Okabe–Ito blue (#0072B2) on purpose: blue next to sky-blue io would read as one
// hue. Threads (in the GIL-holder lane and the swatch by each name) get a separate set of
// identity colours that alternate dark and light, so neighbouring holders differ in lightness too,
// and each holder span is labelled with the thread's name when it is wide enough.
constexpr const char* kStyle = R"GILSIM(<style>
:root { --fg: #111; --muted: #444; --line: #c8c8c8; }
* { box-sizing: border-box; }
html, body { margin: 0; background: #fff; color: var(--fg);
  font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 17px; }
body { padding: 12px 18px 24px; }
h1 { font-size: 26px; margin: 0 0 6px; font-weight: 700; word-break: break-all; }
h1 .dim { color: var(--muted); font-weight: 400; }
.meta { font-size: 18px; margin: 0 0 10px; line-height: 1.5; }
.meta b { font-weight: 700; }
.banner { background: #fff0e6; border: 2px solid #D55E00; color: #111; padding: 6px 10px; margin: 6px 0 10px;
  font-weight: 700; border-radius: 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; min-width: 110px; }
.card .v { font-size: 24px; font-weight: 700; line-height: 1.2; white-space: nowrap; }
.card .k { font-size: 15px; color: var(--muted); white-space: nowrap; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; margin: 4px 0 8px; }
.buttons { display: flex; gap: 6px; }
button { font: inherit; font-size: 18px; font-weight: 700; min-width: 44px; height: 38px; padding: 0 12px;
  background: #fff; color: #111; border: 2px solid #555; border-radius: 6px; cursor: pointer; }
button:hover { background: #eee; }
button:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 17px; }
.legend span.item { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.sw { display: inline-block; width: 22px; height: 16px; border: 1px solid #333; border-radius: 2px; }
.hint { font-size: 15px; color: var(--muted); }
#view { font-size: 16px; font-variant-numeric: tabular-nums; }
#wrap { position: relative; border: 1px solid var(--line); border-radius: 4px; }
canvas { display: block; width: 100%; touch-action: none; cursor: grab; outline: none; }
canvas.dragging { cursor: grabbing; }
#tip { position: absolute; pointer-events: none; background: #fff; color: #111; border: 2px solid #222;
  border-radius: 6px; padding: 8px 12px; font-size: 16px; line-height: 1.45; box-shadow: 0 3px 10px rgba(0,0,0,.25);
  max-width: 460px; z-index: 5; font-variant-numeric: tabular-nums; }
#tip .t { font-weight: 700; font-size: 17px; word-break: break-all; }
#tip .dim { color: var(--muted); }
details { margin-top: 12px; }
summary { cursor: pointer; font-weight: 700; font-size: 18px; }
table { border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 12px; text-align: right; font-size: 16px; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
#errors { color: #a00; white-space: pre-wrap; font-weight: 700; }
</style>
)GILSIM";

// Installed before anything else runs, so even a syntax error in the page's code is counted.
constexpr const char* kErrorCatcher = R"GILSIM(<script>
(function () {
  var errors = [];
  function report(msg) {
    errors.push(String(msg));
    var b = document.body;
    if (b) { b.setAttribute('data-errors', String(errors.length)); b.setAttribute('data-status', 'error'); }
    var el = document.getElementById('errors');
    if (el) { el.hidden = false; el.textContent = errors.join('\n'); }
  }
  window.gilsimErrors = errors;
  window.gilsimReport = report;
  window.addEventListener('error', function (e) { report((e.message || 'error') + ' (line ' + (e.lineno || '?') + ')'); });
  window.addEventListener('unhandledrejection', function (e) { report('unhandled rejection: ' + e.reason); });
  var original = console.error;
  console.error = function () {
    report(Array.prototype.map.call(arguments, String).join(' '));
    return original.apply(console, arguments);
  };
})();
</script>
)GILSIM";

constexpr const char* kBody = R"GILSIM(</head>
<body data-status="loading" data-errors="0">
<noscript><p>This timeline is drawn by JavaScript: please enable it for this file.</p></noscript>
<header>
<h1><span class="dim">gilsim timeline · </span><span id="script"></span></h1>
<div class="meta" id="meta"></div>
<div id="banner"></div>
<div class="cards" id="cards"></div>
</header>
<div class="bar">
  <div class="buttons">
    <button id="zoom-out" title="zoom out (−)">−</button>
    <button id="zoom-in" title="zoom in (+)">+</button>
    <button id="reset" title="show the whole run (0)">reset</button>
  </div>
  <div class="legend" id="legend"></div>
</div>
<div class="bar">
  <span id="view"></span>
  <span class="hint">wheel or double-click: zoom (shift: out) · drag or ← →: pan · hover: details</span>
</div>
<div id="wrap"><canvas id="timeline" tabindex="0" aria-label="timeline of the run's threads"></canvas><div id="tip" hidden></div></div>
<pre id="errors" hidden></pre>
<details id="totals-box" open><summary>Per-thread totals</summary><table id="totals"></table></details>
)GILSIM";

constexpr const char* kScript = R"GILSIM(<script>
(function () {
'use strict';
var body = document.body;
var T0 = performance.now();
var D = JSON.parse(document.getElementById('gilsim-data').textContent);
var STATE_COLORS = ['#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#999999'];
var STATE_TEXT = ['running — holds the GIL', 'waiting — wants the GIL', 'io — GIL released',
                  'native — GIL released, core busy', 'blocked — lock, queue or join'];
var THREAD_COLORS = ['#0072B2', '#F0E442', '#882255', '#DDCC77', '#332288', '#999933', '#222222',
                     '#AA4499'];
var REASON_TEXT = {
  start: 'thread start', io: 'io() / sleep()', native: 'native()', lock: 'a Lock', queue: 'Queue.get()',
  join: 'join()', drop_request: 'drop request (asked to let go)', tick: 'check interval ran out',
  exit: 'thread finished', error: 'died of an error'
};

// ---- decoding -------------------------------------------------------------------------------
function times(gaps, durs) {
  var n = durs.length, S = new Float64Array(n), E = new Float64Array(n), t = 0;
  for (var i = 0; i < n; i++) {
    t += Math.round(gaps[i] * 10); S[i] = t / 10;
    t += Math.round(durs[i] * 10); E[i] = t / 10;
  }
  return [S, E];
}
function prefixSums(S, E, C, ncat) {
  var n = S.length, P = [];
  for (var c = 0; c < ncat; c++) P.push(new Float64Array(n + 1));
  for (var i = 0; i < n; i++) {
    for (var c2 = 0; c2 < ncat; c2++) P[c2][i + 1] = P[c2][i];
    P[C[i]][i + 1] += E[i] - S[i];
  }
  return P;
}
var threads = D.threads, nthreads = threads.length;
var WALL = Math.max(D.wall_us || 0, 1);
var totalIntervals = 0;
function threadColor(t) { return THREAD_COLORS[t % THREAD_COLORS.length]; }
function darkColor(hex) {
  var r = parseInt(hex.substr(1, 2), 16), g = parseInt(hex.substr(3, 2), 16), b = parseInt(hex.substr(5, 2), 16);
  return 0.299 * r + 0.587 * g + 0.114 * b < 140;
}

var lanes = [];
var groups = [];
for (var gi = 0; gi < Math.max(1, D.processes.length); gi++) groups.push([]);
for (var t = 0; t < nthreads; t++) {
  var L = D.lanes[t], se = times(L.g, L.d);
  var lane = { kind: 'thread', thread: t, title: threads[t].label, S: se[0], E: se[1],
               C: Uint8Array.from(L.k), R: Uint8Array.from(L.r), N: Float64Array.from(L.n), ncat: 5 };
  lane.P = prefixSums(lane.S, lane.E, lane.C, 5);
  lane.color = function (c) { return STATE_COLORS[c] || '#000'; };
  totalIntervals += lane.S.length;
  var g = threads[t].gil;
  (groups[g] || groups[0]).push(lane);
}
var gilLanes = [];
if (D.exclusive) {
  for (var g2 = 0; g2 < D.processes.length; g2++) {
    var H = D.holders[g2] || { b: [], d: [], t: [], drop: [] };
    var hs = times(H.b, H.d);
    var gl = { kind: 'gil', gil: g2, title: 'GIL · ' + D.processes[g2], S: hs[0], E: hs[1],
               C: Int32Array.from(H.t), ncat: nthreads, drops: null };
    gl.P = nthreads <= 16 ? prefixSums(gl.S, gl.E, gl.C, nthreads) : null;
    gl.color = threadColor;
    var drops = new Float64Array(H.drop.length), acc = 0;
    for (var i = 0; i < H.drop.length; i++) { acc += Math.round(H.drop[i] * 10); drops[i] = acc / 10; }
    gl.drops = drops;
    totalIntervals += gl.S.length;
    gilLanes.push(gl);
  }
}
var HO = (function () {
  var h = D.handoffs, n = h.a.length, A = new Float64Array(n), R = new Float64Array(n), acc = 0;
  for (var i = 0; i < n; i++) {
    acc += Math.round(h.a[i] * 10); A[i] = acc / 10;
    R[i] = (acc - Math.round(h.w[i] * 10)) / 10;
  }
  return { A: A, R: R, F: Int32Array.from(h.f), T: Int32Array.from(h.t), n: n };
})();
// Lanes top to bottom: per process, its GIL lane, then its threads.
var order = [];
for (var g3 = 0; g3 < groups.length; g3++) {
  if (D.exclusive && gilLanes[g3]) order.push(gilLanes[g3]);
  for (var k = 0; k < groups[g3].length; k++) order.push(groups[g3][k]);
  if (order.length) order[order.length - 1].groupEnd = true;
}
var laneOfThread = [];
order.forEach(function (l) { if (l.kind === 'thread') laneOfThread[l.thread] = l; });
var parseMs = performance.now() - T0;

// ---- summary above the canvas -----------------------------------------------------------------
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function fixed(x, d) { return Number(x).toFixed(d); }
(function summary() {
  document.title = 'gilsim timeline · ' + D.script;
  document.getElementById('script').textContent = D.script;
  var meta = document.getElementById('meta');
  function part(label, value) {
    if (meta.childNodes.length) meta.appendChild(document.createTextNode('  ·  '));
    meta.appendChild(document.createTextNode(label ? label + ' ' : ''));
    meta.appendChild(el('b', '', value));
  }
  part('policy', D.policy + ' (' + D.policy_params + ')');
  part('engine', D.engine);
  part('wall', D.wall_us >= 1e6 ? fixed(D.wall_us / 1e6, 3) + ' s' : fixed(D.wall_us / 1e3, 3) + ' ms');
  part('threads', String(nthreads));
  if (D.processes.length > 1) part('processes', String(D.processes.length));
  if (D.defines.length) part('-D', D.defines.map(function (kv) { return kv[0] + '=' + kv[1]; }).join(' '));
  var banner = document.getElementById('banner');
  var notes = [];
  if (D.stop !== 'none') notes.push('The run was stopped: ' + D.stop + '.');
  if (D.exit_code) notes.push('Exit status ' + D.exit_code + '.');
  threads.forEach(function (th) { if (th.failed) notes.push(th.label + ' died of an error.'); });
  if (notes.length) { var b = el('div', 'banner', notes.join(' ')); banner.appendChild(b); }
  var cards = document.getElementById('cards');
  function card(k, v) { var c = el('div', 'card'); c.appendChild(el('div', 'v', v)); c.appendChild(el('div', 'k', k)); cards.appendChild(c); }
  var G = D.gil;
  if (D.exclusive) {
    card('GIL acquisitions', String(G.acquisitions));
    card('switches', String(G.switches));
    card('drop requests', String(G.drop_requests));
    card('forced switches', String(G.forced_switches));
    card('failed acquisitions', String(G.failed_acquisitions));
    card('GIL held', fixed(G.held_fraction * 100, 1) + ' %');
    card('wait for the GIL p50 / p99 / max', fixed(G.wait_p50_ms, 2) + ' / ' + fixed(G.wait_p99_ms, 2) + ' / ' + fixed(G.wait_max_ms, 2) + ' ms');
  } else {
    card('GIL', 'none');
    card('threads ran', 'in parallel');
  }
  var legend = document.getElementById('legend');
  function item(sw, text) { var s = el('span', 'item'); s.appendChild(sw); s.appendChild(el('span', '', text)); legend.appendChild(s); }
  for (var s = 0; s < 5; s++) { var sw = el('span', 'sw'); sw.style.background = STATE_COLORS[s]; item(sw, STATE_TEXT[s]); }
  if (D.exclusive) {
    var gsw = el('span', 'sw');
    gsw.style.background = 'linear-gradient(90deg,' + THREAD_COLORS[0] + ' 0 33%,' + THREAD_COLORS[1] + ' 33% 66%,' + THREAD_COLORS[2] + ' 66%)';
    item(gsw, 'GIL lane: the holder (its square by the name)');
    item(el('span', '', '→'), 'hand-off');
    item(el('span', '', '▼'), 'drop request');
  }
  var table = document.getElementById('totals');
  var head = el('tr');
  ['thread', 'running s', 'waiting s', 'io s', 'native s', 'blocked s', 'bytecodes', 'acquired'].forEach(function (h) { head.appendChild(el('th', '', h)); });
  table.appendChild(head);
  threads.forEach(function (th) {
    var tr = el('tr');
    tr.appendChild(el('td', '', th.label + (th.failed ? ' (died)' : '')));
    for (var s = 0; s < 5; s++) tr.appendChild(el('td', '', th.state_s ? fixed(th.state_s[s], 3) : '–'));
    tr.appendChild(el('td', '', String(th.bytecodes || 0)));
    tr.appendChild(el('td', '', String(th.acquisitions || 0)));
    table.appendChild(tr);
  });
})();

// ---- layout -------------------------------------------------------------------------------------
var canvas = document.getElementById('timeline'), ctx = canvas.getContext('2d');
var wrap = document.getElementById('wrap'), tip = document.getElementById('tip');
var FONT = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif';
var AXIS_H = 34, GROUP_GAP = 12, PAD_BOTTOM = 8;
var LANE_H = 40;
var cssW = 800, cssH = 200, labelW = 200, plotW = 600, dpr = 1;
var v0 = 0, v1 = WALL;
var MIN_SPAN = Math.min(10, WALL);
function layout() {
  dpr = window.devicePixelRatio || 1;
  cssW = Math.max(320, wrap.clientWidth || 800);
  ctx.font = 'bold 16px ' + FONT;
  var widest = 0;
  order.forEach(function (l) { widest = Math.max(widest, ctx.measureText(l.title).width); });
  labelW = Math.round(Math.min(Math.max(widest + 44, 150), Math.max(150, cssW * 0.3)));
  plotW = Math.max(50, cssW - labelW - 12);
  // Lanes as tall as the window allows (projectors), between 24 and 64 pixels.
  var top = canvas.getBoundingClientRect().top + window.scrollY;
  var gaps = order.filter(function (l) { return l.groupEnd; }).length * GROUP_GAP;
  var avail = (window.innerHeight || 800) - top - AXIS_H - gaps - PAD_BOTTOM - 24;
  LANE_H = Math.max(24, Math.min(64, Math.floor(avail / Math.max(1, order.length))));
  var y = AXIS_H;
  order.forEach(function (l) {
    l.y = y; l.h = LANE_H; y += LANE_H;
    if (l.groupEnd) y += GROUP_GAP;
  });
  cssH = Math.max(y + PAD_BOTTOM, AXIS_H + 40);
  canvas.style.height = cssH + 'px';
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
}

// ---- search ------------------------------------------------------------------------------------
function firstGreater(A, x, lo, hi) {  // first index in [lo, hi) with A[i] > x
  while (lo < hi) { var m = (lo + hi) >> 1; if (A[m] > x) hi = m; else lo = m + 1; }
  return lo;
}
function firstAtLeast(A, x, lo, hi) {  // first index in [lo, hi) with A[i] >= x
  while (lo < hi) { var m = (lo + hi) >> 1; if (A[m] >= x) hi = m; else lo = m + 1; }
  return lo;
}

// ---- drawing ------------------------------------------------------------------------------------
var scratch = new Float64Array(Math.max(8, nthreads + 1));
// The time each category covers in [ta, tb) among intervals i..j-1, into `scratch`.
function shares(l, i, j, ta, tb) {
  var S = l.S, E = l.E, C = l.C, ncat = l.ncat, w = scratch, c, k;
  for (c = 0; c < ncat; c++) w[c] = 0;
  if (l.P && j - i > 4) {
    for (c = 0; c < ncat; c++) w[c] = l.P[c][j] - l.P[c][i];
    if (S[i] < ta) w[C[i]] -= ta - S[i];
    if (E[j - 1] > tb) w[C[j - 1]] -= E[j - 1] - tb;
  } else {
    var step = Math.max(1, Math.floor((j - i) / 256));
    for (k = i; k < j; k += step) w[C[k]] += (Math.min(E[k], tb) - Math.max(S[k], ta)) * step;
  }
  return w;
}
// Pieces of a lane: a horizontal run [a, b) in pixels, cut vertically into segments (category,
// top, bottom). The pending piece grows while the next one looks the same, so a long stretch is one
// rectangle per segment.
var segMax = Math.max(8, nthreads + 1);
var pc = new Int32Array(segMax), p0 = new Int32Array(segMax), p1 = new Int32Array(segMax);
var cc = new Int32Array(segMax), c0 = new Int32Array(segMax), c1 = new Int32Array(segMax);
var buckets = [], bucketLen = new Int32Array(segMax);
// One lane. An interval at least a pixel wide is drawn as it is. Where intervals are thinner, each
// pixel column shows the share of time of each state (or holder) in it, stacked in legend order:
// zoomed out, mixed stretches read as bands of proportion instead of flickering. A column whose
// shares all round to nothing still gets a sliver, so a short lone event stays visible.
function drawLane(l, y, h) {
  var S = l.S, E = l.E, C = l.C, n = S.length, ncat = l.ncat;
  if (!n) return 0;
  var scale = (v1 - v0) / plotW, x0 = labelW, pieces = 0;
  var i = firstGreater(E, v0, 0, n), cursor = 0, pn = 0, pa = 0, pb = 0, cn = 0;
  function flush() {
    for (var k = 0; k < pn; k++) {
      var bk = buckets[pc[k]] || (buckets[pc[k]] = []), m = bucketLen[pc[k]] | 0;
      bk[m] = x0 + pa; bk[m + 1] = y + p0[k]; bk[m + 2] = pb - pa; bk[m + 3] = p1[k] - p0[k];
      bucketLen[pc[k]] = m + 4;
    }
    pieces += pn;
    pn = 0;
  }
  function commit(a, b) {
    var same = cn === pn && a <= pb + 0.01;
    for (var k = 0; same && k < cn; k++) same = cc[k] === pc[k] && c0[k] === p0[k] && c1[k] === p1[k];
    if (same) { pb = b; return; }
    flush();
    for (var k2 = 0; k2 < cn; k2++) { pc[k2] = cc[k2]; p0[k2] = c0[k2]; p1[k2] = c1[k2]; }
    pn = cn; pa = a; pb = b;
  }
  while (i < n && S[i] < v1 && cursor < plotW) {
    var xs = Math.max((S[i] - v0) / scale, cursor), xe = Math.min((E[i] - v0) / scale, plotW);
    if (xe - xs >= 1) {
      cn = 1; cc[0] = C[i]; c0[0] = 0; c1[0] = h;
      commit(xs, xe); cursor = xe; i++;
      continue;
    }
    var col = Math.floor(xs), ta = v0 + col * scale, tb = ta + scale;
    var j = firstAtLeast(S, tb, i, n);
    if (j <= i) j = i + 1;
    var w = shares(l, i, j, ta, tb), acc = 0, top = 0, most = -1, mostW = 0;
    cn = 0;
    for (var c = 0; c < ncat && top < h; c++) {
      if (!(w[c] > 0)) continue;
      if (w[c] > mostW) { mostW = w[c]; most = c; }
      acc += w[c];
      var bottom = Math.min(h, Math.round(h * acc / scale));
      if (bottom <= top) continue;
      cc[cn] = c; c0[cn] = top; c1[cn] = bottom; cn++;
      top = bottom;
    }
    // Something happened here, too little for a pixel: show its main part as a sliver.
    if (!cn && most >= 0) { cc[0] = most; c0[0] = 0; c1[0] = Math.min(h, 2); cn = 1; }
    var b = Math.min(col + 1, plotW);
    if (cn) commit(Math.max(xs, col), b);
    cursor = b;
    i = (E[j - 1] > tb) ? j - 1 : j;
  }
  flush();
  // One path per colour: far fewer style changes than a fill per rectangle.
  for (var c2 = 0; c2 < ncat; c2++) {
    var len = bucketLen[c2] | 0;
    if (!len) continue;
    var bk = buckets[c2];
    ctx.fillStyle = l.color(c2);
    ctx.beginPath();
    for (var q = 0; q < len; q += 4) ctx.rect(bk[q], bk[q + 1], bk[q + 2], bk[q + 3]);
    ctx.fill();
    bucketLen[c2] = 0;
  }
  return pieces;
}

var arrowsDrawn = 0, arrowsInView = 0;
function drawArrows() {
  arrowsDrawn = 0;
  if (!HO.n) { arrowsInView = 0; return; }
  var scale = (v1 - v0) / plotW;
  var i = firstAtLeast(HO.A, v0, 0, HO.n), j = firstGreater(HO.A, v1, i, HO.n);
  arrowsInView = j - i;
  if (arrowsInView > plotW / 10) return;  // too dense: zoom in to see them
  ctx.save();
  ctx.beginPath(); ctx.rect(labelW, AXIS_H, plotW, cssH - AXIS_H); ctx.clip();
  ctx.strokeStyle = '#111'; ctx.fillStyle = '#111'; ctx.lineWidth = 2;
  for (var k = i; k < j; k++) {
    var from = laneOfThread[HO.F[k]], to = laneOfThread[HO.T[k]];
    if (!from || !to) continue;
    var xa = labelW + (HO.R[k] - v0) / scale, xb = labelW + (HO.A[k] - v0) / scale;
    var down = to.y > from.y;
    var ya = down ? from.y + from.h * 0.75 : from.y + from.h * 0.25;
    var yb = down ? to.y + 3 : to.y + to.h - 3;
    ctx.beginPath(); ctx.moveTo(xa, ya); ctx.lineTo(xb, yb); ctx.stroke();
    var ang = Math.atan2(yb - ya, xb - xa), L = 11;
    ctx.beginPath(); ctx.moveTo(xb, yb);
    ctx.lineTo(xb - L * Math.cos(ang - 0.4), yb - L * Math.sin(ang - 0.4));
    ctx.lineTo(xb - L * Math.cos(ang + 0.4), yb - L * Math.sin(ang + 0.4));
    ctx.closePath(); ctx.fill();
    ctx.beginPath(); ctx.arc(xa, ya, 3, 0, 2 * Math.PI); ctx.fill();
    arrowsDrawn++;
  }
  ctx.restore();
}
function drawDrops(l) {
  var D2 = l.drops, n = D2.length;
  if (!n) return;
  var i = firstAtLeast(D2, v0, 0, n), j = firstGreater(D2, v1, i, n);
  if (j - i > plotW / 6) return;
  var scale = (v1 - v0) / plotW;
  ctx.fillStyle = '#111'; ctx.strokeStyle = '#fff'; ctx.lineWidth = 1.5;
  for (var k = i; k < j; k++) {
    var x = labelW + (D2[k] - v0) / scale;
    ctx.beginPath(); ctx.moveTo(x - 7, l.y); ctx.lineTo(x + 7, l.y); ctx.lineTo(x, l.y + 11); ctx.closePath();
    ctx.stroke(); ctx.fill();
  }
}
function holderNames(l) {
  var S = l.S, E = l.E, C = l.C, n = S.length, scale = (v1 - v0) / plotW;
  var i = firstGreater(E, v0, 0, n);
  ctx.font = 'bold 15px ' + FONT; ctx.textBaseline = 'middle';
  for (var k = i; k < n && S[k] < v1; k++) {
    var xa = Math.max((S[k] - v0) / scale, 0), xb = Math.min((E[k] - v0) / scale, plotW);
    if (xb - xa < 60) { if (k - i > 4000) break; continue; }
    var th = threads[C[k]], col = threadColor(C[k]), room = xb - xa - 10;
    ctx.fillStyle = darkColor(col) ? '#fff' : '#111';
    var name = th ? th.name : '?', brief = name.split(' (')[0];
    var text = ctx.measureText(name).width <= room ? name : fitText(brief, room);
    if (text) ctx.fillText(text, labelW + xa + 5, l.y + l.h / 2 + 1);
  }
}
function fitText(s, w) {
  if (ctx.measureText(s).width <= w) return s;
  var lo = 0, hi = s.length;
  while (lo < hi) { var m = (lo + hi + 1) >> 1; if (ctx.measureText(s.slice(0, m) + '…').width <= w) lo = m; else hi = m - 1; }
  return lo ? s.slice(0, lo) + '…' : '';
}
function niceStep(raw) {
  var p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}
function tickLabel(us, step) {
  if (step >= 1e5) { var ds = Math.max(0, -Math.floor(Math.log10(step / 1e6) + 1e-9)); return fixed(us / 1e6, ds) + ' s'; }
  var dm = Math.max(0, -Math.floor(Math.log10(step / 1e3) + 1e-9));
  return fixed(us / 1e3, dm) + ' ms';
}
var lastDrawMs = 0, hoverX = -1;
function draw() {
  var t0 = performance.now();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, cssW, cssH);
  // lane backgrounds
  order.forEach(function (l) {
    ctx.fillStyle = l.kind === 'gil' ? '#ececec' : '#f6f6f6';
    ctx.fillRect(labelW, l.y + 1, plotW, l.h - 2);
  });
  // grid and ticks
  var step = niceStep((v1 - v0) * 130 / plotW), first = Math.ceil(v0 / step) * step;
  ctx.font = '15px ' + FONT; ctx.textBaseline = 'middle'; ctx.textAlign = 'center';
  var scale = (v1 - v0) / plotW;
  for (var t = first; t <= v1 + 1e-9; t += step) {
    var x = Math.round(labelW + (t - v0) / scale) + 0.5;
    ctx.fillStyle = '#d9d9d9'; ctx.fillRect(x - 0.5, AXIS_H - 6, 1, cssH - AXIS_H + 6);
    ctx.fillStyle = '#111'; ctx.fillText(tickLabel(t, step), Math.min(Math.max(x, labelW + 30), labelW + plotW - 30), AXIS_H / 2);
  }
  ctx.textAlign = 'left';
  // lanes (clipped to the plot)
  ctx.save();
  ctx.beginPath(); ctx.rect(labelW, 0, plotW, cssH); ctx.clip();
  var pieces = 0;
  order.forEach(function (l) {
    var pad = l.kind === 'gil' ? 5 : 3;
    pieces += drawLane(l, l.y + pad, l.h - 2 * pad);
    if (l.kind === 'gil') { holderNames(l); drawDrops(l); }
  });
  ctx.restore();
  drawArrows();
  // hover line
  if (hoverX >= labelW && hoverX <= labelW + plotW) {
    ctx.fillStyle = 'rgba(0,0,0,0.55)'; ctx.fillRect(Math.round(hoverX), AXIS_H - 4, 1, cssH - AXIS_H + 4);
  }
  // labels
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, labelW, cssH);
  ctx.fillStyle = '#111'; ctx.fillRect(labelW - 1, AXIS_H - 6, 1, cssH - AXIS_H + 6);
  ctx.textBaseline = 'middle';
  order.forEach(function (l) {
    var x = 8, ym = l.y + l.h / 2;
    if (l.kind === 'thread') {
      ctx.fillStyle = threadColor(l.thread); ctx.fillRect(x, ym - 8, 16, 16);
      ctx.strokeStyle = '#333'; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, ym - 7.5, 15, 15);
      x += 24;
      ctx.font = '16px ' + FONT;
    } else {
      ctx.font = 'bold 16px ' + FONT;
    }
    ctx.fillStyle = '#111';
    ctx.fillText(fitText(l.title, labelW - x - 8), x, ym + 1);
    if (l.groupEnd) { ctx.fillStyle = '#bbb'; ctx.fillRect(0, l.y + l.h + GROUP_GAP / 2, cssW, 1); }
  });
  lastDrawMs = performance.now() - t0;
  updateView(pieces);
  return lastDrawMs;
}
function fmtTime(us) { return fixed(us / 1e3, us < 1e3 ? 4 : 3) + ' ms'; }
function updateView(pieces) {
  var text = 'view ' + fmtTime(v0) + ' – ' + fmtTime(v1) + '  (' + fmtTime(v1 - v0) + ')';
  if (HO.n) {
    text += arrowsDrawn ? '  ·  ' + arrowsDrawn + ' hand-offs shown'
                        : arrowsInView ? '  ·  ' + arrowsInView + ' hand-offs: zoom in for arrows' : '';
  }
  document.getElementById('view').textContent = text;
}
var pending = false;
function redraw() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(function () { pending = false; draw(); });
}

// ---- interaction --------------------------------------------------------------------------------
function setView(a, b) {
  var span = Math.min(Math.max(b - a, MIN_SPAN), WALL);
  if (a < 0) a = 0;
  if (a + span > WALL) a = WALL - span;
  v0 = Math.max(0, a); v1 = v0 + span;
}
function timeAt(x) { return v0 + (x - labelW) * (v1 - v0) / plotW; }
function zoomAt(x, factor) {
  var t = timeAt(Math.min(Math.max(x, labelW), labelW + plotW));
  setView(t - (t - v0) / factor, t + (v1 - t) / factor);
  redraw();
}
function pan(px) { var d = px * (v1 - v0) / plotW; setView(v0 + d, v1 + d); redraw(); }
function reset() { setView(0, WALL); redraw(); }
document.getElementById('zoom-in').addEventListener('click', function () { zoomAt(labelW + plotW / 2, 2); });
document.getElementById('zoom-out').addEventListener('click', function () { zoomAt(labelW + plotW / 2, 0.5); });
document.getElementById('reset').addEventListener('click', reset);
canvas.addEventListener('wheel', function (e) {
  e.preventDefault();
  var r = canvas.getBoundingClientRect(), x = e.clientX - r.left;
  if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) { pan(e.deltaX); return; }
  var unit = e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? 400 : 1;
  zoomAt(x, Math.exp(-e.deltaY * unit * 0.0025));
}, { passive: false });
canvas.addEventListener('dblclick', function (e) {
  var r = canvas.getBoundingClientRect();
  zoomAt(e.clientX - r.left, e.shiftKey ? 0.5 : 2);
});
var drag = null;
canvas.addEventListener('pointerdown', function (e) {
  if (e.button !== 0) return;
  drag = { x: e.clientX, v0: v0, v1: v1 };
  try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* a synthetic pointer */ }
  canvas.classList.add('dragging');
  canvas.focus();
});
canvas.addEventListener('pointermove', function (e) {
  var r = canvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
  if (drag) {
    var d = (drag.x - e.clientX) * (drag.v1 - drag.v0) / plotW;
    setView(drag.v0 + d, drag.v1 + d);
    hideTip(); redraw();
    return;
  }
  hover(x, y);
});
function endDrag() { drag = null; canvas.classList.remove('dragging'); }
canvas.addEventListener('pointerup', endDrag);
canvas.addEventListener('pointercancel', endDrag);
canvas.addEventListener('pointerleave', function () { hoverX = -1; hideTip(); redraw(); });
window.addEventListener('keydown', function (e) {
  if (e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA')) return;
  var k = e.key;
  if (k === 'ArrowLeft') pan(-plotW * 0.2);
  else if (k === 'ArrowRight') pan(plotW * 0.2);
  else if (k === '+' || k === '=') zoomAt(labelW + plotW / 2, 2);
  else if (k === '-' || k === '_') zoomAt(labelW + plotW / 2, 0.5);
  else if (k === '0' || k === 'Home') reset();
  else return;
  e.preventDefault();
});
window.addEventListener('resize', function () { layout(); draw(); });

// ---- tooltips -----------------------------------------------------------------------------------
function hideTip() { tip.hidden = true; }
function laneAt(y) {
  for (var i = 0; i < order.length; i++) if (y >= order[i].y && y < order[i].y + order[i].h) return order[i];
  return null;
}
function describe(l, tm) {
  var S = l.S, E = l.E, n = S.length, k = firstGreater(S, tm, 0, n) - 1;
  var lines = [];
  var scale = (v1 - v0) / plotW;
  var inPixel = n ? firstAtLeast(S, tm + scale, 0, n) - firstGreater(E, tm, 0, n) : 0;
  if (l.kind === 'thread') {
    lines.push(['t', threads[l.thread].label]);
    if (k < 0 || E[k] <= tm) {
      var th = threads[l.thread];
      lines.push(['', tm < (th.start_us || 0) ? 'not started yet'
                      : th.end_us > 0 && tm >= th.end_us ? 'finished' : 'no state recorded here']);
    } else {
      var st = l.C[k], reason = D.reason_names[l.R[k]] || '';
      lines.push(['s' + st, D.state_names[st]]);
      lines.push(['', 'from ' + fmtTime(S[k]) + ' to ' + fmtTime(E[k])]);
      lines.push(['', 'duration ' + fmtTime(E[k] - S[k])]);
      if (reason) lines.push(['', 'reason: ' + reason + (REASON_TEXT[reason] ? ' (' + REASON_TEXT[reason] + ')' : '')]);
      if (st === 0) {
        lines.push(['', 'bytecodes: ' + l.N[k]]);
        var h = firstAtLeast(HO.A, S[k] - 0.05, 0, HO.n);
        for (; h < HO.n && HO.A[h] <= S[k] + 0.05; h++) {
          if (HO.T[h] === l.thread && threads[HO.F[h]]) {
            lines.push(['', 'handed over by ' + threads[HO.F[h]].label + ', ' + fmtTime(HO.A[h] - HO.R[h]) + ' after its release']);
            break;
          }
        }
      }
    }
  } else {
    lines.push(['t', l.title]);
    if (k < 0 || E[k] <= tm) {
      lines.push(['', 'free: nobody holds it']);
    } else {
      lines.push(['', 'held by ' + (threads[l.C[k]] ? threads[l.C[k]].label : '?')]);
      lines.push(['', 'from ' + fmtTime(S[k]) + ' to ' + fmtTime(E[k])]);
      lines.push(['', 'duration ' + fmtTime(E[k] - S[k])]);
    }
  }
  if (inPixel > 1) lines.push(['dim', inPixel + ' intervals share this pixel: zoom in']);
  return lines;
}
function hover(x, y) {
  hoverX = x;
  var l = laneAt(y);
  if (!l || x < labelW || x > labelW + plotW) { hideTip(); redraw(); return null; }
  var lines = describe(l, timeAt(x));
  tip.textContent = '';
  lines.forEach(function (ln) {
    var d = el('div', ln[0] === 't' ? 't' : ln[0] === 'dim' ? 'dim' : '');
    if (ln[0].charAt(0) === 's') {
      var sw = el('span', 'sw'); sw.style.background = STATE_COLORS[+ln[0].slice(1)];
      sw.style.verticalAlign = '-2px'; sw.style.marginRight = '8px';
      d.appendChild(sw); d.appendChild(el('b', '', ln[1]));
    } else {
      d.appendChild(document.createTextNode(ln[1]));
    }
    tip.appendChild(d);
  });
  tip.hidden = false;
  var tw = tip.offsetWidth, th = tip.offsetHeight;
  var left = x + 16, top = y + 18;
  if (left + tw > cssW - 4) left = Math.max(4, x - tw - 16);
  if (top + th > cssH - 4) top = Math.max(4, y - th - 12);
  tip.style.left = left + 'px'; tip.style.top = top + 'px';
  redraw();
  return lines;
}

// ---- start ----------------------------------------------------------------------------------
layout();
draw();
var firstDraw = lastDrawMs;
body.setAttribute('data-lanes', String(order.length));
body.setAttribute('data-intervals', String(totalIntervals));
body.setAttribute('data-handoffs', String(HO.n));
body.setAttribute('data-parse-ms', fixed(parseMs, 1));
body.setAttribute('data-draw-ms', fixed(firstDraw, 1));

// `#selftest` in the address: zoom, pan and hover through the run with synthetic input events
// (through the same handlers a person's mouse and keys use), timing every frame (tests).
if (/selftest/.test(location.hash)) {
  var seed = 12345;
  var rnd = function () { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  var worst = 0, frames = 0, all = [];
  var frame = function () { var ms = draw(); worst = Math.max(worst, ms); frames++; all.push(ms); };
  var box = canvas.getBoundingClientRect();
  var at = function (x, y) { return { clientX: box.left + x, clientY: box.top + y, bubbles: true, cancelable: true, pointerId: 1, button: 0 }; };
  var midY = order.length ? order[0].y + 5 : AXIS_H + 5;
  var span0 = v1 - v0;
  for (var z = 0; z < 14; z++) { canvas.dispatchEvent(new WheelEvent('wheel', Object.assign(at(labelW + rnd() * plotW, midY), { deltaY: -300 }))); frame(); }
  var zoomedIn = v1 - v0 < span0 || span0 <= MIN_SPAN;
  for (var p = 0; p < 6; p++) {
    var x = labelW + plotW / 2, before = v0;
    canvas.dispatchEvent(new PointerEvent('pointerdown', at(x, midY)));
    canvas.dispatchEvent(new PointerEvent('pointermove', at(x + (rnd() - 0.5) * plotW, midY)));
    canvas.dispatchEvent(new PointerEvent('pointerup', at(x, midY)));
    frame();
  }
  for (var k2 = 0; k2 < 4; k2++) { window.dispatchEvent(new KeyboardEvent('keydown', { key: k2 % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true })); frame(); }
  canvas.dispatchEvent(new MouseEvent('dblclick', at(labelW + plotW / 3, midY))); frame();
  for (var z2 = 0; z2 < 16; z2++) { document.getElementById('zoom-out').click(); frame(); }
  document.getElementById('zoom-in').click(); frame();
  document.getElementById('reset').click(); frame();
  var resetOk = v0 === 0 && v1 === WALL;
  var arrows = 0;
  if (HO.n) {
    var mid = Math.floor(HO.n / 2), a = HO.A[mid], w = Math.max(HO.A[mid] - HO.R[mid], 20);
    setView(a - 20 * w, a + 20 * w); frame(); arrows = arrowsDrawn;
  }
  var tipLines = 0;
  var probe = order.find(function (l) { return l.kind === 'thread' && l.S.length; });
  if (probe) {
    setView(probe.S[0], probe.E[Math.min(probe.E.length - 1, 3)]); frame();
    canvas.dispatchEvent(new PointerEvent('pointermove', at(labelW + plotW * 0.5, probe.y + probe.h / 2)));
    tipLines = tip.hidden ? 0 : tip.childNodes.length;
    canvas.dispatchEvent(new PointerEvent('pointerleave', at(0, 0)));
  }
  setView(0, WALL); frame();
  body.setAttribute('data-selftest-frames', String(frames));
  body.setAttribute('data-selftest-zoom', zoomedIn && resetOk ? 'ok' : 'failed');
  body.setAttribute('data-max-draw-ms', fixed(worst, 1));
  all.sort(function (a, b) { return a - b; });
  body.setAttribute('data-median-draw-ms', fixed(all[all.length >> 1], 1));
  body.setAttribute('data-arrows', String(arrows));
  body.setAttribute('data-tooltip-lines', String(tipLines));
}
if (!window.gilsimErrors.length) body.setAttribute('data-status', 'ok');
})();
</script>
)GILSIM";

}  // namespace

void write_timeline_html(const RunRecord& run, const Metrics& metrics, std::ostream& out) {
  out << kHead;
  out << "<title>gilsim timeline · " << markup_escape(run.script) << "</title>\n";
  out << kStyle << kErrorCatcher << kBody;
  out << "<script type=\"application/json\" id=\"gilsim-data\">"
      << script_safe_json(page_data(run, metrics)) << "</script>\n";
  out << kScript << "</body>\n</html>\n";
}

}  // namespace gilsim
