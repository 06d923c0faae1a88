"""SATCOM resilience evaluation: per site and option, coverage, margins, throughput and availability, with threats.

For each link option (constellation, band, terminal) the evaluation propagates the satellites, picks the serving
satellite per site and time (hysteresis handover), builds ITU-R attenuation tables per site over elevation nodes
and exceedance probabilities, and forms forward (satellite -> terminal) and return (terminal -> satellite) Es/N0
at every p. The outage probability of a time step is the p at which either direction's margin over the most
robust MODCOD (plus the terminal's implementation margin) reaches zero; availability is 100 minus its time mean
(steps without a serving satellite count as outage). Throughput is the ACM rate at the scenario's p. Jammers add
C/I (the jammer path is taken clear of rain, the wanted carrier fades); lost satellites are removed from the
choice. The baseline (no threats) is computed alongside, so every figure has its "before" and "after".

Simplifications, stated in docs/satcom.md: the gateway feeder link is ideal, rain on a site is one process for
every option (so failover between orbits does not escape a fade deeper than both margins), and a steerable spot
beam is centred on each terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from orbitshare.astro.frames import geodetic_to_itrs, site_look_angles
from orbitshare.astro.time import Epoch
from orbitshare.satcom.atmosphere import (
    DEFAULT_P_GRID,
    SiteClimate,
    attenuation_table,
    exceedance_at_zero,
    interp_elevation,
    site_climate,
)
from orbitshare.satcom.geometry import (
    ConstellationGeometry,
    Fleet,
    fleet_records,
    gap_stats,
    look_angles_chunked,
    one_way_latency_ms,
    satellite_itrs,
    serving_satellite,
)
from orbitshare.satcom.jamming import (
    angle_between_deg,
    bandwidth_overlap_db,
    earth_station_gain_dbi,
    radio_horizon_km,
    satellite_relative_gain_db,
)
from orbitshare.satcom.linkbudget import (
    cn0_dbhz,
    combine_cn_db,
    esn0_db,
    rain_noise_increase_db,
    symbol_rate_hz,
    throughput_mbps,
)
from orbitshare.satcom.modcod import ModcodTable, load_modcods
from orbitshare.satcom.models import Models, Terminal
from orbitshare.satcom.region import Sites
from orbitshare.satcom.rf import free_space_loss_db
from orbitshare.satcom.scenario import Jammer, LinkOption, Scenario

__all__ = ["Evaluation", "OptionResult", "evaluate", "orbit_mix", "pace_table"]

PACE = ("primary", "alternate", "contingency", "emergency")


@dataclass
class OptionResult:
    """Per-site results (arrays of shape (sites,)) of one link option, for one threat state."""

    label: str
    constellation: str
    orbit: str
    band: str
    terminal: str
    provenance: str
    satellites: list[str]
    coverage_pct: np.ndarray
    handovers: np.ndarray
    gaps: np.ndarray
    longest_gap_min: np.ndarray
    mean_elevation_deg: np.ndarray
    mean_latency_ms: np.ndarray
    fwd_esn0_clear_db: np.ndarray
    fwd_esn0_db: np.ndarray          # Es/(N0 + I0) at the scenario's p (median over served steps)
    rtn_esn0_db: np.ndarray
    fwd_margin_db: np.ndarray
    rtn_margin_db: np.ndarray
    fwd_mbps: np.ndarray
    rtn_mbps: np.ndarray
    availability_pct: np.ndarray
    outage_p: np.ndarray = field(repr=False)     # (sites, times): % of the year the link is out at that step
    served: np.ndarray = field(repr=False)       # (sites, times): a satellite serves the site


@dataclass
class Evaluation:
    """Results of a scenario over sites: baseline and threatened option results, orbit mix and PACE rows."""

    sites: Sites
    scenario: Scenario
    times_iso: list[str]
    baseline: list[OptionResult]
    threatened: list[OptionResult]
    notes: list[str]


@dataclass
class _Geo:
    fleet: Fleet
    geom: ConstellationGeometry
    r_itrs: np.ndarray
    ok: np.ndarray


def _coverage_mask(sites: Sites, lon_box: tuple[float, float], lat_box: tuple[float, float]) -> np.ndarray:
    """Sites (bool (sites,)) inside a payload's coverage box."""
    return ((sites.lon_deg >= lon_box[0]) & (sites.lon_deg <= lon_box[1])
            & (sites.lat_deg >= lat_box[0]) & (sites.lat_deg <= lat_box[1]))


def _nodes(el_deg: np.ndarray, min_el: float, orbit: str) -> np.ndarray:
    """Elevation nodes (sites, nodes) of the attenuation tables from look angles (sites, sats, times).

    A single geostationary satellite gives one node per site (its mean elevation, exact); otherwise a 2.5 deg
    grid from the minimum elevation to the highest elevation seen.
    """
    s = el_deg.shape[0]
    if orbit == "geo" and el_deg.shape[1] == 1:
        return np.clip(el_deg[:, 0, :].mean(axis=1, dtype=np.float64), 5.0, 90.0)[:, None]
    lo = max(5.0, min_el)
    hi = float(el_deg.max()) if el_deg.size else lo
    grid = np.arange(lo, max(hi, lo + 2.5) + 2.5, 2.5)
    return np.broadcast_to(np.clip(grid, 5.0, 90.0), (s, grid.size))


def _tables(opt: LinkOption, geo: _Geo, models: Models, clim: SiteClimate, p_grid: np.ndarray,
            workers: int | None) -> tuple:
    """Elevation nodes and forward/return total attenuation tables (sites, nodes, p) of an option, all sites."""
    con, pay, term = models.resolve(opt.constellation, opt.band, opt.terminal)
    nodes = _nodes(geo.geom.el_deg, con.min_elevation_deg.value, con.orbit)
    return (nodes, *(attenuation_table(clim, f, nodes, p_grid, term.diameter_m.value, term.efficiency.value,
                                       pay.polarisation_tilt_deg, workers=workers).total_db
                     for f in (pay.downlink_ghz.value, pay.uplink_ghz.value)))


def _jam_ci_db(jam: Jammer, kind: str, serving: np.ndarray, geo: _Geo, sites: Sites, term: Terminal,
               f_ghz: float, bw_mhz: float, eirp_wanted: float, rng_s: np.ndarray, beam_psi0: float,
               ls_db: float) -> np.ndarray:
    """Clear-sky C/I (dB), shape (sites, times), of one jammer against the forward or return carrier."""
    s, t = serving.shape
    overlap = bandwidth_overlap_db(f_ghz, bw_mhz, jam.f_ghz, jam.bandwidth_mhz)
    ci = np.full((s, t), np.inf)
    if not np.isfinite(overlap):
        return ci
    jam_itrs = geodetic_to_itrs(np.array([jam.lat_deg]), np.array([jam.lon_deg]), np.array([jam.height_m / 1e3]))[0]
    served = serving >= 0
    idx = np.clip(serving, 0, None)
    r_sat = geo.r_itrs[idx, np.arange(t)[None, :]]                     # (s, t, 3) serving satellite
    if kind == "uplink":
        _, el_j, _ = site_look_angles(geo.r_itrs, np.array([jam.lat_deg]), np.array([jam.lon_deg]),
                                      np.array([jam.height_m / 1e3]))
        jam_sees = el_j[0][idx, np.arange(t)[None, :]] > 0.0             # (s, t)
        site_itrs = geodetic_to_itrs(sites.lat_deg, sites.lon_deg, sites.h_km)
        to_site = site_itrs[:, None, :] - r_sat
        to_jam = jam_itrs[None, None, :] - r_sat
        rng_j = np.linalg.norm(to_jam, axis=-1)
        cos_psi = np.einsum("stk,stk->st", to_site, to_jam) / (np.linalg.norm(to_site, axis=-1) * rng_j)
        psi = np.degrees(np.arccos(np.clip(cos_psi, -1.0, 1.0)))
        j = jam.eirp_dbw + overlap - free_space_loss_db(rng_j, jam.f_ghz) + satellite_relative_gain_db(psi, beam_psi0,
                                                                                                       ls_db)
        c = eirp_wanted - free_space_loss_db(rng_s, f_ghz)
        ci = np.where(served & jam_sees, c - j, np.inf)
    else:
        az_j, el_j, rng_j = site_look_angles(jam_itrs[None, :], sites.lat_deg, sites.lon_deg, sites.h_km)
        az_j, el_j, rng_j = az_j[:, 0], el_j[:, 0], rng_j[:, 0]           # (s,)
        sat_az = geo.geom.az_deg[np.arange(s)[:, None], idx, np.arange(t)[None, :]]
        sat_el = geo.geom.el_deg[np.arange(s)[:, None], idx, np.arange(t)[None, :]]
        phi = angle_between_deg(sat_az, sat_el, az_j[:, None], el_j[:, None])
        g_j = earth_station_gain_dbi(phi, term.diameter_m.value, term.efficiency.value, jam.f_ghz)
        in_los = rng_j <= radio_horizon_km(jam.height_m, sites.h_km * 1e3)
        j = jam.eirp_dbw + overlap - free_space_loss_db(rng_j, jam.f_ghz)[:, None] + g_j
        c = eirp_wanted - free_space_loss_db(rng_s, f_ghz) + term.gain_dbi(f_ghz)
        ci = np.where(served & in_los[:, None], c - j, np.inf)
    return ci


def _serve(opt: LinkOption, geo: _Geo, models: Models, sites: Sites, scen: Scenario,
           threatened: bool) -> tuple[np.ndarray, np.ndarray]:
    """Serving satellite (sites, times) and handovers (sites,) of an option: coverage box, lost satellites."""
    con, pay, _ = models.resolve(opt.constellation, opt.band, opt.terminal)
    s, n, t = geo.geom.el_deg.shape
    usable = np.broadcast_to(geo.ok[None, :, :], (s, n, t)).copy()
    usable &= _coverage_mask(sites, pay.coverage_lon_deg, pay.coverage_lat_deg)[:, None, None]
    if threatened:
        lost = np.array([scen.is_lost(nm, int(i)) for nm, i in zip(geo.fleet.names, geo.fleet.norad_ids,
                                                                    strict=True)])
        usable &= ~lost[None, :, None]
    return serving_satellite(geo.geom.el_deg, con.min_elevation_deg.value, scen.hysteresis_deg, usable)


def _option(opt: LinkOption, geo: _Geo, models: Models, sites: Sites, scen: Scenario, modcods: ModcodTable,
            threatened: bool, tables: tuple, p_grid: np.ndarray, serving: np.ndarray,
            handovers: np.ndarray) -> OptionResult:
    """Results of one option for one threat state (baseline when threatened is False) from its serving plan."""
    con, pay, term = models.resolve(opt.constellation, opt.band, opt.terminal)
    s, _, t = geo.geom.el_deg.shape
    served = serving >= 0
    idx = np.clip(serving, 0, None)
    rows, cols = np.arange(s)[:, None], np.arange(t)[None, :]
    el_s = np.where(served, geo.geom.el_deg[rows, idx, cols], np.nan).astype(np.float64)
    rng_s = np.where(served, geo.geom.range_km[rows, idx, cols], np.nan).astype(np.float64)
    gs = gap_stats(served, scen.step_s)
    fd, fu = pay.downlink_ghz.value, pay.uplink_ghz.value
    k_eval = int(np.searchsorted(p_grid, scen.exceedance_pct))
    nodes, tab_d, tab_u = tables
    el_q = np.where(served, el_s, nodes[:, :1])
    rs_f = symbol_rate_hz(pay.forward_bandwidth_mhz.value, pay.rolloff.value)
    rs_r = symbol_rate_hz(pay.return_bandwidth_mhz.value, pay.rolloff.value)
    # clear-sky Es/N0 per (site, time); the fade (and, forward, the sky-noise rise) per (site, time, p) is
    # formed on the elevation nodes and interpolated once
    es_f_clear = esn0_db(cn0_dbhz(pay.eirp_dbw.value, rng_s, fd, 0.0, term.g_t_dbk(fd)), rs_f)
    es_r_clear = esn0_db(cn0_dbhz(term.eirp_dbw(fu), rng_s, fu, 0.0, pay.g_t_dbk.value), rs_r)
    loss_f_nodes = tab_d + rain_noise_increase_db(tab_d, term.system_noise_k.value)
    es_f = es_f_clear[:, :, None] - interp_elevation(loss_f_nodes, nodes[0], el_q)
    a_u = interp_elevation(tab_u, nodes[0], el_q)
    es_r = es_r_clear[:, :, None] - a_u
    if threatened:
        a_d = interp_elevation(tab_d, nodes[0], el_q) if any(j.target == "downlink" for j in scen.jammers) else None
        for jam in scen.jammers:
            if jam.target == "downlink":
                ci = _jam_ci_db(jam, "downlink", serving, geo, sites, term, fd, pay.forward_bandwidth_mhz.value,
                                pay.eirp_dbw.value, rng_s, pay.beam_half_power_deg.value, pay.sidelobe_db.value)
                es_f = combine_cn_db(es_f, ci[:, :, None] - a_d)
            else:
                ci = _jam_ci_db(jam, "uplink", serving, geo, sites, term, fu, pay.return_bandwidth_mhz.value,
                                term.eirp_dbw(fu), rng_s, pay.beam_half_power_deg.value, pay.sidelobe_db.value)
                es_r = combine_cn_db(es_r, ci[:, :, None] - a_u)
    impl = term.implementation_margin_db.value
    m_f = modcods.margin_db(es_f, impl)
    m_r = modcods.margin_db(es_r, impl)
    p_out = np.maximum(exceedance_at_zero(-m_f, p_grid), exceedance_at_zero(-m_r, p_grid))
    p_out = np.where(served, p_out, 100.0)
    _, eff_f = modcods.select(es_f[:, :, k_eval], impl)
    _, eff_r = modcods.select(es_r[:, :, k_eval], impl)
    mbps_f = np.where(served, throughput_mbps(eff_f, rs_f), 0.0)
    mbps_r = np.where(served, throughput_mbps(eff_r, rs_r), 0.0)
    with np.errstate(invalid="ignore"), _quiet_nan():
        def med(x: np.ndarray) -> np.ndarray:
            return _median_where(x, served)
        return OptionResult(
            label=f"{con.name}/{pay.band}/{term.name}", constellation=con.name, orbit=con.orbit, band=pay.band,
            terminal=term.name, provenance=geo.fleet.provenance, satellites=list(geo.fleet.names),
            coverage_pct=100.0 * gs.covered_fraction, handovers=handovers, gaps=gs.gaps,
            longest_gap_min=gs.longest_gap_s / 60.0, mean_elevation_deg=np.nanmean(el_s, axis=1),
            mean_latency_ms=np.nanmean(one_way_latency_ms(rng_s), axis=1), fwd_esn0_clear_db=med(es_f_clear),
            fwd_esn0_db=med(es_f[:, :, k_eval]), rtn_esn0_db=med(es_r[:, :, k_eval]),
            fwd_margin_db=med(m_f[:, :, k_eval]), rtn_margin_db=med(m_r[:, :, k_eval]),
            fwd_mbps=mbps_f.mean(axis=1), rtn_mbps=mbps_r.mean(axis=1),
            availability_pct=100.0 - p_out.mean(axis=1), outage_p=p_out, served=served)


def _median_where(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Median along axis 1 of x over the entries where mask is true (NaN for a row with none)."""
    v = np.sort(np.where(mask, x, np.inf), axis=1)
    n = mask.sum(axis=1)
    rows = np.arange(x.shape[0])
    lo = v[rows, np.clip((n - 1) // 2, 0, None)]
    hi = v[rows, np.clip(n // 2, 0, x.shape[1] - 1)]
    return np.where(n > 0, 0.5 * (lo + hi), np.nan)


class _quiet_nan:
    """Context that silences numpy's all-NaN slice warnings (sites never served give NaN, on purpose)."""

    def __enter__(self):
        import warnings
        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def evaluate(sites: Sites, scenario: Scenario, models: Models, catalog=None,
             progress: Callable[[str], None] | None = None, site_chunk: int = 100,
             workers: int | None = 1) -> Evaluation:
    """Evaluate every option of a scenario at every site, baseline and under the scenario's threats.

    workers > 1 (None: one per CPU) lets the ITU-R gas term run in forked processes (command line, batch);
    keep 1 inside a threaded server.
    """
    say = progress or (lambda _m: None)
    epoch = Epoch.from_utc(scenario.start)
    t_s = np.arange(0.0, scenario.hours * 3600.0 + 1e-9, scenario.step_s)
    jd, fr = epoch.offsets(t_s)
    modcods = load_modcods()
    for opt in scenario.options:   # refuse unknown names before any long work
        models.resolve(opt.constellation, opt.band, opt.terminal)
    say(f"climate of {len(sites)} sites (ITU-R maps)")
    clim = site_climate(sites.lat_deg, sites.lon_deg, sites.h_km)
    sites = Sites(list(sites.names), clim.lat_deg, clim.lon_deg, clim.hs_km)   # unknown heights from ITU-R P.1511
    geos: dict[str, _Geo] = {}
    notes: list[str] = []
    for opt in scenario.options:
        con = models.constellation(opt.constellation)
        if con.name in geos:
            continue
        fleet = fleet_records(con, epoch, catalog)
        say(f"{con.name}: {len(fleet.names)} satellites, {fleet.provenance}")
        notes.append(f"{con.name}: {fleet.provenance}")
        r_itrs, ok = satellite_itrs(fleet.records, jd, fr)
        geom = look_angles_chunked(r_itrs, sites.lat_deg, sites.lon_deg, sites.h_km)
        geos[con.name] = _Geo(fleet, geom, r_itrs, ok)
    base: list[OptionResult] = []
    threat: list[OptionResult] = []
    threatened = bool(scenario.jammers or scenario.lost_satellites)
    p_grid = np.unique(np.append(DEFAULT_P_GRID, scenario.exceedance_pct))
    # Tables first cover p <= 1 %; the P.676 gas term above 1 % (itur's slowest, one site at a time) is only
    # evaluated for the sites where some served step does not close at p = 1 %, whose results are then redone
    # on the full grid. Sites that close at 1 % cross zero below it, so their results are identical either way.
    lazy = scenario.exceedance_pct <= 1.0
    p_lo = p_grid[p_grid <= 1.0] if lazy else p_grid
    for opt in scenario.options:
        con = models.constellation(opt.constellation)
        label = f"{opt.constellation}/{opt.band or con.payload().band}"
        geo = geos[con.name]
        say(f"attenuation tables {label} (ITU-R P.618)")
        tables = _tables(opt, geo, models, clim, p_lo, workers)
        say(f"link budgets {label}")
        b = _chunked(opt, geo, models, sites, scenario, modcods, False, tables, p_lo, site_chunk)
        t = _chunked(opt, geo, models, sites, scenario, modcods, True, tables, p_lo, site_chunk) if threatened else b
        need = np.zeros(len(sites), dtype=bool)
        for r in {id(b): b, id(t): t}.values():
            need |= np.any(r.served & (r.outage_p >= 100.0), axis=1)
        if lazy and p_lo.size < p_grid.size and need.any():
            idx = np.nonzero(need)[0]
            say(f"{label}: {idx.size} sites below the most robust MODCOD at 1 %: p up to {p_grid[-1]:g} %")
            g_sub = _Geo(geo.fleet, ConstellationGeometry(geo.geom.az_deg[idx], geo.geom.el_deg[idx],
                                                          geo.geom.range_km[idx]), geo.r_itrs, geo.ok)
            c_sub = SiteClimate(clim.lat_deg[idx], clim.lon_deg[idx], clim.hs_km[idx], clim.t_k[idx], clim.p_hpa[idx])
            s_sub = Sites([sites.names[i] for i in idx], sites.lat_deg[idx], sites.lon_deg[idx], sites.h_km[idx])
            t_full = _tables(opt, g_sub, models, c_sub, p_grid, workers)
            b_sub = _chunked(opt, g_sub, models, s_sub, scenario, modcods, False, t_full, p_grid, site_chunk)
            t_sub = (_chunked(opt, g_sub, models, s_sub, scenario, modcods, True, t_full, p_grid, site_chunk)
                     if threatened else b_sub)
            b = _splice(b, b_sub, idx)
            t = _splice(t, t_sub, idx) if threatened else b
        base.append(b)
        threat.append(t)
    times = [epoch.iso(float(x)) for x in t_s]
    return Evaluation(sites, scenario, times, base, threat, notes)


_ARRAYS = ("coverage_pct", "handovers", "gaps", "longest_gap_min", "mean_elevation_deg", "mean_latency_ms",
           "fwd_esn0_clear_db", "fwd_esn0_db", "rtn_esn0_db", "fwd_margin_db", "rtn_margin_db", "fwd_mbps",
           "rtn_mbps", "availability_pct", "outage_p", "served")


def _splice(whole: OptionResult, part: OptionResult, idx: np.ndarray) -> OptionResult:
    """whole with the rows idx replaced by part's rows (a new result; whole is not modified)."""
    arrays = {}
    for k in _ARRAYS:
        a = getattr(whole, k).copy()
        a[idx] = getattr(part, k)
        arrays[k] = a
    return OptionResult(label=whole.label, constellation=whole.constellation, orbit=whole.orbit, band=whole.band,
                        terminal=whole.terminal, provenance=whole.provenance, satellites=whole.satellites, **arrays)


def _subset(sites: Sites, sl: slice) -> Sites:
    return Sites(sites.names[sl], sites.lat_deg[sl], sites.lon_deg[sl], sites.h_km[sl])


def _chunked(opt: LinkOption, geo: _Geo, models: Models, sites: Sites, scen: Scenario, modcods: ModcodTable,
             threatened: bool, tables: tuple, p_grid: np.ndarray, chunk: int) -> OptionResult:
    """One option evaluated over site chunks (bounded memory) and joined."""
    parts: list[OptionResult] = []
    serving, handovers = _serve(opt, geo, models, sites, scen, threatened)   # one pass over time for all sites
    for i in range(0, len(sites), chunk):
        sl = slice(i, min(i + chunk, len(sites)))
        g = _Geo(geo.fleet, ConstellationGeometry(geo.geom.az_deg[sl], geo.geom.el_deg[sl], geo.geom.range_km[sl]),
                 geo.r_itrs, geo.ok)
        parts.append(_option(opt, g, models, _subset(sites, sl), scen, modcods, threatened,
                             tuple(t[sl] for t in tables), p_grid, serving[sl], handovers[sl]))
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    joined = {k: np.concatenate([getattr(p, k) for p in parts]) for k in _ARRAYS}
    return OptionResult(label=first.label, constellation=first.constellation, orbit=first.orbit, band=first.band,
                        terminal=first.terminal, provenance=first.provenance, satellites=first.satellites, **joined)


def orbit_mix(results: list[OptionResult]) -> dict[str, np.ndarray]:
    """Availability (%) per site of GEO-only, MEO-only, LEO-only and multi-orbit failover (best option per step)."""
    out: dict[str, np.ndarray] = {}
    groups = {f"{o}-only": [r for r in results if r.orbit == o] for o in ("geo", "meo", "leo")}
    groups["multi-orbit"] = list(results)
    for name, rs in groups.items():
        if rs:
            p = np.min(np.stack([r.outage_p for r in rs]), axis=0)
            out[name] = 100.0 - p.mean(axis=1)
    return out


def pace_table(sites: Sites, results: list[OptionResult], target_pct: float) -> list[dict]:
    """PACE plan per site: options ranked by meeting the availability target, then forward throughput."""
    rows = []
    for i, name in enumerate(sites.names):
        ranked = sorted(results, key=lambda r: (bool(r.availability_pct[i] >= target_pct),
                                                float(r.fwd_mbps[i]), float(r.availability_pct[i])), reverse=True)
        ranked = [r for r in ranked if r.coverage_pct[i] > 0.0]
        row: dict = {"site": name}
        for role, r in zip(PACE, ranked + [None] * len(PACE), strict=False):
            row[role] = "none" if r is None else (
                f"{r.label} ({r.availability_pct[i]:.3f} %, {r.fwd_mbps[i]:.1f} Mbit/s)")
        rows.append(row)
    return rows

