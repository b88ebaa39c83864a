/* The Streamlit page's map: a custom component (st.components.v2, see
 * mapapp/map_component.py) appended to map.js. Streamlit calls the default export with
 * new `data` on every rerun, in the same element: the map is built once per bundle (the
 * geometry and popups, a static file fetched once and cached by the browser under its
 * content hash) and each later call only shows another day -- a few hundred bytes over
 * the websocket and a restyle of the places that changed.
 *
 * data = {leaflet: [js, css], bundle: url, day: "YYYY-MM-DD", lang, place, text: {...}}
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

export default function (component) {
  const { data, parentElement } = component;
  const box = parentElement.querySelector(".mapapp-map");
  const note = parentElement.querySelector(".mapapp-notice");
  let state = mounted.get(parentElement);
  if (!state) {
    state = { url: null, map: null, latest: null };
    mounted.set(parentElement, state);
  }
  state.latest = data;
  const notice = (text) => {
    note.textContent = text;
    note.hidden = !text;
  };

  loadStyle(data.leaflet[1]);
  loadScript(data.leaflet[0])
    .then(() => loadBundle(data.bundle))
    .then((bundle) => {
      if (state.latest !== data) return; // a newer view is on its way
      if (state.url !== data.bundle) {
        if (state.map) state.map.map.remove();
        state.map = window.MapappMap(box, bundle, {
          onTileError: () => notice(state.latest.text.tiles_failed),
        });
        state.url = data.bundle;
        window.mapappMap = state.map.map; // for tests
      }
      state.map.show({
        day: window.MapappMap.dayNumber(data.day),
        lang: data.lang,
        place: data.place,
      });
      box.dataset.day = data.day; // the day drawn (tests and benchmarks read it)
    })
    .catch((error) => {
      if (state.latest === data) notice(data.text.failed + " (" + error.message + ")");
    });

  return () => {
    if (state.map) state.map.map.remove();
    mounted.delete(parentElement);
  };
}
