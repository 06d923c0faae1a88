"""Jobs: functions whose result the hub stores as a labelled product, registered explicitly with the app.

`create_app` is given a :class:`JobRegistry` (default: the capabilities' jobs); `POST /jobs/{name}` runs
the function with the posted parameters and stores the result under the posted label. A job declares the
exceptions that mean "bad input" (answered 422); any other exception is a bug (logged, answered 500).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from orbitshare.service import Forbidden, Hub, Invalid, Principal
from orbitshare.service.products import ProductInfo

__all__ = ["Job", "JobContext", "JobFunction", "JobParams", "JobRegistry", "JobResult", "catalog_meta",
           "catalog_summary", "encode_result", "parse_params", "run_and_store"]

JobResult = tuple[bytes | dict[str, Any] | list[Any], str, dict[str, Any]]


@dataclass(frozen=True)
class JobContext:
    """What a job may use besides its parameters: reading input products as the caller, own partner only.

    A job's result is originated by the caller's partner, so an input originated by another partner would
    be re-originated and could then be released without that partner's consent: such inputs are refused.
    """

    read_product: Callable[[str], tuple[ProductInfo, bytes]]
    partner: str

    def read_own_product(self, product_id: str, kind: str | None = None) -> tuple[ProductInfo, bytes]:
        """Metadata and content of an input product (release decision and audit apply); ValueError if unusable."""
        info, data = self.read_product(product_id)
        if info.originator != self.partner:
            raise PermissionError(
                f"product {product_id} was originated by {info.originator}: a job result would re-originate "
                f"it under {self.partner}; run the job at {info.originator} or share their result instead")
        if kind is not None and info.kind != kind:
            raise ValueError(f"product {product_id} is a {info.kind!r}, this job needs a {kind!r}")
        return info, data


JobFunction = Callable[[dict[str, Any], JobContext], JobResult]
M = TypeVar("M", bound=BaseModel)


class JobParams(BaseModel):
    """Strict job parameters (unknown fields refused)."""

    model_config = ConfigDict(extra="forbid")


def parse_params(model: type[M], params: dict[str, Any], prefix: str = "") -> M:
    """Validated parameters, or ValueError naming each bad field (after `prefix`, e.g. 'scenario.')."""
    try:
        return model.model_validate(params)
    except ValidationError as e:
        raise ValueError("; ".join(f"{prefix}{'.'.join(map(str, err['loc']))}: {err['msg']}"
                                   for err in e.errors())) from None


@dataclass(frozen=True)
class Job:
    """A job: name, kind of product it makes, the function `run(params, ctx) -> (content, media_type, meta)`,
    and the exceptions it raises for bad input (answered 422 naming the job; others are bugs, answered 500)."""

    name: str
    result_kind: str
    summary: str
    run: JobFunction
    input_errors: tuple[type[Exception], ...] = (ValueError,)

    def __post_init__(self) -> None:
        """Refuse a name that cannot be a path segment of POST /jobs/{name}."""
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", self.name):
            raise ValueError(f"bad job name {self.name!r}")


class JobRegistry:
    """The jobs an app offers, by name, in the order they were added."""

    def __init__(self, jobs: Iterable[Job] = ()) -> None:
        """A registry holding `jobs`."""
        self._jobs: dict[str, Job] = {}
        for job in jobs:
            self.add(job)

    def add(self, job: Job) -> None:
        """Offer `job` as POST /jobs/{job.name}; a name is taken once."""
        if job.name in self._jobs:
            raise ValueError(f"job {job.name!r} is already registered")
        self._jobs[job.name] = job

    def remove(self, name: str) -> None:
        """Stop offering the job `name` (no-op when absent)."""
        self._jobs.pop(name, None)

    def get(self, name: str) -> Job | None:
        """The job `name`, or None."""
        return self._jobs.get(name)

    def __iter__(self) -> Iterator[Job]:
        """The jobs in registration order."""
        return iter(self._jobs.values())


def run_and_store(hub: Hub, who: Principal, job: Job, params: dict[str, Any], title: str | None,
                  label: dict[str, Any], purpose: str) -> ProductInfo:
    """Run `job` as `who` and store its result, labelled at least as restrictively as every input it read.

    Forbidden when the job would re-originate another partner's input, Invalid for what the job declares as
    bad input; any other exception propagates (a bug)."""
    inputs: list[dict[str, Any]] = []

    def read_input(pid: str) -> tuple[ProductInfo, bytes]:
        """Read an input product as the caller, remembering its label for the result's."""
        info, data = hub.products.get(who, purpose, pid, event="access.job-input")
        inputs.append(info.label)
        return info, data

    try:
        content, media, meta = job.run(params, JobContext(read_input, who.partner))
    except PermissionError as e:
        raise Forbidden(f"job {job.name}: {e}") from None
    except job.input_errors as e:  # only what the job declares is the caller's error; anything else is a bug
        raise Invalid(f"job {job.name} rejected its parameters: {e}") from None
    meta = {**meta, "job": job.name, "params": params}
    return hub.products.add(who, job.result_kind, title or job.name, label, encode_result(content), media, None,
                            meta, derived_from=inputs)


def encode_result(content: bytes | dict[str, Any] | list[Any]) -> bytes:
    """Bytes of a job result: JSON values serialised as strict JSON (NaN and infinities become null)."""
    if isinstance(content, bytes):
        return content
    return json.dumps(_finite(content), allow_nan=False).encode()


def _finite(value: Any) -> Any:
    """The value with every non-finite float (NaN, +-inf: not JSON) replaced by None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


# --- catalogs: raw TLE / OMM files ----------------------------------------------------------------------

MAX_REJECT_MESSAGES = 50


def catalog_meta(text: str, source: str = "upload") -> dict[str, Any]:
    """Metadata stored with a catalog product, from orbitshare.catalog's readers (ValueError if nothing usable).

    Keeps the counts by regime and type, the epoch span and every reject (the first 50 messages in full);
    a file whose records are all rejected is refused with the reasons.
    """
    import io

    from orbitshare.catalog import detect_format, read_catalog_file

    fmt = detect_format(text[:4096])
    catalog, report = read_catalog_file(io.StringIO(text), source, fmt)
    return catalog_summary(fmt, catalog, report)


def catalog_summary(fmt: str, catalog: Any, report: Any) -> dict[str, Any]:
    """Metadata of a catalog product from a catalog already read in format `fmt` and its parse report."""
    rejects = [str(r) for r in report.rejects]
    if len(catalog) == 0:
        reasons = "; ".join(rejects[:5]) or "no element sets found"
        raise ValueError(f"not a TLE or OMM catalog with a usable element set (read as {fmt}): {reasons}")
    return {"format": fmt, **catalog.summary(), "records_read": report.records_read,
            "rejects": len(rejects), "reject_messages": rejects[:MAX_REJECT_MESSAGES],
            "duplicates_replaced": len(report.duplicates)}
