// gilsim's timeline renderer: one implementation for `gilsim run --timeline`, `gilsim compare
// --timeline` and the playground.
//
//   var view = gilsimTimeline.render(data, container, options);
//
// `data` is the object gilsim writes (tools/export/timeline_html.cpp, format "gilsim-timeline"), or several
// of them on one time axis, a block of lanes each ({ format: "gilsim-compare", runs: [...] }), `container`
// an empty element the renderer fills (summary, buttons, legend, the canvas, the per-thread table).
// options: { title: show the script's name as a heading (the page does, an embedding page may not),
//            keys: 'window' (default) or 'canvas' (where the keyboard shortcuts are listened to; an
//            embedding page with an editor wants 'canvas') }.
//            present: start in presentation mode (the page does with #present in its address).
//            replay: show the replay bar (play at a pace, step to hand-offs, holder and waiters).
// It returns a handle: draw(), setView(a, b), view(), geometry(), lanes(), ticks() (the time
// axis's labels as drawn), handoffs(), stats(), describe(lane, t), hover(x, y), present(on),
// presenting(), toggle('arrows' | 'drops'), shown(name), step(+1 | -1) (centre the next or
// previous hand-off), svg() (the current view as SVG text), png() (as a data: URL), and the
// replay's: playhead(t?) (get or set, in µs), play(), pause(), playing(), setPace(µs per second),
// stepHandoff(+1 | -1) (the playhead to the next or previous hand-off), replayState(t?) ({ t,
// holder: [labels], waiting: [labels] }).
//
// Everything the run contributes (script name, thread names, defines) is put on screen with
// textContent or on the canvas, never as markup.
//
// The data is columnar and delta-coded (see timeline_html.cpp). Drawing stays fast with millions of
// intervals: the canvas is redrawn per frame and each lane walks only what is visible, found by
// binary search; where many intervals fall into one pixel column, the column is drawn as the share
// of each state in it, computed from per-state prefix sums (a frame costs O(width × log n), whatever
// the zoom).
(function (global) {
'use strict';

// States (running, waiting, io, native, blocked), Okabe–Ito colours on white:
//   running  #009E73 bluish green  the one state that holds the GIL: the strong, "go" colour
//   waiting  #D55E00 vermillion    wants the GIL: the alarm colour, far from green for every viewer
//   io       #56B4E9 sky blue      light and calm: the GIL is released, nothing burns
//   native   #CC79A7 reddish purple GIL released but a core is busy
//   blocked  #999999 grey           parked on a Lock, a Queue or a join
// Running is not Okabe–Ito blue (#0072B2) on purpose: blue next to sky-blue io would read as one hue.
var STATE_COLORS = ['#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#999999'];
var STATE_TEXT = ['running — holds the GIL', 'waiting — wants the GIL', 'io — GIL released',
                  'native — GIL released, core busy', 'blocked — lock, queue or join'];
// Threads (in the GIL-holder lane and the swatch by each name) get identity colours that alternate
// dark and light, so neighbouring holders differ in lightness too, and each holder span is
// labelled with the thread's name when it is wide enough. Twelve hand-picked colours (Okabe–Ito
// and Paul Tol's, no grey, which reads as "free"), each far from the others (CIE ΔE over 20,
// tests/timeline_colors_test.js); past twelve, hues step by the golden angle, still alternating
// dark and light, so no two of a run's first hundred threads share a colour.
var THREAD_COLORS = ['#0072B2', '#F0E442', '#882255', '#88CCEE', '#332288', '#E69F00', '#117733',
                     '#FFAABB', '#222222', '#EE8866', '#AA4499', '#44BB99'];
// Why a thread is in its state: the interval's reason, in words. A waiting slice's reason is what
// it did before it asked for the GIL again, so it has words of its own: "io" there does not mean
// the thread is in I/O.
var REASON_TEXT = {
  start: 'thread start', io: 'io() / sleep()', native: 'native()', lock: 'a Lock', queue: 'Queue.get()',
  join: 'join()', drop_request: 'drop request (asked to let go)', tick: 'check interval ran out',
  exit: 'thread finished', error: 'died of an error'
};
var WAIT_TEXT = {
  start: 'a new thread, asking for the GIL to start',
  io: 'back from io() / sleep(), asking for the GIL again',
  native: 'back from native(), asking for the GIL again',
  lock: 'got its Lock, asking for the GIL again',
  queue: 'back from a Queue wait, asking for the GIL again',
  join: 'the thread it joined has finished; asking for the GIL again',
  drop_request: 'let go when asked (drop request), asking for the GIL again',
  tick: 'let go at the check interval, asking for the GIL again at once'
};
// Annotations (gilsim.mark / span / counter, docs/traces.md): colours outside the states' hues, so
// a note never reads as a state. Marks: a deep purple flag on a white-edged line, visible over every
// state colour. Spans: sand bars (two tones alternate by depth) with dark brown text and border,
// under the thread's lane. Counters: a dark blue step line over a pale fill.
var MARK_COLOR = '#5B2A86', SPAN_FILLS = ['#F2DDA4', '#E3C27A'], SPAN_INK = '#5A4200';
var COUNTER_LINE = '#1F4E79', COUNTER_FILL = 'rgba(31,78,121,0.16)';
var FONT = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif';

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function fixed(x, d) { return Number(x).toFixed(d); }
function firstGreater(A, x, lo, hi) {  // first index in [lo, hi) with A[i] > x
  while (lo < hi) { var m = (lo + hi) >> 1; if (A[m] > x) hi = m; else lo = m + 1; }
  return lo;
}
function firstAtLeast(A, x, lo, hi) {  // first index in [lo, hi) with A[i] >= x
  while (lo < hi) { var m = (lo + hi) >> 1; if (A[m] >= x) hi = m; else lo = m + 1; }
  return lo;
}

// ---- decoding -------------------------------------------------------------------------------
// Delta-coded µs (one decimal) back to absolute start and end times.
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
function hslHex(h, s, l) {
  var a = s * Math.min(l, 1 - l);
  function f(n) {
    var k = (n + h / 30) % 12, c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    var x = Math.round(c * 255).toString(16);
    return x.length < 2 ? '0' + x : x;
  }
  return '#' + f(0) + f(8) + f(4);
}
function threadColor(t) {
  if (t < THREAD_COLORS.length) return THREAD_COLORS[t];
  var k = t - THREAD_COLORS.length;
  return hslHex((k * 137.508 + 20) % 360, 0.65, k % 2 ? 0.8 : 0.28);
}
function darkColor(hex) {
  var r = parseInt(hex.substr(1, 2), 16), g = parseInt(hex.substr(3, 2), 16), b = parseInt(hex.substr(5, 2), 16);
  return 0.299 * r + 0.587 * g + 0.114 * b < 140;
}

// One run's lanes in drawing order (per process: its GIL lane, then its threads) and its hand-offs.
function decode(D) {
  var threads = D.threads, nthreads = threads.length, intervals = 0;
  var groups = [];
  for (var gi = 0; gi < Math.max(1, D.processes.length); gi++) groups.push([]);
  for (var t = 0; t < nthreads; t++) {
    var L = D.lanes[t], se = times(L.g, L.d);
    var lane = { kind: 'thread', thread: t, title: threads[t].label, S: se[0], E: se[1],
                 C: Uint8Array.from(L.k), R: Uint8Array.from(L.r), N: Float64Array.from(L.n), ncat: 5,
                 W: Int32Array.from(L.c || []), places: D.places || [] };
    lane.P = prefixSums(lane.S, lane.E, lane.C, 5);
    lane.color = function (c) { return STATE_COLORS[c] || '#000'; };
    intervals += lane.S.length;
    (groups[threads[t].gil] || groups[0]).push(lane);
  }
  var gilLanes = [];
  if (D.exclusive) {
    for (var g = 0; g < D.processes.length; g++) {
      var H = D.holders[g] || { b: [], d: [], t: [], drop: [] };
      var hs = times(H.b, H.d);
      var gl = { kind: 'gil', gil: g, title: 'GIL · ' + D.processes[g], S: hs[0], E: hs[1],
                 C: Int32Array.from(H.t), ncat: nthreads };
      gl.P = nthreads <= 16 ? prefixSums(gl.S, gl.E, gl.C, nthreads) : null;
      gl.color = threadColor;
      var drops = new Float64Array(H.drop.length), acc = 0;
      for (var i = 0; i < H.drop.length; i++) { acc += Math.round(H.drop[i] * 10); drops[i] = acc / 10; }
      gl.drops = drops;
      intervals += gl.S.length;
      gilLanes.push(gl);
    }
  }
  var h = D.handoffs, n = h.a.length, A = new Float64Array(n), R = new Float64Array(n), acc2 = 0;
  for (var k = 0; k < n; k++) {
    acc2 += Math.round(h.a[k] * 10); A[k] = acc2 / 10;
    R[k] = (acc2 - Math.round(h.w[k] * 10)) / 10;
  }
  var HO = { A: A, R: R, F: Int32Array.from(h.f), T: Int32Array.from(h.t), n: n };
  var order = [];
  for (var g3 = 0; g3 < groups.length; g3++) {
    if (D.exclusive && gilLanes[g3]) order.push(gilLanes[g3]);
    for (var q = 0; q < groups[g3].length; q++) order.push(groups[g3][q]);
    if (order.length) order[order.length - 1].groupEnd = true;
  }
  var laneOfThread = [];
  order.forEach(function (l) { if (l.kind === 'thread') laneOfThread[l.thread] = l; });
  order = annotationLanes(D, order, laneOfThread);
  return { order: order, HO: HO, laneOfThread: laneOfThread, intervals: intervals };
}

// Delta-coded times (0.1 µs steps) back to absolute µs.
function undelta(A) {
  var out = new Float64Array(A.length), acc = 0;
  for (var i = 0; i < A.length; i++) { acc += Math.round(A[i] * 10); out[i] = acc / 10; }
  return out;
}

// gilsim.mark / span / counter (timeline_html.cpp add_annotations): each thread lane gets its marks
// (lane.marks: times A, labels L); a thread with spans gets a 'spans' lane right under it (bars by
// start: S, E, depth Z, label L); each counter a 'counter' lane (times A, values V) at the end of
// its process's block. Returns the lanes in drawing order.
function annotationLanes(D, order, laneOfThread) {
  var labels = D.labels || [];
  var M = D.marks || { a: [], t: [], l: [] }, mA = undelta(M.a);
  for (var i = 0; i < mA.length; i++) {
    var tl = laneOfThread[M.t[i]];
    if (!tl) continue;
    if (!tl.marks) tl.marks = { A: [], L: [] };
    tl.marks.A.push(mA[i]); tl.marks.L.push(labels[M.l[i]] || '?');
  }
  var Sp = D.spans || { b: [], d: [], t: [], l: [], z: [] }, sB = undelta(Sp.b), spanLane = [];
  for (var k = 0; k < sB.length; k++) {
    var t = Sp.t[k], sl = spanLane[t];
    if (!laneOfThread[t]) continue;
    if (!sl) sl = spanLane[t] = { kind: 'spans', thread: t, title: 'spans', S: [], E: [], C: [], ncat: 0,
                                  SS: [], SE: [], Z: [], L: [], depth: 1, color: function () { return '#000'; } };
    sl.SS.push(sB[k]); sl.SE.push(sB[k] + Sp.d[k]); sl.Z.push(Sp.z[k]); sl.L.push(labels[Sp.l[k]] || '?');
    sl.depth = Math.max(sl.depth, Sp.z[k] + 1);
  }
  // The latest end among spans 0..k, so a binary search finds the first that may reach a time.
  spanLane.forEach(function (sl) {
    if (!sl) return;
    sl.reach = new Float64Array(sl.SE.length);
    for (var q = 0, m = -Infinity; q < sl.SE.length; q++) { m = Math.max(m, sl.SE[q]); sl.reach[q] = m; }
  });
  var counterLanes = [];
  (D.counters || []).forEach(function (c) {
    var V = Float64Array.from(c.v), lo = 0, hi = 0;
    for (var q = 0; q < V.length; q++) { lo = Math.min(lo, V[q]); hi = Math.max(hi, V[q]); }
    counterLanes.push({ kind: 'counter', gil: c.g, title: labels[c.l] || '?', S: [], E: [], C: [], ncat: 0,
                        A: undelta(c.a), V: V, lo: lo, hi: hi, color: function () { return '#000'; } });
  });
  if (!mA.length && !sB.length && !counterLanes.length) return order;
  var out = [];
  order.forEach(function (l, idx) {
    var end = l.groupEnd;
    l.groupEnd = false;
    out.push(l);
    if (l.kind === 'thread' && spanLane[l.thread]) out.push(spanLane[l.thread]);
    if (end) {
      // The block of a process ends here: its counters below its threads.
      var g = l.kind === 'thread' ? D.threads[l.thread].gil : l.gil;
      counterLanes.forEach(function (cl) { if (cl.gil === g) out.push(cl); });
      out[out.length - 1].groupEnd = true;
    }
    void idx;
  });
  return out;
}


// Several runs on one shared time axis (format "gilsim-compare": { runs: [data, data, ...] }, as
// `gilsim compare --timeline` and the playground's side-by-side mode give): each run decoded as
// above, its lanes a block of their own under a header lane naming the run. Thread indices are made
// global (lane.thread, the hand-offs) so hovering and arrows work across blocks; a lane keeps its
// run's own thread number for its colour, so the same thread has the same colour in every block.
function decodeMany(runs) {
  var order = [], threads = [], intervals = 0, offset = 0;
  var A = [], R = [], F = [], T = [];
  runs.forEach(function (D, ri) {
    var dec = decode(D);
    order.push({ kind: 'run', run: ri, title: D.policy, S: [], E: [], C: [], ncat: 0,
                 color: function () { return '#000'; } });
    dec.order.forEach(function (l) {
      l.run = ri;
      if (l.kind === 'thread') { l.colorIndex = l.thread; l.thread += offset; }
      else if (l.kind === 'spans') l.thread += offset;
      else if (l.kind === 'gil') { l.threads = D.threads; l.title = 'GIL' + (D.processes.length > 1 ? ' · ' + D.processes[l.gil] : ''); }
      order.push(l);
    });
    D.threads.forEach(function (th) {
      var copy = {};
      for (var key in th) copy[key] = th[key];
      copy.label = D.policy + ' · ' + th.label;
      copy.run = ri;
      threads.push(copy);
    });
    var h = dec.HO;
    for (var k = 0; k < h.n; k++) { A.push(h.A[k]); R.push(h.R[k]); F.push(h.F[k] + offset); T.push(h.T[k] + offset); }
    intervals += dec.intervals;
    offset += D.threads.length;
  });
  var idx = A.map(function (_, i) { return i; }).sort(function (x, y) { return A[x] - A[y] || x - y; });
  var n = idx.length, HO = { A: new Float64Array(n), R: new Float64Array(n), F: new Int32Array(n), T: new Int32Array(n), n: n };
  idx.forEach(function (i, k) { HO.A[k] = A[i]; HO.R[k] = R[i]; HO.F[k] = F[i]; HO.T[k] = T[i]; });
  var laneOfThread = [];
  order.forEach(function (l) { if (l.kind === 'thread') laneOfThread[l.thread] = l; });
  return { order: order, HO: HO, laneOfThread: laneOfThread, intervals: intervals, threads: threads };
}

// What the summary shows for several runs: the first run's description, the runs' policies.
function compareSummary(C) {
  var runs = C.runs, first = runs[0] || {}, wall = 0, threads = [];
  runs.forEach(function (D) { wall = Math.max(wall, D.wall_us || 0); });
  return {
    script: first.script || '', policy: runs.map(function (D) { return D.policy; }).join(' · '),
    policy_params: '', engine: first.engine || '', wall_us: wall, processes: first.processes || [],
    defines: first.defines || [], stop: 'none', exit_code: 0, state_names: first.state_names,
    reason_names: first.reason_names, exclusive: runs.some(function (D) { return D.exclusive; }),
    threads: threads, gil: first.gil, runs: runs
  };
}

// ---- SVG export ---------------------------------------------------------------------------------
// A stand-in for the canvas's 2D context that writes SVG: draw() runs once against it, so the SVG
// of the current view is drawn by the very code that draws the canvas, as vectors (slides scale
// it without blur). It knows the part of the 2D API that draw() uses; text is measured by the real
// context.
function SvgContext(measure, width, height) {
  this.measure = measure; this.width = width; this.height = height;
  this.parts = []; this.path = ''; this.stack = []; this.clips = 0; this.open = 0;
  this.fillStyle = '#000'; this.strokeStyle = '#000'; this.lineWidth = 1; this.font = '10px sans-serif';
  this.textAlign = 'left'; this.textBaseline = 'alphabetic';
}
function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function num(x) { return Math.round(x * 100) / 100; }
SvgContext.prototype = {
  setTransform: function () {},
  measureText: function (s) { this.measure.font = this.font; return this.measure.measureText(s); },
  save: function () { this.stack.push({ fillStyle: this.fillStyle, strokeStyle: this.strokeStyle, lineWidth: this.lineWidth, font: this.font, open: this.open }); },
  restore: function () {
    var st = this.stack.pop();
    if (!st) return;
    while (this.open > st.open) { this.parts.push('</g>'); this.open--; }
    this.fillStyle = st.fillStyle; this.strokeStyle = st.strokeStyle; this.lineWidth = st.lineWidth; this.font = st.font;
  },
  beginPath: function () { this.path = ''; },
  rect: function (x, y, w, h) { this.path += 'M' + num(x) + ' ' + num(y) + 'h' + num(w) + 'v' + num(h) + 'h' + num(-w) + 'Z'; },
  moveTo: function (x, y) { this.path += 'M' + num(x) + ' ' + num(y); },
  lineTo: function (x, y) { this.path += 'L' + num(x) + ' ' + num(y); },
  closePath: function () { this.path += 'Z'; },
  arc: function (x, y, r) {
    this.path += 'M' + num(x - r) + ' ' + num(y) + 'a' + r + ' ' + r + ' 0 1 0 ' + 2 * r + ' 0a' + r + ' ' + r + ' 0 1 0 ' + -2 * r + ' 0';
  },
  fill: function () { if (this.path) this.parts.push('<path d="' + this.path + '" fill="' + this.fillStyle + '"/>'); },
  stroke: function () {
    if (this.path) this.parts.push('<path d="' + this.path + '" fill="none" stroke="' + this.strokeStyle + '" stroke-width="' + this.lineWidth + '"/>');
  },
  clip: function () {
    var id = 'c' + (++this.clips);
    this.parts.push('<clipPath id="' + id + '"><path d="' + this.path + '"/></clipPath><g clip-path="url(#' + id + ')">');
    this.open++;
  },
  fillRect: function (x, y, w, h) {
    this.parts.push('<rect x="' + num(x) + '" y="' + num(y) + '" width="' + num(w) + '" height="' + num(h) + '" fill="' + this.fillStyle + '"/>');
  },
  strokeRect: function (x, y, w, h) {
    this.parts.push('<rect x="' + num(x) + '" y="' + num(y) + '" width="' + num(w) + '" height="' + num(h) + '" fill="none" stroke="' + this.strokeStyle + '" stroke-width="' + this.lineWidth + '"/>');
  },
  fillText: function (s, x, y) {
    var anchor = this.textAlign === 'center' ? 'middle' : this.textAlign === 'right' || this.textAlign === 'end' ? 'end' : 'start';
    var base = this.textBaseline === 'middle' ? 'central' : this.textBaseline === 'top' ? 'hanging' : 'auto';
    var m = /^(bold )?(\d+(?:\.\d+)?)px (.*)$/.exec(this.font) || [null, '', '10', 'sans-serif'];
    this.parts.push('<text x="' + num(x) + '" y="' + num(y) + '" fill="' + this.fillStyle + '" font-size="' + m[2] +
                    '" font-family="' + xmlEscape(m[3]) + '"' + (m[1] ? ' font-weight="bold"' : '') +
                    ' text-anchor="' + anchor + '" dominant-baseline="' + base + '">' + xmlEscape(s) + '</text>');
  },
  svg: function () {
    while (this.open > 0) { this.parts.push('</g>'); this.open--; }
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + this.width + '" height="' + this.height +
           '" viewBox="0 0 ' + this.width + ' ' + this.height + '">\n' + this.parts.join('\n') + '\n</svg>\n';
  }
};

function render(D, root, options) {
  options = options || {};
  var T0 = performance.now();
  var MANY = D.format === 'gilsim-compare';
  var decoded = MANY ? decodeMany(D.runs) : decode(D);
  if (MANY) { D = compareSummary(D); D.threads = decoded.threads; }
  var threads = D.threads, nthreads = threads.length;
  var WALL = Math.max(D.wall_us || 0, 1);
  var order = decoded.order, HO = decoded.HO, laneOfThread = decoded.laneOfThread;
  var decodeMs = performance.now() - T0;
  var show = { arrows: true, drops: true };

  // ---- the DOM: summary, buttons and legend, the canvas, the totals ------------------------------
  root.textContent = '';
  root.classList.add('gilsim-timeline');
  var header = el('header');
  if (options.title) {
    var h1 = el('h1');
    h1.appendChild(el('span', 'dim', 'gilsim timeline · '));
    h1.appendChild(el('span', 'script', D.script));
    header.appendChild(h1);
  }
  var meta = el('div', 'meta'), banner = el('div', 'banner-box'), cards = el('div', 'cards');
  header.appendChild(meta); header.appendChild(banner); header.appendChild(cards);
  root.appendChild(header);
  function button(cls, text, title) { var b = el('button', cls, text); b.type = 'button'; b.title = title; return b; }
  var bar1 = el('div', 'bar'), buttons = el('div', 'buttons');
  var bZoomOut = button('zoom-out', '−', 'zoom out (−)'), bZoomIn = button('zoom-in', '+', 'zoom in (+)');
  var bReset = button('reset', 'reset', 'show the whole run (0)');
  var bPresent = button('present', 'present', 'presentation mode: lanes fill the screen (P)');
  [bZoomOut, bZoomIn, bReset, bPresent].forEach(function (b) { buttons.appendChild(b); });
  // Shown in presentation mode only: what a lecturer needs with the summary folded away.
  var presentBar = el('div', 'buttons present-only');
  var bArrows = button('toggle-arrows', 'arrows', 'show hand-off arrows (A)');
  var bDrops = button('toggle-drops', '▼ drops', 'show drop-request marks (D)');
  var bPrev = button('prev-handoff', '◀ hand-off', 'previous hand-off (←)');
  var bNext = button('next-handoff', 'hand-off ▶', 'next hand-off (→)');
  var bSvg = button('export-svg', 'SVG', 'save the current view as SVG (S)');
  var bPng = button('export-png', 'PNG', 'save the current view as PNG');
  [bArrows, bDrops, bPrev, bNext, bSvg, bPng].forEach(function (b) { presentBar.appendChild(b); });
  buttons.appendChild(presentBar);
  var legend = el('div', 'legend');
  bar1.appendChild(buttons); bar1.appendChild(legend);
  root.appendChild(bar1);
  var bar2 = el('div', 'bar'), viewText = el('span', 'view');
  bar2.appendChild(viewText);
  bar2.appendChild(el('span', 'hint', 'wheel or double-click: zoom (shift: out) · drag or ← →: pan · hover: details · P: present'));
  root.appendChild(bar2);
  // Replay (options.replay): a playhead that plays the run forward at a chosen pace or steps from
  // hand-off to hand-off, with who holds the GIL and who waits for it at the playhead.
  var replayBar = el('div', 'bar replay');
  var bPlay = button('play', '▶ play', 'play the run forward from the playhead');
  var bStepBack = button('step-back', '◀ hand-off', 'playhead to the previous hand-off');
  var bStep = button('step', 'hand-off ▶', 'playhead to the next hand-off');
  var paceSel = el('select', 'pace');
  paceSel.title = 'how much of the run plays in one second';
  var replayText = el('span', 'replay-state');
  [bStepBack, bPlay, bStep, paceSel, replayText].forEach(function (b) { replayBar.appendChild(b); });
  if (options.replay) root.appendChild(replayBar);
  var wrap = el('div', 'wrap'), canvas = el('canvas'), tip = el('div', 'tip');
  canvas.tabIndex = 0;
  canvas.setAttribute('aria-label', "timeline of the run's threads");
  tip.hidden = true;
  wrap.appendChild(canvas); wrap.appendChild(tip);
  root.appendChild(wrap);
  var totalsBox = el('details', 'totals-box'), totals = el('table', 'totals');
  totalsBox.open = true;
  totalsBox.appendChild(el('summary', '', 'Per-thread totals'));
  totalsBox.appendChild(totals);
  root.appendChild(totalsBox);
  var ctx = canvas.getContext('2d');

  (function summary() {
    if (options.title) document.title = 'gilsim timeline · ' + D.script;
    function part(label, value) {
      if (meta.childNodes.length) meta.appendChild(document.createTextNode('  ·  '));
      meta.appendChild(document.createTextNode(label ? label + ' ' : ''));
      meta.appendChild(el('b', '', value));
    }
    if (MANY) part('policies', D.policy + '  (one block of lanes each, one time axis)');
    else part('policy', D.policy + ' (' + D.policy_params + ')');
    part('engine', D.engine);
    part('wall', D.wall_us >= 1e6 ? fixed(D.wall_us / 1e6, 3) + ' s' : fixed(D.wall_us / 1e3, 3) + ' ms');
    part('threads', String(nthreads));
    if (D.processes.length > 1) part('processes', String(D.processes.length));
    if (D.defines.length) part('-D', D.defines.map(function (kv) { return kv[0] + '=' + kv[1]; }).join(' '));
    var notes = [];
    (MANY ? D.runs : [D]).forEach(function (R) {
      var who = MANY ? R.policy + ': ' : '';
      if (R.stop !== 'none') notes.push(who + 'The run was stopped: ' + R.stop + '.');
      if (R.exit_code) notes.push(who + 'Exit status ' + R.exit_code + '.');
    });
    var failed = threads.filter(function (th) { return th.failed; });
    failed.forEach(function (th) {
      notes.push(th.label + ' died of an uncaught error' + (th.error ? ': ' + th.error : '') + '.');
    });
    if (notes.length) {
      var b = el('div', 'banner', notes.join(' '));
      failed.forEach(function (th) { if (th.traceback) b.appendChild(el('pre', 'traceback', th.traceback)); });
      banner.appendChild(b);
    }
    function card(k, v) { var c = el('div', 'card'); c.appendChild(el('div', 'v', v)); c.appendChild(el('div', 'k', k)); cards.appendChild(c); }
    var G = D.gil;
    if (MANY) {
      D.runs.forEach(function (R) {
        var wall = R.wall_us >= 1e6 ? fixed(R.wall_us / 1e6, 3) + ' s' : fixed(R.wall_us / 1e3, 3) + ' ms';
        card(R.policy + ' (' + R.policy_params + ')', R.exclusive
          ? wall + ' · ' + R.gil.switches + ' switches · p99 wait ' + fixed(R.gil.wait_p99_ms, 2) + ' ms'
          : wall + ' · no GIL');
      });
    } else if (D.exclusive) {
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
    function item(sw, text) { var s = el('span', 'item'); s.appendChild(sw); s.appendChild(el('span', '', text)); legend.appendChild(s); }
    for (var s = 0; s < 5; s++) { var sw = el('span', 'sw'); sw.style.background = STATE_COLORS[s]; item(sw, STATE_TEXT[s]); }
    if (D.exclusive) {
      var gsw = el('span', 'sw');
      gsw.style.background = 'linear-gradient(90deg,' + THREAD_COLORS[0] + ' 0 33%,' + THREAD_COLORS[1] + ' 33% 66%,' + THREAD_COLORS[2] + ' 66%)';
      item(gsw, 'GIL lane: the holder (its square by the name)');
      item(el('span', '', '→'), 'hand-off');
      item(el('span', '', '▼'), 'drop request');
    }
    var hasMarks = order.some(function (l) { return l.marks; });
    if (hasMarks) { var mk = el('span', '', '⚑'); mk.style.color = MARK_COLOR; item(mk, 'mark()'); }
    if (order.some(function (l) { return l.kind === 'spans'; })) {
      var ssw = el('span', 'sw'); ssw.style.background = SPAN_FILLS[0]; ssw.style.borderColor = SPAN_INK;
      item(ssw, 'span()');
    }
    if (order.some(function (l) { return l.kind === 'counter'; })) {
      var csw = el('span', 'sw'); csw.style.background = COUNTER_FILL; csw.style.borderColor = COUNTER_LINE;
      item(csw, 'counter()');
    }
    var head = el('tr');
    ['thread', 'running s', 'waiting s', 'io s', 'native s', 'blocked s', 'bytecodes', 'acquired'].forEach(function (h) { head.appendChild(el('th', '', h)); });
    totals.appendChild(head);
    threads.forEach(function (th) {
      var tr = el('tr');
      tr.appendChild(el('td', '', th.label + (th.failed ? ' (died)' : '')));
      for (var s2 = 0; s2 < 5; s2++) tr.appendChild(el('td', '', th.state_s ? fixed(th.state_s[s2], 3) : '–'));
      tr.appendChild(el('td', '', String(th.bytecodes || 0)));
      tr.appendChild(el('td', '', String(th.acquisitions || 0)));
      totals.appendChild(tr);
    });
  })();

  // ---- layout -------------------------------------------------------------------------------------
  var AXIS_H = 34, GROUP_GAP = 12, PAD_BOTTOM = 8;
  var presenting = false;
  function px(n) { return presenting ? Math.round(n * 1.5) : n; }  // type grows when presenting
  var LANE_H = 40;
  var cssW = 800, cssH = 200, labelW = 200, plotW = 600, dpr = 1;
  var v0 = 0, v1 = WALL;
  var MIN_SPAN = Math.min(10, WALL);
  function layout() {
    dpr = window.devicePixelRatio || 1;
    AXIS_H = px(34);
    cssW = Math.max(320, wrap.clientWidth || 800);
    ctx.font = 'bold ' + px(16) + 'px ' + FONT;
    var widest = 0;
    order.forEach(function (l) { widest = Math.max(widest, ctx.measureText(l.title).width); });
    labelW = Math.round(Math.min(Math.max(widest + px(44), 150), Math.max(150, cssW * 0.3)));
    plotW = Math.max(50, cssW - labelW - 12);
    // Lanes as tall as the window allows (projectors), between 24 and 64 pixels.
    var top = canvas.getBoundingClientRect().top + window.scrollY;
    var gaps = order.filter(function (l) { return l.groupEnd; }).length * GROUP_GAP;
    var avail = (window.innerHeight || 800) - top - AXIS_H - gaps - PAD_BOTTOM - 24;
    LANE_H = Math.max(24, Math.min(presenting ? 160 : 64, Math.floor(avail / Math.max(1, order.length))));
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
  // top, bottom). The pending piece grows while the next one looks the same, so a long stretch is
  // one rectangle per segment.
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
    if (!show.arrows || arrowsInView > plotW / 10) return;  // too dense: zoom in to see them
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
    if (!n || !show.drops) return;
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
    ctx.font = 'bold ' + px(15) + 'px ' + FONT; ctx.textBaseline = 'middle';
    for (var k = i; k < n && S[k] < v1; k++) {
      var xa = Math.max((S[k] - v0) / scale, 0), xb = Math.min((E[k] - v0) / scale, plotW);
      if (xb - xa < 60) { if (k - i > 4000) break; continue; }
      var th = (l.threads || threads)[C[k]], col = threadColor(C[k]), room = xb - xa - 10;
      ctx.fillStyle = darkColor(col) ? '#fff' : '#111';
      var name = th ? th.name : '?', brief = name.split(' (')[0];
      var text = ctx.measureText(name).width <= room ? name : fitText(brief, room);
      if (text) ctx.fillText(text, labelW + xa + 5, l.y + l.h / 2 + 1);
    }
  }
  // In a running slice wide enough, the function and line where it took the GIL ("count:9").
  // Drawn after the lane's colours, before the arrows: text over green, white for contrast.
  function codeNames(l) {
    if (!l.W || !l.W.length) return;
    var S = l.S, E = l.E, C = l.C, n = S.length, scale = (v1 - v0) / plotW;
    var i = firstGreater(E, v0, 0, n);
    ctx.font = px(13) + 'px ' + FONT; ctx.textBaseline = 'middle'; ctx.fillStyle = '#fff';
    for (var k = i; k < n && S[k] < v1; k++) {
      // A thread's first slice began before its function did: it is named by where it let go.
      var w = l.W[k] >= 0 ? l.W[k] : k + 1 < n && S[k + 1] === E[k] ? l.W[k + 1] : -1;
      if (C[k] !== 0 || w < 0) continue;
      var xa = Math.max((S[k] - v0) / scale, 0), xb = Math.min((E[k] - v0) / scale, plotW);
      if (xb - xa < 70) { if (k - i > 4000) break; continue; }
      var text = fitText(l.places[w], xb - xa - 10);
      if (text) ctx.fillText(text, labelW + xa + 5, l.y + l.h / 2 + 1);
    }
  }
  // ---- annotations ----------------------------------------------------------------------------
  var marksDrawn = 0, spansDrawn = 0, counterSteps = 0;
  // A mark: a line across its thread's lane, white-edged, with a flag at the top and the label
  // beside it when the next mark leaves room. Too many in view to tell apart: zoom in.
  function drawMarks(l) {
    var M = l.marks;
    if (!M) return;
    var A = M.A, n = A.length, i = firstAtLeast(A, v0, 0, n), j = firstGreater(A, v1, i, n);
    if (j - i > plotW / 3) return;
    var scale = (v1 - v0) / plotW;
    ctx.font = 'bold ' + px(13) + 'px ' + FONT; ctx.textBaseline = 'top';
    for (var k = i; k < j; k++) {
      var x = Math.round(labelW + (A[k] - v0) / scale) + 0.5;
      ctx.fillStyle = '#fff'; ctx.fillRect(x - 2, l.y + 1, 4, l.h - 2);
      ctx.fillStyle = MARK_COLOR; ctx.fillRect(x - 1, l.y + 1, 2, l.h - 2);
      ctx.beginPath(); ctx.moveTo(x, l.y + 1); ctx.lineTo(x + 10, l.y + 5); ctx.lineTo(x, l.y + 9); ctx.closePath();
      ctx.strokeStyle = '#fff'; ctx.lineWidth = 1.5; ctx.stroke(); ctx.fill();
      var room = (k + 1 < j ? (A[k + 1] - v0) / scale + labelW : labelW + plotW) - x - 16;
      var text = room > 20 ? fitText(M.L[k], room) : '';
      if (text) {
        var tw = ctx.measureText(text).width;
        ctx.fillStyle = 'rgba(255,255,255,0.85)'; ctx.fillRect(x + 12, l.y + 1, tw + 4, px(13) + 3);
        ctx.fillStyle = MARK_COLOR; ctx.fillText(text, x + 14, l.y + 2);
      }
      marksDrawn++;
    }
    ctx.textBaseline = 'middle';
  }
  // Spans: a row per depth (outermost on top), each a bar named by its label where it fits.
  function drawSpans(l) {
    var n = l.SS.length, scale = (v1 - v0) / plotW;
    var rowH = Math.max(6, Math.floor((l.h - 4) / l.depth));
    var i = firstGreater(l.reach, v0, 0, n);
    ctx.font = px(13) + 'px ' + FONT; ctx.textBaseline = 'middle';
    for (var k = i; k < n && l.SS[k] < v1; k++) {
      if (l.SE[k] < v0) continue;
      var xa = Math.max((l.SS[k] - v0) / scale, -2), xb = Math.min((l.SE[k] - v0) / scale, plotW + 2);
      var w = Math.max(xb - xa, 1), y = l.y + 2 + l.Z[k] * rowH, h = Math.min(rowH - 1, l.h - 4);
      if (y + h > l.y + l.h) continue;  // deeper than the lane shows
      ctx.fillStyle = SPAN_FILLS[l.Z[k] % 2]; ctx.fillRect(labelW + xa, y, w, h);
      if (w >= 3) { ctx.strokeStyle = SPAN_INK; ctx.lineWidth = 1; ctx.strokeRect(labelW + xa + 0.5, y + 0.5, w - 1, h - 1); }
      if (w > 30 && h >= 10) {
        var text = fitText(l.L[k], w - 8);
        if (text) { ctx.fillStyle = SPAN_INK; ctx.fillText(text, labelW + Math.max(xa, 0) + 4, y + h / 2 + 1); }
      }
      spansDrawn++;
    }
  }
  // A counter: the value as a step line (it holds until the next sample) over a pale fill, scaled
  // from min(0, lowest) to the highest value; the highest written at the lane's top left.
  function drawCounter(l) {
    var A = l.A, V = l.V, n = A.length;
    if (!n) return;
    var scale = (v1 - v0) / plotW, top = l.y + 4, bottom = l.y + l.h - 3, span = l.hi - l.lo || 1;
    function yOf(v) { return bottom - (v - l.lo) / span * (bottom - top); }
    var i = Math.max(0, firstGreater(A, v0, 0, n) - 1), end = firstGreater(A, v1, i, n);
    var pts = [];
    for (var k = i; k < Math.min(end + 1, n); k++) {
      var x = labelW + Math.max(-1, Math.min(plotW + 1, (A[k] - v0) / scale));
      pts.push([x, yOf(V[k])]);
    }
    var xEnd = labelW + Math.min(plotW + 1, (WALL - v0) / scale);
    ctx.beginPath(); ctx.moveTo(pts[0][0], bottom);
    for (var q = 0; q < pts.length; q++) {
      if (q) ctx.lineTo(pts[q][0], pts[q - 1][1]);
      ctx.lineTo(pts[q][0], pts[q][1]);
    }
    ctx.lineTo(Math.max(xEnd, pts[pts.length - 1][0]), pts[pts.length - 1][1]);
    ctx.lineTo(Math.max(xEnd, pts[pts.length - 1][0]), bottom); ctx.closePath();
    ctx.fillStyle = COUNTER_FILL; ctx.fill();
    ctx.beginPath(); ctx.moveTo(pts[0][0], pts[0][1]);
    for (var r = 1; r < pts.length; r++) { ctx.lineTo(pts[r][0], pts[r - 1][1]); ctx.lineTo(pts[r][0], pts[r][1]); }
    ctx.lineTo(Math.max(xEnd, pts[pts.length - 1][0]), pts[pts.length - 1][1]);
    ctx.strokeStyle = COUNTER_LINE; ctx.lineWidth = 2; ctx.stroke();
    counterSteps += pts.length;
    ctx.font = px(12) + 'px ' + FONT; ctx.textBaseline = 'top'; ctx.fillStyle = COUNTER_LINE;
    ctx.fillText('max ' + numText(l.hi), labelW + 4, l.y + 2);
    ctx.textBaseline = 'middle';
  }
  function numText(v) { return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : String(Math.round(v * 1000) / 1000); }
  // The counter's value at time tm (the last sample at or before it), or null before the first.
  function counterAt(l, tm) {
    var k = firstGreater(l.A, tm, 0, l.A.length) - 1;
    return k < 0 ? null : { value: l.V[k], since: l.A[k] };
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
  var lastDrawMs = 0, hoverX = -1, ticks = [];
  function draw() {
    var t0 = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, cssW, cssH);
    order.forEach(function (l) {
      if (l.kind === 'run') return;  // a block's header: its words, no lane
      ctx.fillStyle = l.kind === 'gil' ? '#ececec' : l.kind === 'spans' || l.kind === 'counter' ? '#fbfbfb' : '#f6f6f6';
      ctx.fillRect(labelW, l.y + 1, plotW, l.h - 2);
    });
    // grid and ticks
    var step = niceStep((v1 - v0) * 130 / plotW), first = Math.ceil(v0 / step) * step;
    ctx.font = px(15) + 'px ' + FONT; ctx.textBaseline = 'middle'; ctx.textAlign = 'center';
    var scale = (v1 - v0) / plotW, lastRight = -1;
    ticks = [];
    for (var t = first; t <= v1 + 1e-9; t += step) {
      var x = Math.round(labelW + (t - v0) / scale) + 0.5;
      ctx.fillStyle = '#d9d9d9'; ctx.fillRect(x - 0.5, AXIS_H - 6, 1, cssH - AXIS_H + 6);
      // The whole label inside the plot: near an edge it slides in rather than being cut by the
      // name column ("310.0 ms" for 1310.0 ms); one that would then overlap its neighbour is left out.
      var text = tickLabel(t, step), tw = ctx.measureText(text).width;
      var cx = Math.min(Math.max(x, labelW + 4 + tw / 2), labelW + plotW - 4 - tw / 2);
      if (cx - tw / 2 < lastRight + 8) continue;
      ctx.fillStyle = '#111'; ctx.fillText(text, cx, AXIS_H / 2);
      lastRight = cx + tw / 2;
      ticks.push({ text: text, left: cx - tw / 2, right: cx + tw / 2 });
    }
    ctx.textAlign = 'left';
    // lanes (clipped to the plot)
    ctx.save();
    ctx.beginPath(); ctx.rect(labelW, 0, plotW, cssH); ctx.clip();
    var pieces = 0;
    marksDrawn = 0; spansDrawn = 0; counterSteps = 0;
    order.forEach(function (l) {
      var pad = l.kind === 'gil' ? 5 : 3;
      if (l.kind === 'spans') { drawSpans(l); return; }
      if (l.kind === 'counter') { drawCounter(l); return; }
      pieces += drawLane(l, l.y + pad, l.h - 2 * pad);
      if (l.kind === 'gil') { holderNames(l); drawDrops(l); }
      else if (l.kind === 'thread') { codeNames(l); drawMarks(l); }
    });
    ctx.restore();
    drawArrows();
    drawPlayhead();
    if (hoverX >= labelW && hoverX <= labelW + plotW) {
      ctx.fillStyle = 'rgba(0,0,0,0.55)'; ctx.fillRect(Math.round(hoverX), AXIS_H - 4, 1, cssH - AXIS_H + 4);
    }
    // labels
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, labelW, cssH);
    ctx.fillStyle = '#111'; ctx.fillRect(labelW - 1, AXIS_H - 6, 1, cssH - AXIS_H + 6);
    ctx.textBaseline = 'middle';
    order.forEach(function (l) {
      var x = 8, ym = l.y + l.h / 2;
      if (l.kind === 'run') {
        var R = D.runs[l.run];
        ctx.font = 'bold ' + px(17) + 'px ' + FONT; ctx.fillStyle = '#111';
        ctx.fillText(fitText(R.policy, labelW - 16), x, ym + 1);
        ctx.font = px(15) + 'px ' + FONT; ctx.fillStyle = '#444';
        ctx.fillText(fitText(runLine(R), plotW - 8), labelW + 6, ym + 1);
        return;
      }
      if (l.kind === 'spans' || l.kind === 'counter') {
        x += px(16) + 8;  // indented under the thread's name: its notes, not a thread
        ctx.font = px(15) + 'px ' + FONT;
        ctx.fillStyle = l.kind === 'spans' ? SPAN_INK : COUNTER_LINE;
        ctx.fillText(fitText(l.kind === 'counter' ? '∿ ' + l.title : l.title, labelW - x - 8), x, ym + 1);
        if (l.groupEnd) { ctx.fillStyle = '#bbb'; ctx.fillRect(0, l.y + l.h + GROUP_GAP / 2, cssW, 1); }
        return;
      }
      if (l.kind === 'thread') {
        var q = px(16);
        ctx.fillStyle = threadColor(l.colorIndex !== undefined ? l.colorIndex : l.thread); ctx.fillRect(x, ym - q / 2, q, q);
        ctx.strokeStyle = '#333'; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, ym - q / 2 + 0.5, q - 1, q - 1);
        x += q + 8;
        ctx.font = px(16) + 'px ' + FONT;
      } else {
        ctx.font = 'bold ' + px(16) + 'px ' + FONT;
      }
      ctx.fillStyle = '#111';
      ctx.fillText(fitText(l.title, labelW - x - 8), x, ym + 1);
      if (l.groupEnd) { ctx.fillStyle = '#bbb'; ctx.fillRect(0, l.y + l.h + GROUP_GAP / 2, cssW, 1); }
    });
    lastDrawMs = performance.now() - t0;
    updateView(pieces);
    return lastDrawMs;
  }
  // A block header's line: the run's policy parameters and what it came to.
  function runLine(R) {
    var wall = R.wall_us >= 1e6 ? fixed(R.wall_us / 1e6, 3) + ' s' : fixed(R.wall_us / 1e3, 3) + ' ms';
    var text = R.policy_params + ' · wall ' + wall;
    if (R.exclusive) text += ' · ' + R.gil.acquisitions + ' acquisitions · ' + R.gil.switches + ' switches · GIL held ' + fixed(R.gil.held_fraction * 100, 1) + ' %';
    else text += ' · no GIL: threads ran in parallel';
    return text;
  }
  function fmtTime(us) { return fixed(us / 1e3, us < 1e3 ? 4 : 3) + ' ms'; }
  function updateView() {
    var text = 'view ' + fmtTime(v0) + ' – ' + fmtTime(v1) + '  (' + fmtTime(v1 - v0) + ')';
    if (HO.n) {
      text += arrowsDrawn ? '  ·  ' + arrowsDrawn + ' hand-offs shown'
                          : arrowsInView ? '  ·  ' + arrowsInView + ' hand-offs: zoom in for arrows' : '';
    }
    viewText.textContent = text;
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
  bZoomIn.addEventListener('click', function () { zoomAt(labelW + plotW / 2, 2); });
  bZoomOut.addEventListener('click', function () { zoomAt(labelW + plotW / 2, 0.5); });
  bReset.addEventListener('click', reset);
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
  function onKey(e) {
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    var k = e.key;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (k === 'ArrowLeft') { if (presenting) step(-1); else pan(-plotW * 0.2); }
    else if (k === 'ArrowRight') { if (presenting) step(1); else pan(plotW * 0.2); }
    else if (k === 'p' || k === 'P') present(!presenting);
    else if (k === 'a' || k === 'A') toggle('arrows');
    else if (k === 'd' || k === 'D') toggle('drops');
    else if (k === 's' || k === 'S') saveSvg();
    else if (k === 'Escape' && presenting) present(false);
    else if (k === '+' || k === '=') zoomAt(labelW + plotW / 2, 2);
    else if (k === '-' || k === '_') zoomAt(labelW + plotW / 2, 0.5);
    else if (k === '0' || k === 'Home') reset();
    else return;
    e.preventDefault();
  }
  (options.keys === 'canvas' ? canvas : window).addEventListener('keydown', onKey);
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
    if (l.kind === 'run') return [['t', D.runs[l.run].policy], ['', runLine(D.runs[l.run])]];
    if (l.kind === 'spans') return describeSpans(l, tm);
    if (l.kind === 'counter') {
      var cv = counterAt(l, tm);
      return [['t', 'counter: ' + l.title],
              ['', cv ? 'value ' + numText(cv.value) + ' since ' + fmtTime(cv.since) : 'no sample yet'],
              ['', 'lowest ' + numText(l.lo) + ', highest ' + numText(l.hi) + ' (' + l.A.length + ' samples)']];
    }
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
        if (st !== 0 && placeText(l, k)) lines.push(['', 'code: ' + placeText(l, k)]);
        if (st === 1 && WAIT_TEXT[reason]) lines.push(['', 'why: ' + WAIT_TEXT[reason]]);
        else if (reason) lines.push(['', 'reason: ' + reason + (REASON_TEXT[reason] ? ' (' + REASON_TEXT[reason] + ')' : '')]);
        var here = placeText(l, k);
        if (st === 0) {
          var next = k + 1 < n && S[k + 1] === E[k] ? placeText(l, k + 1) : '';
          if (here || next) lines.push(['', 'code: ' + (here && next && here !== next ? here + ' → ' + next : here || next)]);
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
        var holders = l.threads || threads;
        lines.push(['', 'held by ' + (holders[l.C[k]] ? holders[l.C[k]].label : '?')]);
        lines.push(['', 'from ' + fmtTime(S[k]) + ' to ' + fmtTime(E[k])]);
        lines.push(['', 'duration ' + fmtTime(E[k] - S[k])]);
      }
    }
    if (l.kind === 'thread' && l.marks) {
      // Marks within a few pixels of the pointer.
      var MA = l.marks.A, mi = firstAtLeast(MA, tm - 4 * scale, 0, MA.length);
      for (; mi < MA.length && MA[mi] <= tm + 4 * scale; mi++) lines.push(['', '⚑ mark "' + l.marks.L[mi] + '" at ' + fmtTime(MA[mi])]);
    }
    if (inPixel > 1) lines.push(['dim', inPixel + ' intervals share this pixel: zoom in']);
    return lines;
  }
  // The spans open at tm on this thread, outermost first.
  function describeSpans(l, tm) {
    var lines = [['t', 'spans · ' + threads[l.thread].label]];
    var i = firstGreater(l.reach, tm, 0, l.SS.length);
    for (var k = i; k < l.SS.length && l.SS[k] <= tm; k++) {
      if (l.SE[k] < tm) continue;
      lines.push(['', 'span "' + l.L[k] + '" (depth ' + l.Z[k] + '): ' + fmtTime(l.SS[k]) + ' to ' + fmtTime(l.SE[k]) +
                      ', ' + fmtTime(l.SE[k] - l.SS[k])]);
    }
    if (lines.length === 1) lines.push(['', 'no span open here']);
    return lines;
  }
  // Where the code was when interval k began: "count, line 9" (or '' when not recorded).
  function placeText(l, k) {
    var w = l.W && k < l.W.length ? l.W[k] : -1, p = w >= 0 ? l.places[w] : '';
    if (!p) return '';
    var at = p.lastIndexOf(':');
    return p.slice(0, at) + ', line ' + p.slice(at + 1);
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

  // ---- replay ---------------------------------------------------------------------------------
  var playT = -1, playing = false, pace = 1, lastFrame = 0;
  (function paces() {
    // From a whole run in about 20 seconds down to a hand-off's worth: simulated µs per second.
    var base = Math.max(1, WALL / 20), choices = [];
    [1e-3, 1e-2, 0.1, 1].forEach(function (f) { choices.push(base * f); });
    choices.forEach(function (us, i) {
      var o = el('option', '', (us >= 1e3 ? fixed(us / 1e3, us >= 1e4 ? 0 : 1) + ' ms' : fixed(us, us >= 10 ? 0 : 2) + ' µs') + ' per s');
      o.value = String(us);
      paceSel.appendChild(o);
      if (i === 3) { o.selected = true; pace = us; }
    });
  })();
  function labelOf(holders, i) { return holders[i] ? holders[i].label : '?'; }
  // Who holds each GIL and who waits for it at time t.
  function replayState(t) {
    if (t === undefined) t = playT;
    var holder = [], waiting = [];
    order.forEach(function (l) {
      var n = l.S.length, k = n ? firstGreater(l.S, t, 0, n) - 1 : -1, on = k >= 0 && l.E[k] > t;
      if (l.kind === 'gil' && on) holder.push(labelOf(l.threads || threads, l.C[k]));
      else if (l.kind === 'thread' && on && l.C[k] === 1) waiting.push(threads[l.thread].label);
    });
    return { t: t, holder: holder, waiting: waiting };
  }
  function showReplay() {
    if (playT < 0) { replayText.textContent = 'replay: press play, or step to a hand-off'; return; }
    var st = replayState(playT);
    replayText.textContent = 't = ' + fmtTime(playT) + '  ·  GIL: ' + (st.holder.length ? st.holder.join(', ') : D.exclusive ? 'free' : 'none') +
      '  ·  waiting: ' + (st.waiting.length ? st.waiting.join(', ') : 'nobody');
    bPlay.textContent = playing ? '❚❚ pause' : '▶ play';
    bPlay.setAttribute('aria-pressed', String(playing));
  }
  // Keeps the playhead in view: a view it leaves moves on by a view's width, as a page turns.
  function follow() {
    var span = v1 - v0;
    if (playT < v0 || playT > v1) setView(playT - span * 0.1, playT + span * 0.9);
  }
  function playhead(t) {
    if (t === undefined) return playT;
    playT = Math.min(Math.max(t, 0), WALL);
    follow(); draw(); showReplay();
    return playT;
  }
  function frameTick(now) {
    if (!playing) return;
    var dt = lastFrame ? Math.min(now - lastFrame, 100) : 0;
    lastFrame = now;
    playT = Math.min(playT + dt / 1000 * pace, WALL);
    if (playT >= WALL) playing = false;
    follow(); draw(); showReplay();
    if (playing) requestAnimationFrame(frameTick);
  }
  function play() {
    if (playT < 0 || playT >= WALL) playT = v0;
    playing = true; lastFrame = 0;
    showReplay();
    requestAnimationFrame(frameTick);
  }
  function pause() { playing = false; showReplay(); }
  // The playhead to the next (dir 1) or previous (-1) hand-off: the moment the GIL changed hands.
  function stepHandoff(dir) {
    pause();
    if (!HO.n) return -1;
    var from = playT < 0 ? v0 - 1e-6 : playT, k;
    if (dir > 0) k = firstGreater(HO.A, from + 1e-6, 0, HO.n);
    else k = firstAtLeast(HO.A, from - 1e-6, 0, HO.n) - 1;
    if (k < 0 || k >= HO.n) { showReplay(); return -1; }
    playhead(HO.A[k]);
    return k;
  }
  function drawPlayhead() {
    if (playT < 0 || playT < v0 || playT > v1) return;
    var x = Math.round(labelW + (playT - v0) * plotW / (v1 - v0)) + 0.5;
    ctx.fillStyle = '#c00';
    ctx.fillRect(x - 1, AXIS_H - 6, 2, cssH - AXIS_H + 6);
    ctx.beginPath(); ctx.moveTo(x - 7, AXIS_H - 12); ctx.lineTo(x + 7, AXIS_H - 12); ctx.lineTo(x, AXIS_H - 2); ctx.closePath(); ctx.fill();
  }
  bPlay.addEventListener('click', function () { if (playing) pause(); else play(); });
  bStep.addEventListener('click', function () { stepHandoff(1); });
  bStepBack.addEventListener('click', function () { stepHandoff(-1); });
  paceSel.addEventListener('change', function () { pace = Number(paceSel.value); });
  showReplay();

  // ---- presentation mode ----------------------------------------------------------------------
  function pressed() {
    bPresent.setAttribute('aria-pressed', String(presenting));
    bArrows.setAttribute('aria-pressed', String(show.arrows));
    bDrops.setAttribute('aria-pressed', String(show.drops));
  }
  function present(on) {
    presenting = !!on;
    root.classList.toggle('presenting', presenting);
    pressed();
    layout(); draw();
    return presenting;
  }
  function toggle(what) {
    show[what] = !show[what];
    pressed(); redraw();
    return show[what];
  }
  // Centres the view on the next (dir 1) or previous (-1) hand-off after the view's centre. A view
  // too wide to draw the arrows narrows to forty times that hand-off's own length.
  function step(dir) {
    if (!HO.n) return -1;
    var c = (v0 + v1) / 2, span = v1 - v0, eps = span * 1e-6 + 0.05, k;
    if (dir > 0) { k = firstGreater(HO.A, c + eps, 0, HO.n); if (k >= HO.n) k = HO.n - 1; }
    else { k = firstAtLeast(HO.A, c - eps, 0, HO.n) - 1; if (k < 0) k = 0; }
    var lo = firstAtLeast(HO.A, HO.A[k] - span / 2, 0, HO.n), hi = firstGreater(HO.A, HO.A[k] + span / 2, lo, HO.n);
    if (hi - lo > plotW / 10) span = Math.max(40 * Math.max(HO.A[k] - HO.R[k], 20), MIN_SPAN);
    setView(HO.A[k] - span / 2, HO.A[k] + span / 2);
    draw();
    return k;
  }
  function svg() {
    var s = new SvgContext(ctx, cssW, cssH), real = ctx;
    ctx = s;
    try { draw(); } finally { ctx = real; }
    return s.svg();
  }
  function download(name, href) {
    var a = el('a');
    a.href = href; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }
  function baseName() { return (String(D.script).split('/').pop() || 'timeline').replace(/\.gil$/, '') + '-timeline'; }
  function saveSvg() { download(baseName() + '.svg', 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg())); }
  function png() { draw(); return canvas.toDataURL('image/png'); }
  function savePng() { download(baseName() + '.png', png()); }
  bPresent.addEventListener('click', function () { present(!presenting); });
  bArrows.addEventListener('click', function () { toggle('arrows'); });
  bDrops.addEventListener('click', function () { toggle('drops'); });
  bPrev.addEventListener('click', function () { step(-1); });
  bNext.addEventListener('click', function () { step(1); });
  bSvg.addEventListener('click', saveSvg);
  bPng.addEventListener('click', savePng);

  // ---- start ----------------------------------------------------------------------------------
  presenting = !!options.present;
  root.classList.toggle('presenting', presenting);
  pressed();
  layout();
  draw();
  var firstDraw = lastDrawMs;
  return {
    root: root, canvas: canvas, tip: tip,
    draw: draw, redraw: redraw, layout: layout,
    setView: function (a, b) { setView(a, b); return draw(); },
    view: function () { return { v0: v0, v1: v1, wall: WALL, minSpan: MIN_SPAN }; },
    geometry: function () { return { labelW: labelW, plotW: plotW, axisH: AXIS_H, width: cssW, height: cssH }; },
    lanes: function () { return order; },
    ticks: function () { return ticks; },
    handoffs: function () { return HO; },
    describe: describe, hover: hover,
    present: present, presenting: function () { return presenting; }, toggle: toggle,
    shown: function (what) { return show[what]; }, step: step, svg: svg, png: png,
    playhead: playhead, play: play, pause: pause, playing: function () { return playing; },
    setPace: function (us) { pace = us; }, stepHandoff: stepHandoff, replayState: replayState,
    stats: function () {
      return { lanes: order.length, intervals: decoded.intervals, handoffs: HO.n, decodeMs: decodeMs,
               drawMs: firstDraw, lastDrawMs: lastDrawMs, arrowsDrawn: arrowsDrawn, arrowsInView: arrowsInView,
               marksDrawn: marksDrawn, spansDrawn: spansDrawn, counterSteps: counterSteps };
    }
  };
}

global.gilsimTimeline = { render: render, threadColor: threadColor, waitText: WAIT_TEXT,
                          format: 'gilsim-timeline', version: 1 };
})(typeof window !== 'undefined' ? window : this);
