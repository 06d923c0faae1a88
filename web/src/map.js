// The map: MapLibre GL JS with a Natural Earth basemap (world-atlas, bundled) and a globe/mercator switch.
import * as maplibregl from "maplibre-gl";
import { feature, mesh } from "topojson-client";

export let map = null;
const ready = [];

const STYLE = {
  version: 8,
  projection: { type: "mercator" },
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#0b1a2a" } }],
};

// Create the map in `container`; resolves once the basemap is drawn.
export async function createMap(container) {
  maplibregl.setWorkerUrl("/web/vendor/maplibre-gl-worker.mjs");
  map = new maplibregl.Map({
    container, style: STYLE, center: [15, 30], zoom: 1.2, attributionControl: false,
    renderWorldCopies: false, maxPitch: 0, fadeDuration: 0,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: true }), "top-right");
  map.addControl(new maplibregl.GlobeControl(), "top-right");
  map.addControl(new maplibregl.AttributionControl({ compact: true,
    customAttribution: "Natural Earth (public domain) via world-atlas" }), "bottom-right");
  const [topo] = await Promise.all([
    fetch("/web/vendor/countries-110m.json").then((r) => r.json()),
    new Promise((resolve) => map.once("load", resolve)),
  ]);
  map.addSource("countries", { type: "geojson", data: unwrapRings(feature(topo, topo.objects.countries)) });
  map.addSource("borders", { type: "geojson", data: mesh(topo, topo.objects.countries, (a, b) => a !== b) });
  map.addLayer({ id: "land", type: "fill", source: "countries", paint: { "fill-color": "#1f3a52" } });
  map.addLayer({ id: "borders", type: "line", source: "borders", paint: { "line-color": "#46709a", "line-width": 0.6 } });
  for (const f of ready.splice(0)) f(map);
  return map;
}

// Rings that cross the antimeridian (Fiji, Chukotka) would be filled across the whole map: continue their
// longitudes past ±180 instead. A ring that goes once around the pole (Antarctica) is left as it is.
function unwrapRings(fc) {
  const fix = (ring) => {
    const out = [ring[0].slice()];
    for (let i = 1; i < ring.length; i++) {
      let lon = ring[i][0];
      const prev = out[i - 1][0];
      while (lon - prev > 180) lon -= 360;
      while (lon - prev < -180) lon += 360;
      out.push([lon, ring[i][1]]);
    }
    return Math.abs(out[out.length - 1][0] - out[0][0]) < 1e-6 ? out : ring;
  };
  for (const f of fc.features) {
    const g = f.geometry;
    if (!g) continue;
    if (g.type === "Polygon") g.coordinates = g.coordinates.map(fix);
    if (g.type === "MultiPolygon") g.coordinates = g.coordinates.map((p) => p.map(fix));
  }
  return fc;
}

export function whenReady(f) {
  if (map && map.getLayer("borders")) f(map); else ready.push(f);
}

// Split a line at the antimeridian so it is not drawn across the whole map.
export function splitLine(lons, lats) {
  const lines = [];
  let cur = [];
  for (let i = 0; i < lons.length; i++) {
    if (lons[i] === null || lats[i] === null) { if (cur.length > 1) lines.push(cur); cur = []; continue; }
    if (cur.length && Math.abs(lons[i] - cur[cur.length - 1][0]) > 180) {
      if (cur.length > 1) lines.push(cur);
      cur = [];
    }
    cur.push([lons[i], lats[i]]);
  }
  if (cur.length > 1) lines.push(cur);
  return { type: "Feature", properties: {}, geometry: { type: "MultiLineString", coordinates: lines } };
}

// Put a GeoJSON overlay (source + layers) on the map, replacing an earlier one of the same id.
export function overlay(id, data, layers) {
  whenReady((m) => {
    const src = m.getSource(id);
    if (src) src.setData(data);
    else m.addSource(id, { type: "geojson", data });
    for (const layer of layers) if (!m.getLayer(layer.id)) m.addLayer(Object.assign({ source: id }, layer));
  });
}

export function removeOverlay(id) {
  if (!map) return;
  for (const layer of map.getStyle()?.layers || []) if (layer.source === id) map.removeLayer(layer.id);
  if (map.getSource(id)) map.removeSource(id);
}

export const EMPTY = { type: "FeatureCollection", features: [] };
export { maplibregl };
