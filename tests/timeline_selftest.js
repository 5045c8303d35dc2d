// The browser test's driver for the timeline page (tests/timeline_test.cpp puts it inline at the
// end of a copy of each page it writes; the pages users get do not carry it). It zooms, pans and
// hovers through the run with synthetic input events, through the same handlers a person's mouse
// and keys use, timing every frame, and writes what it saw on the body element for the test to read.
(function () {
  'use strict';
  var body = document.body, view = window.gilsimView;
  if (!view) { body.setAttribute('data-selftest', 'no view'); return; }
  var canvas = view.canvas, g = view.geometry(), order = view.lanes(), HO = view.handoffs();
  var seed = 12345;
  var rnd = function () { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  var worst = 0, frames = 0, all = [];
  var frame = function () { var ms = view.draw(); worst = Math.max(worst, ms); frames++; all.push(ms); };
  var box = canvas.getBoundingClientRect();
  var at = function (x, y) { return { clientX: box.left + x, clientY: box.top + y, bubbles: true, cancelable: true, pointerId: 1, button: 0 }; };
  var midY = order.length ? order[0].y + 5 : g.axisH + 5;
  var labelW = g.labelW, plotW = g.plotW;
  var v = view.view(), span0 = v.v1 - v.v0;
  for (var z = 0; z < 14; z++) { canvas.dispatchEvent(new WheelEvent('wheel', Object.assign(at(labelW + rnd() * plotW, midY), { deltaY: -300 }))); frame(); }
  v = view.view();
  var zoomedIn = v.v1 - v.v0 < span0 || span0 <= v.minSpan;
  for (var p = 0; p < 6; p++) {
    var x = labelW + plotW / 2;
    canvas.dispatchEvent(new PointerEvent('pointerdown', at(x, midY)));
    canvas.dispatchEvent(new PointerEvent('pointermove', at(x + (rnd() - 0.5) * plotW, midY)));
    canvas.dispatchEvent(new PointerEvent('pointerup', at(x, midY)));
    frame();
  }
  for (var k2 = 0; k2 < 4; k2++) { window.dispatchEvent(new KeyboardEvent('keydown', { key: k2 % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true })); frame(); }
  canvas.dispatchEvent(new MouseEvent('dblclick', at(labelW + plotW / 3, midY))); frame();
  var zoomOut = view.root.querySelector('button.zoom-out'), zoomInB = view.root.querySelector('button.zoom-in');
  for (var z2 = 0; z2 < 16; z2++) { zoomOut.click(); frame(); }
  zoomInB.click(); frame();
  view.root.querySelector('button.reset').click(); frame();
  v = view.view();
  var resetOk = v.v0 === 0 && v.v1 === v.wall;
  // Arrows: centre a hand-off between two drawn lanes and narrow the view around it until the
  // hand-offs in view are few enough to be drawn. Dense hand-offs (legacy's check interval) need a
  // narrow view, sparse ones a wide one; a fixed window would depend on the run's timing.
  var arrows = 0;
  if (HO.n) {
    var mid = Math.floor(HO.n / 2), a = HO.A[mid], w = Math.max(HO.A[mid] - HO.R[mid], 20);
    var half = 20 * w;
    for (var tries = 0; tries < 40; tries++) {
      view.setView(a - half, a + half); frame();
      arrows = view.stats().arrowsDrawn;
      if (arrows || half <= v.minSpan / 2) break;
      half /= 2;
    }
  }
  var tipLines = 0;
  var probe = order.find(function (l) { return l.kind === 'thread' && l.S.length; });
  if (probe) {
    view.setView(probe.S[0], probe.E[Math.min(probe.E.length - 1, 3)]); frame();
    canvas.dispatchEvent(new PointerEvent('pointermove', at(labelW + plotW * 0.5, probe.y + probe.h / 2)));
    tipLines = view.tip.hidden ? 0 : view.tip.childNodes.length;
    canvas.dispatchEvent(new PointerEvent('pointerleave', at(0, 0)));
  }
  // A waiting slice that follows I/O: its tooltip says why it waits (wants the GIL back), not
  // "io", which reads as if the thread were in I/O.
  var waitTip = '';
  var data = JSON.parse(document.getElementById('gilsim-data').textContent);
  var names = (data.runs ? data.runs[0] : data).reason_names;
  order.some(function (l) {
    if (l.kind !== 'thread') return false;
    for (var i = 0; i < l.S.length; i++) {
      if (l.C[i] === 1 && names[l.R[i]] === 'io') {
        waitTip = view.describe(l, (l.S[i] + l.E[i]) / 2).map(function (ln) { return ln[1]; }).join(' | ');
        return true;
      }
    }
    return false;
  });
  // The time axis zoomed late into the run, where labels are widest: each label whole, inside the
  // plot (not cut by the name column).
  var late = Math.floor(v.wall * 0.9 / 10000) * 10000, ticksInside = 'ok';
  view.setView(late, late + Math.min(1000, v.wall - late)); frame();
  view.ticks().forEach(function (tk) {
    if (tk.left < labelW || tk.right > labelW + plotW) ticksInside = 'cut: ' + tk.text;
  });
  view.setView(0, v.wall); frame();

  // Presentation mode, by the keys a lecturer presses: P folds the summary away and makes the
  // lanes taller; A and D hide the arrows and the drop marks; → centres the next hand-off; the
  // view exports as SVG (vectors, drawn by the same code) and PNG; P again comes back.
  var key = function (k) { window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true })); };
  var header = view.root.querySelector('header');
  var laneBefore = order.length ? order[0].h : 0, headerBefore = header.offsetHeight;
  var present = [];
  key('p');
  if (!view.presenting()) present.push('P did not start presentation mode');
  if (header.offsetHeight !== 0) present.push('the summary is still shown');
  if (order.length && !(order[0].h > laneBefore)) present.push('lanes no taller (' + laneBefore + ' -> ' + order[0].h + ')');
  if (headerBefore === 0) present.push('no summary to fold away');
  key('a'); if (view.shown('arrows')) present.push('A left the arrows on');
  key('d'); if (view.shown('drops')) present.push('D left the drop marks on');
  key('a'); key('d');
  if (!view.shown('arrows') || !view.shown('drops')) present.push('A and D do not toggle back');
  if (HO.n) {
    view.setView(0, v.wall);
    key('ArrowRight');
    var w1 = view.view(), c1 = (w1.v0 + w1.v1) / 2;
    var onHandoff = false;
    for (var h = 0; h < HO.n; h++) if (Math.abs(HO.A[h] - c1) < 1e-3 * (w1.v1 - w1.v0) + 0.1) onHandoff = true;
    if (!onHandoff && w1.v0 > 0 && w1.v1 < v.wall) present.push('→ did not centre a hand-off');
    key('ArrowRight'); key('ArrowLeft');
    var w2 = view.view();
    if (Math.abs((w2.v0 + w2.v1) / 2 - c1) > 1e-3 * (w2.v1 - w2.v0) + 0.1 && w1.v0 > 0) present.push('← did not step back');
  }
  var svgText = view.svg();
  var svgDoc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  if (svgDoc.getElementsByTagName('parsererror').length) present.push('the SVG does not parse');
  var svgShapes = svgDoc.getElementsByTagName('rect').length + svgDoc.getElementsByTagName('path').length;
  var svgTexts = svgDoc.getElementsByTagName('text').length;
  if (svgShapes < 5 || svgTexts < 2) present.push('the SVG is nearly empty (' + svgShapes + ' shapes, ' + svgTexts + ' texts)');
  if (view.png().indexOf('data:image/png;base64,') !== 0) present.push('no PNG');
  // Not blank: the canvas in presentation mode, showing the whole run, has colour on a good part
  // of it. (The whole run, not the zoom the arrow keys left: on the threads engine a hand-off can
  // sit where little else happens, and that view may rightly be mostly white.)
  view.setView(0, v.wall); frame();
  var c2d = canvas.getContext('2d'), img = c2d.getImageData(0, 0, canvas.width, canvas.height).data, inked = 0;
  for (var q = 0; q < img.length; q += 4 * 16) if (img[q] < 235 || img[q + 1] < 235 || img[q + 2] < 235) inked++;
  var inkShare = inked / (img.length / (4 * 16));
  // A page of several runs shares one axis: a run shorter than the longest leaves white after
  // its end (measured 0.29 here for legacy/modern/none), so it is held to half the share.
  var runHeads = order.filter(function (l) { return l.kind === 'run'; }).length;
  var minInk = runHeads > 1 ? 0.1 : 0.2;
  if (order.length && inkShare < minInk) present.push('the presented canvas is mostly blank (' + inkShare.toFixed(2) + ')');
  key('p');
  if (view.presenting() || header.offsetHeight !== headerBefore) present.push('P again did not come back');
  body.setAttribute('data-present', present.length ? present.join('; ') : 'ok');
  body.setAttribute('data-present-ink', inkShare.toFixed(2));
  body.setAttribute('data-wait-tip', waitTip);
  body.setAttribute('data-ticks-inside', view.ticks().length ? ticksInside : 'no ticks');
  body.setAttribute('data-selftest-frames', String(frames));
  body.setAttribute('data-selftest-zoom', zoomedIn && resetOk ? 'ok' : 'failed');
  body.setAttribute('data-max-draw-ms', worst.toFixed(1));
  all.sort(function (x1, x2) { return x1 - x2; });
  body.setAttribute('data-median-draw-ms', all[all.length >> 1].toFixed(1));
  body.setAttribute('data-arrows', String(arrows));
  body.setAttribute('data-tooltip-lines', String(tipLines));
  // Where the code was: a running slice whose function and line were recorded says so in its
  // tooltip ("code: count, line 19").
  var codeTip = '';
  order.some(function (l) {
    if (l.kind !== 'thread' || !l.W) return false;
    for (var i = 0; i < l.S.length; i++) {
      if (l.C[i] === 0 && l.W[i] >= 0) {
        codeTip = view.describe(l, (l.S[i] + l.E[i]) / 2).map(function (ln) { return ln[1]; }).join(' | ');
        return true;
      }
    }
    return false;
  });
  body.setAttribute('data-code-tip', codeTip);
  // Replay: the playhead steps to a hand-off, where the thread that took the GIL holds it and the
  // state line names it; play and pause switch.
  var replay = 'ok';
  if (HO.n) {
    view.playhead(0);
    var k = view.stepHandoff(1), st = view.replayState();
    var taker = view.lanes().length && k >= 0 ? document.querySelector('.replay-state').textContent : '';
    var want = k >= 0 ? order.filter(function (l) { return l.kind === 'thread' && l.thread === HO.T[k]; })[0] : null;
    if (k < 0) replay = 'no hand-off stepped to';
    else if (st.t !== HO.A[k]) replay = 'the playhead is not at the hand-off';
    else if (!want || !st.holder.some(function (h) { return h === want.title; })) replay = 'holder ' + st.holder.join(',') + ' is not ' + (want && want.title);
    else if (taker.indexOf('GIL: ') < 0) replay = 'no state line: ' + taker;
    var k2 = view.stepHandoff(1);
    if (replay === 'ok' && HO.n > 1 && !(k2 === k + 1 || HO.A[k2] > HO.A[k])) replay = 'the next step did not move on';
    view.play();
    if (!view.playing()) replay = 'play did not start';
    view.pause();
    if (view.playing()) replay = 'pause did not stop';
    view.playhead(-1);
  }
  body.setAttribute('data-replay', replay);
  // Several runs in one page (compare): a block per run, headed by its own lane, each block's lanes
  // below its header and above the next one's, and one time axis as long as the longest run.
  var heads = order.filter(function (l) { return l.kind === 'run'; });
  var blocksOk = heads.every(function (h, i) {
    var next = heads[i + 1];
    return order.every(function (l) { return l.run !== h.run || l === h || (l.y > h.y && (!next || l.y < next.y)); });
  });
  body.setAttribute('data-blocks', heads.length + (blocksOk ? '' : ' (lanes out of their blocks)'));
  body.setAttribute('data-axis-us', String(view.view().wall));
  // Annotations (gilsim.mark / span / counter): over the whole run (arrows off, so nothing covers
  // them) every mark and span is drawn and the counters too; the canvas shows a mark's purple
  // line, a span's sand bar and a counter's blue line where the data puts them; hovering a span
  // lane names the span.
  var markLanes = order.filter(function (l) { return l.marks; });
  var spanLanes = order.filter(function (l) { return l.kind === 'spans'; });
  var counterLanes = order.filter(function (l) { return l.kind === 'counter'; });
  var notes = 'none';
  if (markLanes.length || spanLanes.length || counterLanes.length) {
    var problems = [], wall = view.view().wall;
    if (view.shown('arrows')) view.toggle('arrows');
    view.setView(0, wall); frame();
    var st2 = view.stats(), nMarks = 0, nSpans = 0;
    markLanes.forEach(function (l) { nMarks += l.marks.A.length; });
    spanLanes.forEach(function (l) { nSpans += l.SS.length; });
    if (st2.marksDrawn !== nMarks) problems.push(st2.marksDrawn + ' of ' + nMarks + ' marks drawn');
    if (st2.spansDrawn !== nSpans) problems.push(st2.spansDrawn + ' of ' + nSpans + ' spans drawn');
    if (counterLanes.length && st2.counterSteps < counterLanes.length) problems.push('counters not drawn');
    var ctx3 = canvas.getContext('2d'), dpr3 = canvas.width / view.geometry().width, scale3 = wall / plotW;
    var pixel = function (x, y) {
      var d = ctx3.getImageData(Math.floor(x * dpr3), Math.floor(y * dpr3), 1, 1).data;
      return [d[0], d[1], d[2]];
    };
    var near = function (p, hex) {
      var c = [1, 3, 5].map(function (i) { return parseInt(hex.substr(i, 2), 16); });
      return Math.abs(p[0] - c[0]) + Math.abs(p[1] - c[1]) + Math.abs(p[2] - c[2]) < 60;
    };
    var xOf = function (us) { return labelW + us / scale3; };
    markLanes.forEach(function (l) {
      var k = 0;  // the mark nearest the middle of the run: away from the plot's edges
      for (var i = 0; i < l.marks.A.length; i++) if (Math.abs(l.marks.A[i] - wall / 2) < Math.abs(l.marks.A[k] - wall / 2)) k = i;
      var x = Math.round(xOf(l.marks.A[k])) + 0.5, p = pixel(x, l.y + l.h * 0.75);
      if (!near(p, '#5B2A86')) problems.push('mark "' + l.marks.L[k] + '" is ' + p + ', not purple');
    });
    spanLanes.forEach(function (l) {
      var k = 0;  // the widest outermost span
      for (var i = 0; i < l.SS.length; i++) if (l.Z[i] === 0 && l.SE[i] - l.SS[i] > l.SE[k] - l.SS[k]) k = i;
      var p = pixel(xOf(l.SS[k] + (l.SE[k] - l.SS[k]) * 0.75), l.y + 4);
      if (!near(p, '#F2DDA4')) problems.push('span "' + l.L[k] + '" is ' + p + ', not sand');
      var tipText = view.describe(l, (l.SS[k] + l.SE[k]) / 2).map(function (ln) { return ln[1]; }).join(' | ');
      if (tipText.indexOf('span "' + l.L[k] + '"') < 0) problems.push('span tooltip: ' + tipText);
    });
    counterLanes.forEach(function (l) {
      var n = l.A.length, last = l.V[n - 1], top = l.y + 4, bottom = l.y + l.h - 3;
      var y = bottom - (last - l.lo) / ((l.hi - l.lo) || 1) * (bottom - top);
      var x = (xOf(l.A[n - 1]) + labelW + plotW) / 2, found = false;
      for (var dy = -2; dy <= 2 && !found; dy++) found = near(pixel(x, y + dy), '#1F4E79');
      if (!found) problems.push('counter "' + l.title + '" has no line at its last value ' + last);
    });
    if (!view.shown('arrows')) view.toggle('arrows');
    notes = problems.length ? problems.join('; ') : 'ok';
  }
  body.setAttribute('data-annotations', notes);
})();
