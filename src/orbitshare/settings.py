"""The one settings object: every ``ORBITSHARE_*`` environment variable the running code reads, validated once."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PREFIX", "Settings", "SettingsError", "env_name", "load_settings", "settings_table"]

PREFIX = "ORBITSHARE_"


class SettingsError(ValueError):
    """A bad environment variable; the message is one line naming it."""


class Settings(BaseSettings):
    """Configuration from the environment (``ORBITSHARE_`` + the field name in capitals); seconds in `_s`."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore")

    home: Path = Field(default=Path("~/.orbitshare"),
                       description="Data directory: hub database, keys, imported Earth-orientation data, logs")
    oidc_public_key: Path | None = Field(default=None,
                                         description="PEM public key of the OIDC issuer; enables JWT access tokens")
    oidc_issuer: str | None = Field(default=None, description="Accepted JWT issuer (required with the key)")
    oidc_audience: str | None = Field(default=None, description="Accepted JWT audience (required with the key)")
    witness_file: Path | None = Field(
        default=None, description="Witnessed tree heads, JSON lines (unset: `audit-heads.jsonl` in the home)")
    witness_partners: Path | None = Field(
        default=None,
        description="Partner hubs' audit public keys, JSON (unset: `witness-partners.json` in the home)")
    witness_interval_s: float = Field(default=300.0, description="Seconds between witnessed heads of the own log")
    auth_summary_s: float = Field(default=60.0, description="Seconds between summaries of refused requests")
    satcat: Path | None = Field(
        default=None, description="SATCAT CSV (Space-Track or CelesTrak, .gz accepted) naming each object's owner "
                                  "in the web picture (unset: owners unknown)")
    token: str | None = Field(default=None,
                              description="API token the `eo task` commands act as when `--token` is not given")

    @field_validator("home", "oidc_public_key", "witness_file", "witness_partners", "satcat", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty variable counts as unset."""
        return None if value == "" else value

    @field_validator("home", "oidc_public_key", "witness_file", "witness_partners", "satcat")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        """Expand `~` in paths."""
        return None if value is None else value.expanduser()

    @field_validator("witness_interval_s", "auth_summary_s", mode="before")
    @classmethod
    def _seconds(cls, value: object) -> object:
        """A positive number of seconds."""
        if not isinstance(value, str):
            return value
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"must be a number of seconds, not {value!r}") from None
        if not number > 0:
            raise ValueError(f"must be positive, not {value!r}")
        return number


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    return PREFIX + field.upper()


def load_settings() -> Settings:
    """Settings from the process environment; SettingsError names the first bad variable in one line."""
    try:
        return Settings()
    except ValidationError as e:
        err = e.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{env_name(field)}: {message}") from None


def settings_table() -> str:
    """The Markdown table of every variable (name, default, meaning), as documented in docs/sharing.md."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for field, info in Settings.model_fields.items():
        default = "unset" if info.default is None else f"`{info.default}`"
        rows.append(f"| `{env_name(field)}` | {default} | {info.description} |")
    return "\n".join(rows) + "\n"
