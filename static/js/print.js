// A button with data-print prints the page (the receipt): no inline handlers under the site's CSP.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
