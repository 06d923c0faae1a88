"""Usage-violation indicators for the 2D (short-encounter) Pc, after NASA CARA's UsageViolationPc2D.

The 2D Pc assumes a short encounter: straight-line relative motion, covariances frozen at TCA, a time span far
shorter than an orbit. CARA (Hall et al. 2023, UsageViolationPc2D) turns each assumption into an indicator in
[0, 1] with recommended cut-offs; a conjunction whose indicator exceeds its cut-off needs a 3D or Monte Carlo Pc.

* ``extended`` = min(1, (Tb - Ta) / P_min): the conjunction duration relative to the shorter orbital period.
  [Ta, Tb] = T -+ s_T sqrt(2) erfcinv(1e-16), with T = -(r' A^-1 v) / (v' A^-1 v) the time of minimum
  Mahalanobis distance and s_T = (v' A^-1 v)^-1/2 its 1-sigma width for rectilinear motion (r = r2 - r1,
  v = v2 - v1, A = combined position covariance, eigenvalues clipped at (1e-4 HBR)^2). Cut-off 0.02.
* ``offset`` = min(1, max(|Ta|, |Tb|) / P_min): how far the encounter extends from TCA. Cut-off 0.01.
* ``inaccurate`` = 1 - exp(-|ln(Pc3D / Pc2D)|): how far the 2D value is from the 3D one. CARA estimates the
  log ratio from the curvilinear minimum of the modified Mahalanobis distance (small-HBR limit); we use the
  computed Pc3D itself. Cut-off 0.02. NaN when no 3D Pc is available (or either Pc is 0).
* ``npd``: primary, secondary, relative position covariance not positive definite (as CARA).

These are CARA's rectilinear indicators (its "FullPc2DViolationAnalysis" refines Extended and Offset along
curvilinear trajectories; that refinement is not implemented). Zero relative speed gives extended = offset = 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from orbitshare.astro.twobody import GM_EGM96_M3S2, orbit_period_s

__all__ = ["CUTOFFS", "UsageViolation", "usage_violation_pc2d"]

CUTOFFS = {"extended": 0.02, "offset": 0.01, "inaccurate": 0.02}  # CARA UsageViolationPc2D recommended cut-offs
FCLIP = 1e-4
GAMMA = 1e-16


@dataclass(frozen=True)
class UsageViolation:
    """2D-Pc usage-violation indicators (0 good .. 1 very bad), NPD flags and the reasons that trip them."""

    extended: float
    offset: float
    inaccurate: float
    npd: tuple[bool, bool, bool]
    t_min_s: float  # time of minimum rectilinear Mahalanobis distance (s from TCA)
    duration_s: float  # Tb - Ta (s)
    period_min_s: float
    reasons: tuple[str, ...] = field(default=())

    @property
    def violated(self) -> bool:
        """True when any indicator exceeds its cut-off or a covariance is not positive definite."""
        return bool(self.reasons)

    def as_dict(self) -> dict:
        """JSON-friendly form (NaN written as None)."""
        def num(x):
            """Float or None for NaN."""
            return None if x is None or not math.isfinite(x) else float(x)

        return {"violated": self.violated, "reasons": list(self.reasons), "extended": num(self.extended),
                "offset": num(self.offset), "inaccurate": num(self.inaccurate), "npd": list(self.npd),
                "t_min_s": num(self.t_min_s), "duration_s": num(self.duration_s),
                "period_min_s": num(self.period_min_s)}


def _is_npd(cov3) -> bool:
    """True if a 3x3 covariance has a non-positive eigenvalue."""
    return bool(np.any(np.linalg.eigvalsh(0.5 * (cov3 + cov3.T)) <= 0))


def usage_violation_pc2d(r1_m, v1_mps, cov1, r2_m, v2_mps, cov2, hbr_m: float, pc2d: float | None = None,
                         pc3d: float | None = None, gm_m3s2: float = GM_EGM96_M3S2) -> UsageViolation:
    """Indicators for ECI states (m, m/s) and 3x3/6x6 covariances (m^2) at TCA, combined HBR (m)."""
    r = np.asarray(r2_m, float) - np.asarray(r1_m, float)
    v = np.asarray(v2_mps, float) - np.asarray(v1_mps, float)
    c1, c2 = np.asarray(cov1, float)[:3, :3], np.asarray(cov2, float)[:3, :3]
    a = c1 + c2
    val, vec = np.linalg.eigh(0.5 * (a + a.T))
    npd = (_is_npd(c1), _is_npd(c2), bool(np.any(val <= 0)))
    a_inv = vec @ np.diag(1.0 / np.maximum(val, (FCLIP * hbr_m) ** 2)) @ vec.T
    vav = float(v @ a_inv @ v)
    period = min(orbit_period_s(r1_m, v1_mps, gm_m3s2), orbit_period_s(r2_m, v2_mps, gm_m3s2))
    if vav > 0:
        t_min = -float(r @ a_inv @ v) / vav
        dtau = math.sqrt(2.0) * float(special.erfcinv(GAMMA)) / math.sqrt(vav)
        extended = min(1.0, 2 * dtau / period)
        offset = min(1.0, max(abs(t_min - dtau), abs(t_min + dtau)) / period)
    else:
        t_min, dtau, extended, offset = 0.0, math.inf, 1.0, 1.0
    inaccurate = math.nan
    if pc2d is not None and pc3d is not None and pc2d > 0 and pc3d > 0 and math.isfinite(pc2d):
        inaccurate = 1.0 - math.exp(-abs(math.log(pc3d / pc2d)))
    elif pc3d is not None and pc3d > 0 and (pc2d is None or not math.isfinite(pc2d)):
        inaccurate = 1.0  # no 2D value at all (zero relative speed) while the 3D Pc is positive
    values = {"extended": extended, "offset": offset, "inaccurate": inaccurate}
    reasons = [name for name, cut in CUTOFFS.items() if math.isfinite(values[name]) and values[name] > cut]
    if any(npd):
        reasons.append("npd")
    return UsageViolation(extended, offset, inaccurate, npd, t_min, 2 * dtau, period, tuple(reasons))
