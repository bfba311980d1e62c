// The JS client and its example page, served by the bridge at /sscard.js and /. Copies of
// docs/sscard.js and docs/bridge-example.html, kept byte-equal by BridgeAssetTests
// (regenerate: scripts/bridge-assets.sh).
enum BridgeAssets {
    static let clientScript = #"""
// sscard.js — the browser bridge's JavaScript client (docs/bridge.md).
// Served by `issue-station bridge` at http://127.0.0.1:12342/sscard.js.
//
//   const card = new SSCard();                       // ws://127.0.0.1:12342/
//   await card.connect();
//   const r = await card.call('iReadCardBas', { iType: 3 });
//   if (r.code === 0) console.log(SSCard.basicInformation(r.pOutInfo).name);
//   else if (r.code === -2) alert('请插卡');
//
// Every call carries a request id and is matched to its reply by it, so calls may overlap.
// PINs are never sent: PIN functions use the reader's PIN pad or the desk's own prompt.
(function (root) {
  'use strict';

  var FIELDS = ['regionCode', 'socialSecurityNumber', 'cardNumber', 'cardIdentificationCode', 'name',
    'historicalBytes', 'specificationVersion', 'issueDate', 'expiryDate', 'terminalNumber',
    'terminalDeviceNumber'];

  function SSCard(options) {
    options = options || {};
    this.url = options.url || 'ws://127.0.0.1:12342/';
    if (options.token) this.url += (this.url.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(options.token);
    this.timeout = options.timeout || 120000;
    this.socket = null;
    this.nextId = 1;
    this.pending = {};
    this.connecting = null;
  }

  // Opens the connection. Rejects when the bridge is not running or refuses this page
  // (origin not allowed, wrong token: the handshake gets 403, which a page sees as an error).
  SSCard.prototype.connect = function () {
    var self = this;
    if (self.socket && self.socket.readyState === 1) return Promise.resolve(self);
    if (self.connecting) return self.connecting;   // calls made while it opens share one socket
    self.connecting = new Promise(function (resolve, reject) {
      var ws = new WebSocket(self.url);
      var opened = false;
      ws.onopen = function () { opened = true; self.socket = ws; self.connecting = null; resolve(self); };
      ws.onerror = function () { if (!opened) { self.connecting = null; reject(new Error('browser bridge unreachable or refused this page')); } };
      ws.onclose = function () {
        if (!opened) { self.connecting = null; reject(new Error('browser bridge closed the connection')); }
        self.socket = null;
        Object.keys(self.pending).forEach(function (id) {
          self.pending[id].reject(new Error('browser bridge connection closed'));
          delete self.pending[id];
        });
      };
      ws.onmessage = function (event) {
        var reply;
        try { reply = JSON.parse(event.data); } catch (e) { return; }
        var waiter = self.pending[reply.id];
        if (!waiter) return;
        delete self.pending[reply.id];
        clearTimeout(waiter.timer);
        reply.code = reply.success === '1' ? 0 : Number(reply.success);
        waiter.resolve(reply);
      };
    });
    return self.connecting;
  };

  // Calls `name` with its parameters (named as in the C interface: iType, pCardInfo, pKey…).
  // Resolves with the reply {functionName, success, pOutInfo, id, code}; code 0 is success.
  SSCard.prototype.call = function (name, params) {
    var self = this;
    return self.connect().then(function () {
      return new Promise(function (resolve, reject) {
        var id = self.nextId++;
        var request = { function: name, id: id };
        Object.keys(params || {}).forEach(function (k) { request[k] = params[k]; });
        var timer = setTimeout(function () {
          delete self.pending[id];
          reject(new Error(name + ': no reply from the browser bridge'));
        }, self.timeout);
        self.pending[id] = { resolve: resolve, reject: reject, timer: timer };
        self.socket.send(JSON.stringify(request));
      });
    });
  };

  SSCard.prototype.close = function () {
    if (this.socket) this.socket.close();
  };

  // The 11 fields of iReadCardBas's pOutInfo (人社信息函〔2016〕38号) as an object.
  SSCard.basicInformation = function (pOutInfo) {
    var parts = String(pOutInfo).split('|');
    var info = {};
    FIELDS.forEach(function (f, i) { info[f] = parts[i] === undefined ? '' : parts[i]; });
    return info;
  };
  SSCard.basicInformationFields = FIELDS;

  root.SSCard = SSCard;
  if (typeof module !== 'undefined' && module.exports) module.exports = SSCard;
})(typeof self !== 'undefined' ? self : this);
"""#

    static let examplePage = #"""
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>社会保障卡 浏览器桥示例 / browser bridge example</title>
<!-- docs/bridge.md. A page of another origin loads the client from the bridge:
     <script src="http://127.0.0.1:12342/sscard.js"></script> -->
<script src="/sscard.js"></script>
<style>
  body { font-family: sans-serif; margin: 2em; }
  table { border-collapse: collapse; }
  td, th { border: 1px solid #999; padding: 0.2em 0.6em; text-align: left; }
</style>
</head>
<body>
<h1>读社会保障卡 / read the card</h1>
<p><button id="read">读卡 iReadCardBas</button> <span id="status">未读 / not read</span></p>
<table id="fields"><tbody></tbody></table>
<script>
  var LABELS = {
    regionCode: '发卡地区行政区划代码', socialSecurityNumber: '社会保障号码', cardNumber: '卡号',
    cardIdentificationCode: '卡识别码', name: '姓名', historicalBytes: '卡复位信息',
    specificationVersion: '规范版本', issueDate: '发卡日期', expiryDate: '卡有效期',
    terminalNumber: '终端机编号', terminalDeviceNumber: '终端设备号'
  };
  // The bridge's address: the page's own when the bridge serves it, else the default port.
  var bridgeURL = new URLSearchParams(location.search).get('bridge') ||
    (location.port && location.hostname === '127.0.0.1' ? 'ws://127.0.0.1:' + location.port + '/' : 'ws://127.0.0.1:12342/');
  var card = new SSCard({ url: bridgeURL, token: new URLSearchParams(location.search).get('token') || undefined });

  function show(status) { document.getElementById('status').textContent = status; }

  function read() {
    show('读卡中… / reading…');
    return card.call('iReadCardBas', { iType: 3 }).then(function (r) {
      if (r.code === -2) { show('请插卡 / insert the card (-2)'); return r; }
      if (r.code !== 0) { show('错误 / error ' + r.success + ': ' + r.pOutInfo); return r; }
      var info = SSCard.basicInformation(r.pOutInfo);
      var body = document.querySelector('#fields tbody');
      body.innerHTML = '';
      SSCard.basicInformationFields.forEach(function (f) {
        var row = body.insertRow();
        row.insertCell().textContent = LABELS[f];
        var cell = row.insertCell();
        cell.id = 'field-' + f;
        cell.textContent = info[f];
      });
      show('已读 / read');
      return r;
    }, function (e) { show('无法连接浏览器桥 / bridge unreachable: ' + e.message); throw e; });
  }
  document.getElementById('read').onclick = function () { read().catch(function () {}); };
</script>
</body>
</html>
"""#
}
