"""Reading user documents (YAML models and scenarios, GeoJSON) into pydantic models with one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = ["first_error", "read_file", "read_yaml_model"]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def first_error(exc: ValidationError) -> str:
    """One line naming the field path and the problem of the first validation error."""
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid"))


def read_yaml_model(fileobj: IO[str], source: str, model: type[M], error: type[Exception], what: str,
                    empty_ok: bool = False) -> M:
    """A pydantic model from a YAML mapping stream; `error` with one line naming source, line or field."""
    try:
        data: Any = yaml.safe_load(fileobj)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise error(f"{source}:{line} not valid YAML") from None
    if data is None and empty_ok:
        data = {}
    if not isinstance(data, dict):
        raise error(f"{source}: expected a mapping of {what}")
    try:
        return model(**data)
    except ValidationError as exc:
        raise error(f"{source}: {first_error(exc)}") from None
    except TypeError as exc:
        raise error(f"{source}: {exc}") from None


def read_file(path: str | Path, reader: Callable[[IO[str], str], T], error: type[Exception]) -> T:
    """reader(text stream, source name) of a UTF-8 file; `error` naming the file when it cannot be read."""
    p = Path(path)
    try:
        with p.open("r", encoding="utf-8") as fh:
            return reader(fh, str(p))
    except OSError as exc:
        raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
