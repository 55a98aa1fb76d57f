// The browser's live connection: the bell's count, a toast for each new notification, and a
// reconnect when the connection drops. Each notification is shown once, even if sent twice.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var toasts = document.getElementById("toasts");
  var counter = document.getElementById("unread-count");
  var seen = new Set();
  var delay = 1000;

  function setStatus(connected) {
    if (!status) return;
    status.textContent = status.dataset[connected ? "connected" : "disconnected"];
    status.classList.toggle("ok", connected);
  }

  function setCount(count) {
    if (!counter) return;
    counter.textContent = count;
    counter.classList.toggle("zero", count === 0);
  }

  function toast(message) {
    var item = document.createElement("a");
    item.className = "toast";
    item.href = message.url || "/notifications/";
    var title = document.createElement("strong");
    title.textContent = message.title || "";
    var body = document.createElement("p");
    body.textContent = message.body || "";
    item.appendChild(title);
    item.appendChild(body);
    toasts.appendChild(item);
    setTimeout(function () { item.remove(); }, 10000);
  }

  function receive(message) {
    if (message.type === "hello") {
      setCount(message.unread);
      (message.latest || []).forEach(function (item) { seen.add(item.id); });
      return;
    }
    if (message.type === "notification") {
      if (seen.has(message.id)) return;
      seen.add(message.id);
      setCount(parseInt(counter ? counter.textContent : "0", 10) + 1);
      toast(message);
    }
    document.dispatchEvent(new CustomEvent("chengxin:live", { detail: message }));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/notifications/");
    socket.onopen = function () { delay = 1000; setStatus(true); };
    socket.onmessage = function (event) { receive(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      setStatus(false);
      // 4008: the sign-in this page was opened with has ended; the reload shows the sign-in page.
      if (event.code === 4008) { location.reload(); return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
