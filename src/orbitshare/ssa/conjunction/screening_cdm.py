"""CDMs of a screening result: one CCSDS CDM per event, with TLE-based covariances and a TLE-based Pc.

Each object gets the covariance of ssa.conjunction.tle_covariance at its element-set age at TCA (its own history
fit when the catalog held several element sets of it, else its regime's table), COVARIANCE_METHOD CALCULATED or DEFAULT
accordingly, and COMMENT lines naming the source. COLLISION_PROBABILITY is Foster's 2D Pc from those
covariances (FOSTER-1992), said in a header COMMENT to be TLE-based; stale element sets and co-located pairs are
noted too. Every message passes ccsds.cdm.read_cdm and, in XML form, the CCSDS schema (ccsds.cdm.schema).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from orbitshare.ccsds.cdm import Cdm, ConjunctionObject, cdm_from_conjunction, write_cdm_kvn, write_cdm_xml
from orbitshare.ssa.conjunction.tle_covariance import TleCovarianceModel

__all__ = ["PC_LABEL", "closest_cdms", "screening_cdm", "tle_pc", "write_screening_cdms"]

PC_LABEL = "TLE-based Pc: Foster 2D from covariances estimated from element-set error growth, not from tracking"


def _covariances(res, k: int, catalog, model: TleCovarianceModel):
    """RTN covariances (6x6, CDM units) and COMMENT lines of both objects of event k."""
    out = []
    for tag in ("1", "2"):
        row = catalog.index_of([res[f"norad_id_{tag}"][k]])[0]
        cov, notes = model.covariance(int(catalog.norad_id[row]), str(catalog.regime[row]),
                                      float(res[f"age_{tag}_days"][k]))
        out.append((row, cov, notes))
    return out


def tle_pc(res, k: int, catalog, model: TleCovarianceModel) -> float:
    """TLE-based 2D Pc (Foster) of event k from both objects' TLE covariances at TCA (NaN when one has none)."""
    (_, c1, _), (_, c2, _) = _covariances(res, k, catalog, model)
    return _foster_pc(res, k, c1, c2)


def _foster_pc(res, k: int, cov1_rtn, cov2_rtn) -> float:
    """Foster 2D Pc of event k from the objects' 6x6 RTN covariances (m^2, ...); NaN when one is missing."""
    from orbitshare.ssa.conjunction.pc import pc_from_states, rtn_to_eci_cov

    if cov1_rtn is None or cov2_rtn is None:
        return float("nan")
    r1, v1, r2, v2 = (x * 1e3 for x in res.state(k))
    return float(pc_from_states(r1, v1, rtn_to_eci_cov(cov1_rtn, r1, v1), r2, v2, rtn_to_eci_cov(cov2_rtn, r2, v2),
                                float(res["hbr_m"][k]), "foster"))


def screening_cdm(res, k: int, catalog, model: TleCovarianceModel, originator: str = "ORBITSHARE",
                  creation_date: datetime | None = None) -> Cdm:
    """The CDM of event k of a screening result (states at TCA rotated from TEME to GCRF)."""
    covs = _covariances(res, k, catalog, model)
    r1, v1, r2, v2 = res.state(k)
    objs = [ConjunctionObject(int(catalog.norad_id[row]), str(catalog.name[row]), tuple(r), tuple(v),
                              international_designator=str(catalog["intl_des"][row] or "UNKNOWN"),
                              object_type=_object_type(catalog["object_type"][row]), cov_rtn_6x6=cov,
                              covariance_method="CALCULATED" if int(catalog.norad_id[row]) in model.own else "DEFAULT")
            for (row, cov, _), (r, v) in zip(covs, ((r1, v1), (r2, v2)), strict=True)]
    comments = [PC_LABEL, f"Screening threshold {res.threshold_km:g} km, SGP4 element sets (TEME rotated to GCRF)"]
    if bool(res.columns.get("stale", np.zeros(len(res), bool))[k]):
        comments.append("Warning: an element set is older than its regime's limit at TCA (stale)")
    if bool(res.columns.get("colocated", np.zeros(len(res), bool))[k]):
        comments.append("Note: co-located or formation pair (stays close over the whole window), not an encounter")
    cdm = cdm_from_conjunction(objs[0], objs[1], tca_utc=res.tca_datetime(k), originator=originator,
                               message_id=f"OS-{res['norad_id_1'][k]}-{res['norad_id_2'][k]}-{k}",
                               miss_distance_m=float(res["miss_km"][k] * 1e3),
                               relative_speed_mps=float(res["rel_speed_kms"][k] * 1e3),
                               collision_probability=_foster_pc(res, k, covs[0][1], covs[1][1]),
                               pc_method="FOSTER-1992", creation_date=creation_date, comments=comments)
    cdm.object1.comments, cdm.object2.comments = list(covs[0][2]), list(covs[1][2])
    return cdm


def closest_cdms(res, catalog, limit: int, originator: str = "ORBITSHARE",
                 model: TleCovarianceModel | None = None) -> tuple[list[float], list[dict]]:
    """TLE-based Pc of every event and the KVN CDMs of the `limit` closest ones as {index, message_id, kvn}."""
    model = model or TleCovarianceModel.from_history()
    closest = set(np.argsort(np.asarray(res["miss_km"]), kind="stable")[:limit].tolist()) if len(res) else set()
    pcs, cdms = [], []
    for k in range(len(res)):
        if k not in closest:
            pcs.append(tle_pc(res, k, catalog, model))
            continue
        cdm = screening_cdm(res, k, catalog, model, originator)
        pcs.append(float("nan") if cdm.collision_probability is None else cdm.collision_probability)
        cdms.append({"index": k, "message_id": cdm.message_id, "kvn": write_cdm_kvn(cdm)})
    return pcs, cdms


def _object_type(value) -> str | None:
    """CDM OBJECT_TYPE from the catalog's type (PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN), None when empty."""
    text = str(value or "").strip().upper()
    return {"PAYLOAD": "PAYLOAD", "ROCKET BODY": "ROCKET BODY", "DEBRIS": "DEBRIS"}.get(text, "UNKNOWN" if text
                                                                                          else None)


def write_screening_cdms(res, catalog, folder: str | Path, fmt: str = "kvn", model: TleCovarianceModel | None = None,
                         originator: str = "ORBITSHARE") -> list[Path]:
    """Write one CDM per event (fmt "kvn" -> .txt, "xml" -> .xml) into folder (created); the written paths."""
    if fmt not in ("kvn", "xml"):
        raise ValueError(f"CDM format must be kvn or xml, not {fmt!r}")
    model = model or TleCovarianceModel.from_history()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(len(res)):
        cdm = screening_cdm(res, k, catalog, model, originator)
        path = folder / f"cdm_{k:06d}_{res['norad_id_1'][k]}_{res['norad_id_2'][k]}.{'txt' if fmt == 'kvn' else 'xml'}"
        (write_cdm_kvn if fmt == "kvn" else write_cdm_xml)(cdm, path)
        paths.append(path)
    return paths
