// orbitshare sharing hub page: sign in with a token, list releasable products, answer consent requests.
"use strict";

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("orbitshare-token") || "";

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(response.status + ": " + detail);
  }
  return response;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
  return td;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function releasableTo(label) {
  return label.categories.filter((c) => c.tag_name === "Releasable To").flatMap((c) => c.values).join(", ");
}

async function download(product) {
  const response = await api("/products/" + encodeURIComponent(product.id) + "/content");
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = product.filename || product.title;
  a.click();
  URL.revokeObjectURL(url);
}

async function loadProducts() {
  const q = $("q").value.trim();
  const page = await (await api("/products?limit=1000" + (q ? "&q=" + encodeURIComponent(q) : ""))).json();
  const body = $("product-rows");
  body.replaceChildren();
  for (const p of page.items) {
    const row = document.createElement("tr");
    row.dataset.productId = p.id;
    cell(row, p.title);
    cell(row, p.kind);
    cell(row, p.originator);
    cell(row, p.label.classification);
    cell(row, releasableTo(p.label));
    cell(row, "").appendChild(button("Download", () => download(p).catch(show)));
    body.appendChild(row);
  }
  $("product-count").textContent = "(" + page.total + ")";
}

async function decide(request, verdict) {
  await api("/consent-requests/" + encodeURIComponent(request.id) + "/" + verdict, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
  });
  show(verdict === "grant" ? "Granted: " + request.product_title + " to " + request.recipient
                           : "Refused: " + request.product_title + " to " + request.recipient);
  await loadInbox();
}

async function loadInbox() {
  const requests = await (await api("/consent-requests?box=inbox&status=pending")).json();
  const body = $("inbox-rows");
  body.replaceChildren();
  for (const r of requests) {
    const row = document.createElement("tr");
    row.dataset.requestId = r.id;
    cell(row, r.product_title);
    cell(row, r.recipient);
    cell(row, r.purpose);
    cell(row, r.justification);
    cell(row, r.expires_at);
    const actions = cell(row, "");
    actions.appendChild(button("Grant", () => decide(r, "grant").catch(show)));
    actions.appendChild(button("Refuse", () => decide(r, "refuse").catch(show)));
    body.appendChild(row);
  }
  $("inbox-count").textContent = "(" + requests.length + " pending)";
}

function show(message) {
  $("status").textContent = message instanceof Error ? message.message : message;
}

async function start() {
  const me = await (await api("/me")).json();
  $("who").textContent = me.name + " (" + me.partner + ", " + me.role.replace("_", " ") + ")";
  $("whoami").hidden = false;
  $("signin").hidden = true;
  $("products").hidden = false;
  $("inbox").hidden = me.role !== "focal_point";
  await loadProducts();
  if (me.role === "focal_point") await loadInbox();
}

function signOut() {
  token = "";
  sessionStorage.removeItem("orbitshare-token");
  $("whoami").hidden = true;
  $("products").hidden = true;
  $("inbox").hidden = true;
  $("signin").hidden = false;
  $("product-rows").replaceChildren();
  $("inbox-rows").replaceChildren();
  show("");
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  $("signin-error").textContent = "";
  try {
    await start();
    sessionStorage.setItem("orbitshare-token", token);
    $("token").value = "";
  } catch (e) {
    signOut();
    $("signin-error").textContent = "Sign-in failed: " + e.message;
  }
});
$("signout").addEventListener("click", signOut);
$("search-form").addEventListener("submit", (event) => { event.preventDefault(); loadProducts().catch(show); });
if (token) start().catch(() => signOut());
