/* The static map: draws window.MAPAPP_DATA (written by mapapp/web/export.py) with Leaflet.
 *
 * HTML reaches the page only from the bundle's `html` table -- popups, tooltips and the
 * legend, escaped by mapapp.draw.popups when the site was exported -- and is inserted as it is;
 * every other string (names, dates, the page's words) is set as textContent. The view lives
 * in the address: #date=YYYY-MM-DD&place=<id>&lang=en|ar; a bad value falls back to the
 * default and is named, never shown.
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
    } catch {
      window.location.replace(hash); // history refused (a file: page in some browsers)
    }
  }

  /* ---- the map (map.js) ------------------------------------------------------------ */

  var mapped = MapappMap(byId("map"), D, {
    onSelect: function (place) { select(place); },
    onTileError: function () { notice(D.text[view.lang].tiles_failed); },
  });
  window.mapappMap = mapped.map; // for tests and for pages that embed the map
  var shown = { legend: -1 };

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
    var drawn = mapped.show(view);
    var frame = drawn.frame, state = drawn.state;
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
      body.innerHTML = D.html[D.entries[state[at]][fields.entry.popup]];
    } else {
      title.hidden = true;
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
