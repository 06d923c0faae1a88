"""What the route modules share: the documented error responses and the parsing of labels and JSON."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from orbitshare.api import schemas as S
from orbitshare.service import Invalid

__all__ = ["ERRORS", "json_or_none", "label_form", "label_of"]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": S.Error, "description": text}
    for code, text in [
        (400, "Bad request"),
        (401, "Not authenticated"),
        (403, "Refused"),
        (404, "Unknown id"),
        (409, "Conflict"),
        (413, "Payload too large"),
        (422, "Invalid input: a field out of its schema, or a rule the schema cannot express (an expiry in the past, "
         "a label refusing its own originator, a control character, an unknown query parameter)"),
    ]
}


def label_of(label: S.LabelIn) -> dict[str, Any]:
    """A label model as the dict the hub parses."""
    return label.model_dump(exclude_none=True)


def label_form(text: str) -> dict[str, Any]:
    """Parse and validate a label given as a JSON form field."""
    try:
        return label_of(S.LabelIn.model_validate_json(text))
    except ValidationError as e:
        msgs = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'label'}: {err['msg']}" for err in e.errors())
        raise Invalid(f"label: {msgs}") from None


def json_or_none(data: bytes) -> Any:
    """Parse JSON bytes, or None."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
