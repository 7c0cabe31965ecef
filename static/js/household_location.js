// Household form, "Aset dan lokasi": fill the GPS fields from the device's location (a phone at the house).
// The button shows only where the browser offers geolocation (a secure context); its messages come translated
// from the page (data-busy, data-done, data-failed).
(function () {
  "use strict";
  var button = document.getElementById("use-my-location");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  var status = document.getElementById("use-my-location-status");
  if (!button || !latitude || !longitude || !("geolocation" in navigator) || !window.isSecureContext) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = button.getAttribute("data-busy");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = button.getAttribute("data-done");
        button.disabled = false;
      },
      function () {
        status.textContent = button.getAttribute("data-failed");
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
