// Narrow screens (phones): the top bar's menu button, and the labels of tables shown as cards.
// Without JavaScript the button stays hidden and the navigation is always shown; the tables
// still stack as cards (see chengxin.css), only without the column names beside each value.
(() => {
  const button = document.querySelector(".menu-button");
  const nav = document.getElementById("site-nav");
  if (button && nav) {
    button.hidden = false;
    document.documentElement.classList.add("has-menu");
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    };
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }
  // Each cell of a `table.cards` gets its column's name, shown before the value on a phone.
  for (const table of document.querySelectorAll("table.cards")) {
    const names = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      Array.from(row.cells).forEach((cell, index) => {
        if (cell.colSpan === 1 && names[index] && !cell.dataset.label) cell.dataset.label = names[index];
      });
    }
  }
})();
