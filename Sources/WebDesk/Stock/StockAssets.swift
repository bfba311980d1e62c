// stock.js, served at /assets/stock.js for the stock page: uploads the return file as the
// request body (streamed by the browser, received into a file by the server) with a progress
// bar — the browser's own count while sending, then the server's phase (checking, importing)
// polled from /stock/import/<id> — and reloads the page to show the outcome.
enum StockAssets {
    /// stock.css: the few rules the stock, ledger, devices and handover pages add to desk.css.
    static let styleSheet = #"""
#ledger-entries th, #ledger-entries td:nth-child(-n+4) { white-space: nowrap; }
#ledger-entries td.details code { word-break: break-all; font-size: .85rem; }
ul.checks { list-style: none; padding-left: 0; }
ul.checks li { padding: .35rem 0; }
ul.checks li.fail { color: var(--bad); }
ul.checks li.warn { color: var(--warn); }
ul.checks .fix { margin-left: 1.8rem; }
#printer-status { max-width: 40rem; }
#import-progress { width: 100%; height: 1.5rem; }
ol.cards code { font-size: 1.1rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; }
label.choice { display: flex; gap: .5rem; align-items: center; min-height: 44px; }
"""#

    static let script = #"""
(function () {
  'use strict';
  var form = document.getElementById('import-form');
  if (!form) return;
  var input = document.getElementById('return-file');
  var bar = document.getElementById('import-progress');
  var status = document.getElementById('import-status');
  var button = document.getElementById('import-button');
  function randomID() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function show(phase, percent) {
    bar.hidden = false;
    bar.value = percent;
    bar.textContent = percent + '%';
    status.textContent = (form.dataset[phase] || phase) + ' … ' + percent + '%';
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = input.files && input.files[0];
    if (!file) { input.focus(); return; }
    var id = randomID();
    button.disabled = true;
    show('receiving', 0);
    var finished = false;
    var poll = function () {
      if (finished) return;
      fetch('/stock/import/' + id, { credentials: 'same-origin' }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (p) {
        if (p && !finished && p.phase !== 'done' && p.phase !== 'failed') show(p.phase, p.percent);
      }).catch(function () {}).then(function () { if (!finished) setTimeout(poll, 250); });
    };
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/stock/import?upload=' + id + '&name=' + encodeURIComponent(file.name));
    xhr.setRequestHeader('X-CSRF-Token', form.dataset.csrf);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) show('receiving', Math.min(90, Math.floor(e.loaded * 90 / e.total)));
    };
    xhr.onload = function () {
      finished = true;
      if (xhr.status === 200 || xhr.status === 422) {
        show(xhr.status === 200 ? 'importing' : 'checking', 100);
        window.location.assign('/stock?upload=' + id + '#import-result');
      } else {
        button.disabled = false;
        status.textContent = form.dataset.failed + ' (' + xhr.status + ')';
      }
    };
    xhr.onerror = function () { finished = true; button.disabled = false; status.textContent = form.dataset.failed; };
    xhr.send(file);
    setTimeout(poll, 250);
  });
})();
"""#
}
