// Share links: the script and the settings in the URL fragment (nothing is sent anywhere).
//
//   #z=<base64url of the deflate-raw compressed script>&policy=modern&cores=2&D=n%3D100&run=1
//   #code=<base64url of the script>&...          (plain, for links made by hand or by tests)
// The other keys are the settings' ids (docs/playground.md lists them); `D` may repeat.
'use strict';

var Share = (function () {
  function toBase64url(bytes) {
    var bin = '';
    for (var i = 0; i < bytes.length; i += 0x8000)
      bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function fromBase64url(text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  function pipe(bytes, transform) {
    var stream = new Blob([bytes]).stream().pipeThrough(transform);
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  // Resolves with {code (or null), settings: {key: value}, defines: [..], run: bool}.
  function parse(fragment) {
    var params = new URLSearchParams(fragment.replace(/^#/, ''));
    var out = { code: null, settings: {}, defines: params.getAll('D'), run: params.get('run') === '1' };
    params.forEach(function (value, key) {
      if (key !== 'z' && key !== 'code' && key !== 'D' && key !== 'run') out.settings[key] = value;
    });
    if (params.has('code')) {
      out.code = new TextDecoder().decode(fromBase64url(params.get('code')));
      return Promise.resolve(out);
    }
    if (params.has('z')) {
      return pipe(fromBase64url(params.get('z')), new DecompressionStream('deflate-raw'))
        .then(function (bytes) { out.code = new TextDecoder().decode(bytes); return out; });
    }
    return Promise.resolve(out);
  }

  // Resolves with the fragment (without '#') for the script and settings.
  function make(code, settings, defines) {
    return pipe(new TextEncoder().encode(code), new CompressionStream('deflate-raw')).then(function (z) {
      var params = new URLSearchParams();
      params.set('z', toBase64url(z));
      Object.keys(settings).forEach(function (k) { params.set(k, settings[k]); });
      defines.forEach(function (d) { params.append('D', d); });
      return params.toString();
    });
  }

  return { parse: parse, make: make, toBase64url: toBase64url };
})();
