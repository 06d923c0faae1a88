"""Fragmentation detection: new objects between successive catalogs, clustered by orbit plane, traced back to
a parent and an event time (when the back-propagated fragment cloud is most compact), Gabbard diagrams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import format_utc
from orbitshare.catalog import Catalog


@dataclass
class FragmentCluster:
    """New objects that share an orbit plane, with the parent and event time they trace back to."""

    members: np.ndarray  # NORAD ids
    intl_prefix: str  # most common launch designator (YYYY-NNN) among the members
    mean_incl_deg: float
    parent_id: int | None = None
    parent_name: str = ""
    parent_evidence: str = ""
    event_jd: float | None = None
    event_spread_km: float | None = None
    evidence: dict = field(default_factory=dict)

    @property
    def event_utc(self) -> str | None:
        """Estimated event time, ISO 8601 UTC."""
        return None if self.event_jd is None else str(format_utc(self.event_jd, 0.0))

    def as_dict(self) -> dict:
        """Summary for JSON/CSV export."""
        return {"fragments": len(self.members), "intl_prefix": self.intl_prefix,
                "mean_incl_deg": round(self.mean_incl_deg, 3), "parent_id": self.parent_id,
                "parent_name": self.parent_name, "parent_evidence": self.parent_evidence,
                "event_utc": self.event_utc,
                "event_spread_km": None if self.event_spread_km is None else round(self.event_spread_km, 1),
                "members": [int(x) for x in self.members]}


def new_objects(before: Catalog, after: Catalog) -> Catalog:
    """Objects of `after` whose NORAD ids are not in `before`."""
    return after.take(~np.isin(after.norad_id, before.norad_id))


def orbit_normals(cat: Catalog) -> np.ndarray:
    """Unit orbit normals (n, 3) in the equatorial frame from inclination and node."""
    i, o = np.radians(cat["incl_deg"]), np.radians(cat["raan_deg"])
    return np.stack([np.sin(i) * np.sin(o), -np.sin(i) * np.cos(o), np.cos(i)], axis=-1)


def cluster_by_plane(cat: Catalog, link_deg: float = 1.5, min_size: int = 5) -> list[np.ndarray]:
    """Row indices of clusters: single-linkage groups of orbit normals within link_deg of a neighbour,
    further split where perigee-apogee bands do not overlap; groups smaller than min_size are dropped."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    if len(cat) == 0:
        return []
    h = orbit_normals(cat)
    pairs = cKDTree(h).query_pairs(2.0 * np.sin(np.radians(link_deg) / 2.0), output_type="ndarray")
    lo, hi = cat.perigee_km, cat.apogee_km
    overlap = (lo[pairs[:, 0]] <= hi[pairs[:, 1]] + 50.0) & (lo[pairs[:, 1]] <= hi[pairs[:, 0]] + 50.0)
    pairs = pairs[overlap]
    n = len(cat)
    g = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    groups = [np.flatnonzero(labels == k) for k in np.unique(labels)]
    return sorted([g for g in groups if len(g) >= min_size], key=len, reverse=True)


def _intl_prefix(intl: np.ndarray) -> str:
    """Most common launch designator prefix ('1982-092') of international designators."""
    pre = [str(x)[:8] for x in intl if str(x).strip()]
    if not pre:
        return ""
    values, counts = np.unique(pre, return_counts=True)
    return str(values[np.argmax(counts)])


def find_parent(cluster: Catalog, candidates: Catalog, intl_prefix: str) -> tuple[int | None, str, str]:
    """Parent of a fragment cluster among non-debris candidates: same launch designator first, else the
    orbit-plane and altitude match closest to the cluster (NORAD id, name, evidence)."""
    if len(candidates) == 0:
        return None, "", "no candidate catalog"
    types = candidates["object_type"]
    pool = candidates.take(types != "DEBRIS")
    same = pool.take(np.array([str(x).startswith(intl_prefix) for x in pool["intl_des"]], dtype=bool)) \
        if intl_prefix else Catalog.empty()
    h = orbit_normals(cluster).mean(axis=0)
    h /= np.linalg.norm(h)
    if len(same):
        payload_first = np.where(same["object_type"] == "PAYLOAD", 0.0, 1.0)
        k = int(np.lexsort((np.arccos(np.clip(orbit_normals(same) @ h, -1, 1)), payload_first))[0])
        return int(same.norad_id[k]), str(same.name[k]), f"launch designator {intl_prefix}"
    ang = np.degrees(np.arccos(np.clip(orbit_normals(pool) @ h, -1.0, 1.0)))
    alt = np.median(0.5 * (cluster.perigee_km + cluster.apogee_km))
    inside = (pool.perigee_km - 100.0 <= alt) & (alt <= pool.apogee_km + 100.0)
    score = np.where(inside, ang, np.inf)
    if len(score) == 0 or not np.isfinite(score.min()):
        return None, "", "no candidate in the cluster's plane and altitude band"
    k = int(np.argmin(score))
    return int(pool.norad_id[k]), str(pool.name[k]), f"orbit plane within {score[k]:.2f} deg, altitude band"


def _spread_km(recs: Sgp4Records, jd: np.ndarray, fr: np.ndarray) -> np.ndarray:
    """Compactness of a cloud at each time: median distance (km) of members to the component-wise median."""
    eph = propagate(recs, jd, fr)
    r = np.where(eph.ok[..., None], eph.r_km, np.nan)
    centre = np.nanmedian(r, axis=0)
    return np.nanmedian(np.linalg.norm(r - centre[None], axis=-1), axis=0)


def estimate_event_time(cluster: Catalog, search_start_jd: float, search_stop_jd: float,
                        max_members: int = 150, seed: int = 0) -> tuple[float, float]:
    """Time (UTC JD) in the search window at which the back-propagated cloud is most compact, and the
    spread (km) then: a coarse 10-min scan, then a 10-s scan around its minimum, then a 1-s scan."""
    order = np.argsort(np.abs(cluster["bstar"]))  # lowest drag first: SGP4 back-propagates them best
    pick = order[: max(5, min(max_members, len(cluster)))]
    sub = cluster.take(np.sort(pick)) if len(cluster) > max_members else cluster
    recs = Sgp4Records.from_catalog(sub)
    best = float(search_start_jd)
    span = float(search_stop_jd - search_start_jd)
    for step_s, half_s in ((600.0, None), (10.0, 3600.0), (1.0, 60.0)):
        if half_s is None:
            off = np.arange(0.0, span * 86400.0 + step_s, step_s)
            base = float(search_start_jd)
        else:
            off = np.arange(-half_s, half_s + step_s, step_s)
            base = best
        jd0 = np.floor(base)
        fr = (base - jd0) + off / 86400.0
        s = _spread_km(recs, np.full(off.shape, jd0), fr)
        k = int(np.nanargmin(s))
        best, spread = float(jd0 + fr[k]), float(s[k])
    return best, spread


def _parent_metrics(parent: Sgp4Records, frags: Sgp4Records, jd0: float, fr: np.ndarray):
    """Median out-of-plane distance (km) of the parent from the fragments' orbit planes, and median
    distance (km) of the fragments from the parent, at times jd0 + fr."""
    jd = np.full(fr.shape, jd0)
    p = propagate(parent, jd, fr)
    f = propagate(frags, jd, fr)
    h = np.cross(f.r_km, f.v_kms)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    oop = np.abs(np.sum(h * p.r_km[0][None], axis=-1))
    dist = np.linalg.norm(f.r_km - p.r_km[0][None], axis=-1)
    ok = f.ok & p.ok[0][None]
    return (np.nanmedian(np.where(ok, oop, np.nan), axis=0), np.nanmedian(np.where(ok, dist, np.nan), axis=0))


def estimate_event_time_from_parent(parent: Catalog, cluster: Catalog, search_start_jd: float,
                                    search_stop_jd: float, max_members: int = 150) -> tuple[float, float]:
    """Event time (UTC JD) at which the parent lies in the fragments' orbit planes (their planes precess
    apart after the event) and near the fragments; returns the time and the median out-of-plane km."""
    order = np.argsort(np.abs(cluster["bstar"]))
    sub = cluster.take(np.sort(order[: max(5, min(max_members, len(cluster)))]))
    pr, fr_recs = Sgp4Records.from_catalog(parent), Sgp4Records.from_catalog(sub)
    jd0 = float(np.floor(search_start_jd))
    span_s = (search_stop_jd - jd0) * 86400.0
    off = np.arange((search_start_jd - jd0) * 86400.0, span_s, 300.0)
    oop = np.concatenate([_parent_metrics(pr, fr_recs, jd0, c / 86400.0)[0]
                          for c in np.array_split(off, max(1, len(off) // 2000))])
    k0 = int(np.nanargmin(oop))
    near = np.flatnonzero(np.abs(off - off[k0]) < 86400.0)
    inner = near[(near > 0) & (near < len(off) - 1)]
    minima = inner[(oop[inner] <= oop[inner - 1]) & (oop[inner] <= oop[inner + 1])]
    minima = minima[np.argsort(oop[minima])][:4] if len(minima) else np.array([k0])
    best = None
    for k in minima:
        t = off[k]
        for step, half in ((10.0, 600.0), (0.5, 15.0)):
            grid = np.arange(t - half, t + half + step, step)
            o, _ = _parent_metrics(pr, fr_recs, jd0, grid / 86400.0)
            t = grid[int(np.nanargmin(o))]
        o, d = _parent_metrics(pr, fr_recs, jd0, np.array([t / 86400.0]))
        if best is None or d[0] < best[2]:
            best = (t, float(o[0]), float(d[0]))
    return jd0 + best[0] / 86400.0, best[1]


def detect_fragmentations(before: Catalog | None, after: Catalog, search_days: float = 120.0,
                          link_deg: float = 1.5, min_size: int = 5, estimate_time: bool = True,
                          max_event_age_days: float = 400.0) -> list[FragmentCluster]:
    """Fragment clouds among the objects new in `after` (or all debris of `after` when before is None)."""
    frags = new_objects(before, after) if before is not None else after.select(object_type="DEBRIS")
    out = []
    for rows in cluster_by_plane(frags, link_deg, min_size):
        sub = frags.take(rows)
        prefix = _intl_prefix(sub["intl_des"])
        cands = before.merge(after)[0] if before is not None else after
        cands = cands.take(~np.isin(cands.norad_id, sub.norad_id))
        pid, pname, why = find_parent(sub, cands, prefix)
        c = FragmentCluster(sub.norad_id.copy(), prefix, float(np.mean(sub["incl_deg"])), pid, pname, why)
        t = sub["epoch_jd"] + sub["epoch_fr"]
        first = float(np.min(t))
        c.evidence = {"epoch_first": str(format_utc(first, 0.0)), "epoch_last": str(format_utc(np.max(t), 0.0))}
        age_ok = _launch_age_days(prefix, first) is None or _launch_age_days(prefix, first) >= 0.0
        if estimate_time and age_ok:
            start = first - search_days
            if pid is not None and pid in set(cands.norad_id.tolist()):
                parent = cands.take(cands.index_of([pid]))
                c.event_jd, c.event_spread_km = estimate_event_time_from_parent(parent, sub, start, first)
                c.evidence["event_method"] = "parent in the fragments' orbit planes"
            else:
                c.event_jd, c.event_spread_km = estimate_event_time(sub, start, first)
                c.evidence["event_method"] = "most compact back-propagated cloud"
            c.evidence["search_window"] = [str(format_utc(start, 0.0)), str(format_utc(first, 0.0))]
            if c.event_spread_km > 200.0 or first - c.event_jd > max_event_age_days:
                c.evidence["event_time_note"] = "cloud never compact in the window: event time unreliable"
        out.append(c)
    return out


def _launch_age_days(prefix: str, jd: float) -> float | None:
    """Days from 1 January of the launch year in a designator to jd (None when it cannot be parsed)."""
    try:
        year = int(prefix[:4])
    except ValueError:
        return None
    return jd - (sum(_jd(datetime(year, 1, 1, tzinfo=UTC))))


def _jd(dt: datetime):
    """Two-part JD of a datetime."""
    from orbitshare.astro.time import datetime_to_jd

    return datetime_to_jd(dt)


def gabbard_png(cat: Catalog, path: str | Path, title: str = "Gabbard diagram",
                highlight: np.ndarray | None = None) -> Path:
    """Write a Gabbard diagram (apogee and perigee altitude vs period) of a catalog to a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    ax.scatter(cat.period_min, cat.apogee_km, s=4, c="tab:red", label="apogee")
    ax.scatter(cat.period_min, cat.perigee_km, s=4, c="tab:blue", label="perigee")
    if highlight is not None and len(highlight):
        sel = cat.take(np.isin(cat.norad_id, highlight))
        ax.scatter(sel.period_min, sel.apogee_km, s=40, marker="x", c="k", label="parent")
        ax.scatter(sel.period_min, sel.perigee_km, s=40, marker="x", c="k")
    ax.set_xlabel("period (min)")
    ax.set_ylabel("altitude (km)")
    ax.set_title(f"{title} ({len(cat)} objects)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def utc_from_jd(jd: float) -> datetime:
    """Aware UTC datetime of a single float Julian date."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=jd - 2440587.5)
