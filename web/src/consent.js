// Consent: ask the originator's focal point; my requests; grants (revocation by the originator's focal
// point); a focal point's inbox (grant with purpose shown and an expiry chosen, or refuse).
import { getJson, postJson, session } from "./api.js";
import { $, button, cell, clearInvalid, el, invalid, show } from "./ui.js";

const ID = /^[A-Za-z0-9_.-]{1,36}$/;

// The end of a UTC date as an ISO time, or undefined when empty; throws on a past date.
function endOfDay(value) {
  if (!value) return undefined;
  const t = Date.parse(value + "T23:59:59Z");
  if (Number.isNaN(t)) throw new Error("not a date");
  if (t <= Date.now()) throw new Error("in the past");
  if (t > Date.now() + 366 * 86400e3) throw new Error("more than 366 days away");
  return new Date(t).toISOString();
}

export async function request(event) {
  event.preventDefault();
  const form = $("consent-form");
  clearInvalid(form);
  const err = $("consent-error");
  const pid = $("consent-product").value.trim();
  const purpose = $("consent-purpose").value.trim();
  if (!ID.test(pid)) return invalid($("consent-product"), "Give the product id (1 to 36 letters, digits, '.', '_' or '-').", err);
  if (!purpose) return invalid($("consent-purpose"), "Say for which purpose the product is needed.", err);
  let expires;
  try { expires = endOfDay($("consent-expires").value); } catch (e) {
    return invalid($("consent-expires"), `The date is ${e.message}; choose a day within the next 366 days.`, err);
  }
  const body = { recipient: session.me.partner, purpose, justification: $("consent-justification").value.trim() };
  if (expires) body.expires_at = expires;
  try {
    await postJson(`/products/${encodeURIComponent(pid)}/consent-requests`, body);
    form.reset();
    show(`Consent requested for product ${pid}; the originator's focal point will decide.`);
    await loadOutbox();
  } catch (e) {
    err.textContent = e.status === 404
      ? `Product ${pid} is unknown, or you may not ask for it (a request is possible only for your own partner, ` +
        "for a product whose label allows release with the originator's consent)."
      : "Request refused: " + e.message;
  }
  return true;
}

export async function loadOutbox() {
  const rows = await getJson("/consent-requests?box=outbox");
  const body = $("outbox-rows");
  body.replaceChildren();
  for (const r of rows) {
    const tr = el("tr", { "data-request-id": r.id });
    cell(tr, r.product_title ? `${r.product_title} (${r.product_id})` : `${r.product_id} (title withheld)`);
    cell(tr, r.recipient);
    cell(tr, r.purpose);
    cell(tr, r.status);
    cell(tr, r.expires_at.slice(0, 10));
    body.append(tr);
  }
}

export async function loadGrants() {
  const grants = await getJson("/grants");
  const body = $("grant-rows");
  body.replaceChildren();
  for (const g of grants) {
    const tr = el("tr", { "data-grant-id": g.id, "data-product-id": g.product_id });
    cell(tr, g.product_id);
    cell(tr, `${g.originator} → ${g.recipient}`);
    cell(tr, g.purpose);
    cell(tr, g.expires_at.slice(0, 10));
    cell(tr, g.revoked ? `revoked ${g.revoked_at?.slice(0, 10) ?? ""}` : "in force");
    const actions = cell(tr, "");
    if (!g.revoked && session.me.role === "focal_point" && g.originator === session.me.partner) {
      actions.append(button("Revoke", () => revoke(g).catch(show), { "aria-label": `Revoke grant to ${g.recipient} for ${g.product_id}` }));
    }
    body.append(tr);
  }
}

async function revoke(g) {
  if (!window.confirm(`Revoke the release of ${g.product_id} to ${g.recipient}? It takes effect at once.`)) return;
  await postJson(`/grants/${encodeURIComponent(g.id)}/revoke`, { reason: "revoked by the originator's focal point" });
  show(`Revoked: ${g.product_id} to ${g.recipient}`);
  await loadGrants();
}

export async function loadInbox() {
  const requests = await getJson("/consent-requests?box=inbox&status=pending");
  const body = $("inbox-rows");
  body.replaceChildren();
  requests.forEach((r, i) => {
    const tr = el("tr", { "data-request-id": r.id });
    cell(tr, `${r.product_title} (${r.product_id})`);
    cell(tr, r.recipient);
    cell(tr, r.purpose);
    cell(tr, r.justification);
    const td = cell(tr, "");
    const until = el("input", { type: "date", id: `inbox-until-${i}`, value: r.expires_at.slice(0, 10) });
    const note = el("input", { id: `inbox-note-${i}`, maxlength: 4000 });
    const err = el("span", { class: "error", role: "alert" });
    td.append(el("label", { for: until.id, text: "Until" }), until, el("label", { for: note.id, text: "Note" }), note,
      button("Grant", () => decide(r, "grant", until, note, err).catch(show)),
      button("Refuse", () => decide(r, "refuse", until, note, err).catch(show)), err);
    body.append(tr);
  });
  $("inbox-count").textContent = "(" + requests.length + " pending)";
}

async function decide(r, verdict, until, note, err) {
  err.textContent = "";
  const body = {};
  if (note.value.trim()) body.note = note.value.trim();
  if (verdict === "grant") {
    try { body.expires_at = endOfDay(until.value); } catch (e) {
      until.setAttribute("aria-invalid", "true");
      err.textContent = `The expiry is ${e.message}.`;
      return;
    }
  }
  await postJson(`/consent-requests/${encodeURIComponent(r.id)}/${verdict}`, body);
  show(verdict === "grant" ? `Granted: ${r.product_title} to ${r.recipient} for ${r.purpose}`
    : `Refused: ${r.product_title} to ${r.recipient}`);
  await Promise.all([loadInbox(), loadGrants()]);
}

export function reset() {
  $("consent-form").reset();
  clearInvalid($("consent-form"));
  for (const id of ["outbox-rows", "grant-rows", "inbox-rows"]) $(id).replaceChildren();
  $("inbox-count").textContent = "";
}
