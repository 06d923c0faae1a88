"""derived_label: a derived product is labelled at least as restrictively as every input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orbitshare.sharing.labels import Classification, Clearance, SecurityLabel, derived_label, release_decision

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def lab(level: str, *rel_to: str, purposes=("sda",), restrictive=(), policy="NATO") -> SecurityLabel:
    """A label of SVN."""
    cats = [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel_to)}]
    if restrictive:
        cats.append({"tag_name": "Need", "type": "RESTRICTIVE", "values": list(restrictive)})
    return SecurityLabel.from_dict(
        {
            "policy_id": policy,
            "classification": level,
            "originator": "SVN",
            "categories": cats,
            "purposes": list(purposes),
        }
    )


CASES = [  # (posted, inputs, classification, releasable to, restrictive values, purposes)
    (lab("UNCLASSIFIED", "SVN", "LUX"), [lab("SECRET", "SVN", "LUX")], "SECRET", {"SVN", "LUX"}, None, {"sda"}),
    (lab("SECRET", "SVN", "LUX"), [lab("RESTRICTED", "SVN", "LUX")], "SECRET", {"SVN", "LUX"}, None, {"sda"}),
    (
        lab("RESTRICTED", "SVN", "LUX", "DEU"),
        [lab("RESTRICTED", "SVN", "LUX"), lab("RESTRICTED", "SVN", "DEU")],
        "RESTRICTED",
        {"SVN"},
        None,
        {"sda"},
    ),
    (
        lab("RESTRICTED", "SVN", purposes=()),
        [lab("RESTRICTED", "SVN", purposes=("a", "b"))],
        "RESTRICTED",
        {"SVN"},
        None,
        {"a", "b"},
    ),
    (
        lab("RESTRICTED", "SVN", purposes=("a", "b")),
        [lab("RESTRICTED", "SVN", purposes=("b", "c"))],
        "RESTRICTED",
        {"SVN"},
        None,
        {"b"},
    ),
    (
        lab("RESTRICTED", "SVN", restrictive=("x",)),
        [lab("RESTRICTED", "SVN", restrictive=("y",))],
        "RESTRICTED",
        {"SVN"},
        {"x", "y"},
        {"sda"},
    ),
]


@pytest.mark.parametrize(("posted", "inputs", "level", "rel_to", "need", "purposes"), CASES)
def test_derived_label_combines_inputs(posted, inputs, level, rel_to, need, purposes) -> None:
    """Classification maximum, PERMISSIVE values intersected, RESTRICTIVE united, purposes intersected."""
    out = derived_label(posted, inputs)
    cats = {c.tag_name: c.values for c in out.categories}
    assert out.classification == Classification[level] and cats["Releasable To"] == rel_to
    assert cats.get("Need") == (frozenset(need) if need else None) and out.purposes == purposes


@pytest.mark.parametrize("attrs", [{"LUX"}, {"DEU"}, {"SVN"}, {"LUX", "DEU"}, {"NATO"}])
@pytest.mark.parametrize("level", list(Classification))
def test_whoever_the_derived_label_releases_to_every_input_releases_to(attrs: set[str], level) -> None:
    """No subject receives the derived product that any input would refuse it (by the label alone)."""
    posted = lab("UNCLASSIFIED", "SVN", "LUX", "DEU", purposes=("sda", "t"))
    inputs = [lab("SECRET", "SVN", "LUX"), lab("RESTRICTED", "SVN", "DEU", "LUX", purposes=("sda",))]
    who = Clearance("SVN", frozenset({"NATO"}), level, frozenset(attrs | {"SVN"}))
    derived = derived_label(posted, inputs)
    for purpose in ("sda", "t"):
        if release_decision(derived, who, product_id="p", purpose=purpose, now=NOW).permit:
            assert all(release_decision(x, who, product_id="p", purpose=purpose, now=NOW).permit for x in inputs)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [([lab("SECRET", "SVN", purposes=("other",))], "none in common"), ([lab("SECRET", "SVN", policy="EU")], "policy")],
)
def test_derived_label_refuses_what_cannot_be_combined(inputs, message: str) -> None:
    """Disjoint purposes or another policy: a ValueError naming why."""
    with pytest.raises(ValueError, match=message):
        derived_label(lab("RESTRICTED", "SVN"), inputs)
