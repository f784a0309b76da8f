/* The platform's map component (core/_map.html): Leaflet over the province's unit boundaries, no tile server.
 * Configuration comes from data-* attributes on every element with data-map ("view" or "pick");
 * the page carries no inline script (Content-Security-Policy). */
(function () {
  "use strict";

  var UNIT_STYLE = { color: "#7d0f13", weight: 1, fillColor: "#f4e3c1", fillOpacity: 0.55 };
  var UNIT_HIGHLIGHT = { weight: 3, fillColor: "#ffbf47" };
  var LAYER_STYLE = { color: "#0b4f9c", weight: 2, fillOpacity: 0.2 };

  function text(el, key, fallback) {
    return el.dataset[key] || fallback;
  }

  function popupContent(properties, codeLabel) {
    // Built as nodes, never as HTML: names come from data files and the admin.
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.className = "map-popup-name";
    title.textContent = properties.name || properties.ten || "";
    box.appendChild(title);
    var code = properties.code || properties.ma_xa;
    if (code) {
      var line = document.createElement("div");
      line.className = "map-popup-code";
      line.textContent = codeLabel + ": " + code;
      box.appendChild(line);
    }
    if (properties.kind_label) {
      var kind = document.createElement("div");
      kind.className = "map-popup-kind";
      kind.textContent = properties.kind_label;
      box.appendChild(kind);
    }
    return box;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
        return response.json();
      });
  }

  function setStatus(el, message) {
    var status = document.getElementById(el.id + "-status");
    if (status) { status.textContent = message; }
  }

  function initMap(el) {
    if (el.dataset.mapReady) { return; }
    el.dataset.mapReady = "1";
    var map = L.map(el, { zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
    // Viet Nam until the boundaries arrive.
    map.setView([16.0, 106.0], 6);
    el.leafletMap = map;
    var codeLabel = text(el, "textUnitCode", "Code");

    var units = L.geoJSON(null, {
      style: function () { return UNIT_STYLE; },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindPopup(function () { return popupContent(props, codeLabel); });
        layer.bindTooltip(props.name || "", { sticky: true, direction: "top" });
        layer.on("mouseover", function () { layer.setStyle(UNIT_HIGHLIGHT); });
        layer.on("mouseout", function () { units.resetStyle(layer); });
      }
    }).addTo(map);

    fetchJson(el.dataset.boundariesUrl)
      .then(function (data) {
        units.addData(data);
        var bounds = units.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [8, 8] });
          map.setMaxBounds(bounds.pad(0.5));
        }
        el.dataset.mapUnits = String(units.getLayers().length);
        el.dispatchEvent(new CustomEvent("tinhso:map-ready", { detail: { map: map, units: units } }));
      })
      .catch(function (error) {
        setStatus(el, text(el, "textLoadError", "Could not load the unit boundaries."));
        el.dataset.mapError = String(error);
      });

    (el.dataset.layers || "").split(/\s+/).filter(Boolean).forEach(function (url) {
      fetchJson(url).then(function (data) {
        L.geoJSON(data, {
          style: function () { return LAYER_STYLE; },
          onEachFeature: function (feature, layer) {
            layer.bindPopup(function () { return popupContent(feature.properties || {}, codeLabel); });
          }
        }).addTo(map);
      }).catch(function (error) { setStatus(el, String(error)); });
    });

    if (el.dataset.map === "pick") { initPick(el, map); }
  }

  function initPick(el, map) {
    var lonInput = document.getElementById(el.dataset.lonInput || "");
    var latInput = document.getElementById(el.dataset.latInput || "");
    var marker = null;

    function place(latlng, fillInputs) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng, { keyboard: false }).addTo(map); }
      if (fillInputs) {
        // Six decimals is about 10 cm: more than any phone fix and than the database keeps.
        if (lonInput) { lonInput.value = latlng.lng.toFixed(6); lonInput.dispatchEvent(new Event("change", { bubbles: true })); }
        if (latInput) { latInput.value = latlng.lat.toFixed(6); latInput.dispatchEvent(new Event("change", { bubbles: true })); }
      }
      setStatus(el, text(el, "textPicked", "Point set") + ": " + latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5));
    }

    function fromInputs() {
      var lon = parseFloat(lonInput && lonInput.value);
      var lat = parseFloat(latInput && latInput.value);
      if (isFinite(lon) && isFinite(lat) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place(L.latLng(lat, lon), false);
      }
    }

    map.on("click", function (event) { place(event.latlng, true); });
    // A click on a unit polygon reaches the map too; its popup would hide the marker.
    el.addEventListener("tinhso:map-ready", function (event) {
      event.detail.units.eachLayer(function (layer) { layer.unbindPopup(); });
    });
    [lonInput, latInput].forEach(function (input) { if (input) { input.addEventListener("change", fromInputs); } });
    fromInputs();

    var button = document.querySelector('[data-map-locate="' + el.id + '"]');
    if (!button) { return; }
    if (!("geolocation" in navigator)) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      setStatus(el, text(el, "textLocating", "Locating…"));
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          place(latlng, true);
          map.setView(latlng, Math.max(map.getZoom(), 14));
        },
        function () { setStatus(el, text(el, "textNoLocation", "Could not find your location.")); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function initAll() {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-map]").forEach(initMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
}());
