"""Routes of jobs: list and run registered jobs, upload catalogs."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, Jobs, Who, purpose_of
from orbitshare.api.jobs import catalog_meta, run_and_store
from orbitshare.api.routes.common import ERRORS, label_form, label_of
from orbitshare.service import Forbidden, HubError, Invalid, NotFound
from orbitshare.service.products import ProductInfo

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["jobs"], responses=ERRORS)


@router.get("/jobs", response_model=list[S.JobInfo])
def jobs(who: Who, registry: Jobs) -> list[dict[str, str]]:
    """Registered jobs (capabilities that store their result as a labelled product)."""
    return [{"name": j.name, "result_kind": j.result_kind, "summary": j.summary} for j in registry]


@router.post("/jobs/{name}", response_model=S.ProductOut, status_code=201)
def run_job(name: S.JobName, body: S.JobIn, who: Who, hub: HubDep, registry: Jobs) -> ProductInfo:
    """Run a registered job and store its result, labelled at least as restrictively as its inputs."""
    job = registry.get(name)
    if job is None:
        raise NotFound(f"no job {name!r}; see GET /jobs")
    if not who.can_write():
        raise Forbidden("viewers may not run jobs")
    try:
        return run_and_store(hub, who, job, body.params, body.title, label_of(body.label), purpose_of(who, None))
    except HubError:  # answered by the app's error handlers
        raise
    except Exception:
        log.exception("job %s failed", name)
        raise


@router.post("/catalogs", response_model=S.ProductOut, status_code=201)
def upload_catalog(
    who: Who,
    hub: HubDep,
    file: Annotated[UploadFile, File(description="TLE or OMM (XML, KVN, JSON, CSV)")],
    label: Annotated[str, Form(description="Security label as JSON")],
    title: Annotated[str | None, Form(max_length=300)] = None,
) -> ProductInfo:
    """Upload a TLE or OMM catalog; the raw text is stored as a labelled `catalog` product."""
    data = file.file.read()
    S.upload_fields(file.filename, None, title)
    try:
        text = data.decode("utf-8")
        meta = catalog_meta(text, file.filename or "upload")
    except UnicodeDecodeError:
        raise Invalid("catalog must be UTF-8 text") from None
    except ValueError as e:
        raise Invalid(str(e)) from None
    media = "application/xml" if meta["format"] == "omm-xml" else "text/plain; charset=utf-8"
    if meta["format"] == "omm-json":
        media = "application/json"
    return hub.products.add(
        who,
        "catalog",
        title or file.filename or "catalog",
        label_form(label),
        data,
        media,
        file.filename,
        meta,
    )
