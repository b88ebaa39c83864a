/* The Streamlit page's map: a custom component (st.components.v2, see
 * mapapp/ui/map_component.py), this module loaded by the component's few-line loader. It
 * loads Leaflet, map.js and the data version's bundle. Streamlit calls the default export with
 * new `data` on every rerun, in the same element: the map is built once per bundle (the
 * geometry and popups, a static file fetched once and cached by the browser under its
 * content hash) and each later call only shows another day -- a few hundred bytes over
 * the websocket and a restyle of the places that changed.
 *
 * component.data = [data], data = {module, css, core: map.js, leaflet: [js, css],
 *         bundle: urls; day: "YYYY-MM-DD", lang, place, text: {...}}
 * or, where the app cannot serve static files, the same as text in
 * data.inline = {key, module, css, core, leaflet: [js, css] (if packaged), bundle: object}
 * (data.bundle is then "inline:<key>", naming the version).
 */
const scripts = new Map();
const styles = new Set();
const bundles = new Map();
const mounted = new WeakMap();

function loadScript(url) {
  if (!scripts.has(url)) {
    scripts.set(
      url,
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = () => {
          scripts.delete(url);
          reject(new Error("could not load " + url));
        };
        document.head.appendChild(script);
      }),
    );
  }
  return scripts.get(url);
}

function loadStyle(url) {
  if (styles.has(url)) return;
  styles.add(url);
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = url;
  document.head.appendChild(link);
}

/* inline mode: a script's text as an address (made once per text), a style's text as a
 * <style> element */
const made = new Map();

function textUrl(text) {
  if (!made.has(text)) made.set(text, URL.createObjectURL(new Blob([text], { type: "text/javascript" })));
  return made.get(text);
}

function addStyleText(text) {
  if (styles.has(text)) return;
  styles.add(text);
  const style = document.createElement("style");
  style.textContent = text;
  document.head.appendChild(style);
}

function loadBundle(url) {
  if (!bundles.has(url)) {
    const request = fetch(url).then((response) => {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    });
    request.catch(() => bundles.delete(url)); // a later rerun tries again
    bundles.set(url, request);
  }
  return bundles.get(url);
}

/* the change dates before / after `day`, or null */
function adjacent(changes, day, direction) {
  if (direction > 0) return changes.find((d) => d > day) ?? null;
  for (let i = changes.length - 1; i >= 0; i--) if (changes[i] < day) return changes[i];
  return null;
}

/* The map's own date controls: moving them repaints at once, then tells Python (the
 * sidebar, legend and tables follow on its rerun). A day Python sends that is not the echo
 * of one we sent (Play, a link) moves the controls. */
function attach(parentElement, state) {
  const $ = (name) => parentElement.querySelector(".mapapp-" + name);
  const slider = $("slider");
  // Python is told after the browser has painted the new day (the next frame, then a
  // task): a fast rerun's messages, handled before that frame, would hold the repaint back
  const send = (day, wait) => {
    clearTimeout(state.timer);
    cancelAnimationFrame(state.frame);
    state.frame = requestAnimationFrame(() => {
      state.timer = setTimeout(() => {
        const iso = window.MapappMap.isoDay(day);
        state.sent.push(iso);
        state.setStateValue("day", iso);
      }, wait);
    });
  };
  const pick = (day, wait) => {
    if (day === null || !state.map) return;
    state.day = day;
    paint(parentElement, state);
    send(day, wait);
  };
  slider.addEventListener("input", () => pick(state.first + Number(slider.value), 150));
  $("prev").addEventListener("click", () => pick(adjacent(state.changes, state.day, -1), 0));
  $("next").addEventListener("click", () => pick(adjacent(state.changes, state.day, 1), 0));
}

/* The page's charts mark the day shown from a hidden input they are bound to (a Vega
 * parameter bound to the element: see draw/chart.py day_marked). Their specs then stay the
 * same from day to day, so a change re-sends and re-draws no chart: only the marker moves. */
const CHART_DAY = "mapapp-chart-day";

function markCharts(iso) {
  let input = document.getElementById(CHART_DAY);
  if (!input) {
    input = document.createElement("input");
    input.id = CHART_DAY;
    input.type = "hidden";
    document.body.append(input);
  }
  if (input.value === iso) return;
  input.value = iso;
  // after the map's repaint has reached the screen: Vega redraws the charts on the event
  cancelAnimationFrame(markCharts.frame);
  markCharts.frame = requestAnimationFrame(() =>
    setTimeout(() => input.dispatchEvent(new Event("input")), 0),
  );
}

function paint(parentElement, state) {
  const $ = (name) => parentElement.querySelector(".mapapp-" + name);
  const text = state.latest.text;
  const iso = window.MapappMap.isoDay(state.day);
  const compare = state.latest.compare ? window.MapappMap.dayNumber(state.latest.compare) : null;
  const view = {
    day: state.day,
    lang: state.latest.lang,
    place: state.latest.place,
    compare,
    rule: state.latest.rule || "newest",
  };
  // another language's or rule's frames are a file of their own, fetched the first time
  const twin = compare !== null ? [{ lang: view.lang, rule: "newest" }] : [];
  const pending = state.map.ready([view, ...twin]);
  if (pending) {
    const wanted = (state.loading = {});
    pending.then(
      () => state.loading === wanted && paint(parentElement, state),
      (error) => {
        const note = parentElement.querySelector(".mapapp-notice");
        note.textContent = state.latest.text.map_failed + " (" + error.message + ")";
        note.hidden = false;
      },
    );
    return;
  }
  state.loading = null;
  state.map.show(view);
  const controls = $("controls");
  controls.dir = state.latest.lang === "ar" ? "rtl" : "ltr";
  $("date-label").textContent = text.date;
  $("day").textContent = iso;
  const slider = $("slider");
  slider.max = String(state.last - state.first);
  slider.value = String(state.day - state.first);
  slider.setAttribute("aria-label", text.date);
  slider.setAttribute("aria-valuetext", iso);
  $("prev").textContent = text.prev;
  $("next").textContent = text.next;
  $("prev").disabled = adjacent(state.changes, state.day, -1) === null;
  $("next").disabled = adjacent(state.changes, state.day, 1) === null;
  $("map").dataset.day = iso; // the day drawn (tests and benchmarks read it)
  markCharts(iso);
  fitHeight(parentElement, state);
  showTwin(parentElement, state);
}

/* the component's elements (words are filled in by paint, as text) */
function build(parentElement) {
  const make = (tag, name, attributes) => {
    const element = document.createElement(tag);
    element.className = "mapapp-" + name;
    Object.entries(attributes || {}).forEach(([key, value]) => element.setAttribute(key, value));
    return element;
  };
  const controls = make("div", "controls");
  const label = make("label", "date");
  label.append(make("span", "date-label"), " ", make("output", "day"));
  const buttons = make("div", "buttons");
  buttons.append(make("button", "prev", { type: "button" }), make("button", "next", { type: "button" }));
  controls.append(label, make("input", "slider", { type: "range", min: "0", max: "0", step: "1" }), buttons);
  const notice = make("p", "notice");
  notice.hidden = true;
  // the notice (tiles failed, map failed) between the controls and the map: in view
  const maps = make("div", "maps");
  const twin = make("div", "twin", { role: "region" });
  twin.hidden = true;
  maps.append(make("div", "map", { role: "region" }), twin);
  parentElement.append(controls, notice, maps);
}

/* Compare, side by side: a second map of the compared day beside the first (below it on a
 * phone), moving with it; made the first time a compare day is asked for. */
function showTwin(parentElement, state) {
  const box = parentElement.querySelector(".mapapp-twin");
  const dayNumber = window.MapappMap.dayNumber;
  const compare = state.latest.compare ? dayNumber(state.latest.compare) : null;
  const on = compare !== null;
  const changed = box.hidden === on;
  box.hidden = !on;
  if (changed) {
    fitHeight(parentElement, state, true);
    if (state.map) state.map.refit(); // the map is half (or twice) as wide: show it all
  }
  if (!on) return;
  if (!state.twin) {
    const holder = document.createElement("div");
    holder.style.cssText = "position:absolute;inset:0";
    const badge = document.createElement("p");
    badge.className = "mapapp-compare-day";
    box.append(holder, badge);
    state.twin = window.MapappMap(holder, state.bundle, { resolve: state.resolve });
    let moving = false;
    const follow = (from, to) =>
      from.on("move", () => {
        if (moving) return;
        moving = true;
        to.setView(from.getCenter(), from.getZoom(), { animate: false });
        moving = false;
      });
    follow(state.map.map, state.twin.map);
    follow(state.twin.map, state.map.map);
    state.twin.map.invalidateSize();
    state.twin.map.setView(state.map.map.getCenter(), state.map.map.getZoom(), { animate: false });
  }
  state.twin.show({ day: compare, lang: state.latest.lang, place: state.latest.place });
  box.querySelector(".mapapp-compare-day").textContent = state.latest.compare;
}

/* The map takes the window's height below its controls (300 px at least), so the date
 * control and the whole map are on the first screen, on a laptop as on a phone. */
function fitHeight(parentElement, state, force) {
  const el = parentElement.querySelector(".mapapp-map");
  const twin = parentElement.querySelector(".mapapp-twin");
  let scroller = el.parentElement;
  while (scroller && scroller !== document.body && scroller.scrollHeight <= scroller.clientHeight) {
    scroller = scroller.parentElement;
  }
  const scrolled = scroller && scroller !== document.body ? scroller.scrollTop : window.scrollY;
  const top = el.getBoundingClientRect().top + scrolled;
  let height = Math.max(300, Math.min(window.innerHeight - top - 12, 1100));
  if (window.innerWidth < 640 && twin && !twin.hidden) height = Math.max(240, Math.floor(height / 2) - 4);
  if (force || Math.abs(el.offsetHeight - height) > 1) {
    el.style.height = height + "px";
    if (twin) twin.style.height = height + "px";
    if (state.map && !state.fitted) state.map.refit();
    else if (state.map) state.map.map.invalidateSize();
    if (state.twin) state.twin.map.invalidateSize();
  }
  if (state.map) state.fitted = true; // from now on the reader's view is kept
}

export default function (component) {
  const { parentElement, setStateValue, setTriggerValue } = component;
  const data = component.data[0]; // the view, in a one-item list (see map_component.py)
  if (!parentElement.querySelector(".mapapp-map")) {
    build(parentElement);
    fitHeight(parentElement, {});
    window.addEventListener("resize", () => fitHeight(parentElement, mounted.get(parentElement) || {}));
  }
  const note = parentElement.querySelector(".mapapp-notice");
  let state = mounted.get(parentElement);
  if (!state) {
    state = { url: null, map: null, latest: null, sent: [], dataDay: null, timer: null };
    mounted.set(parentElement, state);
  }
  state.latest = data;
  state.setStateValue = setStateValue;
  const notice = (text) => {
    note.textContent = text;
    note.hidden = !text;
  };

  /* once per mount, after the first paint (or failure): the page then shows what it held
   * back so the map would draw first (its charts and table) */
  const drawn = () => {
    if (state.drawn || !setTriggerValue) return;
    state.drawn = true;
    setTriggerValue("drawn", true);
  };

  const inline = data.inline;
  let leafletJs = data.leaflet[0], core = data.core, bundle;
  if (inline) {
    if (inline.leaflet) {
      addStyleText(inline.leaflet[1]);
      leafletJs = textUrl(inline.leaflet[0]);
    } else loadStyle(data.leaflet[1]);
    addStyleText(inline.css);
    core = textUrl(inline.core);
    bundle = Promise.resolve(inline.bundle);
  } else {
    loadStyle(data.leaflet[1]);
    loadStyle(data.css);
    bundle = loadBundle(data.bundle); // downloads while the scripts load
  }
  Promise.all([loadScript(leafletJs).then(() => loadScript(core)), bundle])
    .then(([, bundle]) => {
      if (state.latest !== data) return; // a newer view is on its way
      const dayNumber = window.MapappMap.dayNumber;
      if (state.url !== data.bundle) {
        if (state.map) state.map.map.remove();
        else attach(parentElement, state);
        if (state.twin) {
          state.twin.map.remove();
          state.twin = null;
          parentElement.querySelector(".mapapp-twin").textContent = "";
        }
        const folder = inline ? null : new URL(data.bundle, document.baseURI);
        state.bundle = bundle;
        state.resolve = (name) => new URL(name, folder).href;
        state.map = window.MapappMap(parentElement.querySelector(".mapapp-map"), bundle, {
          onTileError: () => notice(state.latest.text.tiles_failed),
          resolve: state.resolve,
        });
        state.url = data.bundle;
        state.first = dayNumber(bundle.range.first);
        state.last = dayNumber(bundle.range.last);
        state.changes = bundle.changes.map(dayNumber);
        window.mapappMap = state.map.map; // for tests
      }
      if (data.day !== state.dataDay) {
        state.dataDay = data.day;
        const echo = state.sent.indexOf(data.day);
        if (echo >= 0) state.sent.splice(0, echo + 1);
        else {
          state.sent = [];
          state.day = dayNumber(data.day);
        }
      }
      paint(parentElement, state);
      drawn();
    })
    .catch((error) => {
      if (state.latest === data) notice(data.text.map_failed + " (" + error.message + ")");
      drawn();
    });

  return () => {
    clearTimeout(state.timer);
    if (state.map) state.map.map.remove();
    if (state.twin) state.twin.map.remove();
    mounted.delete(parentElement);
  };
}
