"""Routes of jobs: list and run registered jobs, upload catalogs."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, Jobs, Who, purpose_of
from orbitshare.api.jobs import JobContext, catalog_meta, encode_result
from orbitshare.api.routes.common import ERRORS, label_form, label_of
from orbitshare.service import Forbidden, Invalid, NotFound
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
    lab = label_of(body.label)
    purpose = purpose_of(who, None)
    inputs: list[dict[str, Any]] = []

    def read_input(pid: str) -> tuple[ProductInfo, bytes]:
        """Read an input product as the caller, remembering its label for the result's."""
        info, data = hub.products.get(who, purpose, pid, event="access.job-input")
        inputs.append(info.label)
        return info, data

    ctx = JobContext(read_input, who.partner)
    try:
        content, media, meta = job.run(body.params, ctx)
    except PermissionError as e:
        raise Forbidden(f"job {name}: {e}") from None
    except job.input_errors as e:  # only what the job declares is the caller's error; anything else is a bug
        raise Invalid(f"job {name} rejected its parameters: {e}") from None
    except Exception:
        log.exception("job %s failed", name)
        raise
    meta = {**meta, "job": name, "params": body.params}
    data = encode_result(content)
    return hub.products.add(who, job.result_kind, body.title or name, lab, data, media, None, meta, derived_from=inputs)


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
