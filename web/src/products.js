// Products the user may see with their full labels; search; download; opening one by id (withheld ones
// are answered like unknown ones, and the page says so without revealing anything).
import { ApiError, getJson, WITHHELD } from "./api.js";
import { $, button, cell, clearInvalid, el, facts, invalid, releasableTo, show } from "./ui.js";
import { download } from "./conjunctions.js";

export function labelFacts(p) {
  const l = p.label;
  return [
    ["Id", p.id], ["Kind", p.kind], ["Originator", p.originator], ["Created", p.created_at],
    ["Classification", `${l.policy_id} ${l.classification}`], ["Releasable to", releasableTo(l) || "–"],
    ["Other categories", (l.categories || []).filter((c) => c.tag_name !== "Releasable To")
      .map((c) => `${c.tag_name} (${c.type}): ${c.values.join(", ")}`).join("; ")],
    ["Purposes", (l.purposes || []).join(", ") || "any"],
    ["Export control", l.export_control || "none stated"], ["Privacy mark", l.privacy_mark],
    ["Review", l.review_at], ["Released to you by", p.released_by], ["SHA-256", p.sha256],
    ["Size", `${p.size} bytes, ${p.media_type}`],
  ];
}

function showDetail(p) {
  $("product-detail").hidden = false;
  $("product-detail-title").textContent = p.title;
  facts($("product-detail-facts"), labelFacts(p));
}

export async function loadProducts() {
  const q = $("q").value.trim();
  const page = await getJson("/products?limit=1000" + (q ? "&q=" + encodeURIComponent(q) : ""));
  const body = $("product-rows");
  body.replaceChildren();
  for (const p of page.items) {
    const row = el("tr");
    row.dataset.productId = p.id;
    cell(row, "").append(button(p.title, () => showDetail(p), { class: "link" }));
    cell(row, p.kind);
    cell(row, p.originator);
    cell(row, p.label.classification + (p.label.export_control ? " · " + p.label.export_control : ""));
    cell(row, releasableTo(p.label));
    cell(row, "").appendChild(button("Download", () => download(p).catch(show), { "aria-label": "Download " + p.title }));
    body.appendChild(row);
  }
  $("product-count").textContent = "(" + page.total + ")";
}

export async function openById(event) {
  event.preventDefault();
  const form = $("open-form");
  clearInvalid(form);
  const input = $("open-id");
  const id = input.value.trim();
  const out = $("open-result");
  out.replaceChildren();
  if (!/^[A-Za-z0-9_.-]{1,36}$/.test(id)) {
    return invalid(input, "A product id is 1 to 36 letters, digits, '.', '_' or '-'.", out);
  }
  try {
    const p = await getJson("/products/" + encodeURIComponent(id));
    showDetail(p);
    out.textContent = `Product ${id} is releasable to you.`;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    out.append(el("p", { class: "withheld", text: `Product ${id} is ${WITHHELD}` }),
      button("Ask for consent", () => {
        $("consent-product").value = id;
        document.getElementById("tab-consent").click();
        $("consent-justification").focus();
      }));
  }
  return true;
}

export function reset() {
  $("product-rows").replaceChildren();
  $("product-count").textContent = "";
  $("product-detail").hidden = true;
  $("open-result").replaceChildren();
}
