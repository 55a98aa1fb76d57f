// The supervisor board follows changes live: on a "board" message from the socket (live.js), or
// a deadline notification, it fetches its own address with fragment=1 (the rows only, same
// filters and page) and swaps the table body. Bursts become one fetch; a row whose order form is
// open or focused is not swept away under the user's hands: the refresh waits until it closes.
(function () {
  "use strict";
  var table = document.getElementById("board");
  if (!table) return;
  var QUIET_MS = 400;
  var timer = null;
  var inFlight = false;
  var again = false;

  function busy() {
    var body = document.getElementById("board-rows");
    if (!body) return false;
    if (body.querySelector("details[open]")) return true;
    return body.contains(document.activeElement) && document.activeElement.tagName === "TEXTAREA";
  }

  function fragmentUrl() {
    var params = new URLSearchParams(location.search);
    params.set("fragment", "1");
    return location.pathname + "?" + params.toString();
  }

  function refresh() {
    timer = null;
    if (inFlight) { again = true; return; }
    if (busy()) { schedule(2000); return; }
    inFlight = true;
    fetch(fragmentUrl(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.querySelector("tbody");
        var current = document.getElementById("board-rows");
        if (fresh && current && !busy()) {
          current.replaceWith(fresh);
          table.dataset.refreshed = String(Date.now());
          document.dispatchEvent(new CustomEvent("chengxin:board-refreshed"));
        } else if (fresh) {
          again = true;
        }
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () {
        inFlight = false;
        if (again) { again = false; schedule(QUIET_MS); }
      });
  }

  function schedule(delay) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }

  document.addEventListener("chengxin:live", function (event) {
    var message = event.detail || {};
    var deadlineNews = message.type === "notification" && /^(deadline|supervision)\./.test(message.kind || "");
    if (message.type === "board" || deadlineNews) schedule(QUIET_MS);
  });

  // One order per click: a double click sends the form once.
  table.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[type=submit]");
    if (button) {
      if (button.disabled) { event.preventDefault(); return; }
      setTimeout(function () { button.disabled = true; }, 0);
    }
  });
})();
