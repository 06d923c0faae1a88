// The audit log, verified in this browser with WebCrypto: leaf hash = SHA-256(0x00 || canonical JSON of the
// entry), the RFC 6962 inclusion proof folded to a root (RFC 9162 2.1.3.2) and compared with the signed tree
// head, whose Ed25519 signature over "orbitshare-audit-tree-head/v1\n{size}\n{root}\n" is checked.
import { api, getJson } from "./api.js";
import { $, button, cell, el, show } from "./ui.js";

const HEAD_DOMAIN = "orbitshare-audit-tree-head/v1\n";
const enc = new TextEncoder();
let state = { head: null, entries: [], generation: 0 };

// A JSON number kept as its text, so canonical JSON reproduces the server's bytes exactly.
class Num { constructor(text) { this.text = text; } }

// Parse JSON keeping number lexemes (JSON.parse would turn 1.0 into 1).
export function parseExact(text) {
  let i = 0;
  const ws = () => { while (" \t\n\r".includes(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++; const o = {}; ws();
      if (text[i] === "}") { i++; return o; }
      for (;;) {
        ws(); const k = str(); ws(); i++; /* : */ o[k] = value(); ws();
        if (text[i++] === "}") return o;
      }
    }
    if (c === "[") {
      i++; const a = []; ws();
      if (text[i] === "]") { i++; return a; }
      for (;;) { a.push(value()); ws(); if (text[i++] === "]") return a; }
    }
    if (c === '"') return str();
    if (text.startsWith("true", i)) { i += 4; return true; }
    if (text.startsWith("false", i)) { i += 5; return false; }
    if (text.startsWith("null", i)) { i += 4; return null; }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 40));
    if (!m) throw new Error("bad JSON at " + i);
    i += m[0].length;
    return new Num(m[0]);
  };
  const str = () => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  return value();
}

// Canonical JSON as the hub writes it: sorted keys, no whitespace, non-ASCII kept.
export function canonical(v) {
  if (v instanceof Num) return v.text;
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
const b64u = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - s.length % 4) % 4)),
  (c) => c.charCodeAt(0));

async function sha256(...parts) {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
}

export async function leafHash(entryText) {
  return hex(await sha256(new Uint8Array([0]), enc.encode(entryText)));
}

// RFC 9162 2.1.3.2: the root implied by an inclusion proof, or null when malformed.
export async function rootFromProof(index, size, leafHex, proof) {
  if (index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = unhex(leafHex);
  for (const p of proof.map(unhex)) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? hex(r) : null;
}

async function headSignatureOk(head) {
  if (!head.signature || !head.public_key) return false;
  try {
    const key = await crypto.subtle.importKey("raw", b64u(head.public_key), { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify("Ed25519", key, b64u(head.signature),
      enc.encode(`${HEAD_DOMAIN}${head.size}\n${head.root}\n`));
  } catch { return null; }  // a browser without Ed25519 in WebCrypto
}

export async function loadAudit() {
  const gen = state.generation;
  const head = await getJson("/audit/head");
  const start = Math.max(0, head.size - 1000);
  const text = await (await api(`/audit/entries?start=${start}&limit=1000`)).text();
  if (gen !== state.generation) return;
  const entries = parseExact(text).slice(-100).reverse();
  state.head = head;
  state.entries = entries;
  const sig = await headSignatureOk(head);
  $("audit-head").textContent = `Signed tree head: ${head.size} entries, root ${head.root.slice(0, 16)}…, ` +
    `signature ${sig === null ? "not checked (this browser lacks Ed25519)" : sig ? "valid" : "INVALID"}.`;
  state.headSig = sig;
  const body = $("audit-rows");
  body.replaceChildren();
  for (const e of entries) {
    const idx = Number(e.index.text);
    const en = e.entry;
    const tr = el("tr", { "data-index": idx });
    cell(tr, idx);
    cell(tr, en.time);
    cell(tr, en.event);
    cell(tr, en.actor ?? en.user ?? en.partner ?? "");
    cell(tr, en.product ?? "");
    const td = cell(tr, "");
    td.append(button("Verify", () => verify(e, td).catch(show), { "aria-label": `Verify entry ${idx}` }));
    body.append(tr);
  }
}

async function verify(e, td) {
  const head = state.head;
  const idx = Number(e.index.text);
  const leaf = await leafHash(canonical(e.entry));
  const proof = await getJson(`/audit/proofs/inclusion?index=${idx}&size=${head.size}`);
  const root = await rootFromProof(idx, head.size, leaf, proof.proof);
  const ok = leaf === e.leaf_hash && root === head.root && state.headSig !== false;
  td.replaceChildren(el("span", { class: ok ? "ok" : "error",
    text: ok ? "✓ included" : leaf !== e.leaf_hash ? "✗ entry does not hash to its leaf" : "✗ proof does not reach the signed head" }));
  return ok;
}

export async function verifyAll() {
  const cells = [...$("audit-rows").querySelectorAll("tr td:last-child")];
  let good = 0;
  for (let k = 0; k < state.entries.length; k++) if (await verify(state.entries[k], cells[k])) good++;
  show(`Verified in the browser: ${good} of ${state.entries.length} entries included in the signed tree head.`);
}

export function reset() {
  state = { head: null, entries: [], generation: state.generation + 1 };
  $("audit-rows").replaceChildren();
  $("audit-head").textContent = "";
}
