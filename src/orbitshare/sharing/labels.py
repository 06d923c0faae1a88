"""Security labels modelled on STANAG 4774 and the pure release decision.

Every product in the hub carries a :class:`SecurityLabel`. Whether a subject (a user acting for a partner)
may receive a product is decided by :func:`release_decision`, a pure function of the label, the subject's
clearance, the declared purpose, the consent grants that name the subject's partner, and the time.

The partners' rule (no release to a third party without the providing partner's prior written consent)
holds by construction: every partner other than the originator is a third party, and the decision permits
it only with a valid, unrevoked, unexpired consent grant naming that product, partner and purpose.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

__all__ = ["LABEL_URN", "RELEASABLE_TO", "Category", "CategoryType", "Classification", "Clearance", "Decision",
           "GrantFacts", "Reason", "SecurityLabel", "derived_label", "release_decision"]

LABEL_URN = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
RELEASABLE_TO = "Releasable To"


class Classification(enum.IntEnum):
    """Ordered classification levels of the NATO policy."""

    UNCLASSIFIED = 0
    RESTRICTED = 1
    CONFIDENTIAL = 2
    SECRET = 3
    TOP_SECRET = 4

    @classmethod
    def parse(cls, value: str | int) -> Classification:
        """Parse a level from its name ("NATO SECRET", "top secret") or number."""
        if isinstance(value, bool):
            raise ValueError("classification must be a name or a level number")
        if isinstance(value, int):
            return cls(value)
        name = value.strip().upper().replace("-", " ")
        for prefix in ("NATO ", "COSMIC "):
            name = name.removeprefix(prefix)
        try:
            return cls[name.replace(" ", "_")]
        except KeyError:
            raise ValueError(f"unknown classification {value!r}; one of {[c.name for c in cls]}") from None


class CategoryType(enum.StrEnum):
    """STANAG 4774 category semantics."""

    PERMISSIVE = "PERMISSIVE"
    RESTRICTIVE = "RESTRICTIVE"
    INFORMATIVE = "INFORMATIVE"


@dataclass(frozen=True, slots=True)
class Category:
    """A label category: a tag name, its semantics and its generic values."""

    tag_name: str
    type: CategoryType
    values: frozenset[str]

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a JSON-ready dict with sorted values."""
        return {"tag_name": self.tag_name, "type": self.type.value, "values": sorted(self.values)}


@dataclass(frozen=True, slots=True)
class SecurityLabel:
    """A confidentiality label: policy, classification, categories, purposes, export note, originator."""

    policy_id: str
    classification: Classification
    originator: str
    categories: tuple[Category, ...] = ()
    purposes: frozenset[str] = frozenset()
    export_control: str | None = None
    privacy_mark: str | None = None
    created_at: str | None = None
    review_at: str | None = None

    def releasable_to(self) -> frozenset[str]:
        """The union of the values of every "Releasable To" category."""
        out: set[str] = set()
        for cat in self.categories:
            if cat.tag_name == RELEASABLE_TO:
                out |= cat.values
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a JSON-ready dict (stable order)."""
        return {
            "policy_id": self.policy_id,
            "classification": self.classification.name.replace("_", " "),
            "originator": self.originator,
            "categories": [c.to_dict() for c in self.categories],
            "purposes": sorted(self.purposes),
            "export_control": self.export_control,
            "privacy_mark": self.privacy_mark,
            "created_at": self.created_at,
            "review_at": self.review_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SecurityLabel:
        """Build a label from a dict, raising ValueError with a clear message on bad input."""
        if not isinstance(data, Mapping):
            raise ValueError("label must be an object")
        unknown = set(data) - _LABEL_FIELDS
        if unknown:
            raise ValueError(f"unknown label field(s): {sorted(unknown)}")
        for key in ("policy_id", "classification", "originator"):
            if key not in data:
                raise ValueError(f"label.{key} is required")
        return cls(
            policy_id=_text(data["policy_id"], "label.policy_id"),
            classification=Classification.parse(_scalar(data["classification"], "label.classification")),
            originator=_text(data["originator"], "label.originator"),
            categories=tuple(_category(c, i) for i, c in enumerate(_list(data.get("categories"), "categories"))),
            purposes=frozenset(_text(p, "label.purposes[]") for p in _list(data.get("purposes"), "purposes")),
            export_control=_opt_text(data.get("export_control"), "label.export_control"),
            privacy_mark=_opt_text(data.get("privacy_mark"), "label.privacy_mark"),
            created_at=_opt_text(data.get("created_at"), "label.created_at"),
            review_at=_opt_text(data.get("review_at"), "label.review_at"),
        )


_LABEL_FIELDS = frozenset(
    {
        "policy_id",
        "classification",
        "originator",
        "categories",
        "purposes",
        "export_control",
        "privacy_mark",
        "created_at",
        "review_at",
    }
)


def _text(value: Any, where: str) -> str:
    """Return a non-empty stripped string or raise ValueError naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    if len(value) > 200:
        raise ValueError(f"{where} is longer than 200 characters")
    return value.strip()


def _opt_text(value: Any, where: str) -> str | None:
    """Return None or a non-empty string."""
    return None if value is None else _text(value, where)


def _scalar(value: Any, where: str) -> str | int:
    """Return a str or int, rejecting other JSON types."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{where} must be a string or an integer")
    return value


def _list(value: Any, where: str) -> list[Any]:
    """Return a list (None means empty) or raise ValueError."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"label.{where} must be a list")
    if len(value) > 64:
        raise ValueError(f"label.{where} has more than 64 entries")
    return value


def _category(data: Any, i: int) -> Category:
    """Parse one category object."""
    where = f"label.categories[{i}]"
    if not isinstance(data, Mapping):
        raise ValueError(f"{where} must be an object")
    try:
        ctype = CategoryType(str(data.get("type", "")).upper())
    except ValueError:
        raise ValueError(f"{where}.type must be PERMISSIVE, RESTRICTIVE or INFORMATIVE") from None
    raw = _list(data.get("values"), "categories[].values")
    values = frozenset(_text(v, f"{where}.values[]") for v in raw)
    if not values and ctype is not CategoryType.INFORMATIVE:
        raise ValueError(f"{where}.values must not be empty")
    return Category(_text(data.get("tag_name"), f"{where}.tag_name"), ctype, values)


@dataclass(frozen=True, slots=True)
class Clearance:
    """What a subject holds: partner, policies, clearance level and category values (nationality, ...)."""

    partner: str
    policies: frozenset[str]
    classification: Classification
    attributes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class GrantFacts:
    """The verified facts of one consent grant, as the decision needs them."""

    product_id: str
    originator: str
    recipient: str
    purpose: str
    not_before: datetime
    expires_at: datetime
    revoked: bool = False


class Reason(enum.StrEnum):
    """Why a decision permits or denies."""

    ORIGINATOR = "permit: subject belongs to the originator"
    CONSENT = "permit: valid consent grant of the originator"
    POLICY = "deny: label policy is not one the subject is cleared under"
    CLASSIFICATION = "deny: classification above the subject's clearance"
    RESTRICTIVE = "deny: subject lacks a value of a restrictive category"
    PERMISSIVE = "deny: subject holds no value of a permissive category (e.g. not releasable to it)"
    PURPOSE = "deny: purpose outside the label's purpose limitation"
    NO_CONSENT = "deny: third party without the originator's consent"
    CONSENT_EXPIRED = "deny: consent grant expired or not yet valid"
    CONSENT_REVOKED = "deny: consent grant revoked"


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a release decision."""

    permit: bool
    reason: Reason

    def __bool__(self) -> bool:
        """True when the release is permitted."""
        return self.permit


_DECISIONS = {r: Decision(r in (Reason.ORIGINATOR, Reason.CONSENT), r) for r in Reason}


def release_decision(
    label: SecurityLabel,
    subject: Clearance,
    *,
    product_id: str,
    purpose: str | None,
    grants: Iterable[GrantFacts] = (),
    now: datetime,
) -> Decision:
    """Decide whether `subject`, for `purpose`, may receive the product `product_id` labelled `label`."""
    if label.policy_id not in subject.policies:
        return _DECISIONS[Reason.POLICY]
    if subject.classification < label.classification:
        return _DECISIONS[Reason.CLASSIFICATION]
    attrs = subject.attributes
    for cat in label.categories:
        if cat.type is CategoryType.RESTRICTIVE and not cat.values <= attrs:
            return _DECISIONS[Reason.RESTRICTIVE]
        if cat.type is CategoryType.PERMISSIVE and cat.values.isdisjoint(attrs):
            return _DECISIONS[Reason.PERMISSIVE]
    if subject.partner == label.originator:
        return _DECISIONS[Reason.ORIGINATOR]
    if label.purposes and purpose not in label.purposes:
        return _DECISIONS[Reason.PURPOSE]
    return _DECISIONS[_consent_reason(label.originator, subject.partner, product_id, purpose, grants, now)]


def _consent_reason(
    originator: str,
    partner: str,
    product_id: str,
    purpose: str | None,
    grants: Iterable[GrantFacts],
    now: datetime,
) -> Reason:
    """The best reason the grants give a third party: CONSENT if one is valid now."""
    reason = Reason.NO_CONSENT
    for g in grants:
        if g.product_id != product_id or g.recipient != partner or g.purpose != purpose or g.originator != originator:
            continue
        if g.revoked:
            reason = Reason.CONSENT_REVOKED if reason is Reason.NO_CONSENT else reason
        elif not g.not_before <= now < g.expires_at:
            reason = Reason.CONSENT_EXPIRED
        else:
            return Reason.CONSENT
    return reason


def derived_label(label: SecurityLabel, inputs: Iterable[SecurityLabel]) -> SecurityLabel:
    """The label of a product derived from `inputs`: `label` made at least as restrictive as each input.

    Classification is the maximum; PERMISSIVE categories of one tag keep only the values all of them share,
    RESTRICTIVE ones require every value any of them requires, INFORMATIVE ones are kept; purposes are
    intersected (an empty list allows every purpose). Raises ValueError when the inputs fall under another
    policy or when their purposes share nothing.
    """
    inputs = list(inputs)
    for other in inputs:
        if other.policy_id != label.policy_id:
            raise ValueError(f"an input is labelled under policy {other.policy_id!r}, not {label.policy_id!r}")
    every = [label, *inputs]
    level = max(lab.classification for lab in every)
    return replace(
        label,
        classification=level,
        categories=_combined_categories([c for lab in every for c in lab.categories]),
        purposes=_combined_purposes([lab.purposes for lab in every]),
        export_control=_joined_notes(lab.export_control for lab in every),
        privacy_mark=_joined_notes(lab.privacy_mark for lab in every),
    )


def _combined_categories(cats: list[Category]) -> tuple[Category, ...]:
    """One category per (tag, type): PERMISSIVE values intersected, RESTRICTIVE and INFORMATIVE united."""
    merged: dict[tuple[str, CategoryType], frozenset[str]] = {}
    for c in cats:
        key = (c.tag_name, c.type)
        if key not in merged:
            merged[key] = c.values
        elif c.type is CategoryType.PERMISSIVE:
            merged[key] = merged[key] & c.values
        else:
            merged[key] = merged[key] | c.values
    return tuple(Category(tag, kind, values) for (tag, kind), values in merged.items())


def _combined_purposes(sets: list[frozenset[str]]) -> frozenset[str]:
    """The purposes every limited label allows (empty: no label limits them)."""
    limited = [p for p in sets if p]
    if not limited:
        return frozenset()
    out = frozenset.intersection(*limited)
    if not out:
        raise ValueError("the inputs' purposes have none in common")
    return out


def _joined_notes(notes: Iterable[str | None]) -> str | None:
    """Distinct non-empty notes in order, joined with '; '."""
    out = list(dict.fromkeys(n for n in notes if n))
    return "; ".join(out) if out else None
