/* The map renderer shared by the static export (app.js) and the Streamlit page's map
 * component (mapapp/ui/map_component.py): it draws a bundle written by mapapp/web/export.py
 * (geometry, styles and escaped popups, stored once; per-day frames of which entry each
 * place shows) into a Leaflet map, and repaints a new day by restyling only the places
 * whose entry changed. The geometry is sent once; a day is a lookup.
 *
 * HTML reaches the map only from the bundle's `html` table (popups and tooltips escaped
 * by mapapp.draw.popups when the bundle was built) and is inserted as it is.
 *
 * The bundle's `html` is either the table itself or {size, files, load, eager}: the table
 * split into files of `size` entries, loaded the first time one of their popups or
 * tooltips opens (`options.resolve` turns a file name into its address), so the map draws
 * before any citation has been downloaded. The page's map fetches JSON files; the static
 * export's files are scripts (`load: "script"`, see `loadChunkScript`), which a page opened
 * from disk can load where it may not fetch; `eager` holds the entries shown without a
 * popup (the legends) by their index.
 *
 *   var m = MapappMap(element, bundle, {onSelect: fn, onTileError: fn, resolve: fn});
 *   m.show({day: <days since 1970-01-01>, lang: "en" | "ar", place: id | null,
 *           compare: <a second day> | null, rule: "newest" | "reliable" | "source:<id>"});
 *   -> {frame, state, differs: [place ids whose state differs on `compare`], fronts}
 *
 * The rule picks which side colours a place the sources dispute; each rule has its own
 * frames in the bundle (the variant "<lang>@<rule>"; the newest report is plain "<lang>").
 */
(function (root) {
  "use strict";

  /* the bundle format this renderer reads (mapapp.web.export.FORMAT); its rows' columns are
   * looked up by name in the bundle's `fields` (mapapp.web.export.FIELDS) */
  var FORMAT = "mapapp-bundle/3";
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

  /* ---- the static export's chunk scripts ------------------------------------------ */

  /* A chunk script calls root.__mapappChunk(key, items) when it runs; `key` is its file's
   * name without ".js" (a hash of its content). One promise per key for the whole page, so
   * the compare map and the main map share what either has loaded. */
  var chunkScripts = {};

  function chunkKey(url) {
    var name = String(url).split(/[?#]/)[0].split("/").pop();
    return name.replace(/\.js$/, "");
  }

  root.__mapappChunk = function (key, items) {
    var waiting = chunkScripts[key];
    if (waiting && waiting.settle) {
      waiting.settle(items);
      waiting.settle = null;
    }
  };

  /* the entries of the chunk script at `url`, added to the page as a <script> tag (the
   * tag is removed once it has run); a failed load rejects, and a later call tries again */
  function loadChunkScript(url, doc) {
    doc = doc || root.document;
    var key = chunkKey(url);
    if (chunkScripts[key]) return chunkScripts[key].promise;
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) {
      entry.settle = resolve;
      var script = doc.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = function () {
        script.remove();
        if (entry.settle) {
          delete chunkScripts[key];
          reject(new Error(url + " did not hold its entries"));
        }
      };
      script.onerror = function () {
        script.remove();
        delete chunkScripts[key];
        reject(new Error("could not load " + url));
      };
      doc.head.appendChild(script);
    });
    chunkScripts[key] = entry;
    return entry.promise;
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

  /* ==== added for issue 13: names, front lines, compare, context (one job each) ===== */

  var STYLE_ID = "mapapp-map-style";
  /* the map's own CSS, the same on the page and in the export: labels, popups (Arabic
   * right-aligned, the quote no smaller than its translation), the north arrow */
  var MAP_CSS = [
    ".mapapp-label{pointer-events:none!important;background:none;border:none}",
    ".mapapp-label span{position:absolute;left:0;top:0;transform:translate(-50%,-50%) rotate(var(--angle,0deg));",
    "white-space:nowrap;font:600 12px/1.1 system-ui,'Noto Sans','Noto Sans Arabic',sans-serif;color:#111;",
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff;letter-spacing:0.01em}",
    ".mapapp-label-hidden{display:none}",
    ".mapapp-context-label{pointer-events:none!important;background:none;border:none}",
    ".mapapp-context-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;",
    "font:italic 11px/1 system-ui,sans-serif;color:#555;text-shadow:0 0 2px #fff,0 0 3px #fff}",
    ".mapapp-north{background:#fff;border-radius:4px;border:2px solid rgba(0,0,0,0.2);width:30px;",
    "text-align:center;font:700 12px/1.1 system-ui,sans-serif;padding:2px 0;color:#222}",
    ".mapapp-toggles{background:#fff;padding:4px 8px;border-radius:4px;border:2px solid rgba(0,0,0,0.2);",
    "font:13px/1.5 system-ui,sans-serif}",
    ".mapapp-toggles label{display:block;cursor:pointer;white-space:nowrap}",
    ".mapapp-leaflet-popup .leaflet-popup-content{font-size:13px;line-height:1.4;overflow-wrap:anywhere}",
    ".mapapp-leaflet-popup .leaflet-popup-content p{font-size:13px;margin:0.3em 0}",
    ".mapapp-leaflet-popup .leaflet-popup-content [dir=rtl]{text-align:right}",
    ".mapapp-quote{font-size:15px!important;line-height:1.6}",
    ".mapapp-translation{font-size:13px!important}",
    ".mapapp-front-tip{font-size:12px}",
    ".mapapp-compare-outline{pointer-events:none}",
    ".mapapp-hit>canvas{pointer-events:auto}",
  ].join("");

  function injectStyle() {
    if (document.getElementById(STYLE_ID)) return;
    var style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = MAP_CSS;
    document.head.appendChild(style);
  }

  /* Leaflet focuses the map on mouse-down and then restores only the window's scroll; in
   * a page that scrolls inside an element (Streamlit) the focus scrolled that element and
   * the first click landed somewhere else. Focus without scrolling. */
  function keepScrollOnFocus(map) {
    var keyboard = map.keyboard;
    if (!keyboard || !keyboard._onMouseDown) return;
    map.off("mousedown", keyboard._onMouseDown, keyboard);
    var container = map.getContainer();
    keyboard._onMouseDown = function () {
      if (this._focused) return;
      try { container.focus({ preventScroll: true }); } catch { container.focus(); }
    };
    map.on("mousedown", keyboard._onMouseDown, keyboard);
  }

  function northArrow(map) {
    var North = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "mapapp-north leaflet-control");
        box.setAttribute("role", "img");
        box.setAttribute("aria-label", "North");
        box.title = "North";
        box.textContent = "▲\nN";
        box.style.whiteSpace = "pre";
        return box;
      },
    });
    new North().addTo(map);
  }

  /* the places' bounds, stretched to take in the context layer (the Old City) */
  function contextBounds(D) {
    var bounds = L.latLngBounds(D.bounds);
    ((D.context && D.context.features) || []).forEach(function (f) {
      bounds.extend(L.geoJSON(f.geometry).getBounds());
    });
    return bounds;
  }

  /* `fn` once the browser has painted what is on the page now: the next animation frame
   * draws, a task after it runs (without animation frames, e.g. a hidden tab: at once) */
  function afterPaint(fn) {
    var run = function () { setTimeout(fn, 0); };
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(run);
    else run();
  }

  /* a map of more places than this draws its front lines and names after its places
   * have been painted (at 10,000 places ~30,000 line paths and 10,000 names) */
  var LARGE = 2000;

  function boxesOverlap(a, b, pad) {
    return !(a.right + pad <= b.left || b.right + pad <= a.left ||
             a.bottom + pad <= b.top || b.bottom + pad <= a.top);
  }

  /* Names, front lines, the context layer and the compare outlines, over the map drawn
   * by MapappMap. None of them catches a click meant for a place: labels and outlines are
   * not interactive, and a front line takes only hovers along its own few pixels. */
  function Overlays(map, D, html, loadFile, whenRest) {
    var L = root.L;
    [["context", 405], ["fronts", 416], ["compare", 417]].forEach(function (p) {
      var pane = map.createPane("mapapp-" + p[0]);
      pane.style.zIndex = String(p[1]);
      pane.style.pointerEvents = "none";
    });
    var labelPane = map.createPane("mapapp-labels");
    labelPane.style.zIndex = "450";
    labelPane.style.pointerEvents = "none";

    var lang = "en";
    var show = { names: true, fronts: true };

    /* ---- the context layer (approximate outlines, credited) ---- */
    var context = L.layerGroup().addTo(map);
    var contextLabels = [];
    ((D.context && D.context.features) || []).forEach(function (f) {
      var layer = L.geoJSON(f.geometry, {
        pane: "mapapp-context",
        interactive: false,
        style: { color: "#777", weight: 1.5, dashArray: "4 4", fill: true, fillColor: "#999", fillOpacity: 0.06 },
      });
      context.addLayer(layer);
      var marker = L.marker(layer.getBounds().getCenter(), {
        pane: "mapapp-labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: "mapapp-context-label", html: "<span></span>", iconSize: [0, 0] }),
      });
      context.addLayer(marker);
      contextLabels.push({ marker: marker, name: f.name });
    });
    if (D.context && D.context.credit && map.attributionControl) {
      map.attributionControl.addAttribution(""); // keeps the control, text set per language
    }

    /* ---- names ---- */
    var labelLayer = L.layerGroup().addTo(map);
    /* the names' markers are made the first time they are placed (`declutter` runs after
     * the map has painted): at 10,000 places making them took 1.4 s of the first paint */
    var labels = [];
    function makeLabels() {
      labels = (D.labels || []).map(function (l) {
        var marker = L.marker([l.lat, l.lon], {
          pane: "mapapp-labels",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "mapapp-label", html: "<span></span>", iconSize: [0, 0] }),
        });
        labelLayer.addLayer(marker);
        return { spec: l, marker: marker };
      });
      labelsMade = true;
    }
    var labelsMade = false;

    function setText(marker, text, angle) {
      var el = marker.getElement();
      if (!el) return null;
      var span = el.firstChild;
      span.textContent = text;
      span.style.setProperty("--angle", (angle || 0) + "deg");
      span.lang = lang;
      span.dir = lang === "ar" ? "rtl" : "ltr";
      return span;
    }

    /* A name's box, worked out rather than measured: the text's width from a canvas in the
     * labels' own font (measured once per text), the box of that rectangle rotated about the
     * anchor moved by its nudge. Reading each span's box from the page instead made the
     * browser lay the page out again after every name written (at 2,000 places 29 s of a
     * 33 s first paint; at 10,000, minutes). */
    var measure = null, widths = new Map();
    function textWidth(text) {
      var key = lang + "\n" + text;
      if (!widths.has(key)) {
        measure.ctx.direction = lang === "ar" ? "rtl" : "ltr";
        widths.set(key, measure.ctx.measureText(text).width + measure.spacing * text.length);
      }
      return widths.get(key);
    }
    function labelBox(point, text, angle, top, left) {
      var w = textWidth(text) / 2, h = measure.height / 2;
      var r = ((angle || 0) * Math.PI) / 180, c = Math.abs(Math.cos(r)), s = Math.abs(Math.sin(r));
      var dx = w * c + h * s, dy = w * s + h * c, x = point.x + left, y = point.y + top;
      return { left: x - dx, right: x + dx, top: y - dy, bottom: y + dy };
    }
    function fontOf(span) {
      var style = getComputedStyle(span);
      var ctx = document.createElement("canvas").getContext("2d");
      ctx.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" ");
      var size = parseFloat(style.fontSize) || 12;
      return {
        ctx: ctx,
        spacing: parseFloat(style.letterSpacing) || 0,
        height: parseFloat(style.lineHeight) || size * 1.2,
      };
    }

    /* the boxes of the names placed so far, in cells of a grid: a new name is checked
     * against those near it, not against every name placed */
    function Placed() {
      var cells = new Map(), size = 64;
      function each(box, pad, fn) {
        for (var i = Math.floor((box.left - pad) / size); i <= Math.floor((box.right + pad) / size); i++) {
          for (var j = Math.floor((box.top - pad) / size); j <= Math.floor((box.bottom + pad) / size); j++) {
            if (fn(i + ":" + j)) return true;
          }
        }
        return false;
      }
      return {
        overlaps: function (box, pad) {
          return each(box, pad, function (key) {
            var found = cells.get(key);
            return !!found && found.some(function (other) { return boxesOverlap(box, other, pad); });
          });
        },
        add: function (box) {
          each(box, 0, function (key) {
            if (!cells.has(key)) cells.set(key, []);
            cells.get(key).push(box);
            return false;
          });
        },
      };
    }

    /* Place the names largest place first; a name that would overlap one already placed
     * tries its short form, then a nudge up or down; failing that it is hidden (hover
     * or zoom in to read it). Runs after every zoom, resize and language change: once,
     * after the map has painted (see `declutter`). Every box is worked out first, then
     * the names are written in one pass. */
    function declutterNow() {
      if (!labelsMade && !D.rest) makeLabels(); // the names come with the rest

      var size = map.getSize();
      var first = labels.length ? labels[0].marker.getElement() : null;
      if (first && !measure) measure = fontOf(first.firstChild);
      var placed = Placed();
      var inside = function (b) {
        return b.left >= 0 && b.right <= size.x && b.top >= 0 && b.bottom <= size.y;
      };
      var order = labels.slice().sort(function (a, b) { return b.spec.area - a.spec.area; });
      var chosen = order.map(function (l) {
        if (!l.marker.getElement()) return null;
        var point = map.latLngToContainerPoint(l.marker.getLatLng());
        var tries = [
          [l.spec.name[lang], 0, 0], [l.spec.short[lang], 0, 0],
          [l.spec.short[lang], -13, 0], [l.spec.short[lang], 13, 0],
          [l.spec.short[lang], 0, -18], [l.spec.short[lang], 0, 18],
        ];
        for (var k = 0; k < tries.length; k++) {
          var box = labelBox(point, tries[k][0], l.spec.angle, tries[k][1], tries[k][2]);
          if (inside(box) && !placed.overlaps(box, 2)) {
            placed.add(box);
            return tries[k];
          }
        }
        return [l.spec.name[lang], 0, 0, true]; // hidden
      });
      order.forEach(function (l, n) {
        var el = l.marker.getElement(), pick = chosen[n];
        if (!el || !pick) return;
        var span = setText(l.marker, pick[0], l.spec.angle);
        span.style.marginTop = pick[1] + "px";
        span.style.marginLeft = pick[2] + "px";
        el.classList.toggle("mapapp-label-hidden", pick.length > 3);
        el.dataset.place = l.spec.id;
      });
      var frame = map.getContainer().getBoundingClientRect();
      contextLabels.forEach(function (c) {
        var el = c.marker.getElement();
        if (!el) return;
        var span = el.firstChild;
        span.textContent = c.name[lang] + (lang === "ar" ? " (تقريبي)" : " (approx.)");
        var r = span.getBoundingClientRect();
        var box = { left: r.left - frame.left, right: r.right - frame.left, top: r.top - frame.top, bottom: r.bottom - frame.top };
        span.style.visibility = placed.overlaps(box, 2) ? "hidden" : "visible";
      });
    }
    /* Names are placed after the browser has painted the places, and once for any number
     * of calls in between (opening the page fits the map and moves it several times): at
     * 10,000 places, measuring every name's box takes seconds the first paint should not
     * wait for. Until then a name is an empty, invisible span. */
    var declutterDue = false;
    function declutter() {
      if (declutterDue) return;
      declutterDue = true;
      afterPaint(function () {
        declutterDue = false;
        declutterNow();
      });
    }
    map.on("zoomend resize moveend", declutter);

    /* ---- front lines ---- */
    var frontLayer = L.layerGroup().addTo(map);
    var frontStarts = (D.fronts || []).map(function (f) { return root.MapappMap.dayNumber(f.start); });
    var frontShown = -1;

    function frontFrame(day) {
      var found = -1;
      for (var i = 0; i < frontStarts.length; i++) if (frontStarts[i] <= day) found = i;
      return found;
    }

    function lineLatLngs(geometry) {
      return L.GeoJSON.coordsToLatLngs(geometry.coordinates, geometry.type === "MultiLineString" ? 1 : 0);
    }

    /* Each line is listed once with the frames it is drawn in ([first, end)); a frame's
     * lines are those whose span holds it, in the bundle's order. */
    function frameLines(k) {
      return (D.frontLines || []).filter(function (line) {
        return line.frames[0] <= k && k < line.frames[1];
      });
    }

    /* The page and the static export hold the lines of the day the map opens on
     * (`frontLinesAt`); every line is in a file (`frontLinesFile`), loaded when another
     * front frame is shown. */
    var frontDay = null, frontsLoading = false;
    /* a large map's first lines are drawn after its places have been painted */
    var frontsWait = D.places.length > LARGE ? "first" : null;

    function drawFronts(day) {
      frontDay = day;
      if (D.rest) { // the opening day's lines and their geometry come with the rest
        if (frontsWait !== "rest") {
          frontsWait = "rest";
          whenRest().then(function () {
            frontsWait = null;
            drawFronts(frontDay);
          }, function () { frontsWait = null; /* the next day shown tries again */ });
        }
        return;
      }
      if (frontsWait === "rest") return;
      if (frontsWait) {
        if (frontsWait === "first") {
          frontsWait = "due";
          afterPaint(function () {
            frontsWait = null;
            drawFronts(frontDay);
          });
        }
        return;
      }
      var k = frontFrame(day);
      var key = k + ":" + lang;
      if (key === frontShown) return;
      if (k >= 0 && D.frontLinesFile && k !== D.frontLinesAt) {
        frontShown = -1;
        clearLines();
        if (frontsLoading) return;
        frontsLoading = true;
        loadFile(D.frontLinesFile).then(function (lines) {
          D.frontLines = lines;
          delete D.frontLinesFile;
          frontsLoading = false;
          if (frontDay !== null) drawFronts(frontDay);
        }, function () { frontsLoading = false; /* the next day shown tries again */ });
        return;
      }
      frontShown = key;
      if (lang !== linesLang) clearLines(); // the tooltips are in the language shown
      linesLang = lang;
      // only the lines that differ from the frame shown are taken away and drawn: at
      // 10,000 places a frame has ~10,000 lines (30,000 paths), of which a day changes few
      var wanted = k < 0 ? [] : frameLines(k);
      var keep = new Set(wanted);
      drawnLines.forEach(function (layers, line) {
        if (keep.has(line)) return;
        layers.forEach(function (layer) { frontLayer.removeLayer(layer); });
        drawnLines.delete(line);
      });
      wanted.forEach(function (line) {
        if (!drawnLines.has(line)) drawnLines.set(line, drawLine(line));
      });
    }

    var drawnLines = new Map(), linesLang = null;

    function clearLines() {
      frontLayer.clearLayers();
      drawnLines.clear();
    }

    /* one front line: a halo that takes the hover, and its dashes above it */
    function drawLine(line) {
      var layers = [];
      var shape = lineLatLngs(D.geometries[line.geometry]);
      line.styles.forEach(function (styleIndex, n) {
        // the first line (a solid halo, the widest) takes the hover: the dashed ones
        // above it would let the pointer through their gaps
        var top = n === 0;
        var style = Object.assign({ pane: "mapapp-fronts", interactive: top }, D.styles[styleIndex]);
        if (top) style.className = (style.className || "") + " mapapp-front mapapp-front-" + line.kind;
        var poly = L.polyline(shape, style);
        if (top) {
          poly.bindTooltip(html(line.tooltip[lang]), { sticky: true });
          poly.on("add", function () {
            var path = poly.getElement();
            if (path) {
              path.dataset.pair = line.pair;
              path.dataset.kind = line.kind;
            }
          });
        }
        frontLayer.addLayer(poly);
        layers.push(poly);
      });
      return layers;
    }

    /* ---- compare two days: the places whose state differs, outlined ---- */
    var compareLayer = L.layerGroup().addTo(map);
    var compareShown = null;

    function drawCompare(compareDay, entriesAt, state) {
      var differs = [];
      if (compareDay === null || compareDay === undefined || isNaN(compareDay)) {
        if (compareShown !== null) compareLayer.clearLayers();
        compareShown = null;
        return differs;
      }
      var other = entriesAt(compareDay);
      for (var i = 0; i < state.length; i++) {
        var popup = fieldsOf(D).entry.popup;
        if (other[i] !== state[i] && D.entries[other[i]][popup] !== D.entries[state[i]][popup]) {
          differs.push(D.places[i].id);
        }
      }
      var key = differs.join(",") + "@" + compareDay;
      if (key !== compareShown) {
        compareShown = key;
        compareLayer.clearLayers();
        differs.forEach(function (id) {
          var place = D.places.find(function (p) { return p.id === id; });
          var shape = L.GeoJSON.coordsToLatLngs(polygonsOf(D.geometries[place.geometry]), 2);
          compareLayer.addLayer(L.polygon(shape, {
            pane: "mapapp-compare", interactive: false, fill: false, color: "#6a1b9a",
            weight: 5, dashArray: "2 7", lineCap: "round",
            className: "mapapp-compare-outline mapapp-compare-" + id,
          }));
        });
      }
      return differs;
    }

    /* ---- the toggles (names, front lines) ---- */
    var toggles = L.control({ position: "topright" });
    var boxes = {};
    toggles.onAdd = function () {
      var box = L.DomUtil.create("div", "mapapp-toggles leaflet-control");
      L.DomEvent.disableClickPropagation(box);
      ["names", "fronts"].forEach(function (name) {
        var labelEl = document.createElement("label");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.checked = true;
        input.className = "mapapp-toggle-" + name;
        var text = document.createElement("span");
        labelEl.append(input, " ", text);
        box.appendChild(labelEl);
        boxes[name] = { input: input, text: text };
        input.addEventListener("change", function () {
          show[name] = input.checked;
          var layer = name === "names" ? labelLayer : frontLayer;
          if (input.checked) { layer.addTo(map); if (name === "names") declutter(); }
          else map.removeLayer(layer);
        });
      });
      return box;
    };
    toggles.addTo(map);

    var credit = null;

    function setLang(next) {
      lang = next;
      if (D.text && D.text[lang]) {
        if (boxes.names) boxes.names.text.textContent = D.text[lang].names || "Names";
        if (boxes.fronts) boxes.fronts.text.textContent = D.text[lang].fronts || "Front lines";
      } else if (boxes.names) {
        boxes.names.text.textContent = lang === "ar" ? "الأسماء" : "Names";
        boxes.fronts.text.textContent = lang === "ar" ? "خطوط الجبهات" : "Front lines";
      }
      if (D.context && D.context.credit && map.attributionControl) {
        if (credit) map.attributionControl.removeAttribution(credit);
        credit = D.context.credit[lang].replace(/</g, "");
        map.attributionControl.addAttribution(credit);
      }
    }

    var shownLang = null;
    return {
      show: function (view, compare, entriesAt, state) {
        if (view.lang !== shownLang) {
          shownLang = view.lang;
          setLang(view.lang);
          if (show.names) declutter();
        }
        drawFronts(view.day);
        return drawCompare(compare, entriesAt, state);
      },
      frontsShown: function () { return frontShown; },
      declutter: declutter,
      labelCount: function () {
        return labels.filter(function (l) {
          var el = l.marker.getElement();
          return show.names && el && !el.classList.contains("mapapp-label-hidden");
        }).length;
      },
    };
  }

  function polygonsOf(geometry) {
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    return [];
  }

  /* ==== end of issue 13's additions ================================================ */

  function MapappMap(element, D, options) {
    var F = fieldsOf(D); // first: a bundle of another format is refused before anything
    var E = F.entry, M = F.marker, S = F.stripe;
    var L = root.L;
    options = options || {};
    var starts = D.frames.map(function (f) { return dayNumber(f.start); });
    var placeIndex = new Map(D.places.map(function (p, i) { return [p.id, i]; }));
    var view = { day: dayNumber(D.range["default"]), lang: "en", place: null, rule: "newest" };
    var ruleKeys = (D.rules || []).map(function (r) { return r.key; });
    var resolve = options.resolve || function (name) { return name; };

    /* the frames' key for a language under a rule (an unknown rule reads as the newest) */
    function variantOf(lang, rule) {
      return rule && rule !== "newest" && ruleKeys.indexOf(rule) >= 0 ? lang + "@" + rule : lang;
    }

    /* ---- frames: which entry each place shows on a day ------------------------------ */

    /* The static export and the page hold one variant's frames in their bundle and each
     * other variant's in a file (`D.variants`: {key: file}). null when the views' variants are all
     * here, else a promise settled when they have been loaded into D.frames. */
    function ready(views) {
      var waits = [];
      if (D.rest && views.some(needsRest)) waits.push(loadRest());
      views.forEach(function (next) {
        var variant = variantOf(next.lang === "ar" ? "ar" : "en", next.rule);
        if (!D.frames.length || variant in D.frames[0]) return;
        var file = D.variants && D.variants[variant];
        if (!file) throw new Error("the map data has no frames for " + variant);
        waits.push(loadData(resolve(file)).then(function (frames) {
          if (variant in D.frames[0]) return; // another map loaded it meanwhile
          frames.forEach(function (frame, k) { D.frames[k][variant] = frame; });
        }));
      });
      return waits.length ? Promise.all(waits) : null;
    }

    function frameAt(day) {
      return frameIndex(starts, day);
    }

    /* ---- the rest: what the opening frame does not draw ---------------------------- */

    /* The bundle's first file holds, of the geometries and entries, only those the
     * opening frame (`D.restAt`) of its own variant draws; the others, the names and the
     * opening day's front lines are a file (`D.rest`, see mapapp.web.export.first_view),
     * loaded once the places have been painted. Any other frame, variant or a compared day
     * waits for it. */
    var openingVariant = D.frames.length ? Object.keys(D.frames[0]).filter(function (k) {
      return k !== "start";
    })[0] : null;

    function needsRest(next) {
      var variant = variantOf(next.lang === "ar" ? "ar" : "en", next.rule);
      return next.day === undefined || frameAt(next.day) !== D.restAt ||
        variant !== openingVariant || (next.compare !== null && next.compare !== undefined);
    }

    var restWait = null;
    function loadRest() {
      if (!D.rest) return Promise.resolve();
      if (!restWait) {
        restWait = loadData(resolve(D.rest)).then(function (rest) {
          if (!D.rest) return; // another map of the same bundle merged it meanwhile
          ["geometries", "entries"].forEach(function (name) {
            var rows = rest[name];
            Object.keys(rows).forEach(function (i) { D[name][i] = rows[i]; });
          });
          if (rest.labels) D.labels = rest.labels;
          if (D.frontLinesFile) D.frontLines = rest.frontLines;
          delete D.rest;
          overlays.declutter(); // the names
        });
        restWait.catch(function () { restWait = null; }); // a later call tries again
      }
      return restWait;
    }

    /* the legends of the other frames (the static export's `html.later`), once painted */
    function loadLegends() {
      var later = !Array.isArray(D.html) && D.html.later;
      if (!later) return;
      loadData(resolve(later)).then(function (items) {
        Object.assign(D.html.eager, items);
        delete D.html.later;
      }, function () { /* they load with their chunks of the table instead */ });
    }

    var laterAsked = false;
    function loadLater() {
      if (laterAsked) return;
      laterAsked = true;
      afterPaint(function () {
        loadRest();
        loadLegends();
      });
    }

    var materialised = {};

    function entriesOf(frame, variant) {
      var done = materialised[variant] || (materialised[variant] = []);
      for (var k = done.length; k <= frame; k++) {
        var state = k === 0 ? new Int32Array(D.places.length).fill(-1) : done[k - 1].slice();
        D.frames[k][variant].set.forEach(function (pair) { state[pair[0]] = pair[1]; });
        done.push(state);
      }
      return done[frame];
    }

    /* ---- popups and tooltips: the html table, whole or in files ---------------------- */

    var shards = {};

    /* a file of the bundle: a chunk script in the static export (`load: "script"`), JSON
     * fetched on the page */
    function loadData(url) {
      return D.html.load === "script" ? loadChunkScript(url) : fetch(url).then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.url);
        return response.json();
      });
    }

    function shard(k) {
      if (!shards[k]) {
        shards[k] = loadData(resolve(D.html.files[k]));
        shards[k].catch(function () { delete shards[k]; }); // a later opening tries again
      }
      return shards[k];
    }

    /* html entry i if the page has it without loading anything, else undefined */
    function htmlNow(i) {
      if (Array.isArray(D.html)) return D.html[i];
      var eager = D.html.eager;
      return eager && Object.prototype.hasOwnProperty.call(eager, i) ? eager[i] : undefined;
    }

    /* html entry i, once its file has arrived (a promise) */
    function htmlText(i) {
      var now = htmlNow(i);
      if (now !== undefined) return Promise.resolve(now);
      var k = Math.floor(i / D.html.size);
      return shard(k).then(function (items) { return items[i - k * D.html.size]; });
    }

    /* the content of html entry i: the text itself, or a function Leaflet calls when the
     * popup or tooltip opens, returning an element filled when its file has arrived. The
     * element is made once: Leaflet calls the function again on update(), which must not
     * fetch and update again (that would never end). */
    function html(i) {
      var now = htmlNow(i);
      if (now !== undefined) return now;
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

    injectStyle();
    var map = L.map(element, { zoomSnap: 0.25, zoomDelta: 0.5 });
    keepScrollOnFocus(map);
    L.control.scale({ metric: true, imperial: false }).addTo(map);
    northArrow(map);
    if (D.tiles) {
      var tiles = L.tileLayer(D.tiles.url, { attribution: D.tiles.attribution, maxZoom: 19 });
      var tileErrors = 0;
      tiles.on("tileerror", function () {
        tileErrors += 1;
        if (tileErrors === 1 && options.onTileError) options.onTileError();
      });
      tiles.addTo(map);
    }
    if (D.bounds) map.fitBounds(contextBounds(D), { padding: [10, 10] });
    else map.setView([33.465, 36.315], 14);

    // drawn in this order, as in mapapp.draw.layers; the panes themselves catch no clicks
    ["places", "patterns", "outlines", "conditions", "events"].forEach(function (name, i) {
      var pane = map.createPane("mapapp-" + name);
      pane.style.zIndex = String(410 + i);
      pane.style.pointerEvents = "none";
    });
    /* On a canvas map (`options.renderer` "canvas", the static export's choice above
     * LARGE places) the places, their stripes and their outlines are drawn on a canvas per
     * pane instead of an SVG path each: at 10,000 places the browser styled, laid out and
     * painted ~28,000 paths before the first paint. The places' canvas takes the clicks
     * and hovers (Leaflet finds the place under the pointer); the stripes and outlines
     * above it let them through, as their paths do. Markers and front lines stay SVG. */
    var canvas = options.renderer === "canvas";
    var canvases = {};
    if (canvas) map.getPane("mapapp-places").classList.add("mapapp-hit");
    var overlays = Overlays(map, D, html, function (file) { return loadData(resolve(file)); }, loadRest);

    /* a popup as wide as the map allows (never wider than 440 px), panned clear of the
     * zoom control */
    function popupOptions() {
      // the popup's frame and margins take ~40 px beside its content, and 12 px either side
      var width = Math.max(160, Math.min(440, map.getSize().x - 66));
      return {
        maxWidth: width,
        minWidth: Math.min(240, width),
        // below the zoom control (it ends ~75 px down); sideways anywhere in the map
        autoPanPaddingTopLeft: L.point(12, 90),
        autoPanPaddingBottomRight: L.point(12, 12),
        className: "mapapp-leaflet-popup",
      };
    }
    map.on("resize", function () {
      var next = popupOptions();
      map.eachLayer(function (layer) {
        var popup = layer.getPopup && layer.getPopup();
        if (popup) L.setOptions(popup, { maxWidth: next.maxWidth, minWidth: next.minWidth });
      });
    });

    var latlngCache = new Map();

    function latlngs(index) {
      if (!latlngCache.has(index)) {
        latlngCache.set(index, L.GeoJSON.coordsToLatLngs(polygons(D.geometries[index]), 2));
      }
      return latlngCache.get(index);
    }

    function withPane(pane, style) {
      var out = Object.assign({ pane: "mapapp-" + pane }, style);
      if (canvas && (pane === "places" || pane === "patterns" || pane === "outlines")) {
        out.renderer = canvases[pane] || (canvases[pane] = L.canvas({ pane: "mapapp-" + pane }));
      }
      return out;
    }

    /* The map's element says how many places are drawn (`data-places-drawn`) in the
     * animation frame that paints them: a canvas map has no element per place to count.
     * (Leaflet's canvas draws in an animation frame asked for when a place was added or
     * restyled, so before this one.) */
    var placesDrawn = 0, paintMarked = false;
    function markPainted() {
      if (paintMarked) return;
      paintMarked = true;
      var mark = function () {
        paintMarked = false;
        element.setAttribute("data-places-drawn", String(placesDrawn));
      };
      if (typeof requestAnimationFrame === "function") requestAnimationFrame(mark);
      else mark();
    }

    function markerLayer(index, pane) {
      var m = D.markers[index];
      var layer = L.circleMarker([m[M.lat], m[M.lon]], withPane(pane, D.styles[m[M.style]]));
      layer.bindPopup(html(m[M.popup]), popupOptions());
      layer.bindTooltip(html(m[M.tooltip]), { sticky: true });
      return layer;
    }

    var drawn = D.places.map(function () {
      return { entry: -1, fill: null, outline: null, stripes: [], conditions: [] };
    });

    /* style `index` for place `id`: the bundle writes a place's own class (mapapp-place-<id>
     * and the like) as "{id}", so places drawn alike share one style */
    function placeStyle(index, id) {
      var style = D.styles[index];
      if (!style.className || style.className.indexOf("{id}") < 0) return style;
      return Object.assign({}, style, { className: style.className.split("{id}").join(id) });
    }

    function outlineStyle(i) {
      var d = drawn[i];
      var style = Object.assign({}, placeStyle(D.entries[d.entry][E.outline], D.places[i].id));
      if (view.place === D.places[i].id) style.weight += D.selectedWeight;
      return style;
    }

    function draw(i, index) {
      var d = drawn[i], entry = D.entries[index], place = D.places[i];
      var before = d.entry >= 0 ? D.entries[d.entry] : null;
      d.entry = index;
      if (!d.fill) {
        var shape = latlngs(place.geometry);
        d.fill = L.polygon(shape, withPane("places", placeStyle(entry[E.fill], place.id))).addTo(map);
        d.fill.mapappStyle = placeStyle(entry[E.fill], place.id);
        placesDrawn += 1;
        d.fill.bindPopup(html(entry[E.popup]), popupOptions());
        d.fill.bindTooltip(html(entry[E.tooltip]), { sticky: true });
        if (options.onSelect) d.fill.on("click", function () { options.onSelect(place.id); });
        d.outline = L.polygon(shape, withPane("outlines", outlineStyle(i))).addTo(map);
        d.outline.mapappStyle = outlineStyle(i);
      } else {
        restyle(d.fill, placeStyle(entry[E.fill], place.id));
        d.fill.setPopupContent(html(entry[E.popup]));
        d.fill.setTooltipContent(html(entry[E.tooltip]));
        restyle(d.outline, outlineStyle(i));
      }
      if (!before || JSON.stringify(before[E.stripes]) !== JSON.stringify(entry[E.stripes])) {
        // a place's stripes and markers are layers of the map itself: a layer group each
        // for 10,000 places (most with no markers) was 20,000 more layers to add
        d.stripes.forEach(function (layer) { map.removeLayer(layer); });
        d.stripes = entry[E.stripes].map(function (part) {
          var style = withPane("patterns", placeStyle(part[S.style], place.id));
          return L.polygon(latlngs(part[S.geometry]), style).addTo(map);
        });
      }
      if (!before || JSON.stringify(before[E.markers]) !== JSON.stringify(entry[E.markers])) {
        d.conditions.forEach(function (layer) { map.removeLayer(layer); });
        d.conditions = entry[E.markers].map(function (m) {
          return markerLayer(m, "conditions").addTo(map);
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
        rule: ruleKeys.indexOf(next.rule) >= 0 ? next.rule : "newest",
      };
      var index = frameAt(view.day);
      var variant = variantOf(view.lang, view.rule);
      var frame = D.frames[index][variant];
      var state = entriesOf(index, variant);
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
      markPainted();
      loadLater();
      var compared = overlays.show(view, next.compare, function (day) {
        return entriesOf(frameAt(day), variant);
      }, state);
      return { frame: frame, state: state, differs: compared, fronts: overlays.frontsShown() };
    }

    /* the default view again (after the page resized the map before anyone moved it) */
    function refit() {
      map.invalidateSize();
      if (D.bounds) map.fitBounds(contextBounds(D), { padding: [10, 10], animate: false });
      overlays.declutter();
    }

    return {
      map: map, show: show, placeIndex: placeIndex, overlays: overlays, refit: refit,
      htmlNow: htmlNow, htmlText: htmlText, ready: ready,
    };
  }

  MapappMap.FORMAT = FORMAT;
  MapappMap.LARGE = LARGE;
  MapappMap.loadChunkScript = loadChunkScript;
  MapappMap.chunkKey = chunkKey;
  /* the keys of the chunk scripts loaded or loading (for tests) */
  MapappMap.chunksRequested = function () { return Object.keys(chunkScripts); };
  MapappMap.frameIndex = frameIndex;
  MapappMap.polygons = polygons;
  MapappMap.fieldsOf = fieldsOf;
  MapappMap.dayNumber = dayNumber;
  MapappMap.isoDay = isoDay;
  root.MapappMap = MapappMap;
})(typeof window !== "undefined" ? window : globalThis);
