"""Property-based tests from the OpenAPI schema: no 5xx, documented statuses, conforming responses."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hub_api_env import make_env
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

_DIR = Path(tempfile.mkdtemp(prefix="orbitshare-schemathesis-"))
atexit.register(shutil.rmtree, _DIR, True)
ENV = make_env(_DIR)
schema = schemathesis.openapi.from_asgi("/openapi.json", ENV.client.app)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_as_a_focal_point(case) -> None:
    """Every generated request by a focal point gets a non-5xx, documented, conforming response."""
    case.call_and_validate(headers=ENV.auth("svn_fp"), checks=CHECKS)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_as_an_analyst_of_another_partner(case) -> None:
    """The same for an analyst of the other partner (more refusals)."""
    case.call_and_validate(headers=ENV.auth("lux_an"), checks=CHECKS)
