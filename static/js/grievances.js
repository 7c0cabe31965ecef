// Grievance list: select many, then one bulk action; grievance form: anonymous complainants. No inline JS (CSP).
(function () {
  "use strict";

  var selectAll = document.getElementById("select-all");
  var items = Array.prototype.slice.call(document.querySelectorAll(".js-bulk-item"));
  var counter = document.getElementById("bulk-count");

  function updateCount() {
    var n = items.filter(function (box) { return box.checked; }).length;
    if (counter) {
      counter.textContent = (counter.getAttribute("data-template") || "{n}").replace("{n}", n);
    }
    if (selectAll) {
      selectAll.checked = n > 0 && n === items.length;
      selectAll.indeterminate = n > 0 && n < items.length;
    }
  }

  if (selectAll) {
    selectAll.addEventListener("change", function () {
      items.forEach(function (box) { box.checked = selectAll.checked; });
      updateCount();
    });
  }
  items.forEach(function (box) { box.addEventListener("change", updateCount); });
  updateCount();

  var action = document.getElementById("bulk-action");
  function showBulkFields() {
    var chosen = action ? action.value : "";
    document.querySelectorAll(".bulk-field").forEach(function (el) {
      el.classList.toggle("d-none", el.getAttribute("data-bulk-for") !== chosen);
    });
  }
  if (action) {
    action.addEventListener("change", showBulkFields);
    showBulkFields();
  }

  // Anonymous complainant: the name is not asked for.
  var anonymous = document.getElementById("id_is_anonymous");
  var name = document.getElementById("id_complainant_name");
  function toggleName() {
    if (!anonymous || !name) { return; }
    var wrapper = name.closest(".mb-3") || name.parentElement;
    wrapper.classList.toggle("d-none", anonymous.checked);
  }
  if (anonymous) {
    anonymous.addEventListener("change", toggleName);
    toggleName();
  }
})();
