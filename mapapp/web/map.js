/* The map renderer shared by the static export (app.js) and the Streamlit page's map
 * component (mapapp/ui/map_component.py): it draws a bundle written by mapapp/web/export.py
 * (geometry, styles and escaped popups, stored once; per-day frames of which entry each
 * place shows) into a Leaflet map, and repaints a new day by restyling only the places
 * whose entry changed. The geometry is sent once; a day is a lookup.
 *
 * HTML reaches the map only from the bundle's `html` table (popups and tooltips escaped
 * by mapapp.draw.popups when the bundle was built) and is inserted as it is.
 *
 * The bundle's `html` is either the table itself (the static export) or, for the page's
 * map, {size, files}: the table split into files of `size` entries, fetched the first time
 * one of their popups or tooltips opens (`options.resolve` turns a file name into its
 * address), so the map draws before any citation has been downloaded.
 *
 *   var m = MapappMap(element, bundle, {onSelect: fn, onTileError: fn, resolve: fn});
 *   m.show({day: <days since 1970-01-01>, lang: "en" | "ar", place: id | null});
 */
(function (root) {
  "use strict";

  /* the bundle format this renderer reads (mapapp.web.export.FORMAT); its rows' columns are
   * looked up by name in the bundle's `fields` (mapapp.web.export.FIELDS) */
  var FORMAT = "mapapp-bundle/2";
  var NEEDED = {
    entry: ["fill", "outline", "popup", "tooltip", "stripes", "markers"],
    marker: ["lon", "lat", "style", "popup", "tooltip"],
    stripe: ["geometry", "style"],
  };

  /* {entry: {fill: 0, ...}, marker: {...}, stripe: {...}} from the bundle, or an Error
   * saying what is wrong (a bundle of another version, or not a bundle at all) */
  function fieldsOf(D) {
    var format = D && typeof D === "object" ? D.format : undefined;
    if (format !== FORMAT) {
      throw new Error(
        "the map data is in format " + JSON.stringify(format) + ", this page reads " + FORMAT +
        "; reload the page, or export the site again with the same mapapp version"
      );
    }
    var out = {};
    Object.keys(NEEDED).forEach(function (kind) {
      var names = (D.fields && D.fields[kind]) || [];
      out[kind] = {};
      NEEDED[kind].forEach(function (name) {
        var at = names.indexOf(name);
        if (at < 0) throw new Error("the map data's " + kind + " rows lack the column " + name);
        out[kind][name] = at;
      });
    });
    return out;
  }

  var DAY_MS = 86400000;
  var ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

  /* days are whole numbers: days since 1970-01-01 (UTC); NaN for anything but a real day */
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

  /* the index of the frame in force on `day`: the last whose start is on or before it (the
   * first frame for a day before them all); `starts` ascending */
  function frameIndex(starts, day) {
    var lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= day) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function polygons(geometry) {
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    if (geometry.type === "GeometryCollection") {
      return [].concat.apply([], geometry.geometries.map(polygons));
    }
    return [];
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

  function MapappMap(element, D, options) {
    var F = fieldsOf(D); // first: a bundle of another format is refused before anything
    var E = F.entry, M = F.marker, S = F.stripe;
    var L = root.L;
    options = options || {};
    var starts = D.frames.map(function (f) { return dayNumber(f.start); });
    var placeIndex = new Map(D.places.map(function (p, i) { return [p.id, i]; }));
    var view = { day: dayNumber(D.range["default"]), lang: "en", place: null };

    /* ---- frames: which entry each place shows on a day ------------------------------ */

    function frameAt(day) {
      return frameIndex(starts, day);
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

    /* ---- popups and tooltips: the html table, whole or in files ---------------------- */

    var shards = {};

    function shard(k) {
      if (!shards[k]) {
        shards[k] = fetch(options.resolve(D.html.files[k])).then(function (response) {
          if (!response.ok) throw new Error(response.status + " " + response.url);
          return response.json();
        });
        shards[k].catch(function () { delete shards[k]; }); // a later opening tries again
      }
      return shards[k];
    }

    /* the content of html entry i: the text itself, or a function Leaflet calls when the
     * popup or tooltip opens, returning an element filled when its file has arrived. The
     * element is made once: Leaflet calls the function again on update(), which must not
     * fetch and update again (that would never end). */
    function html(i) {
      if (Array.isArray(D.html)) return D.html[i];
      var k = Math.floor(i / D.html.size);
      var box = null;
      return function (layer) {
        if (box) return box;
        var made = (box = document.createElement("div"));
        made.textContent = "…";
        shard(k).then(function (items) {
          made.innerHTML = items[i - k * D.html.size];
          [layer.getPopup(), layer.getTooltip()].forEach(function (open) {
            if (open && open.isOpen()) open.update();
          });
        }, function () {
          made.textContent = "⚠";
          box = null; // the next opening tries again
        });
        return made;
      };
    }

    /* ---- the map -------------------------------------------------------------------- */

    var map = L.map(element, { zoomSnap: 0.25, zoomDelta: 0.5 });
    L.control.scale().addTo(map);
    if (D.tiles) {
      var tiles = L.tileLayer(D.tiles.url, { attribution: D.tiles.attribution, maxZoom: 19 });
      var tileErrors = 0;
      tiles.on("tileerror", function () {
        tileErrors += 1;
        if (tileErrors === 1 && options.onTileError) options.onTileError();
      });
      tiles.addTo(map);
    }
    if (D.bounds) map.fitBounds(D.bounds, { padding: [10, 10] });
    else map.setView([33.465, 36.315], 14);

    // drawn in this order, as in mapapp.draw.layers; the panes themselves catch no clicks
    ["places", "patterns", "outlines", "conditions", "events"].forEach(function (name, i) {
      var pane = map.createPane("mapapp-" + name);
      pane.style.zIndex = String(410 + i);
      pane.style.pointerEvents = "none";
    });

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

    function markerLayer(index, pane) {
      var m = D.markers[index];
      var layer = L.circleMarker([m[M.lat], m[M.lon]], withPane(pane, D.styles[m[M.style]]));
      layer.bindPopup(html(m[M.popup]), { maxWidth: 440 });
      layer.bindTooltip(html(m[M.tooltip]), { sticky: true });
      return layer;
    }

    var drawn = D.places.map(function () {
      return { entry: -1, fill: null, outline: null, stripes: null, conditions: null };
    });

    function outlineStyle(i) {
      var d = drawn[i];
      var style = Object.assign({}, D.styles[D.entries[d.entry][E.outline]]);
      if (view.place === D.places[i].id) style.weight += D.selectedWeight;
      return style;
    }

    function draw(i, index) {
      var d = drawn[i], entry = D.entries[index], place = D.places[i];
      var before = d.entry >= 0 ? D.entries[d.entry] : null;
      d.entry = index;
      if (!d.fill) {
        var shape = latlngs(place.geometry);
        d.fill = L.polygon(shape, withPane("places", D.styles[entry[E.fill]])).addTo(map);
        d.fill.mapappStyle = D.styles[entry[E.fill]];
        d.fill.bindPopup(html(entry[E.popup]), { maxWidth: 440 });
        d.fill.bindTooltip(html(entry[E.tooltip]), { sticky: true });
        if (options.onSelect) d.fill.on("click", function () { options.onSelect(place.id); });
        d.outline = L.polygon(shape, withPane("outlines", outlineStyle(i))).addTo(map);
        d.outline.mapappStyle = outlineStyle(i);
        d.stripes = L.layerGroup().addTo(map);
        d.conditions = L.layerGroup().addTo(map);
      } else {
        restyle(d.fill, D.styles[entry[E.fill]]);
        d.fill.setPopupContent(html(entry[E.popup]));
        d.fill.setTooltipContent(html(entry[E.tooltip]));
        restyle(d.outline, outlineStyle(i));
      }
      if (!before || JSON.stringify(before[E.stripes]) !== JSON.stringify(entry[E.stripes])) {
        d.stripes.clearLayers();
        entry[E.stripes].forEach(function (part) {
          var style = withPane("patterns", D.styles[part[S.style]]);
          d.stripes.addLayer(L.polygon(latlngs(part[S.geometry]), style));
        });
      }
      if (!before || JSON.stringify(before[E.markers]) !== JSON.stringify(entry[E.markers])) {
        d.conditions.clearLayers();
        entry[E.markers].forEach(function (m) {
          d.conditions.addLayer(markerLayer(m, "conditions"));
        });
      }
    }

    var events = L.layerGroup().addTo(map);
    var shownEvents = null;

    function outline(id) {
      if (id && placeIndex.has(id)) {
        var i = placeIndex.get(id);
        if (drawn[i].outline) restyle(drawn[i].outline, outlineStyle(i));
      }
    }

    /* Draw the map as it was on `next.day` in `next.lang`, `next.place` outlined.
     * Returns the frame shown and each place's entry (indexes into D.entries). */
    function show(next) {
      var oldPlace = view.place;
      view = {
        day: next.day,
        lang: next.lang === "ar" ? "ar" : "en",
        place: next.place && placeIndex.has(next.place) ? next.place : null,
      };
      var index = frameAt(view.day);
      var frame = D.frames[index][view.lang];
      var state = entriesOf(index, view.lang);
      for (var i = 0; i < state.length; i++) {
        if (drawn[i].entry !== state[i]) draw(i, state[i]);
      }
      if (oldPlace !== view.place) {
        outline(oldPlace);
        outline(view.place);
      }
      var key = frame.events.join(",");
      if (shownEvents !== key) {
        shownEvents = key;
        events.clearLayers();
        frame.events.forEach(function (m) { events.addLayer(markerLayer(m, "events")); });
      }
      return { frame: frame, state: state };
    }

    return { map: map, show: show, placeIndex: placeIndex };
  }

  MapappMap.FORMAT = FORMAT;
  MapappMap.frameIndex = frameIndex;
  MapappMap.polygons = polygons;
  MapappMap.fieldsOf = fieldsOf;
  MapappMap.dayNumber = dayNumber;
  MapappMap.isoDay = isoDay;
  root.MapappMap = MapappMap;
})(typeof window !== "undefined" ? window : globalThis);
