// Upload a catalog and run a job (its result is a labelled product); forms validate before sending.
import { api, getJson, postJson, products, session } from "./api.js";
import { $, clearInvalid, el, invalid } from "./ui.js";

const CLASSIFICATIONS = ["NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET"];
let jobs = [];

// Label fields (classification, releasable-to partners, purposes, export control) into every .label-fields box.
export function buildLabelFields() {
  for (const box of document.querySelectorAll(".label-fields")) {
    const pre = box.dataset.prefix;
    const fs = el("fieldset", {}, el("legend", { text: "Security label of what you share" }));
    const cls = el("select", { id: pre + "-classification" },
      ...CLASSIFICATIONS.map((c) => el("option", { value: c, text: c })));
    fs.append(el("label", { for: pre + "-classification", text: "Classification" }), cls);
    const rel = el("fieldset", { class: "checks", id: pre + "-releasable" }, el("legend", { text: "Releasable to (other partners still need your focal point's consent)" }));
    session.partners.forEach((p, i) => {
      const id = `${pre}-rel-${i}`;
      const own = p.code === session.me.partner;
      rel.append(el("div", {}, el("input", { type: "checkbox", id, value: p.code, checked: own, disabled: own }),
        el("label", { for: id, text: `${p.code}${own ? " (your partner, always)" : ""}` })));
    });
    fs.append(rel);
    fs.append(el("label", { for: pre + "-purposes", text: "Purposes (comma-separated, empty: any)" }),
      el("input", { id: pre + "-purposes", value: "space-domain-awareness", maxlength: 1000 }));
    fs.append(el("label", { for: pre + "-export", text: "Export-control note (optional)" }),
      el("input", { id: pre + "-export", maxlength: 200, placeholder: "e.g. EU dual-use 9E001" }));
    box.replaceChildren(fs);
  }
}

export function labelFrom(pre) {
  const rel = [...document.querySelectorAll(`#${pre}-releasable input:checked`)].map((e) => e.value);
  const purposes = $(pre + "-purposes").value.split(",").map((s) => s.trim()).filter(Boolean);
  const label = {
    policy_id: "NATO", classification: $(pre + "-classification").value, purposes,
    categories: [{ tag_name: "Releasable To", type: "PERMISSIVE", values: rel }],
  };
  const exp = $(pre + "-export").value.trim();
  if (exp) label.export_control = exp;
  return label;
}

export async function loadJobs() {
  jobs = await getJson("/jobs");
  $("job-name").replaceChildren(...jobs.map((j) => el("option", { value: j.name, text: `${j.name} → ${j.result_kind}` })));
  await loadJobCatalogs();
  jobChanged();
}

export async function loadJobCatalogs() {
  const own = (await products("catalog")).filter((p) => p.originator === session.me.partner);
  const sel = $("job-catalog");
  sel.replaceChildren(...own.map((p) => el("option", { value: p.id, text: p.title + (p.meta?.objects ? ` (${p.meta.objects} objects)` : "") })));
  if (!own.length) sel.append(el("option", { value: "", text: "– upload a catalog first –" }));
}

export function jobChanged() {
  const j = jobs.find((x) => x.name === $("job-name").value);
  $("job-summary").textContent = j ? j.summary : "";
  $("job-screening-fields").hidden = !j || j.name !== "screening";
}

export async function upload(event, done) {
  event.preventDefault();
  const form = $("upload-form");
  clearInvalid(form);
  const err = $("upload-error");
  const file = $("upload-file").files[0];
  if (!file) return invalid($("upload-file"), "Choose a TLE or OMM file to upload.", err);
  if (file.size > 200 * 1024 * 1024) return invalid($("upload-file"), "The file is larger than 200 MB.", err);
  const data = new FormData();
  data.append("file", file);
  data.append("label", JSON.stringify(labelFrom("upload")));
  const title = $("upload-title").value.trim();
  if (title) data.append("title", title);
  try {
    const p = await (await api("/catalogs", { method: "POST", body: data })).json();
    $("job-result").textContent = "";
    err.textContent = "";
    form.reset();
    buildLabelFields();
    await done(p);
    $("upload-error").textContent = "";
    $("upload-file").value = "";
    const msg = `Uploaded ${p.title}: ${p.meta.objects} objects` + (p.meta.rejects ? `, ${p.meta.rejects} records rejected` : "");
    document.getElementById("status").textContent = msg;
  } catch (e) {
    err.textContent = "Upload refused: " + e.message;
  }
  return true;
}

export async function runJob(event, done) {
  event.preventDefault();
  const form = $("job-form");
  clearInvalid(form);
  const err = $("job-error");
  const name = $("job-name").value;
  const catalog = $("job-catalog").value;
  if (!catalog) return invalid($("job-catalog"), "Choose an input catalog of your partner (upload one first).", err);
  let params;
  try {
    params = JSON.parse($("job-params").value || "{}");
    if (typeof params !== "object" || Array.isArray(params) || params === null) throw new Error("not an object");
  } catch {
    return invalid($("job-params"), "Other parameters must be a JSON object, e.g. {\"lat_deg\": 46.05}.", err);
  }
  params.catalog_product = catalog;
  if (name === "screening") {
    const days = Number($("job-days").value);
    const thr = Number($("job-threshold").value);
    if (!(days > 0 && days <= 7)) return invalid($("job-days"), "Days must be more than 0 and at most 7.", err);
    if (!(thr > 0 && thr <= 100)) return invalid($("job-threshold"), "Threshold must be more than 0 and at most 100 km.", err);
    params.days = days;
    params.threshold_km = thr;
    const start = $("job-start").value;
    if (start) params.start = start + "Z";
  }
  const body = { label: labelFrom("job"), params };
  const title = $("job-title").value.trim();
  if (title) body.title = title;
  const progress = $("job-progress");
  const result = $("job-result");
  progress.hidden = false;
  const t0 = performance.now();
  const tick = setInterval(() => { result.textContent = `Running ${name}… ${((performance.now() - t0) / 1000).toFixed(0)} s`; }, 500);
  result.textContent = `Running ${name}…`;
  try {
    const p = await postJson("/jobs/" + encodeURIComponent(name), body);
    const took = ((performance.now() - t0) / 1000).toFixed(1);
    clearInterval(tick);
    await done(p);
    result.textContent = `Finished in ${took} s: ${p.title} (${p.kind}, id ${p.id}).`;
    result.dataset.productId = p.id;
  } catch (e) {
    result.textContent = "";
    err.textContent = `Job ${name} refused: ${e.message}`;
  } finally {
    clearInterval(tick);
    progress.hidden = true;
  }
  return true;
}

export function reset() {
  jobs = [];
  for (const f of ["upload-form", "job-form"]) { $(f).reset(); clearInvalid($(f)); }
  $("job-name").replaceChildren();
  $("job-catalog").replaceChildren();
  $("job-result").textContent = "";
  delete $("job-result").dataset.productId;
  for (const box of document.querySelectorAll(".label-fields")) box.replaceChildren();
}
