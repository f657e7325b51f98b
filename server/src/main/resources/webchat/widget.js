/*
 * Omnirouter web-chat widget. Embed with:
 *   <script src="https://router.example.com/webchat/widget.js" data-account="demo-web"></script>
 * It opens a session (kept in localStorage), connects the WebSocket, resends unacknowledged
 * messages after a reconnect, and shows agents' replies.
 */
(function () {
  var script = document.currentScript;
  var account = script.getAttribute('data-account');
  var base = new URL(script.src).origin;
  var key = 'omnirouter:' + account;
  var pending = {};
  var ws;

  var box = document.createElement('div');
  box.style.cssText = 'position:fixed;bottom:16px;right:16px;width:300px;font:14px sans-serif;background:#fff;border:1px solid #ccc;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.2)';
  box.innerHTML = '<div style="padding:8px;background:#2b6cb0;color:#fff;border-radius:8px 8px 0 0">Chat with us</div>' +
    '<div id="or-log" style="height:240px;overflow:auto;padding:8px"></div>' +
    '<form id="or-form" style="display:flex;border-top:1px solid #eee"><input id="or-text" style="flex:1;border:0;padding:8px" placeholder="Type a message…" autocomplete="off"><button style="border:0;padding:8px">Send</button></form>';
  document.body.appendChild(box);
  var log = box.querySelector('#or-log');

  function show(who, text) {
    var p = document.createElement('div');
    p.style.margin = '4px 0';
    p.style.textAlign = who === 'me' ? 'right' : 'left';
    p.textContent = text;
    log.appendChild(p);
    log.scrollTop = log.scrollHeight;
  }

  function session() {
    var saved = localStorage.getItem(key);
    if (saved) return Promise.resolve(JSON.parse(saved));
    return fetch(base + '/webchat/' + encodeURIComponent(account) + '/sessions', { method: 'POST' })
      .then(function (r) { return r.json(); })
      .then(function (s) { localStorage.setItem(key, JSON.stringify(s)); return s; });
  }

  function connect() {
    session().then(function (s) {
      var url = base.replace(/^http/, 'ws') + '/webchat/' + encodeURIComponent(account) + '/ws?visitor=' +
        encodeURIComponent(s.visitorId) + '&token=' + encodeURIComponent(s.token);
      ws = new WebSocket(url);
      ws.onopen = function () { Object.keys(pending).forEach(function (id) { ws.send(JSON.stringify(pending[id])); }); };
      ws.onmessage = function (e) {
        var f = JSON.parse(e.data);
        if (f.type === 'ack') delete pending[f.id];
        if (f.type === 'message') show('agent', f.text);
      };
      ws.onclose = function () { setTimeout(connect, 2000); };
    });
  }

  box.querySelector('#or-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = box.querySelector('#or-text');
    if (!input.value) return;
    var frame = { type: 'message', id: Date.now() + '-' + Math.random().toString(36).slice(2), text: input.value };
    pending[frame.id] = frame;
    show('me', input.value);
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
    input.value = '';
  });
  connect();
})();
