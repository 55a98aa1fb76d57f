// The browser's live connection: shows each pushed notification as a toast, reconnects on loss.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var toasts = document.getElementById("toasts");
  var delay = 1000;

  function setStatus(connected) {
    if (!status) return;
    status.textContent = status.dataset[connected ? "connected" : "disconnected"];
    status.classList.toggle("ok", connected);
  }

  function toast(message) {
    var item = document.createElement("div");
    item.className = "toast";
    var title = document.createElement("strong");
    title.textContent = message.title || "";
    var body = document.createElement("p");
    body.textContent = message.body || "";
    item.appendChild(title);
    item.appendChild(body);
    toasts.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
    document.dispatchEvent(new CustomEvent("chengxin:notification", { detail: message }));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/ws/notifications/");
    socket.onopen = function () { delay = 1000; setStatus(true); };
    socket.onmessage = function (event) { toast(JSON.parse(event.data)); };
    socket.onclose = function () {
      setStatus(false);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
