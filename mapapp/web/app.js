/* The static map: draws window.MAPAPP_DATA (written by mapapp/export.py) with Leaflet.
 *
 * HTML reaches the page only from the bundle's `html` table -- popups, tooltips and the
 * legend, escaped by mapapp.popups when the site was exported -- and is inserted as it is;
 * every other string (names, dates, the page's words) is set as textContent. The view lives
 * in the address: #date=YYYY-MM-DD&place=<id>&lang=en|ar; a bad value falls back to the
 * default and is named, never shown.
 */
(function () {
  "use strict";

  var D = window.MAPAPP_DATA;
  var DAY_MS = 86400000;
  var ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
  var LANGS = ["en", "ar"];

  function byId(id) {
    return document.getElementById(id);
  }

  function notice(text) {
    var box = byId("notice");
    box.textContent = text;
    box.hidden = !text;
  }

  if (!D || typeof L === "undefined") {
    notice("The map's data or Leaflet did not load. · لم تُحمّل بيانات الخريطة.");
    return;
  }

  /* days are whole numbers: days since 1970-01-01 (UTC) */
  function dayNumber(text) {
    if (typeof text !== "string" || !ISO_DAY.test(text)) return NaN;
    var y = +text.slice(0, 4), m = +text.slice(5, 7), d = +text.slice(8, 10);
    var when = new Date(Date.UTC(y, m - 1, d));
    if (when.getUTCFullYear() !== y || when.getUTCMonth() !== m - 1 || when.getUTCDate() !== d) {
      return NaN;
    }
    return Math.round(when.getTime() / DAY_MS);
  }

  function isoDay(n) {
    return new Date(n * DAY_MS).toISOString().slice(0, 10);
  }

  var first = dayNumber(D.range.first);
  var last = dayNumber(D.range.last);
  var fallbackDay = dayNumber(D.range["default"]);
  var starts = D.frames.map(function (f) { return dayNumber(f.start); });
  var changes = D.changes.map(dayNumber);
  var placeIndex = new Map(D.places.map(function (p, i) { return [p.id, i]; }));

  var view = { day: fallbackDay, place: null, lang: "en" };

  /* ---- the address ------------------------------------------------------------------ */

  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var next = { day: fallbackDay, place: null, lang: "en" };
    var ignored = [];
    if (params.has("date")) {
      var day = dayNumber(params.get("date"));
      if (day >= first && day <= last) next.day = day;
      else ignored.push("date");
    }
    if (params.has("place")) {
      var place = params.get("place");
      if (placeIndex.has(place)) next.place = place;
      else ignored.push("place");
    }
    if (params.has("lang")) {
      var lang = params.get("lang");
      if (LANGS.indexOf(lang) >= 0) next.lang = lang;
      else ignored.push("lang");
    }
    return { view: next, ignored: ignored };
  }

  function writeHash() {
    var parts = ["date=" + isoDay(view.day)];
    if (view.place) parts.push("place=" + encodeURIComponent(view.place));
    parts.push("lang=" + view.lang);
    var hash = "#" + parts.join("&");
    if (window.location.hash === hash) return;
    try {
      window.history.replaceState(null, "", hash);
    } catch (e) {
      window.location.replace(hash);
    }
  }

  /* ---- frames: which entry each place shows on a day -------------------------------- */

  function frameAt(day) {
    var lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= day) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  var materialised = { en: [], ar: [] };

  function entriesOf(frame, lang) {
    var done = materialised[lang];
    for (var k = done.length; k <= frame; k++) {
      var state = k === 0 ? new Int32Array(D.places.length).fill(-1) : done[k - 1].slice();
      D.frames[k][lang].set.forEach(function (pair) { state[pair[0]] = pair[1]; });
      done.push(state);
    }
    return done[frame];
  }

  /* ---- the map ---------------------------------------------------------------------- */

  var map = L.map("map", { zoomSnap: 0.25, zoomDelta: 0.5 });
  L.control.scale().addTo(map);
  window.mapappMap = map; // for tests and for pages that embed the map
  if (D.tiles) {
    L.tileLayer(D.tiles.url, { attribution: D.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  if (D.bounds) map.fitBounds(D.bounds, { padding: [10, 10] });
  else map.setView([33.465, 36.315], 14);

  // drawn in this order, as in mapapp.layers; the panes themselves catch no clicks
  ["places", "patterns", "outlines", "conditions", "events"].forEach(function (name, i) {
    var pane = map.createPane("mapapp-" + name);
    pane.style.zIndex = String(410 + i);
    pane.style.pointerEvents = "none";
  });

  function polygons(geometry) {
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    if (geometry.type === "GeometryCollection") {
      return [].concat.apply([], geometry.geometries.map(polygons));
    }
    return [];
  }

  var latlngCache = new Map();

  function latlngs(index) {
    if (!latlngCache.has(index)) {
      latlngCache.set(index, L.GeoJSON.coordsToLatLngs(polygons(D.geometries[index]), 2));
    }
    return latlngCache.get(index);
  }

  function withPane(pane, style) {
    return Object.assign({ pane: "mapapp-" + pane }, style);
  }

  /* setStyle merges; an option the new style lacks goes back to Leaflet's default */
  function restyle(layer, style) {
    var defaults = Object.getPrototypeOf(layer).options || {};
    var next = {};
    Object.keys(layer.mapappStyle || {}).forEach(function (key) {
      if (!(key in style)) next[key] = key in defaults ? defaults[key] : null;
    });
    layer.setStyle(Object.assign(next, style));
    layer.mapappStyle = style;
  }

  function markerLayer(index, pane) {
    var m = D.markers[index];
    var layer = L.circleMarker([m[1], m[0]], withPane(pane, D.styles[m[2]]));
    layer.bindPopup(D.html[m[3]], { maxWidth: 440 });
    layer.bindTooltip(D.html[m[4]], { sticky: true });
    return layer;
  }

  var drawn = D.places.map(function () {
    return { entry: -1, fill: null, outline: null, stripes: null, conditions: null };
  });

  function outlineStyle(i) {
    var d = drawn[i];
    var style = Object.assign({}, D.styles[D.entries[d.entry][1]]);
    if (view.place === D.places[i].id) style.weight += D.selectedWeight;
    return style;
  }

  function draw(i, index) {
    var d = drawn[i], entry = D.entries[index], place = D.places[i];
    var before = d.entry >= 0 ? D.entries[d.entry] : null;
    d.entry = index;
    if (!d.fill) {
      var shape = latlngs(place.geometry);
      d.fill = L.polygon(shape, withPane("places", D.styles[entry[0]])).addTo(map);
      d.fill.mapappStyle = D.styles[entry[0]];
      d.fill.bindPopup(D.html[entry[2]], { maxWidth: 440 });
      d.fill.bindTooltip(D.html[entry[3]], { sticky: true });
      d.fill.on("click", function () { select(place.id); });
      d.outline = L.polygon(shape, withPane("outlines", outlineStyle(i))).addTo(map);
      d.outline.mapappStyle = outlineStyle(i);
      d.stripes = L.layerGroup().addTo(map);
      d.conditions = L.layerGroup().addTo(map);
    } else {
      restyle(d.fill, D.styles[entry[0]]);
      d.fill.setPopupContent(D.html[entry[2]]);
      d.fill.setTooltipContent(D.html[entry[3]]);
      restyle(d.outline, outlineStyle(i));
    }
    if (!before || JSON.stringify(before[4]) !== JSON.stringify(entry[4])) {
      d.stripes.clearLayers();
      entry[4].forEach(function (part) {
        d.stripes.addLayer(L.polygon(latlngs(part[0]), withPane("patterns", D.styles[part[1]])));
      });
    }
    if (!before || JSON.stringify(before[5]) !== JSON.stringify(entry[5])) {
      d.conditions.clearLayers();
      entry[5].forEach(function (m) { d.conditions.addLayer(markerLayer(m, "conditions")); });
    }
  }

  var events = L.layerGroup().addTo(map);
  var shown = { events: null, legend: -1, selected: null };

  /* ---- the page around the map ------------------------------------------------------ */

  var slider = byId("day");
  var placeSelect = byId("place");
  slider.min = "0";
  slider.max = String(last - first);

  function setTexts() {
    var T = D.text[view.lang];
    var rtl = view.lang === "ar";
    document.documentElement.lang = view.lang;
    document.documentElement.dir = rtl ? "rtl" : "ltr";
    document.title = T.title;
    byId("title").textContent = T.title;
    byId("subtitle").textContent = T.subtitle;
    byId("date-label").textContent = T.date;
    byId("prev").textContent = T.prev;
    byId("next").textContent = T.next;
    byId("changes").textContent = T.change_dates + ": " + D.changes.join(" · ");
    byId("place-label").textContent = T.place;
    byId("legend-title").textContent = T.legend;
    byId("attribution").textContent =
      T.attribution + " " + T.basemap + ": " + T.basemap_name + ".";
    placeSelect.textContent = "";
    [null].concat(D.places).forEach(function (p) {
      var option = document.createElement("option");
      option.value = p ? p.id : "";
      option.textContent = p ? p.name[view.lang] : T.all_places;
      placeSelect.appendChild(option);
    });
    document.querySelectorAll("[data-lang]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === view.lang));
    });
  }

  function adjacent(direction) {
    if (direction > 0) {
      for (var i = 0; i < changes.length; i++) if (changes[i] > view.day) return changes[i];
    } else {
      for (var j = changes.length - 1; j >= 0; j--) if (changes[j] < view.day) return changes[j];
    }
    return null;
  }

  function render() {
    var index = frameAt(view.day);
    var frame = D.frames[index][view.lang];
    var state = entriesOf(index, view.lang);
    for (var i = 0; i < state.length; i++) {
      if (drawn[i].entry !== state[i]) draw(i, state[i]);
    }
    var key = frame.events.join(",");
    if (shown.events !== key) {
      shown.events = key;
      events.clearLayers();
      frame.events.forEach(function (m) { events.addLayer(markerLayer(m, "events")); });
    }
    if (shown.legend !== frame.legend) {
      shown.legend = frame.legend;
      byId("legend").innerHTML = D.html[frame.legend];
    }
    slider.value = String(view.day - first);
    byId("day-text").textContent = isoDay(view.day);
    byId("prev").disabled = adjacent(-1) === null;
    byId("next").disabled = adjacent(1) === null;
    placeSelect.value = view.place || "";
    var title = byId("selected-title"), body = byId("selected");
    if (view.place) {
      var at = placeIndex.get(view.place);
      title.textContent = D.places[at].name[view.lang];
      title.hidden = false;
      body.innerHTML = D.html[D.entries[state[at]][2]];
    } else {
      title.hidden = true;
      body.textContent = "";
    }
    writeHash();
  }

  function select(place) {
    var old = view.place;
    view.place = place;
    [old, place].forEach(function (id) {
      if (id && placeIndex.has(id)) {
        var i = placeIndex.get(id);
        if (drawn[i].outline) restyle(drawn[i].outline, outlineStyle(i));
      }
    });
    render();
  }

  function setLang(lang) {
    view.lang = lang;
    setTexts();
    render();
  }

  function fromHash() {
    var read = readHash();
    var langChanged = read.view.lang !== view.lang;
    view.day = read.view.day;
    view.lang = read.view.lang;
    if (langChanged || !placeSelect.options.length) setTexts();
    select(read.view.place);
    notice(read.ignored.length ? D.text[view.lang].bad_link + read.ignored.join(", ") : "");
  }

  slider.addEventListener("input", function () {
    view.day = first + Number(slider.value);
    render();
  });
  byId("prev").addEventListener("click", function () {
    var day = adjacent(-1);
    if (day !== null) { view.day = day; render(); }
  });
  byId("next").addEventListener("click", function () {
    var day = adjacent(1);
    if (day !== null) { view.day = day; render(); }
  });
  placeSelect.addEventListener("change", function () { select(placeSelect.value || null); });
  document.querySelectorAll("[data-lang]").forEach(function (button) {
    button.addEventListener("click", function () { setLang(button.dataset.lang); });
  });
  window.addEventListener("hashchange", fromHash);

  fromHash();
})();
