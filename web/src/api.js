// The hub's HTTP API as the signed-in user; the token lives in sessionStorage only while signed in.
export const session = { token: "", me: null, partners: [] };

export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

// fetch `path` with the bearer token; throws ApiError with the API's `detail` on a non-2xx answer.
export async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + session.token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return response;
}

export async function getJson(path) {
  return (await api(path)).json();
}

export async function postJson(path, body) {
  return (await api(path, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) })).json();
}

// All products the user may receive, optionally of one kind (newest first).
export async function products(kind) {
  const page = await getJson("/products?limit=1000" + (kind ? "&kind=" + encodeURIComponent(kind) : ""));
  return page.items;
}

// Why a product is not shown, without revealing anything about it (the API answers 404 alike).
export const WITHHELD = "not available to you: either no such product exists, or its label does not release it to " +
  "your partner for your purpose and its originator has not consented. Ask the originator's focal point for consent.";

// A product's JSON content. Python's json writes NaN and Infinity, which JSON (and JSON.parse) refuse:
// such bare values are read as null (missing).
export async function contentJson(productId) {
  const text = await (await api("/products/" + encodeURIComponent(productId) + "/content")).text();
  return JSON.parse(text.replace(/([:[,]\s*)(NaN|-?Infinity)(?=\s*[,\]}])/g, "$1null"));
}
