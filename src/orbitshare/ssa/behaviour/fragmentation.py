"""Fragmentation detection: fragment clouds (new objects between two catalogs, or a catalog's debris) grouped by
launch designator or orbit plane, dated where their back-propagated orbit planes meet (breakup_epoch, then SGP4
for recent events), traced to the intact object whose plane held the break-up line; Gabbard diagrams."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.secular import orbit_normal
from orbitshare.astro.time import Epoch, format_utc, jday
from orbitshare.catalog import Catalog
from orbitshare.catalog.satcat import SatcatEntry
from orbitshare.constants import DAY_S, MIN_PER_DAY
from orbitshare.ssa.behaviour.breakup_epoch import date_from_planes, plane_offset_deg

__all__ = ["FragmentCluster", "closest_approach_to_parent", "cluster_by_plane", "detect_fragmentations",
           "estimate_event_time", "find_parent", "group_fragments", "new_objects", "orbit_normals",
           "satcat_index"]


@dataclass
class FragmentCluster:
    """Fragments of one event (same launch designator, or one orbit-plane cluster), with the parent and the
    event time they trace back to; event_jd is None when the orbits do not date the event (then the event
    lies between not_before_jd and not_after_jd)."""

    members: np.ndarray  # NORAD ids
    intl_prefix: str  # most common launch designator (YYYY-NNN) among the members
    mean_incl_deg: float
    parent_id: int | None = None
    parent_name: str = ""
    parent_evidence: str = ""
    event_jd: float | None = None
    event_spread_km: float | None = None
    confidence: float = 0.0
    plane_spread_deg: float | None = None
    not_before_jd: float | None = None
    not_after_jd: float | None = None
    evidence: dict = field(default_factory=dict)

    @property
    def event_utc(self) -> str | None:
        """Estimated event time, ISO 8601 UTC."""
        return None if self.event_jd is None else str(format_utc(self.event_jd, 0.0))

    def as_dict(self) -> dict:
        """Summary for JSON/CSV export."""
        def utc(jd):
            return None if jd is None else str(format_utc(jd, 0.0))

        return {"fragments": len(self.members), "intl_prefix": self.intl_prefix,
                "mean_incl_deg": round(self.mean_incl_deg, 3), "parent_id": self.parent_id,
                "parent_name": self.parent_name, "parent_evidence": self.parent_evidence,
                "event_utc": self.event_utc, "confidence": round(self.confidence, 3),
                "event_not_before": utc(self.not_before_jd), "event_not_after": utc(self.not_after_jd),
                "plane_spread_deg": None if self.plane_spread_deg is None else round(self.plane_spread_deg, 4),
                "event_spread_km": None if self.event_spread_km is None else round(self.event_spread_km, 1),
                "event_method": self.evidence.get("event_method", ""),
                "members": [int(x) for x in self.members]}


def new_objects(before: Catalog, after: Catalog) -> Catalog:
    """Objects of `after` whose NORAD ids are not in `before`."""
    return after.take(~np.isin(after.norad_id, before.norad_id))


def orbit_normals(cat: Catalog) -> np.ndarray:
    """Unit orbit normals (n, 3) in the equatorial frame from a catalog's inclination and node."""
    return orbit_normal(np.radians(cat["incl_deg"]), np.radians(cat["raan_deg"]))


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


def _name_stem(names: np.ndarray) -> str:
    """Most common parent name written in fragment names ('FENGYUN 1C' of 'FENGYUN 1C DEB')."""
    stems = [str(n).upper().split(" DEB")[0].strip() for n in names if " DEB" in str(n).upper()]
    if not stems:
        return ""
    values, counts = np.unique(stems, return_counts=True)
    return str(values[np.argmax(counts)])


def satcat_index(entries: list[SatcatEntry]) -> dict[str, list[SatcatEntry]]:
    """Non-debris SATCAT entries by launch designator prefix (YYYY-NNN)."""
    out: dict[str, list[SatcatEntry]] = {}
    for e in entries:
        if e.object_type != "DEBRIS":
            out.setdefault(e.intl_des[:8], []).append(e)
    return out


def _satcat_parent(entries: list[SatcatEntry], stem: str, intl_prefix: str) -> tuple[int, str, str]:
    """Parent from the SATCAT entries of a launch: the fragments' name first, then payload, then piece A."""
    best = min(entries, key=lambda e: (e.name.upper() != stem, e.object_type != "PAYLOAD", e.intl_des))
    why = f"SATCAT: launch designator {intl_prefix} ({best.intl_des})"
    if stem and best.name.upper() == stem:
        why += f", fragments named {stem} DEB"
    why += ", no element set in the catalogs" + (f" (decayed {best.decay})" if best.decay else "")
    return best.norad_id, best.name, why


def find_parent(cluster: Catalog, intact: Catalog, intl_prefix: str, event_jd: float | None = None,
                line: np.ndarray | None = None, max_offset_deg: float = 0.5,
                satcat: dict[str, list[SatcatEntry]] | None = None,
                intact_prefixes: np.ndarray | None = None) -> tuple[int | None, str, str]:
    """Parent of a fragment cloud among intact (non-debris) objects (NORAD id, name, evidence).

    Same launch designator first, ranked by the name the fragments carry, then by how close the candidate's
    plane passes to the break-up line at the event; then the same designator in the SATCAT (satcat_index),
    for parents that have decayed or have no element set; else the intact object whose plane held the
    break-up line at the event (within max_offset_deg) and whose altitude band meets the cloud's.
    intact_prefixes: the intact objects' designator prefixes, when the caller has them."""
    stem = _name_stem(cluster.name)
    if len(intact) == 0 and not (satcat and satcat.get(intl_prefix)):
        return None, "", "no intact object in the catalogs"
    dated = event_jd is not None and line is not None
    prefixes = _prefixes(intact) if intact_prefixes is None else intact_prefixes
    same = intact.take(prefixes == intl_prefix) if intl_prefix else Catalog.empty()
    if len(same):
        off = np.zeros(len(same)) if event_jd is None or line is None else plane_offset_deg(same, event_jd, line)
        named = np.array([str(n).upper().strip() != stem for n in same.name], dtype=float)
        payload = np.where(same["object_type"] == "PAYLOAD", 0.0, 1.0)
        k = int(np.lexsort((payload, off, named))[0])
        why = f"launch designator {intl_prefix}"
        if stem and not named[k]:
            why += f", fragments named {stem} DEB"
        if dated:
            why += f", plane {off[k]:.3f} deg from the break-up line at the event"
            if off[k] > max_offset_deg:
                why += " (too far for its orbit to have held the break-up point: parent uncertain)"
        return int(same.norad_id[k]), str(same.name[k]), why
    if satcat and intl_prefix and satcat.get(intl_prefix):
        return _satcat_parent(satcat[intl_prefix], stem, intl_prefix)
    if event_jd is None or line is None:
        return None, "", f"no intact object of launch {intl_prefix or '?'} and no event time to match orbits at"
    if len(intact) == 0:
        return None, "", "no intact object in the catalogs"
    lo, hi = np.median(cluster.perigee_km), np.median(cluster.apogee_km)
    pool = intact.take((intact.perigee_km - 50.0 <= hi) & (lo <= intact.apogee_km + 50.0))
    if len(pool) == 0:
        return None, "", "no intact object in the cloud's altitude band"
    off = plane_offset_deg(pool, event_jd, line)
    k = int(np.argmin(off))
    if off[k] > max_offset_deg:
        return None, "", (f"no intact object's plane within {max_offset_deg} deg of the break-up line "
                          f"(best {off[k]:.2f})")
    return int(pool.norad_id[k]), str(pool.name[k]), f"plane {off[k]:.3f} deg from the break-up line at the event"


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
            off = np.arange(0.0, span * DAY_S + step_s, step_s)
            base = float(search_start_jd)
        else:
            off = np.arange(-half_s, half_s + step_s, step_s)
            base = best
        jd0 = np.floor(base)
        jd, fr = Epoch(jd0, base - jd0).offsets(off)
        s = _spread_km(recs, jd, fr)
        k = int(np.nanargmin(s))
        best, spread = float(jd0 + fr[k]), float(s[k])
    return best, spread


def _parent_metrics(parent: Sgp4Records, frags: Sgp4Records, jd0: float,
                    t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median out-of-plane distance (km) of the parent from the fragments' orbit planes, and median
    distance (km) of the fragments from the parent, at times jd0 + t_s (s)."""
    jd, fr = Epoch(jd0, 0.0).offsets(t_s)
    p = propagate(parent, jd, fr)
    f = propagate(frags, jd, fr)
    h = np.cross(f.r_km, f.v_kms)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    oop = np.abs(np.sum(h * p.r_km[0][None], axis=-1))
    dist = np.linalg.norm(f.r_km - p.r_km[0][None], axis=-1)
    ok = f.ok & p.ok[0][None]
    return (np.nanmedian(np.where(ok, oop, np.nan), axis=0), np.nanmedian(np.where(ok, dist, np.nan), axis=0))


def closest_approach_to_parent(parent: Catalog, cluster: Catalog, start_jd: float, stop_jd: float,
                               max_members: int = 150) -> tuple[float, float]:
    """Time (UTC JD) in [start_jd, stop_jd] at which the fragments, back-propagated with SGP4, are closest to
    the parent (median distance), and that distance (km): a 60-s scan, then a 1-s scan around its minimum."""
    order = np.argsort(np.abs(cluster["bstar"]))
    sub = cluster.take(np.sort(order[: max(5, min(max_members, len(cluster)))]))
    pr, fr_recs = Sgp4Records.from_catalog(parent), Sgp4Records.from_catalog(sub)
    jd0 = float(np.floor(start_jd))
    t = np.arange((start_jd - jd0) * DAY_S, (stop_jd - jd0) * DAY_S, 60.0)
    d = np.concatenate([_parent_metrics(pr, fr_recs, jd0, c)[1]
                        for c in np.array_split(t, max(1, len(t) // 1000))])
    fine = np.arange(t[int(np.nanargmin(d))] - 60.0, t[int(np.nanargmin(d))] + 61.0, 1.0)
    d = _parent_metrics(pr, fr_recs, jd0, fine)[1]
    k = int(np.nanargmin(d))
    return jd0 + fine[k] / DAY_S, float(d[k])


def _prefixes(cat: Catalog) -> np.ndarray:
    """Launch designator prefix (YYYY-NNN) of every object, '' where it has none."""
    text = np.char.strip(cat["intl_des"].astype(str))
    return np.where(np.char.str_len(text) >= 8, text.astype("U8"), "").astype(object)


def group_fragments(frags: Catalog, link_deg: float = 1.5, min_size: int = 5) -> list[np.ndarray]:
    """Row indices of fragment clouds: one per launch designator (YYYY-NNN) for objects that have one, orbit
    plane clusters (cluster_by_plane) for those that do not; clouds smaller than min_size are dropped."""
    prefix = _prefixes(frags).astype(str)
    groups = [np.flatnonzero(prefix == p) for p in np.unique(prefix[prefix != ""])]
    groups = [g for g in groups if len(g) >= min_size]
    bare = np.flatnonzero(prefix == "")
    groups += [bare[g] for g in cluster_by_plane(frags.take(bare), link_deg, min_size)]
    return sorted(groups, key=len, reverse=True)


def _launch_jd(prefix: str) -> float | None:
    """UTC JD of 1 January of the launch year of a designator ('1999-025' -> 1999-01-01), None if unparsable."""
    try:
        year = int(prefix[:4])
    except ValueError:
        return None
    return float(sum(jday(year, 1, 1))) if 1957 <= year <= 2100 else None


def _date_cloud(c: FragmentCluster, sub: Catalog, intact: Catalog, prefixes: np.ndarray, not_before: float,
                first: float, satcat: dict[str, list[SatcatEntry]] | None) -> None:
    """Fill event time, confidence, interval and parent of a cloud from its orbit planes (and SGP4 near it);
    prefixes: the intact objects' designator prefixes."""
    dating = date_from_planes(sub, not_before, first)
    c.confidence, c.plane_spread_deg = dating.confidence, dating.spread_deg
    c.not_before_jd, c.not_after_jd = dating.not_before_jd, dating.not_after_jd
    c.parent_id, c.parent_name, c.parent_evidence = find_parent(sub, intact, c.intl_prefix, dating.event_jd,
                                                                dating.line, satcat=satcat,
                                                                intact_prefixes=prefixes)
    if dating.event_jd is None:
        c.evidence["event_method"] = "orbit planes never meet in the window: event not dated"
        return
    t = dating.event_jd
    c.event_jd, c.evidence["event_method"] = t, "orbit planes meet (secular J2 back-propagation)"
    if first - t > SGP4_REFINE_MAX_DAYS:
        return
    lo, hi = max(not_before, t - 2.0), min(first, t + 2.0)
    if c.parent_id is not None and c.parent_id in set(intact.norad_id.tolist()):
        parent = intact.take(intact.index_of([c.parent_id]))
        c.event_jd, c.event_spread_km = closest_approach_to_parent(parent, sub, lo, hi)
        c.evidence["event_method"] += ", refined with SGP4: fragments closest to the parent"
        half = REFINED_ORBITS * float(parent.period_min[0]) / MIN_PER_DAY
        lo, hi = c.event_jd - half, min(first, c.event_jd + half)
    else:
        c.event_jd, c.event_spread_km = estimate_event_time(sub, lo, hi)
        c.evidence["event_method"] += ", refined with SGP4: most compact cloud"
    c.not_before_jd, c.not_after_jd = lo, hi


#: Largest event age (days before the first fragment epoch) at which SGP4 back-propagation refines the time.
SGP4_REFINE_MAX_DAYS = 365.0
#: Half-width (parent revolutions) of the interval given around an SGP4-refined event time: back-propagated
#: drag errors (~1,000 km along-track after two months) blur which revolution the fragments met the parent on.
REFINED_ORBITS = 4
#: Oldest event searched when a cloud has no launch designator (days before its first epoch).
MAX_EVENT_AGE_DAYS = 70 * 365.25


def detect_fragmentations(before: Catalog | None, after: Catalog, search_days: float = 120.0,
                          link_deg: float = 1.5, min_size: int = 5, estimate_time: bool = True,
                          progress: Callable[[int, int], None] | None = None,
                          satcat: list[SatcatEntry] | None = None) -> list[FragmentCluster]:
    """Fragment clouds among the objects new in `after` (or all debris of `after` when before is None), each
    with its parent and event time from the fragments' orbits; progress(done, total) after each cloud. New
    objects of a launch that `before` does not know, none of them debris, are a new launch and not reported.
    A SATCAT (catalog.satcat) names parents that have no element set in the catalogs (decayed ones).

    With `before`, the event is searched in the search_days before the first fragment epoch; without, from
    the launch year of the cloud's designator (or MAX_EVENT_AGE_DAYS back) to the first epoch."""
    frags = new_objects(before, after) if before is not None else after.select(object_type="DEBRIS")
    everything = before.merge(after)[0] if before is not None else after
    groups = group_fragments(frags, link_deg, min_size)
    if before is not None:  # a new launch (designator unknown before, no debris) is not a fragmentation
        known = set(_prefixes(before).tolist()) - {""}
        groups = [g for g in groups if (frags["object_type"][g] == "DEBRIS").any()
                  or _intl_prefix(frags["intl_des"][g]) in known]
    all_intact = everything.take(everything["object_type"] != "DEBRIS")
    all_prefixes = _prefixes(all_intact)
    by_prefix = satcat_index(satcat) if satcat else None
    out = []
    for n, rows in enumerate(groups):
        sub = frags.take(rows)
        prefix = _intl_prefix(sub["intl_des"])
        keep = ~np.isin(all_intact.norad_id, sub.norad_id)
        intact = all_intact.take(keep)
        c = FragmentCluster(sub.norad_id.copy(), prefix, float(np.mean(sub["incl_deg"])))
        t = sub["epoch_jd"] + sub["epoch_fr"]
        first = float(np.min(t))
        c.evidence = {"epoch_first": str(format_utc(first, 0.0)), "epoch_last": str(format_utc(np.max(t), 0.0))}
        launch = _launch_jd(prefix)
        not_before = first - search_days if before is not None else (launch or first - MAX_EVENT_AGE_DAYS)
        if launch is not None:
            not_before = max(not_before, launch)
        if estimate_time:
            _date_cloud(c, sub, intact, all_prefixes[keep], not_before, first, by_prefix)
        else:
            c.parent_id, c.parent_name, c.parent_evidence = find_parent(sub, intact, prefix, satcat=by_prefix,
                                                                        intact_prefixes=all_prefixes[keep])
        out.append(c)
        if progress:
            progress(n + 1, len(groups))
    return out
