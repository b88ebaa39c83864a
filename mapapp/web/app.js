/* The static map: draws window.MAPAPP_DATA (written by mapapp/web/export.py) with Leaflet.
 *
 * HTML reaches the page only from the bundle's `html` table -- popups, tooltips and the
 * legend, escaped by mapapp.draw.popups when the site was exported -- and is inserted as it is;
 * every other string (names, dates, the page's words) is set as textContent. The view lives
 * in the address: #date=YYYY-MM-DD&place=<id>&lang=en|ar; a bad value falls back to the
 * default and is named, never shown. The rule that colours a place the sources dispute
 * (newest report, most reliable source, or one source alone) is &rule=… in the address.
 */
(function () {
  "use strict";

  var D = window.MAPAPP_DATA;
  var LANGS = ["en", "ar"];

  function byId(id) {
    return document.getElementById(id);
  }

  function notice(text) {
    var box = byId("notice");
    box.textContent = text;
    box.hidden = !text;
  }

  if (!D || typeof L === "undefined" || typeof MapappMap === "undefined") {
    notice("The map's data or Leaflet did not load. · لم تُحمّل بيانات الخريطة.");
    return;
  }

  var fields;
  try {
    fields = MapappMap.fieldsOf(D); // a data.js of another version: say so, draw nothing
  } catch (error) {
    notice("The map's data does not fit this page: " + error.message);
    return;
  }

  var dayNumber = MapappMap.dayNumber;
  var isoDay = MapappMap.isoDay;

  var first = dayNumber(D.range.first);
  var last = dayNumber(D.range.last);
  var fallbackDay = dayNumber(D.range["default"]);
  var changes = D.changes.map(dayNumber);
  var placeIndex = new Map(D.places.map(function (p, i) { return [p.id, i]; }));

  var rules = (D.rules || []).map(function (r) { return r.key; });
  var view = { day: fallbackDay, place: null, lang: "en", compare: null, rule: "newest" };

  /* ---- the address ------------------------------------------------------------------ */

  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var next = { day: fallbackDay, place: null, lang: "en", compare: null, rule: "newest" };
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
    if (params.has("compare")) {
      var other = dayNumber(params.get("compare"));
      if (other >= first && other <= last) next.compare = other;
      else ignored.push("compare");
    }
    if (params.has("lang")) {
      var lang = params.get("lang");
      if (LANGS.indexOf(lang) >= 0) next.lang = lang;
      else ignored.push("lang");
    }
    if (params.has("rule")) {
      var rule = params.get("rule");
      if (rules.indexOf(rule) >= 0) next.rule = rule;
      else ignored.push("rule");
    }
    return { view: next, ignored: ignored };
  }

  function writeHash() {
    var parts = ["date=" + isoDay(view.day)];
    if (view.place) parts.push("place=" + encodeURIComponent(view.place));
    if (view.compare !== null) parts.push("compare=" + isoDay(view.compare));
    parts.push("lang=" + view.lang);
    if (view.rule !== "newest") parts.push("rule=" + encodeURIComponent(view.rule));
    var hash = "#" + parts.join("&");
    if (window.location.hash === hash) return;
    try {
      window.history.replaceState(null, "", hash);
    } catch {
      window.location.replace(hash); // history refused (a file: page in some browsers)
    }
  }

  /* ---- the map (map.js) ------------------------------------------------------------ */

  /* a large map's places are drawn on a canvas (see map.js); ?renderer=svg|canvas in the
   * address picks one */
  var asked = new URLSearchParams(window.location.search).get("renderer");
  var renderer = asked === "svg" || asked === "canvas" ? asked
    : D.places.length > MapappMap.LARGE ? "canvas" : "svg";

  var mapped = MapappMap(byId("map"), D, {
    renderer: renderer,
    onSelect: function (place) { select(place); },
    onTileError: function () { notice(D.text[view.lang].tiles_failed); },
  });
  window.mapappMap = mapped.map; // for tests and for pages that embed the map
  var shown = { legend: -1 };

  /* html entry i into `box`: at once if the page has it (the legends are in data.js), else
   * once its chunk has loaded (a place's citation), unless `box` was given another since */
  function setHtml(box, i) {
    box.mapappHtml = i;
    var now = mapped.htmlNow(i);
    if (now !== undefined) {
      box.innerHTML = now;
      return;
    }
    box.textContent = "…";
    mapped.htmlText(i).then(function (text) {
      if (box.mapappHtml === i) box.innerHTML = text;
    }, function () {
      if (box.mapappHtml === i) box.textContent = "⚠";
    });
  }

  /* ---- the page around the map ------------------------------------------------------ */

  var slider = byId("day");
  var compareInput = byId("compare");
  compareInput.min = D.range.first;
  compareInput.max = D.range.last;
  var placeSelect = byId("place");
  var ruleSelect = byId("rule");
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
    byId("data-stops").textContent = T.data_stops || "";
    byId("rule-label").textContent = T.rule;
    ruleSelect.textContent = "";
    (D.rules || []).forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.key;
      option.textContent = r.label[view.lang];
      ruleSelect.appendChild(option);
    });
    byId("date-label").textContent = T.date;
    byId("prev").textContent = T.prev;
    byId("next").textContent = T.next;
    byId("changes").textContent = T.change_dates + ": " + D.changes.join(" · ");
    byId("compare-label").textContent = T.compare;
    byId("ground-title").textContent = T.ground;
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

  /* the frames of another language or rule are loaded the first time it is shown */
  var loading = null;

  function render() {
    var views = [view];
    if (view.compare !== null) views.push({ lang: view.lang, rule: "newest" }); // the twin
    var pending = mapped.ready(views);
    if (pending) {
      var wanted = loading = {};
      pending.then(function () {
        if (loading === wanted) render();
      }, function (error) {
        notice("The map's data did not load: " + error.message);
      });
      return;
    }
    loading = null;
    var drawn = mapped.show(view);
    var frame = drawn.frame, state = drawn.state;
    if (shown.legend !== frame.legend) {
      shown.legend = frame.legend;
      setHtml(byId("legend"), frame.legend);
    }
    showDiffers(drawn.differs);
    showTwin();
    showFrontLegend(view.day);
    groundChart(byId("ground"), D.ground, view.day, view.lang);
    slider.value = String(view.day - first);
    compareInput.value = view.compare === null ? "" : isoDay(view.compare);
    byId("day-text").textContent = isoDay(view.day);
    byId("prev").disabled = adjacent(-1) === null;
    byId("next").disabled = adjacent(1) === null;
    placeSelect.value = view.place || "";
    ruleSelect.value = view.rule;
    var title = byId("selected-title"), body = byId("selected");
    if (view.place) {
      var at = placeIndex.get(view.place);
      title.textContent = D.places[at].name[view.lang];
      title.hidden = false;
      var popup = D.entries[state[at]][fields.entry.popup];
      if (body.mapappHtml !== popup) setHtml(body, popup);
    } else {
      title.hidden = true;
      body.mapappHtml = -1;
      body.textContent = "";
    }
    writeHash();
  }

  function select(place) {
    view.place = place && placeIndex.has(place) ? place : null;
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
    view.compare = read.view.compare;
    view.rule = read.view.rule;
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
  compareInput.addEventListener("change", function () {
    var other = dayNumber(compareInput.value);
    view.compare = other >= first && other <= last ? other : null;
    render();
  });
  window.addEventListener("resize", function () { fitMap(); });
  ruleSelect.addEventListener("change", function () {
    view.rule = rules.indexOf(ruleSelect.value) >= 0 ? ruleSelect.value : "newest";
    render();
  });
  document.querySelectorAll("[data-lang]").forEach(function (button) {
    button.addEventListener("click", function () { setLang(button.dataset.lang); });
  });
  window.addEventListener("hashchange", fromHash);

  /* ---- added for issue 13: the map fills the first screen, compare, fronts, ground --- */

  /* the map takes the window's height below the controls (at least 300 px), so on a
   * laptop and on a phone the date control and the whole map are on the first screen */
  var fitted = false;

  function fitMap(force) {
    var el = byId("map");
    var top = el.getBoundingClientRect().top + window.scrollY;
    var wide = window.innerWidth > 760;
    var height = Math.max(300, Math.min(window.innerHeight - top - 8, wide ? 1100 : window.innerHeight));
    var twinBox = byId("map-compare");
    if (!wide && !twinBox.hidden) height = Math.max(240, Math.floor(height / 2) - 4);
    if (force === true || Math.abs(el.offsetHeight - height) > 1) {
      el.style.height = height + "px";
      twinBox.style.height = height + "px";
      if (!fitted) mapped.refit();
      else mapped.map.invalidateSize();
      if (twin) twin.map.invalidateSize();
    }
    fitted = true; // from now on the reader's view is kept
    if (wide) document.querySelector("aside").style.maxHeight = height + "px";
  }

  /* Compare, side by side: a second map of the compared day, moving with the first (on a
   * phone, below it). It is made the first time a compare day is chosen. */
  var twin = null;

  function showTwin() {
    var box = byId("map-compare");
    var on = view.compare !== null;
    if (box.hidden === !on && (!on || twin)) {
      if (on) twin.show({ day: view.compare, lang: view.lang, place: view.place });
      byId("compare-day").textContent = on ? isoDay(view.compare) : "";
      return;
    }
    box.hidden = !on;
    fitMap(true);
    mapped.refit(); // the map is half (or twice) as wide: show it all
    if (!on) return;
    if (!twin) {
      var holder = document.createElement("div");
      holder.className = "twin";
      holder.style.cssText = "position:absolute;inset:0";
      box.insertBefore(holder, box.firstChild);
      twin = MapappMap(holder, D, { renderer: renderer });
      var moving = false;
      var follow = function (from, to) {
        from.on("move", function () {
          if (moving) return;
          moving = true;
          to.setView(from.getCenter(), from.getZoom(), { animate: false });
          moving = false;
        });
      };
      follow(mapped.map, twin.map);
      follow(twin.map, mapped.map);
    }
    twin.map.invalidateSize();
    twin.map.setView(mapped.map.getCenter(), mapped.map.getZoom(), { animate: false });
    twin.show({ day: view.compare, lang: view.lang, place: view.place });
    byId("compare-day").textContent = isoDay(view.compare);
  }

  function showDiffers(differs) {
    var title = byId("differs-title"), list = byId("differs");
    var on = view.compare !== null;
    title.hidden = list.hidden = !on;
    list.textContent = "";
    if (!on) return;
    var T = D.text[view.lang];
    title.textContent = T.differs.replace("{day}", isoDay(view.compare));
    if (!differs.length) {
      var none = document.createElement("li");
      none.textContent = T.no_difference;
      list.appendChild(none);
    }
    differs.forEach(function (id) {
      var item = document.createElement("li");
      var button = document.createElement("a");
      button.href = "#";
      button.dataset.place = id;
      button.textContent = D.places[placeIndex.get(id)].name[view.lang];
      button.addEventListener("click", function (event) { event.preventDefault(); select(id); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function showFrontLegend(day) {
    var box = byId("front-legend");
    var k = -1;
    (D.fronts || []).forEach(function (f, i) { if (dayNumber(f.start) <= day) k = i; });
    if (box.dataset.shown !== String(k) + view.lang) {
      box.dataset.shown = String(k) + view.lang;
      if (k >= 0) setHtml(box, D.fronts[k].legend[view.lang]);
      else box.textContent = "";
    }
  }

  var AR_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
    "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"];
  var EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var SVG = "http://www.w3.org/2000/svg";
  var STATUS_OPACITY = { sole: 0.85, shared: 0.7, partial: 0.45, presence: 0.3 };

  function svg(tag, attributes, parent) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (k) { el.setAttribute(k, attributes[k]); });
    if (parent) parent.appendChild(el);
    return el;
  }

  /* The ground held by bloc as stacked steps over the slider's range (km² are constant
   * between change days), the day marked; a legend below. Text set as text only. */
  function groundChart(box, ground, day, lang) {
    if (!ground || !ground.rows.length) return;
    var key = lang + ":" + day;
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.textContent = "";
    var W = 900, H = 220, left = 44, right = 12, top = 10, bottom = 34;
    var root = svg("svg", { viewBox: "0 0 " + W + " " + (H + 24 * Math.ceil((ground.series.length + 1) / 3)), "aria-label": ground.title[lang] });
    box.appendChild(root);
    var rtl = lang === "ar";
    var x = function (d) {
      var f = (d - first) / Math.max(1, last - first);
      return rtl ? W - right - f * (W - left - right) : left + f * (W - left - right);
    };
    var rows = ground.rows.map(function (r) { return { day: dayNumber(r.date), values: r.values, noData: r.noData }; });
    var max = 0;
    rows.forEach(function (r) {
      max = Math.max(max, r.values.reduce(function (a, b) { return a + b; }, 0) + r.noData);
    });
    max = max || 1;
    var y = function (v) { return top + (H - top - bottom) * (1 - v / max); };
    var layers = ground.series.map(function (s, i) { return { s: s, i: i }; });
    var below = rows.map(function () { return 0; });
    layers.concat([{ s: null, i: -1 }]).forEach(function (layer) {
      var points = [], base = [];
      rows.forEach(function (r, n) {
        var x0 = x(Math.max(r.day, first)), x1 = x(n + 1 < rows.length ? rows[n + 1].day : last + 1);
        var v = layer.s ? r.values[layer.i] : r.noData;
        var lo = below[n], hi = lo + v;
        points.push([x0, y(hi)], [x1, y(hi)]);
        base.push([x0, y(lo)], [x1, y(lo)]);
        below[n] = hi;
      });
      var d = "M" + points.concat(base.reverse()).map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join("L") + "Z";
      svg("path", {
        d: d,
        fill: layer.s ? layer.s.colour : "#bdbdbd",
        "fill-opacity": layer.s ? (STATUS_OPACITY[layer.s.status] || 0.5) : 0.5,
        stroke: "#fff", "stroke-width": 0.5,
        class: "mapapp-ground-area",
      }, root);
    });
    // axes: km² on the side, months with their year below
    [0, max / 2, max].forEach(function (v) {
      var t = svg("text", { x: rtl ? W - right + 4 : left - 4, y: y(v) + 4, "text-anchor": rtl ? "start" : "end", fill: "#444" }, root);
      t.textContent = v.toFixed(1);
    });
    var start = new Date(first * 86400000), end = new Date(last * 86400000);
    var months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
    var every = Math.max(1, Math.ceil(months / 8));
    for (var m = 0; m <= months; m += every) {
      var when = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + m + 1, 1) / 86400000;
      if (when > last) break;
      var tick = new Date(when * 86400000);
      var label = (lang === "ar" ? AR_MONTHS : EN_MONTHS)[tick.getUTCMonth()] + " " + tick.getUTCFullYear();
      svg("line", { x1: x(when), x2: x(when), y1: H - bottom, y2: H - bottom + 5, stroke: "#666" }, root);
      var text = svg("text", { x: x(when), y: H - bottom + 18, "text-anchor": "middle", fill: "#444", class: "mapapp-ground-tick" }, root);
      text.textContent = label;
    }
    svg("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, stroke: "#666" }, root);
    var marker = svg("line", { x1: x(day), x2: x(day), y1: top - 4, y2: H - bottom, stroke: "#c0392b", "stroke-width": 2, class: "mapapp-ground-day" }, root);
    marker.setAttribute("data-day", isoDay(day));
    var dayText = svg("text", { x: x(day), y: top + 6, "text-anchor": x(day) > W / 2 ? "end" : "start", fill: "#c0392b", dx: x(day) > W / 2 ? -4 : 4 }, root);
    dayText.textContent = isoDay(day);
    // legend: a swatch and a name per series
    ground.series.concat([null]).forEach(function (s, i) {
      var col = i % 3, row = Math.floor(i / 3);
      var lx = rtl ? W - right - col * 290 - 14 : left + col * 290, ly = H + 6 + row * 22;
      svg("rect", { x: lx, y: ly, width: 14, height: 12, fill: s ? s.colour : "#bdbdbd", "fill-opacity": s ? (STATUS_OPACITY[s.status] || 0.5) : 0.5, stroke: "#333", "stroke-width": 0.5 }, root);
      var t = svg("text", { x: rtl ? lx - 6 : lx + 20, y: ly + 11, "text-anchor": rtl ? "end" : "start", fill: "#222", class: "mapapp-ground-legend" }, root);
      t.textContent = s ? s.name[lang] : ground.noData[lang];
    });
  }

  /* the map is sized (to the page's texts in the link's language) before it is drawn:
   * sizing it after drew every place twice */
  view.lang = readHash().view.lang;
  setTexts();
  fitMap();
  fromHash();
})();
