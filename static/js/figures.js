// The figures page's charts, drawn with the vendored Chart.js from the data the page carries
// (json_script). Labels are drawn on canvas, never inserted as markup.
(function () {
  "use strict";
  var source = document.getElementById("figures-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var names = data.names;
  var colours = { response: "#1f6feb", answered_on_time: "#2f8132", closed_on_time: "#6f42c1",
                  resolution: "#b3261e", satisfaction: "#8a5a00", owed: "#b3261e", paid: "#2f8132", submitted: "#616e7c", repaired: "#1f6feb" };
  var RATES = ["response", "answered_on_time", "closed_on_time", "resolution", "satisfaction"];

  function percentAxis() {
    return { min: 0, max: 100, ticks: { callback: function (value) { return value + "%"; } } };
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false,
                                     plugins: { legend: { position: "bottom" } } }, config.options || {});
    new window.Chart(canvas, config);
  }

  function rateSets(series, type) {
    return RATES.map(function (key) {
      return { type: type, label: names[key], data: series[key], borderColor: colours[key],
               backgroundColor: colours[key], spanGaps: true, tension: 0.2 };
    });
  }

  var percentTooltip = { callbacks: { label: function (item) {
    return item.dataset.label + ": " + (item.raw === null ? "—" : item.raw + "%");
  } } };

  draw("chart-by-month", {
    type: "line",
    data: { labels: data.by_month.labels, datasets: rateSets(data.by_month, "line") },
    options: { scales: { y: percentAxis() }, plugins: { legend: { position: "bottom" }, tooltip: percentTooltip } },
  });
  draw("chart-by-department", {
    type: "bar",
    data: { labels: data.by_department.labels, datasets: rateSets(data.by_department, "bar") },
    options: { scales: { y: percentAxis() }, plugins: { legend: { position: "bottom" }, tooltip: percentTooltip } },
  });
  draw("chart-repairs", {
    type: "bar",
    data: { labels: data.repairs.labels, datasets: ["submitted", "repaired"].map(function (key) {
      return { label: names[key], data: data.repairs[key], backgroundColor: colours[key] };
    }) },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw("chart-arrears", {
    type: "bar",
    data: { labels: data.arrears.labels, datasets: ["owed", "paid"].map(function (key) {
      return { label: names[key], data: data.arrears[key], backgroundColor: colours[key] };
    }) },
    options: { scales: { y: { beginAtZero: true } } },
  });
})();
