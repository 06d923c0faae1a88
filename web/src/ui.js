// Small DOM helpers: text-only cells (never innerHTML with data), buttons, status messages, timestamps.
export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = String(v);
    else if (k === "onclick") e.addEventListener("click", v);
    else if (k === "style") e.style.cssText = v;  // CSSOM, allowed by the page's CSP
    else if (k in e && k !== "list" && k !== "form") e[k] = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function cell(row, text) {
  const td = el("td", { text: text == null ? "" : String(text) });
  row.appendChild(td);
  return td;
}

export function button(label, onClick, attrs = {}) {
  return el("button", Object.assign({ type: "button", text: label, onclick: onClick }, attrs));
}

export function show(message) {
  $("status").textContent = message instanceof Error ? message.message : message;
}

export function facts(dl, pairs) {
  dl.replaceChildren();
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === "") continue;
    dl.append(el("dt", { text: k }), el("dd", { text: String(v) }));
  }
}

export function utc(ms) {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : Number(x).toFixed(digits);
}

export function releasableTo(label) {
  return (label.categories || []).filter((c) => c.tag_name === "Releasable To").flatMap((c) => c.values).join(", ");
}

// Set a field's validation message (shown by the form's error paragraph and announced via aria-invalid).
export function invalid(input, message, errorBox) {
  input.setAttribute("aria-invalid", "true");
  input.focus();
  errorBox.textContent = message;
  return false;
}

export function clearInvalid(form) {
  for (const e of form.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
  for (const e of form.querySelectorAll(".error")) e.textContent = "";
}

// A one-line SVG timeline of events between t0 and t1 (ms); onPick(i) on click or Enter.
export function timeline(container, t0, t1, events, onPick) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 1000 40");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  const axis = document.createElementNS(ns, "line");
  Object.entries({ x1: 0, x2: 1000, y1: 30, y2: 30, class: "axis" }).forEach(([k, v]) => axis.setAttribute(k, v));
  svg.append(axis);
  const span = Math.max(t1 - t0, 1);
  events.forEach((ev, i) => {
    const x = Math.min(Math.max((ev.t - t0) / span, 0), 1) * 1000;
    const mark = document.createElementNS(ns, "rect");
    Object.entries({ x: x - 2, y: 4, width: 4, height: 26, class: "tick " + (ev.cls || "") })
      .forEach(([k, v]) => mark.setAttribute(k, v));
    const title = document.createElementNS(ns, "title");
    title.textContent = ev.label;
    mark.append(title);
    mark.addEventListener("click", () => onPick(i));
    svg.append(mark);
  });
  container.replaceChildren(svg, el("div", { class: "timeline-ends" },
    el("span", { text: utc(t0) }), el("span", { text: utc(t1) })));
}
