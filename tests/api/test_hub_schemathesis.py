"""Property-based tests from the OpenAPI schema over the whole API, as a focal point and as an analyst.

Valid and invalid requests (schemathesis' examples, coverage and fuzzing phases, positive and negative data)
must get no 5xx and a response that conforms: documented status, content type and headers, body schema,
invalid data refused, valid data accepted, unsupported methods answered 405 with `Allow`, and a missing or
wrong credential refused.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hub_api_env import make_env
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.config import PositiveDataAcceptanceConfig

_DIR = Path(tempfile.mkdtemp(prefix="orbitshare-schemathesis-"))
atexit.register(shutil.rmtree, _DIR, True)
ENV = make_env(_DIR)
schema = schemathesis.openapi.from_asgi("/openapi.json", ENV.client.app)
# The token is supplied by each test; generating the Authorization header too would let a "missing header"
# mutation be overridden by it, and schemathesis would then judge a valid request as negative data.
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
schema.config.generation.update(modes=MODES, with_security_parameters=False)
# A schema-valid request may still break a rule the schema cannot express (an expiry in the past, a label that
# would refuse its own originator, an unknown id's partner): the API documents those as 422 on every operation.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2xx", "401", "403", "404", "409", "422"]
)
CHECKS = [
    not_a_server_error,
    positive_data_acceptance,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
]


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
