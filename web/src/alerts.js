// Alerts (manoeuvres, proximity, fragmentation, overflights): the alert products the user may see, on a
// timeline and, where an alert carries a location, on the map.
import { contentJson, products } from "./api.js";
import { $, cell, el, show, timeline, utc } from "./ui.js";
import { EMPTY, overlay } from "./map.js";
import { setTime } from "./picture.js";

const MAX_PRODUCTS = 50;
let generation = 0;

// Alerts of one product's JSON content: a list of alerts, one alert, or {alerts: [...]}.
function alertsOf(content) {
  if (Array.isArray(content)) return content;
  if (content && Array.isArray(content.alerts)) return content.alerts;
  return content && typeof content === "object" ? [content] : [];
}

function timeOf(a) {
  for (const k of ["window_start", "time_utc", "epoch", "created", "detected_at", "time"]) {
    const t = Date.parse(a?.[k] ?? "");
    if (!Number.isNaN(t)) return t;
  }
  return NaN;
}

// A location in an alert's evidence (lat/lon in degrees under common names), or null.
function whereOf(a) {
  const ev = Object.assign({}, a?.evidence || {}, a || {});
  const lat = ev.lat_deg ?? ev.latitude_deg ?? ev.lat;
  const lon = ev.lon_deg ?? ev.longitude_deg ?? ev.lon;
  return typeof lat === "number" && typeof lon === "number" ? [lon, lat] : null;
}

export async function loadAlerts() {
  const gen = generation;
  const items = (await products("alert")).slice(0, MAX_PRODUCTS);
  const rows = [];
  for (const p of items) {
    try {
      const content = await contentJson(p.id);
      for (const a of alertsOf(content)) rows.push({ a, p, t: timeOf(a) });
    } catch (e) { /* a non-JSON alert product is listed under Products only */ }
  }
  if (gen !== generation) return;
  rows.sort((x, y) => (y.t || 0) - (x.t || 0));
  const body = $("alert-rows");
  body.replaceChildren();
  for (const { a, p, t } of rows) {
    const tr = el("tr", { tabindex: 0, class: "pick" });
    cell(tr, Number.isNaN(t) ? "–" : utc(t));
    cell(tr, a.kind ?? p.kind);
    cell(tr, a.severity ?? "");
    cell(tr, (a.norad_ids || [a.object]).filter((x) => x != null).join(", "));
    cell(tr, a.summary ?? p.title);
    const go = () => { if (!Number.isNaN(t)) setTime(t); };
    tr.addEventListener("click", go);
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
    body.append(tr);
  }
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 5, class: "hint", text: "No alert you may see." })));
  const timed = rows.filter((r) => !Number.isNaN(r.t));
  if (timed.length) {
    const t0 = Math.min(...timed.map((r) => r.t));
    const t1 = Math.max(...timed.map((r) => r.t));
    timeline($("alert-timeline"), t0 - 3600e3, t1 + 3600e3, timed.map((r) => ({ t: r.t,
      label: `${r.a.kind ?? ""} ${r.a.summary ?? r.p.title}`, cls: r.a.severity === "high" || r.a.severity === "critical" ? "hot" : "" })),
    (i) => setTime(timed[i].t));
  }
  const feats = rows.map((r) => [r, whereOf(r.a)]).filter(([, w]) => w).map(([r, w]) => ({ type: "Feature",
    properties: { summary: r.a.summary ?? "", severity: r.a.severity ?? "" }, geometry: { type: "Point", coordinates: w } }));
  overlay("alerts", { type: "FeatureCollection", features: feats }, [{ id: "alerts", type: "circle",
    paint: { "circle-radius": 6, "circle-color": "#ffb300", "circle-stroke-color": "#000", "circle-stroke-width": 1 } }]);
}

export function reset() {
  generation += 1;
  $("alert-rows").replaceChildren();
  $("alert-timeline").replaceChildren();
  overlay("alerts", EMPTY, []);
}

export { show };
