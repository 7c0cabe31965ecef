// Registry pages: add member forms to the household formset; poll nothing here (htmx does the import progress).
(function () {
  "use strict";
  var addButton = document.getElementById("add-member");
  var template = document.getElementById("member-form-template");
  var container = document.getElementById("member-forms");
  var total = document.querySelector("input[name='anggota-TOTAL_FORMS']");
  if (addButton && template && container && total) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var wrapper = document.createElement("div");
      wrapper.innerHTML = html.trim();
      var card = wrapper.firstElementChild;
      card.setAttribute("data-index", String(index));
      var number = card.querySelector(".member-number");
      if (number) { number.textContent = String(index + 1); }
      container.appendChild(card);
      total.value = String(index + 1);
      var first = card.querySelector("input, select");
      if (first) { first.focus(); }
    });
  }
  // Move-member form: show only the fields of the chosen destination.
  var modeInputs = document.querySelectorAll("input[name='mode']");
  function syncMode() {
    var checked = document.querySelector("input[name='mode']:checked");
    var mode = checked ? checked.value : "new";
    document.querySelectorAll("[data-mode]").forEach(function (el) {
      el.classList.toggle("d-none", el.getAttribute("data-mode") !== mode);
    });
  }
  modeInputs.forEach(function (input) { input.addEventListener("change", syncMode); });
  if (modeInputs.length) { syncMode(); }
})();
