// The common operational picture: sign in, then one page with the map, the time bar and the panels.
// Signing out clears every piece of state (tokens, fetched data, forms, map overlays) before the next user.
import "maplibre-gl/dist/maplibre-gl.css";
import "./app.css";
import { ApiError, getJson, session } from "./api.js";
import { $, show } from "./ui.js";
import { createMap, map } from "./map.js";
import * as picture from "./picture.js";
import * as conj from "./conjunctions.js";
import * as alerts from "./alerts.js";
import * as layers from "./layers.js";
import * as prods from "./products.js";
import * as jobs from "./jobs.js";
import * as consent from "./consent.js";
import * as audit from "./audit.js";
import * as tasking from "./tasking.js";

const TABS = ["picture", "conjunctions", "alerts", "layers", "products", "jobs", "tasking", "consent", "inbox", "audit"];
// For benchmarks and tests: the point layer, the map and the clock.
window.orbitshare = { ready: false, layer: picture.layer, pic: () => picture.pic, setTime: picture.setTime,
  positionOf: picture.positionOf, get map() { return map; } };

function selectTab(name, focus = false) {
  for (const t of TABS) {
    const tab = $("tab-" + t);
    const on = t === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $("panel-" + t).hidden = !on;
    if (on && focus) tab.focus();
  }
}

function wireTabs() {
  for (const t of TABS) {
    $("tab-" + t).addEventListener("click", () => selectTab(t));
  }
  document.querySelector(".tabs").addEventListener("keydown", (e) => {
    const visible = TABS.filter((t) => !$("tab-" + t).hidden);
    const cur = visible.indexOf(TABS.find((t) => $("tab-" + t).getAttribute("aria-selected") === "true"));
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (step) {
      e.preventDefault();
      selectTab(visible[(cur + step + visible.length) % visible.length], true);
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      selectTab(e.key === "Home" ? visible[0] : visible[visible.length - 1], true);
    }
  });
}

async function afterJob(p) {
  await Promise.all([picture.loadCatalogList(), jobs.loadJobCatalogs(), prods.loadProducts()]);
  if (p.kind === "catalog") {
    const shown = [...document.querySelectorAll("#catalog-list input:checked")].map((b) => b.value);
    if (shown.length) await picture.showCatalogs(shown);
  } else if (p.kind === "conjunction_report") {
    await conj.loadReports(p.id);
  } else if (p.kind === "alert") {
    await alerts.loadAlerts();
  } else if (layers.LAYER_KINDS.includes(p.kind)) {
    await layers.loadLayers();
  }
}

async function start() {
  const me = await getJson("/me");
  session.me = me;
  session.partners = await getJson("/partners");
  $("who").textContent = `${me.name} (${me.partner}, ${me.role.replace("_", " ")})`;
  $("whoami").hidden = false;
  $("signin").hidden = true;
  $("app").hidden = false;
  const fp = me.role === "focal_point";
  $("tab-inbox").hidden = !fp;
  $("tab-audit").hidden = !fp;
  selectTab("picture");
  const mapReady = map ? Promise.resolve(map.resize()) : createMap($("map"));
  jobs.buildLabelFields();
  const loads = [mapReady, picture.loadCatalogList(), conj.loadReports(), alerts.loadAlerts(), layers.loadLayers(),
    prods.loadProducts(), consent.loadOutbox(), consent.loadGrants(), jobs.loadJobs(),
    tasking.loadAssets().then(tasking.loadTaskings)];
  if (fp) loads.push(consent.loadInbox());
  await Promise.all(loads);
  const shown = [...document.querySelectorAll("#catalog-list input:checked")].map((b) => b.value);
  if (shown.length) await picture.showCatalogs(shown);
  window.orbitshare.ready = true;
  document.body.dataset.ready = "1";
}

// Forget everything about the previous user.
function signOut() {
  session.token = "";
  session.me = null;
  session.partners = [];
  sessionStorage.removeItem("orbitshare-token");
  for (const m of [picture, conj, alerts, layers, prods, jobs, tasking, consent, audit]) m.reset();
  for (const f of document.querySelectorAll("form")) f.reset();
  $("whoami").hidden = true;
  $("who").textContent = "";
  $("app").hidden = true;
  $("signin").hidden = false;
  $("tab-inbox").hidden = true;
  $("tab-audit").hidden = true;
  window.orbitshare.ready = false;
  delete document.body.dataset.ready;
  show("");
}

function wire() {
  wireTabs();
  picture.buildStaticFilters();
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const tok = $("token").value.trim();
    $("signin-error").textContent = "";
    if (!tok) {
      $("token").setAttribute("aria-invalid", "true");
      $("signin-error").textContent = "Enter your API token (it starts with osh_).";
      return;
    }
    $("token").removeAttribute("aria-invalid");
    session.token = tok;
    try {
      await start();
      sessionStorage.setItem("orbitshare-token", tok);
      $("token").value = "";
    } catch (e) {
      signOut();
      $("signin-error").textContent = "Sign-in failed: " + (e instanceof ApiError ? e.message : e);
    }
  });
  $("signout").addEventListener("click", signOut);
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); prods.loadProducts().catch(show); });
  $("open-form").addEventListener("submit", (e) => prods.openById(e).catch(show));
  $("catalog-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const ids = [...document.querySelectorAll("#catalog-list input:checked")].map((b) => b.value);
    $("catalog-error").textContent = ids.length ? "" : "Tick at least one catalog.";
    if (ids.length) picture.showCatalogs(ids).catch(show);
  });
  $("object-search").addEventListener("input", picture.renderSearch);
  $("time-slider").addEventListener("input", (e) => picture.setTime(picture.pic.originMs + Number(e.target.value) * 1000));
  $("play").addEventListener("click", () => picture.togglePlay());
  $("report-select").addEventListener("change", (e) => conj.openReport(e.target.value).catch(show));
  $("conj-rank").addEventListener("change", () => conj.renderRows());
  $("upload-form").addEventListener("submit", (e) => jobs.upload(e, afterJob).catch(show));
  $("job-form").addEventListener("submit", (e) => jobs.runJob(e, afterJob).catch(show));
  $("job-name").addEventListener("change", jobs.jobChanged);
  $("consent-form").addEventListener("submit", (e) => consent.request(e).catch(show));
  $("tasking-form").addEventListener("submit", (e) => tasking.request(e).catch(show));
  $("tab-tasking").addEventListener("click", () => tasking.loadTaskings().catch(show));
  $("audit-load").addEventListener("click", () => audit.loadAudit().catch(show));
  $("audit-verify-all").addEventListener("click", () => audit.verifyAll().catch(show));
  $("tab-audit").addEventListener("click", () => { if (!$("audit-rows").children.length) audit.loadAudit().catch(show); });
  $("tab-consent").addEventListener("click", () => Promise.all([consent.loadOutbox(), consent.loadGrants()]).catch(show));
  $("tab-inbox").addEventListener("click", () => consent.loadInbox().catch(show));
  document.addEventListener("click", (e) => {
    if (e.target.closest?.("#map canvas") && picture.pic.count) {
      const rect = $("map").getBoundingClientRect();
      const k = picture.pick({ x: e.clientX - rect.left, y: e.clientY - rect.top });
      if (k >= 0) picture.select(k, false);
    }
  });
  const saved = sessionStorage.getItem("orbitshare-token");
  if (saved) {
    session.token = saved;
    start().catch(() => signOut());
  }
}

wire();
