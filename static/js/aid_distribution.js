// Aid delivery pages (phone-first). No inline scripts: CSP forbids them.
(function () {
  "use strict";

  // Recipient: show the proxy fields only when "Diwakilkan (kuasa)" is chosen.
  var proxyBox = document.getElementById("proxy-fields");
  function updateProxy() {
    if (!proxyBox) { return; }
    var chosen = document.querySelector("input[name=recipient_member]:checked");
    proxyBox.classList.toggle("d-none", !(chosen && chosen.value === "-1"));
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "recipient_member") { updateProxy(); }
  });
  updateProxy();

  // GPS: optional; fills the hidden latitude/longitude fields when the phone allows it.
  var status = document.getElementById("gps-status");
  var form = document.getElementById("delivery-form");
  if (form && status && navigator.geolocation) {
    status.textContent = status.dataset.waiting;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
      form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
      status.textContent = status.dataset.ok;
    }, function () {
      status.textContent = status.dataset.fail;
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  // Prevent a double tap from sending twice (the server is idempotent anyway, via client_uuid).
  document.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button[type=submit]");
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });

  // QR scanning of the household card with the camera, where the browser offers BarcodeDetector.
  var scanButton = document.getElementById("scan-button");
  var video = document.getElementById("scan-video");
  var tokenInput = document.getElementById("card-token");
  if (scanButton && video && tokenInput && "BarcodeDetector" in window && navigator.mediaDevices) {
    scanButton.classList.remove("d-none");
    scanButton.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.classList.remove("d-none");
        video.play();
        var scan = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              tokenInput.value = codes[0].rawValue;
              tokenInput.form.submit();
            } else {
              window.requestAnimationFrame(scan);
            }
          }).catch(function () { window.requestAnimationFrame(scan); });
        };
        scan();
      });
    });
  }
})();
