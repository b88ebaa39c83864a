// Unit tests of map.js's pure parts (node's built-in runner: node --test tests/js/).
// The drawing itself runs in Chromium (tests/browser/).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
require("../../mapapp/web/map.js"); // a classic script: it sets globalThis.MapappMap
const { dayNumber, isoDay, fieldsOf, frameIndex, polygons, FORMAT } = globalThis.MapappMap;

test("days are whole numbers since 1970-01-01, and back", () => {
  assert.equal(dayNumber("1970-01-01"), 0);
  assert.equal(dayNumber("2015-09-15"), 16693);
  assert.equal(isoDay(dayNumber("2016-02-29")), "2016-02-29");
  for (const bad of ["2015-02-29", "2015-13-01", "2015-9-15", "", null, 20150915, "2015-09-15x"]) {
    assert.ok(Number.isNaN(dayNumber(bad)), String(bad));
  }
});

test("the frame in force is the last that started on or before the day", () => {
  const starts = [10, 20, 30];
  assert.equal(frameIndex(starts, 5), 0);
  assert.equal(frameIndex(starts, 10), 0);
  assert.equal(frameIndex(starts, 19), 0);
  assert.equal(frameIndex(starts, 20), 1);
  assert.equal(frameIndex(starts, 31), 2);
  assert.equal(frameIndex([7], 100), 0);
});

const fields = {
  entry: ["fill", "outline", "popup", "tooltip", "stripes", "markers"],
  marker: ["lon", "lat", "style", "popup", "tooltip"],
  stripe: ["geometry", "style"],
};

test("columns are read by name from the bundle's fields", () => {
  const swapped = { ...fields, entry: ["outline", "fill", ...fields.entry.slice(2)] };
  const read = fieldsOf({ format: FORMAT, fields: swapped });
  assert.equal(read.entry.fill, 1);
  assert.equal(read.entry.outline, 0);
  assert.equal(read.marker.lat, 1);
  assert.equal(read.stripe.style, 1);
});

test("a bundle of another format, or lacking a column, is refused with a clear error", () => {
  assert.throws(() => fieldsOf({ format: "mapapp-export/1", fields }), /mapapp-export\/1.*reads mapapp-bundle\//);
  assert.throws(() => fieldsOf(null), /format undefined/);
  const lacking = { ...fields, marker: ["lon", "lat", "style", "popup"] };
  assert.throws(() => fieldsOf({ format: FORMAT, fields: lacking }), /marker rows lack the column tooltip/);
});

test("polygons of a geometry: polygon, multipolygon, collection", () => {
  const ring = [[[0, 0], [1, 0], [1, 1], [0, 0]]];
  assert.deepEqual(polygons({ type: "Polygon", coordinates: ring }), [ring]);
  assert.deepEqual(polygons({ type: "MultiPolygon", coordinates: [ring, ring] }), [ring, ring]);
  const collection = {
    type: "GeometryCollection",
    geometries: [{ type: "Polygon", coordinates: ring }, { type: "Point", coordinates: [0, 0] }],
  };
  assert.deepEqual(polygons(collection), [ring]);
});

// a document just big enough for loadChunkScript: appended scripts are kept, to be "run"
function fakeDocument() {
  const added = [];
  return {
    added,
    head: { appendChild: (el) => added.push(el) },
    createElement: (tag) => ({ tag, remove() { this.removed = true; } }),
  };
}

test("a chunk script's key is its file name without .js", () => {
  const { chunkKey } = globalThis.MapappMap;
  assert.equal(chunkKey("chunks/0123abcd.js"), "0123abcd");
  assert.equal(chunkKey("https://cdn.example.org/site/chunks/ff00.js?v=1#x"), "ff00");
});

test("a chunk script is added once, and its entries arrive when it runs", async () => {
  const { loadChunkScript } = globalThis.MapappMap;
  const doc = fakeDocument();
  const first = loadChunkScript("chunks/aa11.js", doc);
  const again = loadChunkScript("chunks/aa11.js", doc);
  assert.equal(first, again, "one load for the page, shared by every map");
  assert.equal(doc.added.length, 1);
  assert.equal(doc.added[0].src, "chunks/aa11.js");
  globalThis.__mapappChunk("bb22", ["not ours"]); // another chunk's call settles nothing here
  globalThis.__mapappChunk("aa11", ["<p>a</p>", "<p>b</p>"]);
  doc.added[0].onload();
  assert.deepEqual(await first, ["<p>a</p>", "<p>b</p>"]);
  assert.ok(doc.added[0].removed, "the tag goes once it has run");
});

test("a chunk that fails to load, or loads without its entries, rejects and is tried again", async () => {
  const { loadChunkScript } = globalThis.MapappMap;
  const doc = fakeDocument();
  const failed = loadChunkScript("chunks/cc33.js", doc);
  doc.added[0].onerror();
  await assert.rejects(failed, /could not load chunks\/cc33\.js/);
  const empty = loadChunkScript("chunks/cc33.js", doc);
  assert.equal(doc.added.length, 2, "a later opening tries again");
  doc.added[1].onload(); // ran, but never called __mapappChunk (another file at that name)
  await assert.rejects(empty, /did not hold its entries/);
  const third = loadChunkScript("chunks/cc33.js", doc);
  globalThis.__mapappChunk("cc33", ["<p>c</p>"]);
  doc.added[2].onload();
  assert.deepEqual(await third, ["<p>c</p>"]);
});
