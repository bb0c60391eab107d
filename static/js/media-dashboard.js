// Coverage dashboard charts (Chart.js, vendored): by level, by type, per day.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const data = JSON.parse(document.getElementById("media-chart-data").textContent);
  const colors = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df"];

  function bar(id, series, options) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [{ label: data.label, data: series.values, backgroundColor: options.colors }],
      },
      options: {
        indexAxis: options.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { [options.horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  bar("chart-levels", data.levels, { horizontal: true, colors });
  bar("chart-types", data.types, { horizontal: true, colors: colors.slice().reverse() });
  bar("chart-days", data.days, { horizontal: false, colors: "#2da44e" });
})();
