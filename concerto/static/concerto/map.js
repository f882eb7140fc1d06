/* Concerto maps: enhances [data-map-points] (includes/map_points.html), [data-map-choropleth] (the comparison
 * across communes), [data-point-widget] and [data-area-widget] (includes/area_widget.html)
 * (includes/point_widget.html, concerto.core.maps.PointWidget). The pages work without this file;
 * every text comes from data-text-* attributes, so this file holds no language.
 *
 * The templates may load this file (and Leaflet) more than once on a page: the first run does the
 * work, after DOMContentLoaded, with the last Leaflet loaded (the one that has the cluster plugin). */
(function () {
  "use strict";
  if (window.ConcertoMaps) { return; }

  // (south, west), (north, east): the Métropole, before its outlines arrive.
  var METROPOLE = [[48.81 - 0.17, 2.14], [48.81 + 0.21, 2.62]];
  var backgrounds = {};

  function text(root, name, values) {
    var value = root.getAttribute("data-text-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { value = value.split("{" + key + "}").join(values[key]); });
    return value;
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      });
  }

  // One request per page for the outlines, whatever the number of maps.
  function background(url) {
    if (!url) { return Promise.resolve({ type: "FeatureCollection", features: [] }); }
    if (!backgrounds[url]) {
      backgrounds[url] = fetchJson(url).catch(function () { return { type: "FeatureCollection", features: [] }; });
    }
    return backgrounds[url];
  }

  function createMap(canvas, root, bounds) {
    canvas.hidden = false;
    var map = L.map(canvas, { zoomControl: false, minZoom: 8, maxZoom: 19, zoomSnap: 0.5 });
    L.control.zoom({ zoomInTitle: text(root, "zoom-in"), zoomOutTitle: text(root, "zoom-out") }).addTo(map);
    // Leaflet's own credit, without its English link title.
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.fitBounds(bounds || METROPOLE);
    // One tooltip for the commune under the pointer. Not bindTooltip: its focus listeners make
    // Chromium put every outline in the tab order (130 tab stops before leaving the map).
    var hover = L.tooltip({ direction: "top", offset: [0, -8] });
    map.on("popupopen", function (event) {
      map.closeTooltip(hover);
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      var label = text(root, "close");
      if (close && label) { close.setAttribute("aria-label", label); close.title = label; }
    });
    var communes = background(root.getAttribute("data-boundaries-url")).then(function (data) {
      var tiles = data.map && data.map.tiles;
      if (tiles) {
        L.tileLayer(tiles, { attribution: data.map.attribution || "", maxZoom: 19 }).addTo(map);
      }
      canvas.classList.add(tiles ? "has-tiles" : "has-outlines");
      if (!tiles && text(root, "no-tiles")) {
        var note = document.createElement("p");
        note.className = "hint map-no-tiles";
        note.textContent = text(root, "no-tiles");
        canvas.parentNode.insertBefore(note, canvas.nextSibling);
      }
      L.geoJSON(data, {
        style: function () {
          return tiles
            ? { color: "#1f4e8c", weight: 1.5, fillOpacity: 0.03 }
            : { color: "#6b6b76", weight: 1, fillColor: "#fdfcfa", fillOpacity: 1 };
        },
        onEachFeature: function (feature, layer) {
          var name = feature.properties && feature.properties.name;
          if (!name) { return; }
          layer.on({
            mouseover: function (event) {
              hover.setContent(String(name)).setLatLng(event.latlng);
              map.openTooltip(hover);
            },
            mousemove: function (event) { hover.setLatLng(event.latlng); },
            mouseout: function () { map.closeTooltip(hover); }
          });
        }
      }).addTo(map);
      return data.features || [];
    });
    return { map: map, communes: communes };
  }

  // --- Which commune holds a point (for the picker's message; the server decides). -----------------
  function inRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  function inPolygon(lng, lat, rings) {
    if (!inRing(lng, lat, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) { if (inRing(lng, lat, rings[k])) { return false; } }
    return true;
  }

  function communeAt(features, latlng) {
    for (var i = 0; i < features.length; i++) {
      var geometry = features[i].geometry || {};
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
        : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
      for (var p = 0; p < polygons.length; p++) {
        if (inPolygon(latlng.lng, latlng.lat, polygons[p])) { return features[i].properties.name; }
      }
    }
    return null;
  }

  // --- Markers: HTML icons (no image files) with their title as text, so they have a name. ---------
  function markerIcon(title, extraClass) {
    var element = document.createElement("span");
    element.className = "concerto-marker__dot";
    if (title) {
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = title;
      element.appendChild(label);
    }
    return L.divIcon({ className: "concerto-marker" + (extraClass ? " " + extraClass : ""), html: element,
                       iconSize: [32, 32], iconAnchor: [16, 16], popupAnchor: [0, -12] });
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function popupContent(properties) {
    var title = String(properties.title || "");
    var url = properties.url ? safeUrl(String(properties.url)) : null;
    var element = document.createElement(url ? "a" : "span");
    element.textContent = title;
    if (url) { element.href = url; }
    return element;
  }

  function clusterElement(root, count) {
    var element = document.createElement("div");
    var visible = document.createElement("span");
    visible.setAttribute("aria-hidden", "true");
    visible.textContent = String(count);
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = text(root, "cluster", { count: count });
    element.appendChild(visible);
    element.appendChild(label);
    return element;
  }

  function clusterSize(count) {
    return count < 10 ? "small" : count < 100 ? "medium" : "large";
  }

  // A group counted by the server: a button-like marker that zooms to the group's area.
  function serverCluster(root, map, lat, lng, properties) {
    var count = Number(properties.count) || 0;
    var icon = L.divIcon({ html: clusterElement(root, count), className: "marker-cluster marker-cluster-" + clusterSize(count),
                           iconSize: [44, 44] });
    var marker = L.marker([lat, lng], { icon: icon, keyboard: true });
    var box = properties.bbox;
    marker.on("click", function () {
      if (Array.isArray(box) && box.length === 4) {
        map.fitBounds([[Number(box[1]), Number(box[0])], [Number(box[3]), Number(box[2])]], { padding: [24, 24] });
      } else {
        map.setView([lat, lng], map.getZoom() + 2);
      }
    });
    return marker;
  }

  function initPoints(root) {
    var canvas = root.querySelector(".map-points__canvas");
    var note = root.querySelector(".map-points__note");
    var bounds = null;
    try { bounds = JSON.parse(root.getAttribute("data-bounds") || "null"); } catch (error) { bounds = null; }
    var live = root.hasAttribute("data-live");
    var made = createMap(canvas, root, bounds);
    var map = made.map;
    var group = L.markerClusterGroup ? L.markerClusterGroup({
      showCoverageOnHover: false,
      iconCreateFunction: function (cluster) {
        var count = cluster.getChildCount();
        return L.divIcon({ html: clusterElement(root, count), className: "marker-cluster marker-cluster-" + clusterSize(count),
                           iconSize: [44, 44] });
      }
    }) : L.featureGroup();
    var serverClusters = L.featureGroup();
    // Clusters are buttons: Enter opens them as a click does (markers already open their popup on Enter).
    group.on("clusterkeypress", function (event) {
      // The group renames a cluster's "click" to "clusterclick", as it did for this "keypress".
      if (event.originalEvent && event.originalEvent.keyCode === 13) {
        group.fire("click", { layer: event.layer, originalEvent: event.originalEvent });
      }
    });
    map.addLayer(group);
    map.addLayer(serverClusters);
    note.hidden = true;

    function draw(data) {
      group.clearLayers();
      serverClusters.clearLayers();
      (data.features || []).forEach(function (feature) {
        var geometry = feature && feature.geometry;
        if (!geometry || geometry.type !== "Point" || !Array.isArray(geometry.coordinates)) { return; }
        var lng = Number(geometry.coordinates[0]), lat = Number(geometry.coordinates[1]);
        if (!isFinite(lat) || !isFinite(lng)) { return; }
        var properties = feature.properties || {};
        if (properties.cluster) {
          serverClusters.addLayer(serverCluster(root, map, lat, lng, properties));
          return;
        }
        var marker = L.marker([lat, lng], { icon: markerIcon(String(properties.title || "")), keyboard: true });
        marker.bindPopup(popupContent(properties), { maxWidth: 240, autoPanPadding: [12, 12] });
        group.addLayer(marker);
      });
      root.setAttribute("data-map-ready", "");
    }

    function failed() {
      note.textContent = text(root, "error");
      note.hidden = false;
      root.setAttribute("data-map-ready", "");
    }

    // One place given by the page itself (includes/map_point.html): no request, a close view.
    if (root.hasAttribute("data-point-latitude")) {
      var lat = Number(root.getAttribute("data-point-latitude")), lng = Number(root.getAttribute("data-point-longitude"));
      if (isFinite(lat) && isFinite(lng)) {
        // A picture of the place the page names in words: a plain marker, not a button.
        L.marker([lat, lng], { icon: markerIcon(root.getAttribute("data-point-title") || ""), interactive: false,
                               keyboard: false }).addTo(map);
        map.setView([lat, lng], 16);
      }
      root.setAttribute("data-map-ready", "");
      return;
    }
    var url = root.getAttribute("data-points-url");
    if (root.hasAttribute("data-heat")) {
      fetchJson(url).then(function (data) { drawHeat(root, map, data); }).catch(failed);
      return;
    }
    if (!live) {
      fetchJson(url).then(function (data) {
        draw(data);
        if (group.getLayers().length) {
          map.fitBounds(group.getBounds(), { maxZoom: 15, padding: [24, 24] });
        }
      }).catch(failed);
      return;
    }
    // Live: the features of the area shown, asked again after each move (the last answer asked for wins).
    var latest = 0, timer = null;
    function load() {
      var view = map.getBounds();
      var box = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()].map(function (value) {
        return value.toFixed(5);
      }).join(",");
      var ticket = ++latest;
      root.removeAttribute("data-map-ready");
      fetchJson(url + (url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + box + "&zoom=" + Math.floor(map.getZoom()))
        .then(function (data) { if (ticket === latest) { note.hidden = true; draw(data); } })
        .catch(function () { if (ticket === latest) { failed(); } });
    }
    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 250);
    });
    load();
  }

  // --- Heat map: cells coloured by their count, on five classes, with a legend ------------------------
  var HEAT_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];

  function heatClasses(maximum) {
    // Upper bounds of up to five classes of equal width (fewer when the counts are small).
    var bounds = [];
    for (var i = 1; i <= 5; i++) {
      var bound = Math.ceil(maximum * i / 5);
      if (bound > 0 && bounds.indexOf(bound) < 0) { bounds.push(bound); }
    }
    return bounds;
  }

  function drawHeat(root, map, data) {
    var features = data.features || [];
    var maximum = Number(data.max) || features.reduce(function (most, feature) {
      return Math.max(most, Number((feature.properties || {}).count) || 0);
    }, 0);
    var bounds = heatClasses(maximum);
    var colours = HEAT_COLOURS.slice(HEAT_COLOURS.length - bounds.length);
    var cells = L.featureGroup();
    features.forEach(function (feature) {
      var properties = feature.properties || {};
      var box = properties.bbox, count = Number(properties.count) || 0;
      if (!Array.isArray(box) || box.length !== 4 || !count) { return; }
      var level = 0;
      while (level < bounds.length - 1 && count > bounds[level]) { level++; }
      var cell = L.rectangle([[Number(box[1]), Number(box[0])], [Number(box[3]), Number(box[2])]], {
        stroke: true, color: "#7a1020", weight: 0.5, fillColor: colours[level], fillOpacity: 0.75, className: "heat-cell"
      });
      cell.bindPopup(popupContent(properties), { maxWidth: 240 });
      cells.addLayer(cell);
    });
    map.addLayer(cells);
    if (cells.getLayers().length) { map.fitBounds(cells.getBounds(), { maxZoom: 16, padding: [24, 24] }); }
    if (bounds.length) {
      var legend = document.createElement("div");
      legend.className = "map-legend";
      var title = document.createElement("p");
      title.className = "map-legend__title";
      title.textContent = text(root, "legend");
      var list = document.createElement("ul");
      bounds.forEach(function (bound, index) {
        var low = index === 0 ? 1 : bounds[index - 1] + 1;
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "map-legend__swatch";
        swatch.setAttribute("aria-hidden", "true");
        swatch.style.background = colours[index];
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(low === bound ? String(bound) : low + " – " + bound));
        list.appendChild(item);
      });
      legend.appendChild(title);
      legend.appendChild(list);
      root.appendChild(legend);
    }
    root.setAttribute("data-map-ready", "");
  }

  // --- Choropleth: the communes coloured by a class the page gives (the comparison's table) ----------
  // The table is the source: each row with data-codes (INSEE codes, space separated) and data-level (0-4)
  // colours those communes, data-label is their tooltip, data-own draws a thicker border. Rows without them
  // (anonymous organisations, figures not known) stay outlines only.
  var CHOROPLETH_COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

  function initChoropleth(root) {
    var canvas = root.querySelector(".map-points__canvas");
    var note = root.querySelector(".map-points__note");
    var table = document.getElementById(root.getAttribute("data-table"));
    var made = createMap(canvas, root, null);
    var map = made.map;
    note.hidden = true;
    var byCode = {};
    Array.prototype.forEach.call(table ? table.querySelectorAll("tr[data-codes]") : [], function (row) {
      var entry = { level: Number(row.getAttribute("data-level")), own: row.hasAttribute("data-own"),
                    label: row.getAttribute("data-label") || "" };
      row.getAttribute("data-codes").split(" ").forEach(function (code) { if (code) { byCode[code] = entry; } });
    });
    var hover = L.tooltip({ direction: "top", offset: [0, -8] });
    made.communes.then(function (features) {
      var coloured = features.filter(function (feature) {
        var entry = byCode[(feature.properties || {}).code];
        return entry && isFinite(entry.level);
      });
      var layer = L.geoJSON({ type: "FeatureCollection", features: coloured }, {
        style: function (feature) {
          var entry = byCode[feature.properties.code];
          return { fillColor: CHOROPLETH_COLOURS[Math.max(0, Math.min(4, entry.level))], fillOpacity: 0.85,
                   color: entry.own ? "#1b1b1f" : "#4a4a55", weight: entry.own ? 3 : 1 };
        },
        onEachFeature: function (feature, part) {
          var entry = byCode[feature.properties.code];
          part.on({
            mouseover: function (event) { hover.setContent(entry.label).setLatLng(event.latlng); map.openTooltip(hover); },
            mousemove: function (event) { hover.setLatLng(event.latlng); },
            mouseout: function () { map.closeTooltip(hover); }
          });
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); }
      root.setAttribute("data-map-ready", "");
    });
  }

  // --- The point picker -----------------------------------------------------------------------------
  function parseCoordinate(value) {
    var cleaned = String(value || "").replace(/[\s\u202f]/g, "").replace(",", ".");
    if (!cleaned) { return NaN; }
    return Number(cleaned);
  }

  function initPicker(root) {
    var latitude = root.querySelector("[data-point-latitude]");
    var longitude = root.querySelector("[data-point-longitude]");
    var canvas = root.querySelector(".point-widget__map");
    var status = root.querySelector(".point-widget__status");
    var bounds = null;
    try { bounds = JSON.parse(root.getAttribute("data-bounds") || "null"); } catch (error) { bounds = null; }
    root.querySelector(".point-widget__help").hidden = false;
    var made = createMap(canvas, root, bounds);
    var map = made.map;
    var communes = [];
    var marker = null;
    made.communes.then(function (features) { communes = features; root.setAttribute("data-map-ready", ""); });
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 5 });

    function show(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      var icon = markerIcon("", "concerto-marker--picked");
      marker = L.marker(latlng, { icon: icon, interactive: false, keyboard: false }).addTo(map);
    }

    function place(latlng, label) {
      latitude.value = latlng.lat.toFixed(5);
      longitude.value = latlng.lng.toFixed(5);
      show(latlng);
      if (label === undefined) { addresses.reverse(latlng); }
      var values = { lat: format.format(latlng.lat), lng: format.format(latlng.lng) };
      var commune = communes.length ? communeAt(communes, latlng) : null;
      if (commune) {
        values.place = commune;
        status.textContent = text(root, "placed-in", values);
      } else if (communes.length) {
        status.textContent = text(root, "outside");
      } else {
        status.textContent = text(root, "placed", values);
      }
    }

    var addresses = initAddress(root, status, function (result) {
      var latlng = L.latLng(result.latitude, result.longitude);
      map.setView(latlng, 17);
      place(latlng, result.label);
      status.textContent = text(root, "chosen", { label: result.label });
    });

    map.on("click", function (event) { place(event.latlng); });
    // The cross showing where Enter places the point is for keyboard users only.
    canvas.addEventListener("mousedown", function () { canvas.classList.remove("is-keyboard"); });
    canvas.addEventListener("touchstart", function () { canvas.classList.remove("is-keyboard"); }, { passive: true });
    canvas.addEventListener("keyup", function (event) {
      if (event.target === canvas) { canvas.classList.add("is-keyboard"); }
    });
    canvas.addEventListener("keydown", function (event) {
      if (event.target !== canvas) { return; }
      canvas.classList.add("is-keyboard");
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        place(map.getCenter());
      }
    });

    function fromInputs() {
      var lat = parseCoordinate(latitude.value), lng = parseCoordinate(longitude.value);
      if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) { return null; }
      return L.latLng(lat, lng);
    }
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("change", function () {
        var latlng = fromInputs();
        if (latlng) { show(latlng); map.panTo(latlng); }
      });
    });
    var initial = fromInputs();
    if (initial) { show(initial); map.setView(initial, 16); }

    var locate = root.querySelector(".point-widget__locate");
    if (navigator.geolocation && locate) {
      locate.hidden = false;
      locate.querySelector("button").addEventListener("click", function () {
        status.textContent = text(root, "locating");
        navigator.geolocation.getCurrentPosition(function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          map.setView(latlng, 17);
          place(latlng);
        }, function (error) {
          status.textContent = text(root, error.code === 1 ? "geo-denied" : "geo-error");
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  // --- The address: an ARIA combobox (WAI-ARIA APG "list autocomplete"), answers from Concerto's server ---
  function initAddress(root, status, choose) {
    var input = root.querySelector("[data-point-address]");
    var list = root.querySelector(".point-widget__options");
    var searchUrl = root.getAttribute("data-search-url");
    var reverseUrl = root.getAttribute("data-reverse-url");
    var none = { reverse: function () {} };
    if (!input || !list || !searchUrl) { return none; }
    var results = [], active = -1, timer = null, latest = 0, typed = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function optionId(index) { return list.id + "_" + index; }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, position) {
        option.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
      } else {
        input.setAttribute("aria-activedescendant", optionId(index));
        list.children[index].scrollIntoView({ block: "nearest" });
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function open(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (result, index) {
        var option = document.createElement("li");
        option.id = optionId(index);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "point-widget__option";
        option.textContent = result.label;
        // mousedown, not click: the input keeps the focus (no blur closing the list first).
        option.addEventListener("mousedown", function (event) { event.preventDefault(); select(index); });
        list.appendChild(option);
      });
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      highlight(-1);
      status.textContent = found.length === 1 ? text(root, "found-one")
        : found.length ? text(root, "found", { count: found.length }) : text(root, "none-found");
    }

    function select(index) {
      var result = results[index];
      if (!result) { return; }
      input.value = result.label;
      typed = false;
      close();
      choose(result);
    }

    function search() {
      var query = input.value.trim();
      var ticket = ++latest;
      if (query.length < 3) { close(); return; }
      fetchJson(searchUrl + "?q=" + encodeURIComponent(query)).then(function (data) {
        if (ticket === latest && document.activeElement === input) { open(data.results || []); }
      }).catch(function () {
        if (ticket === latest) { close(); status.textContent = text(root, "search-down"); }
      });
    }

    input.addEventListener("input", function () {
      typed = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      var count = list.hidden ? 0 : results.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!count) { search(); return; }
        highlight(active + 1 >= count ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (count) { highlight(active <= 0 ? count - 1 : active - 1); }
      } else if (event.key === "Enter") {
        // Enter chooses the highlighted address; with the list closed, it sends the form as usual.
        if (count && active >= 0) { event.preventDefault(); select(active); }
      } else if (event.key === "Escape") {
        if (count) { event.preventDefault(); close(); } else if (input.value) { event.preventDefault(); input.value = ""; }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });

    return {
      // A point placed on the map or by the device's position: its address fills the input, unless the
      // person is typing one.
      reverse: function (latlng) {
        if (!reverseUrl || (typed && input.value.trim())) { return; }
        input.value = "";  // the address of the former point would be wrong
        var ticket = ++latest;
        fetchJson(reverseUrl + "?lat=" + latlng.lat.toFixed(5) + "&lon=" + latlng.lng.toFixed(5)).then(function (data) {
          if (ticket === latest && data.label) { input.value = data.label; typed = false; }
        }).catch(function () {});
      }
    };
  }

  // --- Drawing an area (includes/area_widget.html, concerto.core.maps.AreaWidget). ---------------------
  // Each click (or Enter, for the map's centre) adds a corner; the GeoJSON textarea follows. A polygon already
  // in the textarea is shown and can be redrawn. Without this script the textarea alone takes pasted GeoJSON.
  function initArea(root) {
    var canvas = root.querySelector(".area-widget__map");
    var status = root.querySelector(".area-widget__status");
    var area = root.querySelector("textarea");
    var bounds = null;
    try { bounds = JSON.parse(root.getAttribute("data-bounds") || "null"); } catch (error) { bounds = null; }
    root.querySelector(".area-widget__help").hidden = false;
    root.querySelector(".area-widget__actions").hidden = false;
    var made = createMap(canvas, root, bounds);
    var map = made.map;
    made.communes.then(function () { root.setAttribute("data-map-ready", ""); });
    var corners = [];
    var shapeLayer = null;

    function redraw() {
      if (shapeLayer) { map.removeLayer(shapeLayer); shapeLayer = null; }
      var style = { color: "#b3261e", weight: 3, fillOpacity: 0.15 };
      if (corners.length >= 3) {
        shapeLayer = L.polygon(corners, style).addTo(map);
      } else if (corners.length) {
        shapeLayer = L.polyline(corners, style).addTo(map);
      }
    }

    function write() {
      redraw();
      if (corners.length >= 3) {
        var ring = corners.map(function (c) { return [Number(c.lng.toFixed(6)), Number(c.lat.toFixed(6))]; });
        ring.push(ring[0]);
        area.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
        status.textContent = text(root, "drawn", { count: corners.length });
      } else {
        area.value = "";
        status.textContent = corners.length ? text(root, "points", { count: corners.length }) : text(root, "cleared");
      }
    }

    function read() {
      var geometry = null;
      try { geometry = JSON.parse(area.value || "null"); } catch (error) { geometry = null; }
      if (geometry && geometry.type === "Feature") { geometry = geometry.geometry; }
      var ring = geometry && geometry.type === "Polygon" ? geometry.coordinates[0]
        : geometry && geometry.type === "MultiPolygon" ? geometry.coordinates[0][0] : null;
      if (!ring || ring.length < 4) { return; }
      corners = ring.slice(0, -1).map(function (p) { return L.latLng(p[1], p[0]); });
      redraw();
      if (geometry.type === "Polygon") { map.fitBounds(shapeLayer.getBounds(), { maxZoom: 17 }); }
    }

    map.on("click", function (event) { corners.push(event.latlng); write(); });
    canvas.addEventListener("keydown", function (event) {
      if (event.target === canvas && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        corners.push(map.getCenter());
        write();
      }
    });
    root.querySelector("[data-area-undo]").addEventListener("click", function () { corners.pop(); write(); });
    root.querySelector("[data-area-clear]").addEventListener("click", function () { corners = []; write(); });
    area.addEventListener("change", read);
    read();
  }

  function within(scope, selector) {
    var found = Array.prototype.slice.call(scope.querySelectorAll(selector));
    if (scope.matches && scope.matches(selector)) { found.unshift(scope); }
    return found;
  }

  function initAll(scope) {
    if (!window.L) { return; }
    within(scope, "[data-map-points]:not([data-map-init])").forEach(function (root) {
      root.setAttribute("data-map-init", "");
      initPoints(root);
    });
    within(scope, "[data-map-choropleth]:not([data-map-init])").forEach(function (root) {
      root.setAttribute("data-map-init", "");
      initChoropleth(root);
    });
    within(scope, "[data-point-widget]:not([data-map-init])").forEach(function (root) {
      root.setAttribute("data-map-init", "");
      initPicker(root);
    });
    within(scope, "[data-area-widget]:not([data-map-init])").forEach(function (root) {
      root.setAttribute("data-map-init", "");
      initArea(root);
    });
  }

  window.ConcertoMaps = { init: initAll };
  if (document.readyState === "complete") {
    initAll(document);
  } else {
    // Deferred scripts run while the document is "interactive": wait until the last copy of Leaflet
    // (and of its cluster plugin) has run. Starting twice does nothing: each map is marked.
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
    window.addEventListener("load", function () { initAll(document); });
  }
  // Content swapped in by htmx may bring a map.
  document.addEventListener("htmx:load", function (event) { initAll(event.detail.elt); });
})();
