// The playground page: the menus, the settings, Run / Stop, the results, downloads and share
// links. The engine is EngineClient's (a Web Worker); the timeline is drawn by the `--timeline`
// page's renderer (tools/timeline/timeline.js).
// docs/playground.md describes the page and the contract tests rely on (#output, #summary,
// #status).
'use strict';

(function () {
  var WORKLOADS = JSON.parse(document.getElementById('gilsim-workloads').textContent);
  var SETTINGS = ['policy', 'compare', 'cores', 'seed', 'switch_interval', 'check_interval', 'quantum',
                  'time_limit', 'max_events'];
  var MAX_SCRIPT_BYTES = 1 << 20;
  var scriptName = 'script.gil';
  var running = false;
  var watchdog = 0;
  var hasRun = false;

  function $(id) { return document.getElementById(id); }

  function setStatus(text) { $('status').textContent = text; }

  function definesList() {
    return $('defines').value.split(/\s+/).filter(function (d) { return d.length > 0; });
  }

  function request() {
    return {
      script: Editor.text(),
      name: scriptName,
      policy: $('policy').value,
      cores: Number($('cores').value),
      seed: Number($('seed').value),
      switch_interval: $('switch_interval').value.trim(),
      check_interval: Number($('check_interval').value),
      quantum: $('quantum').value.trim(),
      defines: definesList(),
      max_events: Number($('max_events').value),
      time_limit_ms: Number($('time_limit').value) * 1000
    };
  }

  // The command line that gives the same run (what the summary must match).
  function showCommand() {
    var r = request();
    var cmd = 'gilsim run ' + r.name + ' --engine sim --policy ' + r.policy + ' --cores ' + r.cores +
              ' --seed ' + r.seed;
    if (r.switch_interval !== '5ms') cmd += ' --switch-interval ' + r.switch_interval;
    if (r.check_interval !== 100) cmd += ' --check-interval ' + r.check_interval;
    if (r.quantum !== '100ms') cmd += ' --quantum ' + r.quantum;
    if (r.max_events !== 10000000) cmd += ' --max-events ' + r.max_events;
    r.defines.forEach(function (d) { cmd += ' -D ' + d; });
    $('command').textContent = cmd;
  }

  function setDownloads(enabled) {
    document.querySelectorAll('#downloads button').forEach(function (b) { b.disabled = !enabled; });
  }

  function clearResults() {
    $('output').textContent = '';
    $('summary').textContent = '';
    $('errors').textContent = '';
    $('errors').hidden = true;
    $('stats').textContent = '';
    $('summary-compare').textContent = '';
    $('summary-compare').hidden = true;
    $('timeline').textContent = '';
    setDownloads(false);
    Editor.clearError();
  }

  // The innermost `File "NAME", line N` of a traceback: where the script failed.
  function tracebackLine(errors) {
    var re = /File "([^"]*)", line (\d+)/g, m, line = 0;
    while ((m = re.exec(errors)) !== null) if (m[1] === scriptName) line = Number(m[2]);
    return line;
  }

  function finish() {
    running = false;
    clearTimeout(watchdog);
    $('run').disabled = false;
    $('stop').disabled = true;
  }

  function showResult(result) {
    finish();
    $('output').textContent = result.output || '';
    $('summary').textContent = result.summary || '';
    if (result.errors) {
      $('errors').hidden = false;
      $('errors').textContent = result.errors;
    }
    if (result.error_line) {
      Editor.showError(result.error_line, (result.errors || '').split('\n')[0]);
    } else if (result.errors) {
      var line = tracebackLine(result.errors);
      var lines = result.errors.trim().split('\n');
      if (line) Editor.showError(line, lines[lines.length - 1]);
    }
    if (result.stats) {
      var s = result.stats;
      $('stats').textContent = s.threads + ' threads, ' + s.events + ' events, ' + s.bytecodes +
        ' bytecodes in ' + (s.host_ms / 1000).toFixed(2) + ' s (' +
        (s.bytecodes / Math.max(s.host_ms, 1) / 1000).toFixed(1) + ' M bytecodes/s)';
      setDownloads(true);
      showTimeline(s.events);
    }
    setStatus(result.status === 'done' ? 'done' : 'error: ' + (result.message || 'failed'));
  }

  // The `--timeline` page's own renderer (tools/timeline/timeline.js), on the run's data. Past a
  // few million events, drawing waits for a click: decoding them takes seconds.
  var AUTO_DRAW_EVENTS = 3000000;
  function showTimeline(events) {
    var box = $('timeline');
    box.textContent = '';
    if (events > AUTO_DRAW_EVENTS) {
      var b = document.createElement('button');
      b.textContent = 'Draw the timeline (' + events + ' events)';
      b.addEventListener('click', function () { b.disabled = true; drawTimeline(); });
      box.appendChild(b);
      return;
    }
    drawTimeline();
  }

  // Side by side: the second policy's run, done first (the downloads are of the last run, the
  // main one), its timeline data kept to be drawn beside the main run's on one time axis.
  var sideRun = null;  // { policy, data } of the comparison run, or null
  function drawTimeline() {
    EngineClient.exportRun('timeline_data').then(function (bytes) {
      var data = JSON.parse(new TextDecoder().decode(bytes));
      if (sideRun && sideRun.data) data = { format: 'gilsim-compare', version: 1, runs: [data, sideRun.data] };
      var box = $('timeline');
      box.textContent = '';
      var root = document.createElement('div');
      box.appendChild(root);
      window.gilsimView = window.gilsimTimeline.render(data, root, { title: false, keys: 'canvas', replay: true });
    }).catch(function (e) {
      $('timeline').textContent = 'The timeline could not be drawn: ' + e.message;
    });
  }

  function run() {
    if (running) return;
    var code = Editor.text();
    if (new TextEncoder().encode(code).length > MAX_SCRIPT_BYTES) {
      clearResults();
      setStatus('error: the script is larger than 1 MB (the playground\'s limit)');
      return;
    }
    clearResults();
    running = true;
    hasRun = true;
    $('run').disabled = true;
    $('stop').disabled = false;
    setStatus('running');
    var req = request();
    // The engine stops itself at the time limit with the results so far; if it cannot (a single
    // host call that never returns), the worker is terminated a little later.
    watchdog = setTimeout(function () {
      stop('error: the engine did not stop at the time limit; it was terminated');
    }, req.time_limit_ms + 5000);
    var fail = function (e) {
      if (!running) return;  // stopped: the status already says so
      finish();
      setStatus('error: ' + e.message);
    };
    sideRun = null;
    var other = $('compare').value;
    if (!other || other === req.policy) {
      EngineClient.run(req).then(showResult, fail);
      return;
    }
    // The comparison run first, under the same settings but its policy; then the main run.
    var side = Object.assign({}, req, { policy: other });
    setStatus('running (' + other + ', to compare)');
    EngineClient.run(side).then(function (result) {
      if (!running) return null;
      $('summary-compare').hidden = false;
      $('summary-compare').textContent = result.summary || result.errors || result.message || '';
      if (result.status !== 'done' || !result.stats) {
        sideRun = null;
        return null;
      }
      return EngineClient.exportRun('timeline_data').then(function (bytes) {
        sideRun = { policy: other, data: JSON.parse(new TextDecoder().decode(bytes)) };
      });
    }).then(function () {
      if (!running) return;
      setStatus('running');
      EngineClient.run(req).then(showResult, fail);
    }, fail);
  }

  function stop(status) {
    if (!running) return;
    finish();
    setStatus(status);
    EngineClient.stop().then(null, function (e) { setStatus('error: ' + e.message); });
  }

  function download(kind) {
    var names = { trace: '.trace.json', csv: '.csv', json: '.json', timeline_html: '.html' };
    EngineClient.exportRun(kind).then(function (bytes) {
      var types = { csv: 'text/csv', timeline_html: 'text/html' };
      var url = URL.createObjectURL(new Blob([bytes], { type: types[kind] || 'application/json' }));
      var a = document.createElement('a');
      a.href = url;
      a.download = scriptName.replace(/\.(gil|py)$/, '') + names[kind];
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    });
  }

  function share() {
    var settings = { name: scriptName };
    SETTINGS.forEach(function (k) { settings[k] = $(k).value; });
    Share.make(Editor.text(), settings, definesList()).then(function (fragment) {
      var url = location.href.replace(/#.*$/, '') + '#' + fragment;
      var box = $('share-link');
      box.hidden = false;
      box.value = url;
      box.select();
      if (navigator.clipboard) navigator.clipboard.writeText(url).then(null, function () {});
    });
  }

  function loadExample(value) {
    var parts = value.split(':');
    if (parts[0] === 'w') {
      scriptName = parts[1];
      Editor.setText(WORKLOADS[parts[1]]);
      $('defines').value = '';
      return;
    }
    // A demo's run: its workload, policy and -D sizes, as `gilsim demo` runs it.
    var demo = EngineClient.catalog().demos[Number(parts[1])];
    var r = demo.runs[Number(parts[2])];
    scriptName = r.script.replace(/^.*\//, '');
    Editor.setText(WORKLOADS[scriptName] || '');
    $('policy').value = r.policy;
    $('defines').value = r.defines.join(' ');
    showCommand();
  }

  function fillMenus() {
    var select = $('examples');
    var group = document.createElement('optgroup');
    group.label = 'workloads/';
    Object.keys(WORKLOADS).sort().forEach(function (name) {
      group.appendChild(new Option(name, 'w:' + name));
    });
    select.appendChild(new Option('(your script)', ''));
    select.appendChild(group);
    var catalog = EngineClient.catalog();
    var policy = $('policy');
    var chosen = policy.value;
    policy.textContent = '';
    catalog.policies.forEach(function (p) {
      var o = new Option(p.name, p.name);
      o.title = p.models + ' (' + p.parameters + ')';
      policy.appendChild(o);
    });
    policy.value = chosen || 'modern';
    var compare = $('compare'), other = compare.value;
    catalog.policies.forEach(function (p) { compare.appendChild(new Option(p.name, p.name)); });
    compare.value = other;
    var demos = document.createElement('optgroup');
    demos.label = 'lecture demos (gilsim demo)';
    catalog.demos.forEach(function (d, i) {
      d.runs.forEach(function (r, k) {
        var o = new Option(d.name + (d.runs.length > 1 ? ' \u00b7 ' + r.label : '') + ' (' + r.policy + ')',
                           'd:' + i + ':' + k);
        o.title = d.title;
        demos.appendChild(o);
      });
    });
    select.appendChild(demos);
  }

  function applyFragment(parsed) {
    if (parsed.code !== null) {
      if (parsed.code.length > MAX_SCRIPT_BYTES) {
        setStatus('error: the linked script is larger than 1 MB (the playground\'s limit)');
        return false;
      }
      Editor.setText(parsed.code);
    }
    Object.keys(parsed.settings).forEach(function (k) {
      if (k === 'name') scriptName = parsed.settings[k];
      else if (k === 'policy' && !$('policy').querySelector('option[value="' + CSS.escape(parsed.settings[k]) + '"]'))
        // Not a policy: kept, so that the run reports it as `gilsim run --policy` would.
        $('policy').appendChild(new Option(parsed.settings[k], parsed.settings[k], true, true));
      else if (SETTINGS.indexOf(k) >= 0) $(k).value = parsed.settings[k];
    });
    if (parsed.defines.length) $('defines').value = parsed.defines.join(' ');
    return true;
  }

  function main() {
    Editor.init();
    var policy = $('policy');
    policy.appendChild(new Option('modern', 'modern'));
    Editor.setText(WORKLOADS['hello.py'] || '');
    scriptName = 'hello.py';
    $('run').addEventListener('click', run);
    $('stop').addEventListener('click', function () { stop('error: stopped'); });
    $('share').addEventListener('click', share);
    $('examples').addEventListener('change', function (e) { if (e.target.value) loadExample(e.target.value); });
    document.querySelectorAll('#downloads button').forEach(function (b) {
      b.addEventListener('click', function () { download(b.getAttribute('data-export')); });
    });
    document.querySelectorAll('#settings input, #settings select').forEach(function (el) {
      el.addEventListener('input', showCommand);
    });
    $('code').addEventListener('input', function () { $('examples').value = ''; });
    $('code').addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    });

    var fragment = Promise.resolve().then(function () {
      return Share.parse(location.hash);  // (may throw at once on a damaged link)
    }).then(function (parsed) {
      if (parsed.code !== null) scriptName = 'script.gil';
      return parsed;
    }, function (e) {
      // A damaged link: say so, and leave the page usable.
      return { code: null, settings: {}, defines: [], run: false,
               error: 'the link\'s script cannot be read (' + e.message + ')' };
    });
    var ready = EngineClient.start();
    Promise.all([fragment, ready]).then(function (both) {
      var parsed = both[0];
      fillMenus();
      var ok = !parsed.error && applyFragment(parsed);
      if (parsed.error) setStatus('error: ' + parsed.error);
      showCommand();
      $('run').disabled = false;
      if (ok) setStatus('ready');
      if (ok && parsed.run && !hasRun) run();
    }, function (e) {
      setStatus('error: ' + e.message);
    });
  }

  main();
})();
