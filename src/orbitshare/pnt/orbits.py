"""Earth-fixed (ITRS) positions of the selected GNSS satellites over a time grid, and their orbital planes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitshare.astro.frames import teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.pnt.constellations import Constellation, plane_labels

__all__ = ["GnssOrbits", "gnss_orbits"]


@dataclass
class GnssOrbits:
    """ITRS positions (km), shape (sats, times, 3), SGP4 errors (sats, times), node (deg) and plane of each sat."""

    r_itrs_km: np.ndarray
    error: np.ndarray
    jd: np.ndarray
    fr: np.ndarray
    raan_deg: np.ndarray
    plane: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """Mask (sats, times) of samples SGP4 propagated without error."""
        return self.error == 0


def gnss_orbits(constellation: Constellation, jd: np.ndarray, fr: np.ndarray) -> GnssOrbits:
    """SGP4 (TEME) then ITRS positions of every satellite at the UTC times (two-part JD); planes from the nodes.

    The node is the right ascension of the orbit normal (TEME, r x v) at the first time; planes are labelled
    per system with its number of planes from the selection (see constellations.plane_labels).
    """
    recs = Sgp4Records.from_catalog(constellation.catalog)
    eph = propagate(recs, jd, fr)
    r_itrs, _ = teme_to_itrs(eph.r_km, eph.v_kms, eph.jd, eph.fr)
    h = np.cross(eph.r_km[:, 0, :], eph.v_kms[:, 0, :])
    raan = np.degrees(np.arctan2(h[:, 0], -h[:, 1])) % 360.0
    plane = np.zeros(len(constellation), dtype=np.int64)
    if constellation.spec is not None:
        for s in constellation.spec.systems:
            sel = constellation.system == s.system
            if np.any(sel):
                plane[sel] = plane_labels(raan[sel], s.planes)
    return GnssOrbits(r_itrs, eph.error.copy(), eph.jd, eph.fr, raan, plane)
