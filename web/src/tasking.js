// Tasking across partners: ask another partner's imaging satellite for an acquisition of a point in a UTC
// window; the taskings of my partner with their state; the owner's focal point accepts (a signed statement
// that also consents to release the products to the requester) or declines. AOIs are drawn on the map.
import { getJson, postJson, session } from "./api.js";
import { $, button, cell, clearInvalid, el, invalid, show } from "./ui.js";
import { EMPTY, overlay } from "./map.js";

let assets = [];
let generation = 0;

export async function loadAssets() {
  const gen = generation;
  const list = await getJson("/eo/assets");
  if (gen !== generation) return;
  assets = list;
  const sel = $("tasking-asset");
  sel.replaceChildren(el("option", { value: "", text: "– choose a satellite –" }));
  for (const a of list.filter((x) => x.owner !== session.me.partner && x.status === "operational")) {
    sel.append(el("option", { value: a.id, text: `${a.name} (${a.owner}, ${a.sensor}` +
      `${a.gsd_nadir_m ? `, ${a.gsd_nadir_m} m` : ""})` }));
  }
}

// A datetime-local value read as UTC, as ISO text; throws with the reason.
function utcOf(value) {
  if (!value) throw new Error("missing");
  const t = Date.parse(value + (value.length === 16 ? ":00Z" : "Z"));
  if (Number.isNaN(t)) throw new Error("not a date and time");
  return new Date(t).toISOString();
}

export async function request(event) {
  event.preventDefault();
  const form = $("tasking-form");
  clearInvalid(form);
  const err = $("tasking-error");
  const asset = $("tasking-asset").value;
  if (!asset) return invalid($("tasking-asset"), "Choose the satellite to task.", err);
  const lat = Number($("tasking-lat").value);
  const lon = Number($("tasking-lon").value);
  if ($("tasking-lat").value === "" || !(lat >= -90 && lat <= 90)) {
    return invalid($("tasking-lat"), "Latitude must be a number from -90 to 90 degrees.", err);
  }
  if ($("tasking-lon").value === "" || !(lon >= -180 && lon <= 180)) {
    return invalid($("tasking-lon"), "Longitude must be a number from -180 to 180 degrees.", err);
  }
  let start, end;
  try { start = utcOf($("tasking-start").value); } catch (e) {
    return invalid($("tasking-start"), `Window start: ${e.message}.`, err);
  }
  try { end = utcOf($("tasking-end").value); } catch (e) {
    return invalid($("tasking-end"), `Window end: ${e.message}.`, err);
  }
  if (Date.parse(end) <= Date.parse(start)) return invalid($("tasking-end"), "The window must end after it starts.", err);
  const body = { asset_id: asset, aoi: { type: "Point", coordinates: [lon, lat] }, window_start: start,
    window_end: end, urgency: $("tasking-urgency").value, justification: $("tasking-justification").value.trim() };
  try {
    const t = await postJson("/tasking", body);
    form.reset();
    show(`Tasking requested: ${asset} (${t.owner}); its focal point will accept or decline.`);
    await loadTaskings();
  } catch (e) {
    err.textContent = "Request refused: " + e.message;
  }
  return true;
}

function aoiFeature(t) {
  return { type: "Feature", properties: { id: t.id, status: t.status }, geometry: t.aoi };
}

export async function loadTaskings() {
  const gen = generation;
  const rows = await getJson("/tasking?box=all");
  if (gen !== generation) return;
  const body = $("tasking-rows");
  body.replaceChildren();
  const fp = session.me.role === "focal_point";
  for (const t of rows) {
    const tr = el("tr", { "data-tasking-id": t.id });
    const name = assets.find((a) => a.id === t.asset_id)?.name || t.asset_id;
    cell(tr, `${name} (${t.owner})`);
    cell(tr, `${t.requester} – ${t.requested_by}`);
    cell(tr, `${t.window_start.slice(0, 16).replace("T", " ")} – ${t.window_end.slice(0, 16).replace("T", " ")}`);
    cell(tr, t.urgency + (t.event_type ? ` (${t.event_type})` : ""));
    cell(tr, t.status + (t.acceptance_valid ? " – signed acceptance valid" : "") +
      (t.decision_note ? ` – “${t.decision_note}”` : ""));
    const td = cell(tr, "");
    if (fp && t.status === "requested" && t.owner === session.me.partner) {
      const note = el("input", { id: `tasking-note-${t.id}`, maxlength: 4000 });
      td.append(el("label", { for: note.id, text: "Note" }), note,
        button("Accept", () => decide(t, "accept", note).catch(show), { "aria-label": `Accept tasking of ${name} by ${t.requester}` }),
        button("Decline", () => decide(t, "decline", note).catch(show), { "aria-label": `Decline tasking of ${name} by ${t.requester}` }));
    }
    body.append(tr);
  }
  $("tasking-count").textContent = `(${rows.length}; ${rows.filter((t) => t.status === "requested").length} awaiting a decision)`;
  overlay("tasking", { type: "FeatureCollection", features: rows.map(aoiFeature) }, [
    { id: "tasking-aoi-fill", type: "fill", filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": "#ffb74d", "fill-opacity": 0.25 } },
    { id: "tasking-aoi-point", type: "circle", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": 6, "circle-color": "#ffb74d", "circle-stroke-color": "#000", "circle-stroke-width": 1 } },
  ]);
}

async function decide(t, verdict, note) {
  const body = {};
  if (note.value.trim()) body.note = note.value.trim();
  await postJson(`/tasking/${encodeURIComponent(t.id)}/${verdict}`, body);
  show(verdict === "accept" ? `Accepted: ${t.asset_id} for ${t.requester} (signed; products released to it)`
    : `Declined: ${t.asset_id} for ${t.requester}`);
  await loadTaskings();
}

export function reset() {
  generation += 1;
  assets = [];
  $("tasking-form").reset();
  clearInvalid($("tasking-form"));
  $("tasking-asset").replaceChildren();
  $("tasking-rows").replaceChildren();
  $("tasking-count").textContent = "";
  overlay("tasking", EMPTY, []);
}
