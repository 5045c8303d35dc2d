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
  view.setView(0, v.wall); frame();
  body.setAttribute('data-selftest-frames', String(frames));
  body.setAttribute('data-selftest-zoom', zoomedIn && resetOk ? 'ok' : 'failed');
  body.setAttribute('data-max-draw-ms', worst.toFixed(1));
  all.sort(function (x1, x2) { return x1 - x2; });
  body.setAttribute('data-median-draw-ms', all[all.length >> 1].toFixed(1));
  body.setAttribute('data-arrows', String(arrows));
  body.setAttribute('data-tooltip-lines', String(tipLines));
})();
