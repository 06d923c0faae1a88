// GeoJSON layers: products of the EO, SATCOM and PNT kinds whose JSON content is, or holds under "geojson",
// a FeatureCollection (a single Feature, e.g. a STAC item, is shown too); colour by a numeric property.
// Imaging opportunities also carry their AOIs (outlined) and each AOI's persistence figures (a table).
import { contentJson, products } from "./api.js";
import { $, cell, el, fmt, show } from "./ui.js";
import { map, maplibregl, removeOverlay, overlay } from "./map.js";

export const LAYER_KINDS = ["imaging_opportunities", "collection_plan", "stac_item", "satcom_evaluation", "pnt_evaluation"];
let shown = new Map();
let generation = 0;

export function featureCollection(content) {
  const c = content && typeof content === "object" && content.geojson ? content.geojson : content;
  if (c?.type === "FeatureCollection" && Array.isArray(c.features)) return c;
  if (c?.type === "Feature") return { type: "FeatureCollection", features: [c] };
  return null;
}

function numericProps(fc) {
  const props = new Set();
  for (const f of fc.features.slice(0, 500)) {
    for (const [k, v] of Object.entries(f.properties || {})) if (typeof v === "number" && Number.isFinite(v)) props.add(k);
  }
  return [...props].sort();
}

function paintFor(fc, prop) {
  if (!prop) return "#80cbc4";
  const vals = fc.features.map((f) => f.properties?.[prop]).filter((v) => typeof v === "number" && Number.isFinite(v));
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  if (!vals.length || lo === hi) return "#80cbc4";
  return ["interpolate", ["linear"], ["to-number", ["get", prop], lo], lo, "#2c7bb6", (lo + hi) / 2, "#ffffbf", hi, "#d7191c"];
}

function addLayer(id, fc, prop) {
  removeOverlay(id);
  const color = paintFor(fc, prop);
  overlay(id, fc, [
    { id: id + "-fill", type: "fill", filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": color, "fill-opacity": 0.35 } },
    { id: id + "-line", type: "line", filter: ["!=", ["geometry-type"], "Point"],
      paint: { "line-color": color, "line-width": 1.5 } },
    { id: id + "-point", type: "circle", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": 5, "circle-color": color, "circle-stroke-color": "#000", "circle-stroke-width": 0.5 } },
  ]);
  for (const suffix of ["-fill", "-point"]) {
    map?.on("click", id + suffix, (e) => {
      const f = e.features?.[0];
      if (!f) return;
      const dl = el("dl", { class: "popup" });
      for (const [k, v] of Object.entries(f.properties || {}).slice(0, 20)) {
        dl.append(el("dt", { text: k }), el("dd", { text: typeof v === "object" ? JSON.stringify(v) : String(v) }));
      }
      new maplibregl.Popup({ maxWidth: "320px" }).setLngLat(e.lngLat).setDOMContent(dl).addTo(map);
    });
  }
}

// [[west, south], [east, north]] of every coordinate of a FeatureCollection (deg), or null when it has none.
function boundsOf(fc) {
  let w = 180, s = 90, e = -180, n = -90;
  const visit = (c) => {
    if (typeof c[0] === "number") {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  for (const f of fc.features) if (f?.geometry?.coordinates) visit(f.geometry.coordinates);
  return w <= e && s <= n ? [[w, s], [e, n]] : null;
}

// Bring a newly shown layer into view (no closer than zoom 7, so that a point site keeps its context).
function fitTo(fc) {
  const b = boundsOf(fc);
  if (b && map) map.fitBounds(b, { padding: 40, maxZoom: 7, duration: 0 });
}

// AOI outlines and the persistence table of an imaging-opportunities product (nothing for other products).
function addAois(oid, content, box) {
  const aois = featureCollection(content?.properties?.aois);
  if (aois) {
    overlay(oid + "-aoi", aois, [
      { id: oid + "-aoi-line", type: "line", filter: ["!=", ["geometry-type"], "Point"],
        paint: { "line-color": "#ffffff", "line-width": 2, "line-dasharray": [2, 1] } },
      { id: oid + "-aoi-point", type: "circle", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 7, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } },
    ]);
  }
  const rows = content?.properties?.persistence;
  if (!Array.isArray(rows) || !rows.length) return;
  const h = (v) => (v == null ? "–" : fmt(v, 1));
  const table = el("table", { class: "grid persistence" }, el("caption", { text: "Persistence per AOI (hours)" }),
    el("thead", {}, el("tr", {}, ...["AOI", "Accesses / day", "Mean gap", "Longest gap", "Longest wait", "First access",
      "Area seen"].map((t) => el("th", { text: t })))));
  const names = new Map((aois?.features || []).map((f) => [String(f.properties?.aoi), f.properties?.name]));
  const body = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    const name = names.get(String(r.aoi));
    cell(tr, name && name !== String(r.aoi) ? `${name} (${r.aoi})` : r.aoi);
    cell(tr, fmt(r.accesses_per_day, 2));
    cell(tr, h(r.mean_gap_h));
    cell(tr, h(r.max_gap_h));
    cell(tr, h(r.max_wait_h));
    cell(tr, h(r.first_access_h));
    cell(tr, r.coverage_fraction == null ? "point" : `${fmt(100 * r.coverage_fraction, 1)} %`);
    body.append(tr);
  }
  table.append(body);
  box.replaceChildren(table);
}

export async function loadLayers() {
  const gen = generation;
  const items = (await products()).filter((p) => LAYER_KINDS.includes(p.kind));
  if (gen !== generation) return;
  const ul = $("layer-list");
  ul.replaceChildren();
  if (!items.length) ul.append(el("li", { class: "hint", text: "No EO, SATCOM or PNT product you may see yet." }));
  items.forEach((p, i) => {
    const id = "layer-" + i;
    const box = el("input", { type: "checkbox", id });
    const colour = el("select", { id: id + "-colour", hidden: true }, el("option", { value: "", text: "single colour" }));
    const note = el("span", { class: "hint" });
    const extra = el("div");
    const li = el("li", {}, box, el("label", { for: id, text: ` ${p.title} (${p.kind}, ${p.originator})` }),
      el("label", { for: id + "-colour", class: "sr", text: "Colour by" }), colour, note, extra);
    box.addEventListener("change", async () => {
      const oid = "geo-" + p.id;
      if (!box.checked) {
        removeOverlay(oid);
        removeOverlay(oid + "-aoi");
        shown.delete(oid);
        colour.hidden = true;
        extra.replaceChildren();
        return;
      }
      try {
        const content = await contentJson(p.id);
        const fc = featureCollection(content);
        if (!fc) { note.textContent = " – holds no GeoJSON FeatureCollection"; box.checked = false; return; }
        colour.replaceChildren(el("option", { value: "", text: "single colour" }),
          ...numericProps(fc).map((k) => el("option", { value: k, text: "colour by " + k })));
        colour.hidden = false;
        shown.set(oid, fc);
        note.textContent = ` – ${fc.features.length} features`;
        addLayer(oid, fc, "");
        addAois(oid, content, extra);
        fitTo(fc);
      } catch (e) { box.checked = false; show(e); }
    });
    colour.addEventListener("change", () => {
      const oid = "geo-" + p.id;
      if (shown.has(oid)) addLayer(oid, shown.get(oid), colour.value);
    });
    ul.append(li);
  });
}

export function reset() {
  generation += 1;
  for (const oid of shown.keys()) { removeOverlay(oid); removeOverlay(oid + "-aoi"); }
  shown = new Map();
  $("layer-list").replaceChildren();
}
