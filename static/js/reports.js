// Dashboard charts (Chart.js from static/vendor). Data arrives through json_script blocks, never inline
// scripts (CSP). Each <canvas class="js-chart" data-chart="ID" data-kind="bar|hbar|doughnut"> reads #ID.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var PALETTE = ["#1d4e89", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6c757d", "#8ab17d", "#b5838d", "#457b9d", "#a8dadc", "#264653"];
  var numberFormat = new Intl.NumberFormat("id-ID");

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
    var data = readJson(canvas.dataset.chart);
    if (!data || !data.labels) {
      canvas.parentNode.classList.add("chart-empty");
      return;
    }
    var kind = canvas.dataset.kind || "bar";
    var isDoughnut = kind === "doughnut";
    new Chart(canvas, {
      type: isDoughnut ? "doughnut" : "bar",
      data: {
        labels: data.labels,
        datasets: [{
          data: data.values,
          backgroundColor: isDoughnut ? PALETTE.slice(0, data.values.length) : PALETTE[0],
          borderWidth: isDoughnut ? 1 : 0
        }]
      },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: isDoughnut, position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) { return numberFormat.format(ctx.parsed.y !== undefined && kind !== "hbar" && !isDoughnut ? ctx.parsed.y : (isDoughnut ? ctx.parsed : ctx.parsed.x)); } } }
        },
        scales: isDoughnut ? {} : { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 } } }
      }
    });
  });
})();
