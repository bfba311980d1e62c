// The desk's style sheet and script, served by the binary at /assets/desk.css and
// /assets/desk.js: outlets are offline, and the Content-Security-Policy allows nothing that is
// not this server's (no inline script or style, no CDN). Fonts come from the system.
enum DeskAssets {
    static let styleSheet = #"""
:root { --ink: #1b1f23; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --focus: #ff9f1c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f8fa; font-size: 18px; line-height: 1.5;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .5rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.2rem; }
nav ul { display: flex; gap: .5rem; list-style: none; margin: 0; padding: 0; }
nav a { display: inline-block; padding: .6rem 1rem; min-height: 44px; border-radius: 6px; color: var(--accent); text-decoration: none; }
nav a[aria-current="page"] { background: #ddf4ff; font-weight: 700; }
.who { margin-left: auto; display: flex; gap: 1rem; align-items: center; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button, .button, input, select { font: inherit; min-height: 44px; }
button, .button { display: inline-block; padding: .5rem 1.2rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; }
button.primary, .button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.big { font-size: 1.3rem; padding: .8rem 2.4rem; }
button:disabled { opacity: .5; cursor: not-allowed; }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: .5rem; }
form.inline { display: inline; }
input { padding: .4rem .6rem; border: 1px solid var(--muted); border-radius: 6px; }
.card-form { display: grid; gap: .5rem; max-width: 28rem; background: #fff; padding: 1.5rem; border: 1px solid var(--line); border-radius: 8px; }
.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: 1rem; }
.search label { width: 100%; }
.search input { flex: 1; min-width: 16rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid var(--line); padding: .5rem .75rem; text-align: left; vertical-align: top; }
td.name, .name { font-size: 1.15rem; }
.tag { padding: .1rem .5rem; border-radius: 4px; font-size: .9rem; }
.tag.warn { background: #fff8c5; color: var(--warn); }
.notice { padding: .75rem 1rem; margin: 1rem 0; border-radius: 6px; border-left: 6px solid; background: #fff; }
.notice.ok { border-color: var(--ok); }
.notice.warn { border-color: var(--warn); background: #fff8c5; }
.notice.error { border-color: var(--bad); background: #ffebe9; }
.notice p { margin: .25rem 0; }
.columns { display: flex; gap: 1.5rem; align-items: flex-start; }
.fields { max-width: 40rem; }
.fields th { width: 9rem; color: var(--muted); font-weight: normal; }
img.photo { width: 179px; height: auto; aspect-ratio: 358 / 441; border: 1px solid var(--line); background: #fff; }
.face-frame { max-width: 640px; margin: 1rem 0; }
/* The face as rendered: the printer's whole panel (1016 × 648 dots at 300 dpi, an ID-1 card
   of 85.60 × 53.98 mm to the edge), never stretched: its own aspect ratio, space kept while it loads. */
img.card-face { display: block; width: 100%; height: auto; aspect-ratio: auto 1016 / 648; border: 1px solid var(--line); border-radius: 3.18mm; background: #fff; }
.rare-field { display: grid; grid-template-columns: 16rem 6rem 1fr; gap: .75rem; align-items: center; margin: .5rem 0; }
.rare-field input { font-size: 1.6rem; text-align: center; }
img.glyph { height: 2.4rem; vertical-align: middle; border: 1px solid var(--line); background: #fff; margin-right: .5rem; }
.ok { color: var(--ok); }
.bad { color: var(--bad); }
#steps { list-style: none; padding-left: 0; }
#steps li { padding: .3rem 0; }
#steps li::before { content: "○ "; color: var(--muted); }
#steps li.running::after { content: " …"; }
#steps li.done::before { content: "✓ "; color: var(--ok); }
#steps li.failed::before { content: "✗ "; color: var(--bad); }
#steps li.note { color: var(--muted); padding-left: 1.5rem; }
#steps li.note::before { content: ""; }
.actions { margin-top: 1rem; display: flex; gap: .75rem; }
code { word-break: break-all; }
"""#

    static let script = #"""
// desk.js — the little script of the web desk: the live view of an issuance (Server-Sent
// Events), the guard against leaving the page while a card is in the printer, and the live
// check of rare characters. Every page works without it except the live updates.
(function () {
  'use strict';

  function text(zh, en) { return document.documentElement.lang === 'en' ? en : zh; }

  // ── Issuance: follow /issue/<id>/events until the card is done or refused. ──
  var section = document.getElementById('issuance');
  if (section && section.dataset.running === 'yes') {
    var running = true;
    window.addEventListener('beforeunload', function (event) {
      if (!running) return;
      event.preventDefault();
      event.returnValue = section.dataset.leave;
      return section.dataset.leave;
    });
    var steps = document.getElementById('steps');
    var state = document.getElementById('state');
    var outcome = document.getElementById('outcome');
    // The server renders what happened so far; the stream replays it, so start afresh.
    var source = new EventSource(section.dataset.events);
    var first = true;
    source.onmessage = function (message) {
      if (first) { steps.textContent = ''; outcome.textContent = ''; first = false; }
      var e = JSON.parse(message.data);
      var label = text(e.zh, e.en);
      if (e.kind === 'started') {
        var li = document.createElement('li');
        li.dataset.step = e.step; li.className = 'running'; li.textContent = label;
        steps.appendChild(li);
      } else if (e.kind === 'finished') {
        var items = steps.querySelectorAll('li[data-step="' + e.step + '"]');
        if (items.length) { items[items.length - 1].className = 'done'; }
      } else if (e.kind === 'retrying' || e.kind === 'preview') {
        var note = document.createElement('li');
        note.className = 'note'; note.textContent = label;
        steps.appendChild(note);
      } else if (e.kind === 'readBack') {
        var p = document.createElement('p');
        p.id = 'read-back';
        p.textContent = text('读回：', 'Read back: ');
        var code = document.createElement('code'); code.textContent = label; p.appendChild(code);
        outcome.appendChild(p);
      } else if (e.kind === 'done' || e.kind === 'failed') {
        running = false;
        source.close();
        // The page as the server renders it now: outcome, face, and (after a failure) the button.
        window.location.reload();
      }
    };
    source.onerror = function () {
      if (running) state.textContent = text('与制卡站的连接中断，正在重连…（制卡在制卡站中继续）', 'Connection to the station lost; reconnecting… (the issuance goes on in the station)');
    };
  }

  // ── Rare characters: check each field as it is typed or pasted. ──
  var form = document.getElementById('rare-form');
  if (form) {
    var timer = null;
    var check = function () {
      var inputs = form.querySelectorAll('input.rare-input');
      var query = Array.prototype.map.call(inputs, function (i) { return 'c=' + encodeURIComponent(i.value.trim()); }).join('&');
      fetch(form.dataset.check + '?' + query, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (result) {
        result.characters.forEach(function (c, index) {
          var out = document.getElementById('c' + index + '-check');
          out.textContent = '';
          if (c.ok) {
            var img = document.createElement('img');
            img.className = 'glyph'; img.alt = c.typed; img.src = '/glyph.png?c=' + encodeURIComponent(c.typed);
            var ok = document.createElement('span'); ok.className = 'ok'; ok.textContent = text('可以打印', 'printable');
            out.appendChild(img); out.appendChild(ok);
          } else if (c.typed) {
            var bad = document.createElement('span'); bad.className = 'bad'; bad.textContent = text(c.reasonZh, c.reasonEn);
            out.appendChild(bad);
          }
        });
        var preview = document.getElementById('preview');
        var issue = document.getElementById('to-issue');
        if (result.preview) { preview.src = result.preview; preview.hidden = false; issue.href = result.issue; issue.hidden = false; }
        else { preview.hidden = true; issue.hidden = true; }
      });
    };
    form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(check, 250); });
    form.addEventListener('submit', function (event) { event.preventDefault(); check(); });
  }
})();
"""#
}
