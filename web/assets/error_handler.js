// Any uncaught error or rejected promise leaves a visible marker in the page; the browser test
// looks for it, and a reader sees that a chart is missing for a reason.
(function () {
  'use strict';
  function report(message) {
    var box = document.createElement('div');
    box.id = 'js-error';
    box.className = 'js-error';
    box.textContent = 'The report script failed: ' + message;
    (document.body || document.documentElement).appendChild(box);
  }
  window.perfplanReportError = report;
  window.onerror = function (message, source, line, column) {
    report(message + ' (line ' + line + ':' + column + ')');
  };
  window.addEventListener('unhandledrejection', function (event) {
    report(String(event.reason));
  });
})();
