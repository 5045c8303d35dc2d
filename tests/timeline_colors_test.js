// The thread colours of the timeline (tools/timeline/timeline.js): no two of a run's first hundred
// threads share one, and the hand-picked first twelve are far apart (CIE76 ΔE over 20, where about
// 2.3 is the smallest difference a person notices): before, they repeated every 8 threads and
// #F0E442 / #DDCC77 were hard to tell apart (ΔE 14).
//   node tests/timeline_colors_test.js tools/timeline/timeline.js
'use strict';
global.window = global;
require(require('path').resolve(process.argv[2]));
var color = window.gilsimTimeline.threadColor;

function lab(hex) {
  var c = [1, 3, 5].map(function (i) {
    var v = parseInt(hex.substr(i, 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  var x = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047;
  var y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  var z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883;
  var f = function (t) { return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116; };
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
function deltaE(a, b) {
  var p = lab(a), q = lab(b);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

var failures = 0;
var all = [];
for (var t = 0; t < 100; t++) all.push(color(t).toLowerCase());
var seen = {};
all.forEach(function (c, t) {
  if (!/^#[0-9a-f]{6}$/.test(c)) { console.log('FAIL thread ' + t + ': not a #rrggbb colour: ' + c); failures++; }
  if (seen[c] !== undefined) { console.log('FAIL threads ' + seen[c] + ' and ' + t + ' share ' + c); failures++; }
  seen[c] = t;
});
var worst = Infinity, pair = '';
for (var i = 0; i < 12; i++) {
  for (var j = i + 1; j < 12; j++) {
    var d = deltaE(all[i], all[j]);
    if (d < worst) { worst = d; pair = all[i] + ' / ' + all[j]; }
  }
}
if (worst < 20) { console.log('FAIL the closest of the first 12 colours: ' + pair + ', ΔE ' + worst.toFixed(1)); failures++; }
// Neighbours in spawn order differ in lightness too (they alternate dark and light).
for (var k = 0; k + 1 < 100; k++) {
  var dl = Math.abs(lab(all[k])[0] - lab(all[k + 1])[0]);
  if (dl < 15) { console.log('FAIL threads ' + k + ' and ' + (k + 1) + ' differ by only ' + dl.toFixed(1) + ' in lightness'); failures++; }
}
console.log(failures ? failures + ' checks failed' : 'ok: 100 distinct colours; the first 12 at least ΔE ' + worst.toFixed(1) + ' apart (' + pair + ')');
process.exit(failures ? 1 : 0);
