/* The operations dashboard (dashboard/home.html, drilldown.html): Chart.js charts, the choropleth over the core
 * map component, PNG downloads, and a refresh of every chart and the map when the live fragment is polled.
 * Data comes from the dashboard's JSON endpoints named in data-* attributes; no inline script (CSP). */
(function () {
  "use strict";

  var LOCALE = (document.documentElement.lang || "vi").toLowerCase().indexOf("en") === 0 ? "en-US" : "vi-VN";
  // Sequential palette (light to dark) for the map's five classes, and grey for a commune without data.
  var PALETTE = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
  var NO_DATA = "#e6e8ec";
  var charts = {};

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function numberFormat(decimals) {
    return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: Math.max(0, decimals) });
  }

  // A white background, so the PNG download is not transparent.
  var whiteBackground = {
    id: "tinhsoWhiteBackground",
    beforeDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    }
  };

  function chartConfig(data) {
    var format = numberFormat(data.decimals);
    var datasets = [{
      label: data.labelValue + " (" + data.unit + ")",
      data: data.values,
      borderColor: "#a3161b",
      backgroundColor: "#a3161b",
      tension: 0.1,
      spanGaps: true
    }];
    if (data.targets) {
      datasets.push({
        label: data.labelTarget,
        data: data.targets,
        borderColor: "#116b2f",
        backgroundColor: "#116b2f",
        borderDash: [6, 4],
        pointRadius: 0,
        stepped: true
      });
    }
    return {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      plugins: [whiteBackground],
      options: {
        locale: LOCALE,
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { ticks: { callback: function (value) { return format.format(value); } } }
        },
        plugins: {
          title: { display: true, text: data.title + " · " + data.unitName },
          tooltip: {
            callbacks: {
              label: function (item) {
                if (item.datasetIndex === 0 && data.texts[item.dataIndex]) {
                  return item.dataset.label + ": " + data.texts[item.dataIndex];
                }
                return item.dataset.label + ": " + format.format(item.parsed.y);
              }
            }
          }
        }
      }
    };
  }

  function drawChart(figure) {
    var canvas = figure.querySelector("canvas");
    if (!canvas || typeof Chart === "undefined") { return; }
    fetchJson(figure.dataset.chartUrl).then(function (data) {
      var existing = charts[canvas.id];
      if (existing && existing.canvas === canvas) {
        var config = chartConfig(data);
        existing.data = config.data;
        existing.options = config.options;
        existing.update();
      } else {
        if (existing) { existing.destroy(); }
        charts[canvas.id] = new Chart(canvas, chartConfig(data));
      }
      figure.dataset.chartReady = String(data.values.length);
      figure.dataset.chartLast = data.texts.length ? data.texts[data.texts.length - 1] : "";
    }).catch(function (error) { figure.dataset.chartError = String(error); });
  }

  function drawCharts(root) {
    (root || document).querySelectorAll("[data-chart-url]").forEach(drawChart);
  }

  function download(url, filename) {
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // --- The map ----------------------------------------------------------------------------------------------

  var mapState = {};  // map element id -> { map, units, data }

  function classOf(value, breaks) {
    var i = 0;
    while (i < breaks.length && value >= breaks[i]) { i += 1; }
    // Fewer breaks than classes: spread the classes used over the palette's range.
    return Math.round(i * (PALETTE.length - 1) / Math.max(1, breaks.length));
  }

  function styleFor(data) {
    return function (feature) {
      var code = (feature.properties || {}).code;
      var value = data && data.values ? data.values[code] : undefined;
      var fill = value === undefined ? NO_DATA : PALETTE[classOf(value, data.breaks)];
      return { color: "#5b6472", weight: 1, fillColor: fill, fillOpacity: 0.85 };
    };
  }

  function legend(container, data) {
    if (!container) { return; }
    container.textContent = "";
    var format = numberFormat(3);
    var limits = data.breaks;
    var classes = limits.length + 1;
    for (var i = 0; i < classes; i += 1) {
      var item = document.createElement("span");
      item.className = "dash-legend-item";
      var swatch = document.createElement("span");
      swatch.className = "dash-swatch";
      swatch.style.backgroundColor = PALETTE[classOf(i === 0 ? -Infinity : limits[i - 1], limits)];
      item.appendChild(swatch);
      var text = i === 0 ? "< " + format.format(limits[0]) : i === classes - 1 ? "≥ " + format.format(limits[i - 1])
        : format.format(limits[i - 1]) + " – " + format.format(limits[i]);
      if (!limits.length) { text = ""; }
      item.appendChild(document.createTextNode(" " + text));
      container.appendChild(item);
    }
    var none = document.createElement("span");
    none.className = "dash-legend-item";
    var grey = document.createElement("span");
    grey.className = "dash-swatch";
    grey.style.backgroundColor = NO_DATA;
    none.appendChild(grey);
    none.appendChild(document.createTextNode(" " + data.noData));
    container.appendChild(none);
  }

  function paintMap() {
    var source = document.getElementById("map-data");
    if (!source) { return; }
    var state = mapState[source.dataset.mapTarget];
    if (!state) { return; }
    fetchJson(source.dataset.mapJson).then(function (data) {
      state.data = data;
      var style = styleFor(data);
      state.units.options.style = style;  // resetStyle (on mouse-out) then keeps the colours
      state.units.eachLayer(function (layer) {
        var props = layer.feature.properties || {};
        layer.setStyle(style(layer.feature));
        var value = data.texts[props.code];
        layer.setTooltipContent((props.name || "") + ": " + (value || data.noData));
      });
      legend(source.querySelector(".dash-legend"), data);
      state.element.dataset.choropleth = data.indicator + "@" + data.period;
      state.element.dataset.choroplethCount = String(Object.keys(data.values).length);
    }).catch(function (error) { state.element.dataset.choroplethError = String(error); });
  }

  // The PNG of the map: the communes drawn again on a canvas, in the map's own projection, with the title.
  function mapPng(mapId, filename) {
    var state = mapState[mapId];
    if (!state) { return; }
    var size = state.map.getSize();
    var canvas = document.createElement("canvas");
    canvas.width = size.x;
    canvas.height = size.y + 28;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#1b1f24";
    ctx.font = "16px sans-serif";
    if (state.data) { ctx.fillText(state.data.title + " (" + state.data.unit + "), " + state.data.periodLabel, 8, 20); }
    var style = styleFor(state.data);
    state.units.eachLayer(function (layer) {
      var s = style(layer.feature);
      ctx.beginPath();
      var rings = layer.getLatLngs();
      (function walk(list) {
        if (!list.length) { return; }
        if (list[0] && list[0].lat !== undefined) {
          list.forEach(function (latlng, i) {
            var p = state.map.latLngToContainerPoint(latlng);
            if (i === 0) { ctx.moveTo(p.x, p.y + 28); } else { ctx.lineTo(p.x, p.y + 28); }
          });
          ctx.closePath();
        } else { list.forEach(walk); }
      }(rings));
      ctx.fillStyle = s.fillColor;
      ctx.fill("evenodd");
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1;
      ctx.stroke();
    });
    download(canvas.toDataURL("image/png"), filename);
  }

  function watchMap(el) {
    function ready(map, units) {
      mapState[el.id] = { map: map, units: units, element: el, data: null };
      paintMap();
    }
    // core/map.js announces its boundaries on the element itself (the event does not bubble).
    el.addEventListener("tinhso:map-ready", function (event) { ready(event.detail.map, event.detail.units); });
    if (el.leafletMap && el.dataset.mapUnits) {
      el.leafletMap.eachLayer(function (layer) {
        if (layer instanceof L.GeoJSON && !mapState[el.id]) { ready(el.leafletMap, layer); }
      });
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chart-png], [data-map-png]");
    if (!button) { return; }
    if (button.dataset.chartPng) {
      var chart = charts[button.dataset.chartPng];
      if (chart) { download(chart.toBase64Image("image/png", 1), button.dataset.filename || "bieu-do.png"); }
    } else {
      mapPng(button.dataset.mapPng, button.dataset.filename || "ban-do.png");
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) { return; }
    if (target.id === "chart-panel") { drawCharts(target); }
    if (target.id === "map-panel") { paintMap(); }
    if (target.id === "dashboard-live") {
      // The figures were polled again: the charts and the map follow.
      drawCharts(document);
      paintMap();
    }
  });

  function start() {
    drawCharts(document);
    document.querySelectorAll("[data-map]").forEach(watchMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
