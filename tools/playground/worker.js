// The playground's Web Worker: the engine (Emscripten's glue, appended after this file by
// bundle.py) and the messages the page sends it. A run blocks this worker, never the page; the
// page stops a runaway run by terminating the worker and starting a new one.
//
//   page -> worker  {type: 'init', module}          the compiled WebAssembly.Module
//                   {type: 'run', id, request}      request: see playground_api.cpp
//                   {type: 'export', id, kind}      json | trace | csv | timeline_html
//   worker -> page  {type: 'ready', catalog}       {policies, demos}: the menus
//                   {type: 'result', id, result}    result.errors includes bad-option messages
//                   {type: 'export', id, kind, bytes}
//                   {type: 'fatal', message}        the engine aborted (out of memory, a bug)
'use strict';

var gilsimStderr = [];
var gilsimModuleReady;
var gilsimModulePromise = new Promise(function (resolve) { gilsimModuleReady = resolve; });

var Module = {
  noInitialRun: true,
  // The engine captures the script's output itself; what reaches stdout/stderr here are the
  // messages of option checks (engine_options), line by line.
  print: function (line) { gilsimStderr.push(line + '\n'); },
  printErr: function (line) { gilsimStderr.push(line + '\n'); },
  instantiateWasm: function (imports, done) {
    gilsimModulePromise
      .then(function (module) { return WebAssembly.instantiate(module, imports); })
      .then(function (instance) { done(instance); })
      .catch(function (e) { postMessage({ type: 'fatal', message: 'cannot start the engine: ' + e }); });
    return {};
  },
  onRuntimeInitialized: function () {
    postMessage({ type: 'ready', catalog: JSON.parse(gilsimText(gilsimCall('gp_catalog', null))) });
  },
  onAbort: function (what) {
    postMessage({ type: 'fatal', message: String(what) });
  }
};

// Calls gp_<name>(text) and returns the bytes it answered (a copy, safe after the next call).
function gilsimCall(name, text) {
  var ptr = 0;
  if (text !== null) {
    var len = lengthBytesUTF8(text) + 1;
    ptr = _malloc(len);
    stringToUTF8(text, ptr, len);
  }
  var out = text === null ? Module['_' + name]() : Module['_' + name](ptr);
  if (ptr) _free(ptr);
  var size = Module._gp_size();
  return HEAPU8.slice(out, out + size);
}

function gilsimText(bytes) { return new TextDecoder().decode(bytes); }

self.onmessage = function (e) {
  var m = e.data;
  if (m.type === 'init') {
    gilsimModuleReady(m.module);
  } else if (m.type === 'run') {
    gilsimStderr = [];
    var result = JSON.parse(gilsimText(gilsimCall('gp_run', JSON.stringify(m.request))));
    if (gilsimStderr.length) result.errors = gilsimStderr.join('') + (result.errors || '');
    postMessage({ type: 'result', id: m.id, result: result });
  } else if (m.type === 'export') {
    var bytes = gilsimCall('gp_export', m.kind);
    postMessage({ type: 'export', id: m.id, kind: m.kind, bytes: bytes.buffer }, [bytes.buffer]);
  }
};
