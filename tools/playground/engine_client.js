// The page's side of the engine: unpacks the embedded WebAssembly once, runs it in a Web Worker
// and restarts the worker when a run has to be stopped (worker.js lists the messages).
'use strict';

var EngineClient = (function () {
  var compiled = null;   // Promise of the WebAssembly.Module, compiled once per page
  var worker = null;
  var readyPromise = null;
  var pending = {};      // id -> {resolve, reject}
  var nextId = 1;
  var catalog = { policies: [], demos: [] };

  function base64Bytes(text) {
    var bin = atob(text.replace(/\s+/g, ''));
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  // bundle.py stores the .wasm deflated (raw) and in base64: a third of its size.
  function compileEmbedded() {
    var packed = base64Bytes(document.getElementById('gilsim-wasm').textContent);
    var stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer().then(function (buf) {
      return WebAssembly.compile(buf);
    });
  }

  function rejectAll(message) {
    Object.keys(pending).forEach(function (id) { pending[id].reject(new Error(message)); });
    pending = {};
  }

  function start() {
    if (!compiled) compiled = compileEmbedded();
    var source = document.getElementById('gilsim-worker-source').textContent;
    var url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    worker = new Worker(url);
    URL.revokeObjectURL(url);
    var w = worker;
    readyPromise = new Promise(function (resolve, reject) {
      w.onmessage = function (e) {
        var m = e.data;
        if (m.type === 'ready') {
          catalog = m.catalog;
          resolve();
        } else if (m.type === 'fatal') {
          reject(new Error(m.message));
          rejectAll('the engine stopped: ' + m.message);
          if (w === worker) restart();
        } else if (pending[m.id]) {
          var p = pending[m.id];
          delete pending[m.id];
          p.resolve(m);
        }
      };
      w.onerror = function (e) {
        e.preventDefault();
        reject(new Error(e.message || 'the engine failed to start'));
      };
    });
    compiled.then(function (module) { w.postMessage({ type: 'init', module: module }); },
                  function (e) { rejectAll('cannot compile the engine: ' + e); });
    return readyPromise;
  }

  function restart() {
    if (worker) worker.terminate();
    rejectAll('stopped');
    return start();
  }

  function send(message) {
    return readyPromise.then(function () {
      return new Promise(function (resolve, reject) {
        var id = nextId++;
        pending[id] = { resolve: resolve, reject: reject };
        message.id = id;
        worker.postMessage(message);
      });
    });
  }

  return {
    start: start,
    ready: function () { return readyPromise; },
    catalog: function () { return catalog; },
    // Resolves with the result document of playground_api.cpp.
    run: function (request) { return send({ type: 'run', request: request }).then(function (m) { return m.result; }); },
    // Resolves with an ArrayBuffer: the export of the last run.
    exportRun: function (kind) { return send({ type: 'export', kind: kind }).then(function (m) { return m.bytes; }); },
    // Stops a run at once: the worker is terminated (whatever it was doing) and a new one started.
    stop: restart
  };
})();
