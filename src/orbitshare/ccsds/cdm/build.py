"""A CDM from a screening result: two objects' states at TCA (TEME rotated to GCRF) and their covariances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from orbitshare.astro.frames import rtn_basis, teme_to_gcrf
from orbitshare.astro.time import Epoch
from orbitshare.ccsds.cdm.model import Cdm, CdmObject, Vector3, vector3

__all__ = ["ConjunctionObject", "cdm_from_conjunction", "relative_state_rtn"]


def relative_state_rtn(r1_km, v1_kmps, r2_km, v2_kmps) -> tuple[np.ndarray, np.ndarray]:
    """Object 2 minus object 1, rotated into object 1's RTN axes: position (m), velocity (m/s) (as JSpOC)."""
    rot = rtn_basis(r1_km, v1_kmps)
    return rot @ np.subtract(r2_km, r1_km) * 1e3, rot @ np.subtract(v2_kmps, v1_kmps) * 1e3


@dataclass
class ConjunctionObject:
    """One object of a screening result: NORAD id, name, state at TCA (km, km/s), optional RTN covariance."""

    norad_id: int | str
    name: str
    r_km: Vector3
    v_kmps: Vector3
    international_designator: str = "UNKNOWN"
    object_type: str | None = None
    cov_rtn_6x6: np.ndarray | None = None
    maneuverable: str = "N/A"
    ephemeris_name: str = "NONE"
    covariance_method: str = "DEFAULT"


def cdm_from_conjunction(
    obj1: ConjunctionObject,
    obj2: ConjunctionObject,
    *,
    tca_utc: datetime,
    originator: str,
    message_id: str,
    frame: str = "TEME",
    miss_distance_m: float | None = None,
    relative_speed_mps: float | None = None,
    collision_probability: float | None = None,
    pc_method: str | None = None,
    creation_date: datetime | None = None,
    comments: list[str] | None = None,
) -> Cdm:
    """Build a CDM from a conjunction record; TEME states are rotated to GCRF (CDM 1.0 has no TEME frame)."""
    states = [(np.asarray(o.r_km, float), np.asarray(o.v_kmps, float)) for o in (obj1, obj2)]
    ref_frame = frame.upper()
    if ref_frame == "TEME":
        epoch = Epoch.from_datetime(tca_utc)
        states = [_teme_to_gcrf_at(r, v, epoch) for r, v in states]
        ref_frame = "GCRF"
    if ref_frame not in ("EME2000", "GCRF", "ITRF"):
        raise ValueError(f"frame must be TEME, EME2000, GCRF or ITRF, not {frame!r}")
    rel_r, rel_v = relative_state_rtn(states[0][0], states[0][1], states[1][0], states[1][1])
    objects = [
        _cdm_object(o, f"OBJECT{i + 1}", r, v, ref_frame)
        for i, (o, (r, v)) in enumerate(zip((obj1, obj2), states, strict=True))
    ]
    return Cdm(
        version="1.0",
        creation_date=creation_date or datetime.now(UTC),
        originator=originator,
        message_id=message_id,
        tca=tca_utc.astimezone(UTC),
        miss_distance_m=float(np.linalg.norm(rel_r)) if miss_distance_m is None else float(miss_distance_m),
        relative_speed_mps=float(np.linalg.norm(np.subtract(states[1][1], states[0][1])) * 1e3)
        if relative_speed_mps is None
        else float(relative_speed_mps),
        relative_position_rtn_m=vector3(rel_r),
        relative_velocity_rtn_mps=vector3(rel_v),
        collision_probability=collision_probability,
        collision_probability_method=pc_method,
        object1=objects[0],
        object2=objects[1],
        header_comments=list(comments or []),
    )


def _cdm_object(o: ConjunctionObject, label: str, r_km, v_kmps, ref_frame: str) -> CdmObject:
    """CdmObject for one conjunction object (covariance lower triangle when one is given)."""
    cov = None
    if o.cov_rtn_6x6 is not None:
        cov = tuple(float(x) for x in np.asarray(o.cov_rtn_6x6, float)[np.tril_indices(6)])
    return CdmObject(
        object=label,
        designator=str(o.norad_id),
        catalog_name="SATCAT",
        name=o.name,
        international_designator=o.international_designator,
        ephemeris_name=o.ephemeris_name,
        covariance_method=o.covariance_method,
        maneuverable=o.maneuverable,
        ref_frame=ref_frame,
        r_km=vector3(r_km),
        v_kmps=vector3(v_kmps),
        cov_rtn_lower=cov,
        object_type=o.object_type,
    )


def _teme_to_gcrf_at(r_km, v_kmps, epoch: Epoch) -> tuple[np.ndarray, np.ndarray]:
    """One TEME state (km, km/s) at the epoch rotated to GCRF (astro.frames.teme_to_gcrf)."""
    r, v = teme_to_gcrf(np.asarray(r_km, float)[None], np.asarray(v_kmps, float)[None], epoch.jd, epoch.fr)
    return r[0], v[0]
