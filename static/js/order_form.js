// The supervision order form: the answer's due date follows the working days as they are typed
// (the holiday calendar's answer, /api/v1/working-days/), and the preview says it is out of date
// until Preview is pressed again. Without scripts the Preview button does the same.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  var due = document.getElementById("respond-by");
  if (!form || !due) return;
  var days = form.querySelector("[name=respond_within]");
  var stale = document.getElementById("preview-stale");
  var asked = 0;

  function markStale() {
    if (stale) stale.hidden = false;
  }

  function follow() {
    markStale();
    var n = parseInt(days.value, 10);
    var most = parseInt(days.getAttribute("max"), 10);
    if (!(n >= 1 && n <= most)) { due.textContent = ""; return; }
    var mine = ++asked;
    var query = new URLSearchParams({ start: due.getAttribute("data-today"), days: String(n) });
    fetch("/api/v1/working-days/?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (answer) {
        if (mine === asked) due.textContent = due.getAttribute("data-label").replace("{date}", answer.due);
      })
      .catch(function () { /* the Preview button still shows the date */ });
  }

  days.addEventListener("input", follow);
  form.addEventListener("input", function (event) {
    if (event.target !== days) markStale();
  });
})();
