// Maps of the infrastructure pages (Leaflet from static/vendor). Data arrives through json_script blocks,
// never inline scripts (CSP). Without a tile URL the map still shows the projects on a plain background.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var STATUS_COLORS = {
    usulan: "#6c757d", direncanakan: "#0dcaf0", tender: "#0d6efd", konstruksi: "#fd7e14",
    selesai: "#198754", diserahterimakan: "#212529", dihentikan: "#dc3545"
  };

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function baseMap(el, config) {
    var map = L.map(el, { scrollWheelZoom: false });
    if (config && config.tile_url) {
      L.tileLayer(config.tile_url, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
    } else {
      el.classList.add("map-no-tiles");
    }
    map.setView(config && config.center ? config.center : [-3.0215, 104.723], config && config.zoom ? config.zoom : 14);
    return map;
  }

  // Popup content built from DOM nodes (textContent), so project names can never inject markup.
  function popupFor(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = feature.url;
    link.textContent = feature.name;
    link.className = "fw-semibold";
    box.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "small text-muted";
    var progress = feature.progress === null ? "–" : String(feature.progress).replace(".", ",") + "%";
    meta.textContent = feature.kind_label + " · " + feature.status_label + " · " + progress + " · " + feature.kelurahan;
    box.appendChild(meta);
    return box;
  }

  function drawFeatures(map, features) {
    var bounds = [];
    features.forEach(function (f) {
      var color = STATUS_COLORS[f.status] || "#0b5d5e";
      var weight = f.is_delayed ? 4 : 2;
      if (f.route && f.route.length > 1) {
        L.polyline(f.route, { color: color, weight: f.is_delayed ? 7 : 5, opacity: 0.9 })
          .bindPopup(popupFor(f)).addTo(map);
        bounds = bounds.concat(f.route);
      }
      if (f.point) {
        L.circleMarker(f.point, {
          radius: 9, color: f.is_delayed ? "#ffc107" : "#ffffff", weight: weight,
          fillColor: color, fillOpacity: 0.95
        }).bindPopup(popupFor(f)).addTo(map);
        bounds.push(f.point);
      }
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 16);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
    }
  }

  // Read-only maps: the project map page and the map on a project's page.
  document.querySelectorAll(".js-infra-map").forEach(function (el) {
    var features = readJson(el.dataset.data) || [];
    var config = readJson(el.dataset.config) || {};
    var map = baseMap(el, config);
    drawFeatures(map, features);
    el.dataset.ready = "1";
  });

  // Location editor on the project form: a click sets the point, or adds a vertex in route mode.
  var editor = document.querySelector(".js-location-map");
  if (editor) {
    var config = readJson("infra-map-config") || {};
    var latInput = document.querySelector(".js-lat");
    var lngInput = document.querySelector(".js-lng");
    var routeInput = document.querySelector(".js-route");
    var toggle = document.querySelector(".js-route-toggle");
    var clear = document.querySelector(".js-route-clear");
    var map = baseMap(editor, config);
    var marker = null;
    var route = [];
    try { route = routeInput && routeInput.value ? JSON.parse(routeInput.value) : []; } catch (e) { route = []; }
    var line = L.polyline(route, { color: "#fd7e14", weight: 5 }).addTo(map);
    var drawing = false;

    function setMarker(lat, lng) {
      if (marker) { marker.setLatLng([lat, lng]); } else {
        marker = L.circleMarker([lat, lng], { radius: 9, color: "#fff", weight: 2, fillColor: "#0b5d5e", fillOpacity: 1 }).addTo(map);
      }
    }
    function round(n) { return Math.round(n * 1e6) / 1e6; }

    if (latInput && lngInput && latInput.value && lngInput.value) {
      setMarker(parseFloat(latInput.value), parseFloat(lngInput.value));
      map.setView([parseFloat(latInput.value), parseFloat(lngInput.value)], 16);
    }
    if (route.length > 1) { map.fitBounds(route, { padding: [20, 20] }); }

    map.on("click", function (event) {
      var lat = round(event.latlng.lat), lng = round(event.latlng.lng);
      if (drawing) {
        route.push([lat, lng]);
        line.setLatLngs(route);
        if (routeInput) { routeInput.value = JSON.stringify(route); }
      } else if (latInput && lngInput) {
        latInput.value = lat;
        lngInput.value = lng;
        setMarker(lat, lng);
      }
    });
    if (toggle) {
      toggle.addEventListener("click", function () {
        drawing = !drawing;
        toggle.setAttribute("aria-pressed", drawing ? "true" : "false");
        toggle.classList.toggle("active", drawing);
      });
    }
    if (clear) {
      clear.addEventListener("click", function () {
        route = [];
        line.setLatLngs(route);
        if (routeInput) { routeInput.value = ""; }
      });
    }
  }
})();
