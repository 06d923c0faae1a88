// Conjunctions: screening reports the user may see, ranked; co-located pairs apart; a timeline of TCAs;
// the selected event's geometry (miss vector in the primary's RTN frame), positions around TCA when the
// input catalog is releasable to the user, its CCSDS CDM from the report and the hub's other CDMs for the pair.
import { ApiError, api, contentJson, getJson, products, WITHHELD } from "./api.js";
import { $, button, cell, el, facts, fmt, show, timeline, utc } from "./ui.js";
import { EMPTY, map, overlay, splitLine } from "./map.js";
import { setTime } from "./picture.js";

let st = { reports: [], report: null, info: null, rows: [], coloc: [], selected: -1, generation: 0 };

export async function loadReports(selectId) {
  const sel = $("report-select");
  st.reports = await products("conjunction_report");
  sel.replaceChildren(el("option", { value: "", text: "– choose a conjunction report –" }));
  for (const p of st.reports) {
    sel.append(el("option", { value: p.id, text: `${p.title} (${p.originator})` }));
  }
  if (selectId && st.reports.some((p) => p.id === selectId)) {
    sel.value = selectId;
    await openReport(selectId);
  }
}

export async function openReport(id) {
  const gen = st.generation;
  clearDetail();
  if (!id) { $("conj-rows").replaceChildren(); $("coloc-rows").replaceChildren(); return; }
  let info, report;
  try {
    info = await getJson("/products/" + encodeURIComponent(id));
    report = await contentJson(id);
  } catch (e) {
    $("report-summary").textContent = e instanceof ApiError && e.status === 404 ? "This report is " + WITHHELD : e.message;
    return;
  }
  if (gen !== st.generation) return;
  st.info = info;
  st.report = report;
  const all = (report.conjunctions || []).map((r, i) => Object.assign({ index: i }, r));
  st.coloc = all.filter((r) => r.colocated);
  st.rows = all.filter((r) => !r.colocated);
  $("report-summary").textContent = `${report.objects} objects screened ${utc(Date.parse(report.start_utc))} – ` +
    `${utc(Date.parse(report.stop_utc))} below ${report.threshold_km} km: ${st.rows.length} conjunctions, ` +
    `${st.coloc.length} co-located pairs. Label: ${info.label.classification}` +
    (info.label.export_control ? `, export control: ${info.label.export_control}` : "") + ".";
  renderRows();
}

function ranked() {
  const key = $("conj-rank").value;
  const rows = [...st.rows];
  rows.sort((a, b) => key === "miss_km" ? a.miss_km - b.miss_km : (b[key] ?? 0) - (a[key] ?? 0));
  return rows;
}

export function renderRows() {
  const body = $("conj-rows");
  body.replaceChildren();
  const rows = ranked();
  rows.forEach((r, rank) => {
    const tr = el("tr", { tabindex: 0, class: "pick", "data-index": r.index });
    cell(tr, rank + 1);
    cell(tr, r.tca_utc.replace("T", " ").slice(0, 19));
    cell(tr, `${r.name_1} (${r.norad_id_1}) – ${r.name_2} (${r.norad_id_2})`);
    cell(tr, fmt(r.miss_km, 3));
    cell(tr, pc(r.pc_tle, 2));
    cell(tr, pc(r.pc_max, 2));
    cell(tr, `${fmt(r.age_1_days, 1)} / ${fmt(r.age_2_days, 1)}${r.stale ? " (stale)" : ""}`);
    tr.addEventListener("click", () => selectEvent(r));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectEvent(r); } });
    body.append(tr);
  });
  const cb = $("coloc-rows");
  cb.replaceChildren();
  const pairs = new Map();
  for (const r of st.coloc) {
    const k = `${r.norad_id_1}-${r.norad_id_2}`;
    if (!pairs.has(k) || pairs.get(k).miss_km > r.miss_km) pairs.set(k, r);
  }
  for (const r of pairs.values()) {
    const tr = el("tr", { tabindex: 0, class: "pick" });
    cell(tr, `${r.name_1} (${r.norad_id_1}) – ${r.name_2} (${r.norad_id_2})`);
    cell(tr, fmt(r.miss_km, 3));
    cell(tr, fmt(r.pair_max_range_km, 3));
    tr.addEventListener("click", () => selectEvent(r));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter") selectEvent(r); });
    cb.append(tr);
  }
  const t0 = Date.parse(st.report.start_utc);
  const t1 = Date.parse(st.report.stop_utc);
  timeline($("conj-timeline"), t0, t1, rows.map((r) => ({ t: Date.parse(r.tca_utc),
    label: `${r.tca_utc} ${r.name_1}–${r.name_2} ${fmt(r.miss_km, 3)} km`, cls: r.miss_km < 1 ? "hot" : "" })),
  (i) => selectEvent(rows[i]));
}

async function selectEvent(r) {
  const gen = st.generation;
  st.selected = r.index;
  for (const tr of $("conj-rows").children) tr.classList.toggle("selected", Number(tr.dataset.index) === r.index);
  $("conj-detail").hidden = false;
  $("conj-title").textContent = `${r.name_1} (${r.norad_id_1}) – ${r.name_2} (${r.norad_id_2})`;
  facts($("conj-facts"), [
    ["TCA", r.tca_utc], ["Miss distance", `${fmt(r.miss_km, 4)} km`],
    ["Radial / in-track / cross-track", `${fmt(r.miss_r_km, 4)} / ${fmt(r.miss_t_km, 4)} / ${fmt(r.miss_n_km, 4)} km`],
    ["Relative speed", `${fmt(r.rel_speed_kms, 3)} km/s`],
    ["Pc (TLE-based covariance, Foster 2D)", pc(r.pc_tle, 3)],
    ["Pc (max over unknown covariance)", pc(r.pc_max, 3)],
    ["Combined hard-body radius", `${fmt(r.hbr_m, 2)} m`],
    ["Element-set ages at TCA", `${fmt(r.age_1_days, 2)} d / ${fmt(r.age_2_days, 2)} d${r.stale ? " – stale" : ""}`],
    ["Regimes", `${r.regime_1} / ${r.regime_2}`],
    r.colocated ? ["Co-located", `stays within ${fmt(r.pair_max_range_km, 2)} km all window`] : ["", ""],
  ]);
  geometry(r);
  const tca = Date.parse(r.tca_utc);
  setTime(tca);
  const catalog = st.info?.meta?.params?.catalog_product;
  $("conj-positions").textContent = "";
  overlay("conj", EMPTY, []);
  if (catalog) {
    try {
      const t = new Date(tca).toISOString();
      const tracks = await Promise.all([r.norad_id_1, r.norad_id_2].map((id) => getJson(
        `/catalog/${encodeURIComponent(catalog)}/track?norad_id=${id}&t=${encodeURIComponent(t)}` +
        "&minutes=10&before_minutes=10&step_s=10")));
      if (gen !== st.generation) return;
      const feats = tracks.map((tr, i) => Object.assign(splitLine(tr.lon_deg, tr.lat_deg), { properties: { obj: i + 1 } }));
      const mid = tracks.map((tr) => [tr.lon_deg[60], tr.lat_deg[60]]);
      feats.push({ type: "Feature", properties: { tca: 1 }, geometry: { type: "Point", coordinates: mid[0] } });
      overlay("conj", { type: "FeatureCollection", features: feats }, [
        { id: "conj-lines", type: "line", filter: ["has", "obj"],
          paint: { "line-color": ["match", ["get", "obj"], 1, "#4fc3f7", "#ff8a65"], "line-width": 2 } },
        { id: "conj-tca", type: "circle", filter: ["has", "tca"],
          paint: { "circle-radius": 7, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#ff5252",
            "circle-stroke-width": 2 } }]);
      if (mid[0][0] !== null) map?.easeTo({ center: mid[0], zoom: Math.max(map.getZoom(), 3), duration: 600 });
      $("conj-positions").textContent = `Tracks ±10 min around TCA from catalog ${catalog}; TCA ringed.`;
    } catch (e) {
      $("conj-positions").textContent = e instanceof ApiError && e.status === 404
        ? `Positions withheld: the input catalog ${catalog} is ${WITHHELD}` : e.message;
    }
  }
  cdms(r);
}

// The miss vector (secondary minus primary) in the primary's RTN frame, two views, as SVG.
function geometry(r) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 320 150");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Miss vector: radial ${fmt(r.miss_r_km)} km, in-track ${fmt(r.miss_t_km)} km, ` +
    `cross-track ${fmt(r.miss_n_km)} km`);
  const m = Math.max(Math.abs(r.miss_r_km), Math.abs(r.miss_t_km), Math.abs(r.miss_n_km), 1e-6);
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    svg.append(e);
  };
  [[80, "T (in-track)", r.miss_t_km], [240, "N (cross-track)", r.miss_n_km]].forEach(([cx, name, h]) => {
    const cy = 75;
    add("line", { x1: cx - 60, y1: cy, x2: cx + 60, y2: cy, class: "axis" });
    add("line", { x1: cx, y1: cy - 60, x2: cx, y2: cy + 60, class: "axis" });
    add("text", { x: cx + 62, y: cy + 4, class: "axis-label" }, name.split(" ")[0]);
    add("text", { x: cx - 4, y: cy - 62, class: "axis-label" }, "R");
    add("line", { x1: cx, y1: cy, x2: cx + (h / m) * 55, y2: cy - (r.miss_r_km / m) * 55, class: "miss" });
    add("circle", { cx: cx + (h / m) * 55, cy: cy - (r.miss_r_km / m) * 55, r: 3, class: "secondary" });
    add("circle", { cx, cy, r: 3, class: "primary" });
  });
  add("text", { x: 160, y: 146, class: "axis-label", "text-anchor": "middle" }, `scale: ${fmt(m, 3)} km to the tip`);
  $("conj-geometry").replaceChildren(svg);
}

const pc = (value, digits) => value == null ? "–" : Number(value).toExponential(digits);

// The event's CDM kept in the report (KVN text, shown and downloadable), then the hub's CDM products for the pair.
function reportCdm(r) {
  const item = (st.report?.cdms || []).find((c) => c.index === r.index);
  const box = $("conj-cdm");
  box.replaceChildren();
  if (!item) {
    box.append(el("p", { class: "hint", text: "The report keeps CDMs for its closest events only; none for this one." }));
    return;
  }
  const save = () => {
    const url = URL.createObjectURL(new Blob([item.kvn], { type: "text/plain" }));
    const a = el("a", { href: url, download: `${item.message_id}.txt` });
    a.click();
    URL.revokeObjectURL(url);
  };
  box.append(el("p", {}, `CCSDS CDM ${item.message_id} (KVN; TLE-based covariance and Pc) `,
    button("Download CDM", save)),
  el("details", {}, el("summary", { text: "CDM text" }), el("pre", { class: "cdm", text: item.kvn })));
}

async function cdms(r) {
  reportCdm(r);
  const ul = $("conj-cdms");
  ul.replaceChildren();
  try {
    const items = (await products("cdm")).filter((p) => {
      const text = JSON.stringify([p.title, p.meta]);
      return text.includes(String(r.norad_id_1)) && text.includes(String(r.norad_id_2));
    });
    if (!items.length) ul.append(el("li", { class: "hint", text: "No other CDM product for this pair that you may see." }));
    for (const p of items) {
      ul.append(el("li", {}, `${p.title} (${p.originator}) `, button("Download", () => download(p).catch(show))));
    }
  } catch (e) { show(e); }
}

export async function download(product) {
  const response = await api("/products/" + encodeURIComponent(product.id) + "/content");
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", { href: url, download: product.filename || product.title });
  a.click();
  URL.revokeObjectURL(url);
}

function clearDetail() {
  $("conj-detail").hidden = true;
  $("report-summary").textContent = "";
  $("conj-timeline").replaceChildren();
  $("conj-cdm").replaceChildren();
  overlay("conj", EMPTY, []);
}

export function reset() {
  st = { reports: [], report: null, info: null, rows: [], coloc: [], selected: -1, generation: st.generation + 1 };
  $("report-select").replaceChildren(el("option", { value: "", text: "– choose a conjunction report –" }));
  $("conj-rows").replaceChildren();
  $("coloc-rows").replaceChildren();
  $("conj-rank").value = "miss_km";
  clearDetail();
}
