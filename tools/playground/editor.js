// The script editor: a textarea with a line-number gutter that scrolls with it, and the line an
// error points at marked in the gutter, with the message under the editor.
'use strict';

var Editor = (function () {
  var area, gutter, errorAt;
  var lines = 0;
  var marked = 0;

  function renderGutter() {
    var n = area.value.split('\n').length;
    if (n === lines && !marked) return;
    lines = n;
    var text = '';
    for (var i = 1; i <= n; i++) text += (i === marked ? '\u25b6' : '') + i + '\n';
    gutter.textContent = text;
    gutter.scrollTop = area.scrollTop;
  }

  function init() {
    area = document.getElementById('code');
    gutter = document.getElementById('gutter');
    errorAt = document.getElementById('error-at');
    area.addEventListener('input', function () { clearError(); renderGutter(); });
    area.addEventListener('scroll', function () { gutter.scrollTop = area.scrollTop; });
    area.addEventListener('keydown', function (e) {
      if (e.key !== 'Tab' || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();  // indent with four spaces, as the scripts are written
      var s = area.selectionStart;
      area.setRangeText('    ', s, area.selectionEnd, 'end');
      renderGutter();
    });
    renderGutter();
  }

  function setText(text) {
    area.value = text;
    clearError();
    lines = 0;
    renderGutter();
    area.scrollTop = 0;
  }

  // Marks `line` (1-based) and shows `message` (the CLI's file:line:col text) under the editor;
  // scrolls the line into view.
  function showError(line, message) {
    marked = line;
    lines = 0;
    renderGutter();
    errorAt.hidden = false;
    errorAt.textContent = 'line ' + line + ': ' + message;
    var lineHeight = area.scrollHeight / Math.max(1, area.value.split('\n').length);
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function clearError() {
    if (!marked && errorAt.hidden) return;
    marked = 0;
    lines = 0;
    errorAt.hidden = true;
    errorAt.textContent = '';
    renderGutter();
  }

  return {
    init: init,
    text: function () { return area.value; },
    setText: setText,
    showError: showError,
    clearError: clearError,
    markedLine: function () { return marked; }
  };
})();
