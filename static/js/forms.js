// Inline checks after the person acts: a field is checked only once it was touched (typed in or
// changed, then left), never on first display; a submit shows every problem of its form.
// The message is the browser's own, in the page's language, next to the field.
(function () {
  function errorOf(field) {
    var id = field.id || field.name;
    return id ? document.getElementById("inline-error-" + id) : null;
  }
  function show(field) {
    if (!field.willValidate || field.type === "hidden") {
      return;
    }
    var error = errorOf(field);
    if (field.validity.valid) {
      field.removeAttribute("aria-invalid");
      if (error) {
        error.remove();
      }
      return;
    }
    field.setAttribute("aria-invalid", "true");
    if (!error) {
      error = document.createElement("span");
      error.className = "field-error";
      error.id = "inline-error-" + (field.id || field.name);
      error.setAttribute("role", "alert");
      field.insertAdjacentElement("afterend", error);
      field.setAttribute("aria-describedby", error.id);
    }
    error.textContent = field.validationMessage;
  }
  document.addEventListener("input", function (event) {
    if (event.target.form) {
      event.target.dataset.touched = "yes";
      if (event.target.getAttribute("aria-invalid")) {
        show(event.target);
      }
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.form) {
      event.target.dataset.touched = "yes";
    }
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.form && event.target.dataset.touched === "yes") {
      show(event.target);
    }
  });
  document.addEventListener("invalid", function (event) {
    show(event.target);
  }, true);
})();

// A step the server refused (the page shown again, status 400): the error goes to the top of the
// form it came from, which is opened, and what the person typed is put back.
document.addEventListener("DOMContentLoaded", function () {
  var data = document.getElementById("refused-step");
  if (!data) {
    return;
  }
  var step = JSON.parse(data.textContent);
  var form = Array.prototype.find.call(document.forms, function (candidate) {
    return (candidate.getAttribute("action") || "").endsWith("/" + step.action + "/");
  });
  if (!form) {
    return;
  }
  Object.keys(step.fields).forEach(function (name) {
    var values = step.fields[name];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name !== name || field.type === "hidden" || field.type === "file") {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else {
        field.value = values[0];
      }
    });
  });
  var errors = document.querySelector(".form-errors");
  if (errors) {
    form.insertBefore(errors, form.firstChild);
  }
  for (var parent = form.parentElement; parent; parent = parent.parentElement) {
    if (parent.tagName === "DETAILS") {
      parent.open = true;
    }
  }
  form.scrollIntoView({ block: "center" });
});
