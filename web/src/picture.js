// The picture: catalog objects as points over time (typed arrays from /catalog/{id}/positions), filters,
// search, the selected object's ground track and element-set age, and the time slider with animation.
import { api, getJson, products, session, WITHHELD } from "./api.js";
import { $, cell, el, facts, fmt, show, utc } from "./ui.js";
import { EMPTY, map, overlay, splitLine, whenReady } from "./map.js";
import { PointLayer } from "./points.js";

export const REGIMES = { LEO: [79, 195, 247], MEO: [255, 213, 79], GEO: [239, 83, 80], HEO: [186, 104, 200] };
export const TYPES = ["PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN"];
const STEPS = 31;
const STEP_S = 120;
const WINDOW_MS = (STEPS - 1) * STEP_S * 1000;
const SPAN_S = 86400;

function fresh() {
  return {
    catalogs: [],      // {id, title, originator, objects (columns), offset}
    count: 0,          // objects over all shown catalogs
    originMs: 0,       // slider origin (UTC ms)
    tMs: 0,            // current time
    window: null,      // {startMs, data Float32Array (steps*count*3)}
    loading: null,     // window start being fetched
    selected: -1,
    playing: false,
    lastFrame: 0,
    generation: 0,     // bumps on reset, so answers of an earlier session are dropped
    trackAt: 0,
  };
}
export let pic = fresh();
export const layer = new PointLayer();
const listeners = [];

export function onTime(f) { listeners.push(f); }

// Catalog products the user may receive, as checkboxes.
export async function loadCatalogList() {
  const list = $("catalog-list");
  const items = await products("catalog");
  list.replaceChildren();
  if (!items.length) list.append(el("p", { class: "hint", text: "No catalog is releasable to you yet." }));
  items.forEach((p, i) => {
    const id = "cat-" + i;
    const box = el("input", { type: "checkbox", id, value: p.id, checked: i < 4 });
    list.append(el("div", {}, box, el("label", { for: id,
      text: `${p.title} (${p.originator}${p.meta?.objects ? ", " + p.meta.objects + " objects" : ""})` })));
  });
}

// Show the checked catalogs: fetch their objects, draw one instant at once, then the whole window.
export async function showCatalogs(ids) {
  const gen = pic.generation;
  const all = await Promise.all(ids.map((id) => getJson(`/catalog/${encodeURIComponent(id)}/objects`)));
  if (gen !== pic.generation) return;
  let offset = 0;
  pic.catalogs = all.map((objects, i) => {
    const c = { id: ids[i], originator: objects.originator, objects, offset };
    offset += objects.count;
    return c;
  });
  pic.count = offset;
  pic.window = null;
  pic.selected = -1;
  layer.selected = -1;
  buildPartnerFilter();
  buildOwnerFilter();
  const start = pic.catalogs.length ? Date.parse(pic.catalogs[0].objects.default_start_utc) : Date.now();
  pic.originMs = start - 3600e3;
  pic.tMs = start;
  applyFilters();
  await ensureWindow(true, 1);  // the first view: one instant, small and quick
  setTime(start);
  ensureWindow(true);
}

function buildPartnerFilter() {
  const box = $("filter-partner");
  box.querySelectorAll("div").forEach((d) => d.remove());
  const partners = [...new Set(pic.catalogs.map((c) => c.originator))];
  partners.forEach((p, i) => {
    const id = "fp-" + i;
    box.append(el("div", {}, el("input", { type: "checkbox", id, value: p, checked: true }),
      el("label", { for: id, text: p })));
  });
}

// Owners (SATCAT codes) of the shown objects, most objects first; none selected shows every owner.
function buildOwnerFilter() {
  const sel = $("filter-owner");
  const counts = new Map();
  const names = {};
  for (const c of pic.catalogs) {
    Object.assign(names, c.objects.owner_names);
    for (const code of c.objects.owner) counts.set(code, (counts.get(code) || 0) + 1);
  }
  sel.replaceChildren();
  [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).forEach(([code, n]) => {
    const text = code ? `${code} – ${names[code] || code} (${n.toLocaleString("en")})`
      : `owner unknown (${n.toLocaleString("en")})`;
    sel.append(el("option", { value: code, text }));
  });
  const sources = [...new Set(pic.catalogs.map((c) => c.objects.owner_source))];
  $("owner-hint").textContent = !pic.catalogs.length ? ""
    : sources.includes(null) ? "Owners unknown: the hub has no SATCAT (ORBITSHARE_SATCAT or serve --satcat)."
      : `Owners from ${sources.join(", ")}. None selected: every owner.`;
}

export function buildStaticFilters() {
  const reg = $("filter-regime");
  const typ = $("filter-type");
  Object.entries(REGIMES).forEach(([r, c], i) => {
    const id = "fr-" + i;
    reg.append(el("div", {}, el("input", { type: "checkbox", id, value: r, checked: true }),
      el("label", { for: id }, el("span", { class: "swatch", style: `background: rgb(${c.join(",")})` }), r)));
  });
  TYPES.forEach((t, i) => {
    const id = "ft-" + i;
    typ.append(el("div", {}, el("input", { type: "checkbox", id, value: t, checked: true }),
      el("label", { for: id, text: t.toLowerCase() })));
  });
  for (const f of ["filter-regime", "filter-type", "filter-partner", "filter-owner"]) {
    $(f).addEventListener("change", applyFilters);
  }
}

const checked = (id) => new Set([...$(id).querySelectorAll("input:checked")].map((e) => e.value));

// Colours by regime; alpha 0 for objects the filters hide.
export function applyFilters() {
  const regimes = checked("filter-regime");
  const types = checked("filter-type");
  const partners = checked("filter-partner");
  const owners = new Set([...$("filter-owner").selectedOptions].map((e) => e.value));
  const rgba = new Uint8Array(pic.count * 4);
  let shown = 0;
  for (const c of pic.catalogs) {
    const o = c.objects;
    const partnerOn = partners.has(c.originator);
    for (let j = 0; j < o.count; j++) {
      const k = (c.offset + j) * 4;
      const col = REGIMES[o.regime[j]] || [200, 200, 200];
      const on = partnerOn && regimes.has(o.regime[j]) && types.has(o.object_type[j]) && o.usable[j] &&
        (owners.size === 0 || owners.has(o.owner[j]));
      rgba[k] = col[0]; rgba[k + 1] = col[1]; rgba[k + 2] = col[2];
      rgba[k + 3] = on ? (o.object_type[j] === "DEBRIS" ? 170 : 235) : 0;
      if (on) shown++;
    }
  }
  pic.colors = rgba;
  layer.setColors(rgba);
  $("object-count").textContent = pic.count ? `${shown.toLocaleString("en")} of ${pic.count.toLocaleString("en")} objects shown` : "";
}

// Make sure positions for the current time are on the GPU (fetching the window of `steps` that holds it;
// one step draws the current instant only, for a quick first view).
export async function ensureWindow(force = false, steps = STEPS) {
  if (!pic.catalogs.length) return;
  const w = pic.window;
  if (!force && w && w.steps === STEPS && pic.tMs >= w.startMs && pic.tMs < w.startMs + WINDOW_MS) return;
  const startMs = steps === 1 ? pic.tMs
    : pic.originMs + Math.floor((pic.tMs - pic.originMs) / WINDOW_MS) * WINDOW_MS;
  const key = `${startMs}/${steps}`;
  if (pic.loading === key) return;
  pic.loading = key;
  const gen = pic.generation;
  const t = new Date(startMs).toISOString();
  try {
    const parts = await Promise.all(pic.catalogs.map(async (c) => {
      const r = await api(`/catalog/${encodeURIComponent(c.id)}/positions?t=${encodeURIComponent(t)}` +
        `&steps=${steps}&step_s=${STEP_S}`);
      return new Float32Array(await r.arrayBuffer());
    }));
    if (gen !== pic.generation) return;
    if (pic.window && pic.window.steps > steps && pic.tMs >= pic.window.startMs &&
        pic.tMs < pic.window.startMs + WINDOW_MS) return;  // a full window arrived first
    const data = new Float32Array(steps * pic.count * 3);
    pic.catalogs.forEach((c, i) => {
      const n = c.objects.count;
      for (let s = 0; s < steps; s++) {
        data.set(parts[i].subarray(s * n * 3, (s + 1) * n * 3), (s * pic.count + c.offset) * 3);
      }
    });
    pic.window = { startMs, data, steps };
    layer.setPositions(data, steps, pic.count);
    updateLayerTime();
    whenReady((m) => { if (!m.getLayer(layer.id)) m.addLayer(layer); });
  } catch (e) {
    show(e.status === 404 ? "Catalog " + WITHHELD : e);
  } finally {
    if (pic.loading === key) pic.loading = null;
  }
}

function updateLayerTime() {
  const w = pic.window;
  if (!w) return;
  const x = (pic.tMs - w.startMs) / (STEP_S * 1000);
  const step = Math.floor(x);
  layer.setTime(step, x - step);
}

// Move the clock to `ms` (re-centring the slider when it falls outside) and redraw.
export function setTime(ms) {
  if (ms < pic.originMs || ms > pic.originMs + SPAN_S * 1000) pic.originMs = ms - 3600e3;
  pic.tMs = ms;
  const slider = $("time-slider");
  slider.disabled = false;
  slider.value = String(Math.round((ms - pic.originMs) / 1000));
  $("time-label").textContent = utc(ms);
  slider.setAttribute("aria-valuetext", utc(ms));
  updateLayerTime();
  ensureWindow();
  if (pic.selected >= 0) showObject(pic.selected, false);
  for (const f of listeners) f(ms);
}

// Current lon, lat, height of object k (interpolated), or null.
export function positionOf(k) {
  const w = pic.window;
  if (!w) return null;
  const x = Math.max(0, (pic.tMs - w.startMs) / (STEP_S * 1000));
  const s = Math.min(Math.floor(x), w.steps - 1);
  const s1 = Math.min(s + 1, w.steps - 1);
  const f = s1 === s ? 0 : x - s;
  const a = (s * pic.count + k) * 3;
  const b = (s1 * pic.count + k) * 3;
  const d = w.data;
  if (Number.isNaN(d[a])) return null;
  let dl = d[b] - d[a];
  if (dl > 180) dl -= 360;
  if (dl < -180) dl += 360;
  let lon = d[a] + dl * f;
  if (lon > 180) lon -= 360;
  if (lon < -180) lon += 360;
  return [lon, d[a + 1] + (d[b + 1] - d[a + 1]) * f, d[a + 2] + (d[b + 2] - d[a + 2]) * f];
}

function locate(k) {
  for (const c of pic.catalogs) if (k >= c.offset && k < c.offset + c.objects.count) return [c, k - c.offset];
  return [null, -1];
}

// Objects whose name or NORAD id matches `text` (first 20).
export function search(text) {
  const q = text.trim().toUpperCase();
  const out = [];
  if (!q) return out;
  for (const c of pic.catalogs) {
    const o = c.objects;
    for (let j = 0; j < o.count && out.length < 20; j++) {
      if (String(o.norad_id[j]) === q || o.name[j].toUpperCase().includes(q)) out.push(c.offset + j);
    }
  }
  return out;
}

export function renderSearch() {
  const ul = $("search-results");
  ul.replaceChildren();
  const text = $("object-search").value;
  for (const k of search(text)) {
    const [c, j] = locate(k);
    ul.append(el("li", {}, el("button", { type: "button", class: "link",
      text: `${c.objects.name[j]} (${c.objects.norad_id[j]})`, onclick: () => select(k) })));
  }
  if (text.trim() && !ul.children.length) ul.append(el("li", { class: "hint", text: "No object matches." }));
}

// Select object k: details, ground track, highlight.
export function select(k, fly = true) {
  pic.selected = k;
  layer.selected = k;
  map?.triggerRepaint();
  showObject(k, true);
  const p = positionOf(k);
  if (fly && p && map) map.easeTo({ center: [p[0], p[1]], duration: 500 });
}

function showObject(k, fetchTrack) {
  const [c, j] = locate(k);
  if (!c) return;
  const o = c.objects;
  const p = positionOf(k);
  const ageDays = (pic.tMs - Date.parse(o.epoch_utc[j])) / 86400e3;
  $("object-detail").hidden = false;
  $("object-title").textContent = `${o.name[j]} (NORAD ${o.norad_id[j]})`;
  facts($("object-facts"), [
    ["International designator", o.intl_des[j]], ["Type", o.object_type[j]], ["Regime", o.regime[j]],
    ["Owner", o.owner[j] ? `${o.owner[j]} – ${o.owner_names[o.owner[j]] || o.owner[j]}` : "unknown"],
    ["Catalog", `${c.id} (${c.originator})`], ["Element-set epoch", o.epoch_utc[j]],
    ["Element-set age", `${fmt(ageDays, 2)} days at ${utc(pic.tMs)}`],
    ["Perigee × apogee", `${o.perigee_km[j]} × ${o.apogee_km[j]} km`],
    ["Period", `${o.period_min[j]} min`], ["Inclination", `${o.incl_deg[j]}°`],
    ["Position", p ? `${fmt(p[1], 3)}° lat, ${fmt(p[0], 3)}° lon, ${fmt(p[2], 1)} km` : "not propagable (SGP4 error)"],
  ]);
  if (fetchTrack) renderHistory(o.norad_id[j]);
  if (fetchTrack || Math.abs(pic.tMs - pic.trackAt) > 1800e3) loadTrack(c, j);
}

// The object's element sets in every shown catalog, oldest first, with the change of period and inclination.
function renderHistory(noradId) {
  const sets = [];
  for (const c of pic.catalogs) {
    const o = c.objects;
    const j = o.norad_id.indexOf(noradId);
    if (j >= 0) sets.push({ c, j, t: Date.parse(o.epoch_utc[j]) });
  }
  sets.sort((a, b) => a.t - b.t);
  const body = $("history-rows");
  body.replaceChildren();
  let prev = null;
  for (const { c, j } of sets) {
    const o = c.objects;
    const tr = el("tr");
    cell(tr, o.epoch_utc[j].replace("T", " ").slice(0, 19));
    cell(tr, `${c.id} (${c.originator})`);
    cell(tr, `${o.perigee_km[j]} × ${o.apogee_km[j]}`);
    cell(tr, prev ? `${o.period_min[j]} (${fmt(o.period_min[j] - prev.period_min[prev.j], 3)})` : `${o.period_min[j]}`);
    cell(tr, prev ? `${o.incl_deg[j]} (${fmt(o.incl_deg[j] - prev.incl_deg[prev.j], 3)})` : `${o.incl_deg[j]}`);
    body.append(tr);
    prev = Object.assign({ j }, o);
  }
}

async function loadTrack(c, j) {
  pic.trackAt = pic.tMs;
  const gen = pic.generation;
  const period = Math.min(Math.max(c.objects.period_min[j] || 100, 10), 1440);
  const t = new Date(pic.tMs).toISOString();
  try {
    const tr = await getJson(`/catalog/${encodeURIComponent(c.id)}/track?norad_id=${c.objects.norad_id[j]}` +
      `&t=${encodeURIComponent(t)}&minutes=${period.toFixed(1)}&before_minutes=${(period / 2).toFixed(1)}` +
      `&step_s=${Math.max(10, Math.round(period * 60 / 400))}`);
    if (gen !== pic.generation) return;
    overlay("track", splitLine(tr.lon_deg, tr.lat_deg), [
      { id: "track", type: "line", paint: { "line-color": "#ffffff", "line-width": 1.5, "line-opacity": 0.8 } }]);
  } catch (e) { show(e); }
}

// Nearest shown object within `px` pixels of a screen point, or -1.
export function pick(point, px = 8) {
  if (!pic.window || !map) return -1;
  let best = -1;
  let bestD = px * px;
  for (let k = 0; k < pic.count; k++) {
    if (!pic.colors || pic.colors[k * 4 + 3] === 0) continue;
    const p = positionOf(k);
    if (!p) continue;
    const s = map.project([p[0], p[1]]);
    const d = (s.x - point.x) ** 2 + (s.y - point.y) ** 2;
    if (d < bestD) { bestD = d; best = k; }
  }
  return best;
}

export function togglePlay(force) {
  pic.playing = force !== undefined ? force : !pic.playing;
  $("play").textContent = pic.playing ? "Pause" : "Play";
  $("play").setAttribute("aria-pressed", String(pic.playing));
  pic.lastFrame = performance.now();
  if (pic.playing) requestAnimationFrame(frame);
}

function frame(now) {
  if (!pic.playing) return;
  const speed = Number($("speed").value);
  const dt = Math.min(now - pic.lastFrame, 250);
  pic.lastFrame = now;
  const next = pic.tMs + dt * speed;
  if (next > pic.originMs + SPAN_S * 1000) pic.originMs = next - 3600e3;
  setTime(next);
  requestAnimationFrame(frame);
}

export function reset() {
  pic = Object.assign(fresh(), { generation: pic.generation + 1 });
  layer.selected = -1;
  layer.count = 0;
  layer.steps = 0;
  if (map && map.getLayer(layer.id)) map.removeLayer(layer.id);
  overlay("track", EMPTY, []);
  $("catalog-list").replaceChildren();
  $("object-count").textContent = "";
  $("search-results").replaceChildren();
  $("history-rows").replaceChildren();
  $("object-detail").hidden = true;
  $("filter-partner").querySelectorAll("div").forEach((d) => d.remove());
  $("filter-owner").replaceChildren();
  $("owner-hint").textContent = "";
  for (const b of document.querySelectorAll("#filter-regime input, #filter-type input")) b.checked = true;
  const slider = $("time-slider");
  slider.value = "0";
  slider.disabled = true;
  $("time-label").textContent = "–";
  togglePlay(false);
}

export { session };
