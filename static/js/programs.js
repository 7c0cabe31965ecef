// Programs: rule builder field toggling, attendance "check all", dashboard charts. No inline scripts (CSP).
(function () {
  "use strict";

  // Rule builder: show only the inputs that belong to the chosen condition type.
  function syncCondition(fieldset) {
    var select = fieldset.querySelector(".js-condition-type");
    if (!select) { return; }
    var kind = select.value;
    fieldset.querySelectorAll(".js-field").forEach(function (box) {
      box.hidden = box.getAttribute("data-for") !== kind;
    });
  }
  document.querySelectorAll(".js-condition").forEach(function (fieldset) {
    syncCondition(fieldset);
    fieldset.addEventListener("change", function (event) {
      if (event.target.classList.contains("js-condition-type")) { syncCondition(fieldset); }
    });
  });

  // Attendance: mark everyone present / clear.
  document.querySelectorAll(".js-check-all").forEach(function (button) {
    button.addEventListener("click", function () {
      var state = button.getAttribute("data-state") === "1";
      document.querySelectorAll(".attendance-list input[type=checkbox]:not(:disabled)").forEach(function (box) {
        box.checked = state;
      });
    });
  });

  // Dashboard charts.
  var source = document.getElementById("program-dashboard-data");
  if (source && window.Chart) {
    var data = JSON.parse(source.textContent);
    var byKelurahan = document.getElementById("chart-kelurahan");
    if (byKelurahan) {
      new window.Chart(byKelurahan, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: data.legend.male, data: data.male, backgroundColor: "#0b5d5e", maxBarThickness: 64 },
            { label: data.legend.female, data: data.female, backgroundColor: "#e07a5f", maxBarThickness: 64 }
          ]
        },
        options: { responsive: true, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var rates = document.getElementById("chart-rates");
    if (rates) {
      new window.Chart(rates, {
        type: "bar",
        data: {
          labels: data.legend.rates,
          datasets: [{
            label: "%",
            data: [data.rates.completion, data.rates.attendance, data.rates.business_6m],
            backgroundColor: ["#0b5d5e", "#3d8bfd", "#f2a541"]
          }]
        },
        options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 100 } } }
      });
    }
  }
})();
