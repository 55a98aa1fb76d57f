// Staff shortcuts. A reply phrase (常用语) chosen beside a text box is inserted at the cursor with
// the Insert button (without scripts the phrases are listed to copy). A form marked data-once is
// sent once: its buttons are disabled after the first submit (bulk actions on a list).
(function () {
  document.querySelectorAll(".phrase-picker .phrase-insert").forEach(function (control) {
    control.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-insert-phrase]");
    if (!button) return;
    var picker = button.closest(".phrase-picker");
    var form = picker.closest("form");
    var box = document.getElementById(picker.getAttribute("data-target")) ||
      (form && (form.lastTextField || form.querySelector("textarea, input[type=text]")));
    var phrase = picker.querySelector("select").value;
    if (!box || !phrase) return;
    var start = box.selectionStart === undefined ? box.value.length : box.selectionStart;
    var end = box.selectionEnd === undefined ? box.value.length : box.selectionEnd;
    box.value = box.value.slice(0, start) + phrase + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + phrase.length;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
  // Without a target, a phrase goes into the form's text field used last (or its first text field).
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.form && (field.tagName === "TEXTAREA" || field.type === "text")) field.form.lastTextField = field;
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once") || event.defaultPrevented) return;
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
    }, 0);
  });
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll("input[type=checkbox][form='" + all.getAttribute("data-select-all") + "']").forEach(
      function (box) { if (box !== all) box.checked = all.checked; });
  });
})();
