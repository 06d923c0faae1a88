"""Table-driven tests of the pure release decision and of label parsing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitshare.sharing.labels import (
    Category,
    CategoryType,
    Classification,
    Clearance,
    GrantFacts,
    Reason,
    SecurityLabel,
    release_decision,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PID = "product-1"
SDA = "space-domain-awareness"
REL = Category("Releasable To", CategoryType.PERMISSIVE, frozenset({"SVN", "LUX"}))
LABEL = SecurityLabel("NATO", Classification.RESTRICTED, "SVN", (REL,), frozenset({SDA}))
SVN = Clearance("SVN", frozenset({"NATO", "SVN"}), Classification.SECRET, frozenset({"SVN", "NATO", "EU"}))
LUX = Clearance("LUX", frozenset({"NATO", "LUX"}), Classification.SECRET, frozenset({"LUX", "NATO", "EU"}))
DEU = Clearance("DEU", frozenset({"NATO", "DEU"}), Classification.SECRET, frozenset({"DEU", "NATO", "EU"}))
GRANT = GrantFacts(PID, "SVN", "LUX", SDA, NOW - timedelta(days=1), NOW + timedelta(days=1))


def cats(*extra: Category) -> tuple[Category, ...]:
    """The releasable-to category plus `extra`."""
    return (REL, *extra)


CASES = [
    # (case, label, subject, purpose, grants, expected)
    ("originator, all held", LABEL, SVN, SDA, [], Reason.ORIGINATOR),
    ("originator, other purpose is still its own", LABEL, SVN, "training", [], Reason.ORIGINATOR),
    ("originator, policy not held", replace(LABEL, policy_id="EU"), SVN, SDA, [], Reason.POLICY),
    (
        "originator, clearance below",
        replace(LABEL, classification=Classification.TOP_SECRET),
        SVN,
        SDA,
        [],
        Reason.CLASSIFICATION,
    ),
    (
        "clearance equal to classification",
        replace(LABEL, classification=Classification.SECRET),
        SVN,
        SDA,
        [],
        Reason.ORIGINATOR,
    ),
    ("third party without grant", LABEL, LUX, SDA, [], Reason.NO_CONSENT),
    ("third party with valid grant", LABEL, LUX, SDA, [GRANT], Reason.CONSENT),
    ("grant names another product", LABEL, LUX, SDA, [replace(GRANT, product_id="other")], Reason.NO_CONSENT),
    ("grant names another recipient", LABEL, LUX, SDA, [replace(GRANT, recipient="DEU")], Reason.NO_CONSENT),
    ("grant for another purpose", LABEL, LUX, SDA, [replace(GRANT, purpose="training")], Reason.NO_CONSENT),
    ("grant by another originator", LABEL, LUX, SDA, [replace(GRANT, originator="LUX")], Reason.NO_CONSENT),
    ("grant expired exactly now", LABEL, LUX, SDA, [replace(GRANT, expires_at=NOW)], Reason.CONSENT_EXPIRED),
    (
        "grant valid until one second later",
        LABEL,
        LUX,
        SDA,
        [replace(GRANT, expires_at=NOW + timedelta(seconds=1))],
        Reason.CONSENT,
    ),
    (
        "grant not yet valid",
        LABEL,
        LUX,
        SDA,
        [replace(GRANT, not_before=NOW + timedelta(seconds=1))],
        Reason.CONSENT_EXPIRED,
    ),
    ("grant starting now", LABEL, LUX, SDA, [replace(GRANT, not_before=NOW)], Reason.CONSENT),
    ("grant revoked", LABEL, LUX, SDA, [replace(GRANT, revoked=True)], Reason.CONSENT_REVOKED),
    (
        "revoked grant beside a valid one",
        LABEL,
        LUX,
        SDA,
        [replace(GRANT, revoked=True), GRANT],
        Reason.CONSENT,
    ),
    (
        "third party, not releasable to it, even with grant",
        LABEL,
        DEU,
        SDA,
        [replace(GRANT, recipient="DEU")],
        Reason.PERMISSIVE,
    ),
    (
        "releasable to NATO covers a member with grant",
        replace(LABEL, categories=(Category("Releasable To", CategoryType.PERMISSIVE, frozenset({"NATO"})),)),
        DEU,
        SDA,
        [replace(GRANT, recipient="DEU")],
        Reason.CONSENT,
    ),
    (
        "two permissive categories, second not held",
        replace(LABEL, categories=cats(Category("Mission", CategoryType.PERMISSIVE, frozenset({"APSS"})))),
        LUX,
        SDA,
        [GRANT],
        Reason.PERMISSIVE,
    ),
    (
        "restrictive category fully held",
        replace(
            LABEL, categories=cats(Category("Special", CategoryType.RESTRICTIVE, frozenset({"NATO", "EU"})))
        ),
        LUX,
        SDA,
        [GRANT],
        Reason.CONSENT,
    ),
    (
        "restrictive category partly held",
        replace(
            LABEL, categories=cats(Category("Special", CategoryType.RESTRICTIVE, frozenset({"NATO", "X"})))
        ),
        LUX,
        SDA,
        [GRANT],
        Reason.RESTRICTIVE,
    ),
    (
        "restrictive category binds the originator too",
        replace(LABEL, categories=cats(Category("Special", CategoryType.RESTRICTIVE, frozenset({"X"})))),
        SVN,
        SDA,
        [],
        Reason.RESTRICTIVE,
    ),
    (
        "informative category is ignored",
        replace(LABEL, categories=cats(Category("Note", CategoryType.INFORMATIVE, frozenset({"X"})))),
        LUX,
        SDA,
        [GRANT],
        Reason.CONSENT,
    ),
    (
        "purpose outside the limitation, even with grant",
        LABEL,
        LUX,
        "training",
        [replace(GRANT, purpose="training")],
        Reason.PURPOSE,
    ),
    ("no purpose declared", LABEL, LUX, None, [GRANT], Reason.PURPOSE),
    (
        "no purpose limitation, grant for the declared purpose",
        replace(LABEL, purposes=frozenset()),
        LUX,
        "training",
        [replace(GRANT, purpose="training")],
        Reason.CONSENT,
    ),
    (
        "classification above clearance, even with grant",
        replace(LABEL, classification=Classification.TOP_SECRET),
        LUX,
        SDA,
        [GRANT],
        Reason.CLASSIFICATION,
    ),
    ("policy not held, even with grant", replace(LABEL, policy_id="SVN"), LUX, SDA, [GRANT], Reason.POLICY),
    (
        "no categories: third party still needs consent",
        replace(LABEL, categories=()),
        LUX,
        SDA,
        [],
        Reason.NO_CONSENT,
    ),
]


@pytest.mark.parametrize(
    ("case", "label", "subject", "purpose", "grants", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_release_decision_table(case, label, subject, purpose, grants, expected) -> None:
    """Each row gives the reason and therefore whether the release is permitted."""
    d = release_decision(label, subject, product_id=PID, purpose=purpose, grants=grants, now=NOW)
    assert d.reason is expected
    assert d.permit is (expected in (Reason.ORIGINATOR, Reason.CONSENT))
    assert bool(d) is d.permit


PARTNERS = ["SVN", "LUX", "DEU"]
grant_st = st.builds(
    GrantFacts,
    product_id=st.sampled_from([PID, "other"]),
    originator=st.sampled_from(PARTNERS),
    recipient=st.sampled_from(PARTNERS),
    purpose=st.sampled_from([SDA, "training"]),
    not_before=st.sampled_from([NOW - timedelta(days=1), NOW + timedelta(days=1)]),
    expires_at=st.sampled_from([NOW, NOW + timedelta(days=2)]),
    revoked=st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(
    originator=st.sampled_from(PARTNERS),
    subject=st.sampled_from([SVN, LUX, DEU]),
    level=st.sampled_from(list(Classification)),
    purpose=st.sampled_from([SDA, "training", None]),
    grants=st.lists(grant_st, max_size=4),
)
def test_third_party_release_needs_a_valid_grant(originator, subject, level, purpose, grants) -> None:
    """By construction: every permit to a non-originator is backed by a matching, valid, unrevoked grant."""
    label = replace(
        LABEL,
        originator=originator,
        classification=level,
        categories=(Category("Releasable To", CategoryType.PERMISSIVE, frozenset({"NATO"})),),
    )
    d = release_decision(label, subject, product_id=PID, purpose=purpose, grants=grants, now=NOW)
    if d.permit and subject.partner != originator:
        assert any(
            g.product_id == PID
            and g.recipient == subject.partner
            and g.purpose == purpose
            and g.originator == originator
            and not g.revoked
            and g.not_before <= NOW < g.expires_at
            for g in grants
        )
    if subject.classification < level:
        assert not d.permit


def test_label_round_trip_and_parsing() -> None:
    """Labels survive to_dict/from_dict; names of classifications are parsed leniently."""
    assert SecurityLabel.from_dict(LABEL.to_dict()) == LABEL
    assert LABEL.to_dict()["classification"] == "RESTRICTED"
    assert Classification.parse("NATO SECRET") is Classification.SECRET
    assert Classification.parse("cosmic top secret") is Classification.TOP_SECRET
    assert Classification.parse(1) is Classification.RESTRICTED
    assert LABEL.releasable_to() == {"SVN", "LUX"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"classification": "SECRET", "originator": "SVN"}, "policy_id is required"),
        ({"policy_id": "NATO", "classification": "SEKRET", "originator": "SVN"}, "unknown classification"),
        ({"policy_id": "NATO", "classification": True, "originator": "SVN"}, "string or an integer"),
        ({"policy_id": "NATO", "classification": 9, "originator": "SVN"}, "is not a valid"),
        ({"policy_id": "", "classification": 0, "originator": "SVN"}, "non-empty"),
        ({"policy_id": "NATO", "classification": 0, "originator": "SVN", "categories": {}}, "must be a list"),
        (
            {
                "policy_id": "NATO",
                "classification": 0,
                "originator": "SVN",
                "categories": [{"tag_name": "R", "type": "MAYBE", "values": ["A"]}],
            },
            "PERMISSIVE, RESTRICTIVE",
        ),
        (
            {
                "policy_id": "NATO",
                "classification": 0,
                "originator": "SVN",
                "categories": [{"tag_name": "R", "type": "PERMISSIVE", "values": []}],
            },
            "must not be empty",
        ),
        (
            {"policy_id": "NATO", "classification": 0, "originator": "SVN", "colour": "red"},
            "unknown label field",
        ),
        ("not a dict", "must be an object"),
    ],
)
def test_label_parsing_rejects_bad_input(data, message) -> None:
    """Bad labels raise ValueError with a message naming the problem."""
    with pytest.raises(ValueError, match=message):
        SecurityLabel.from_dict(data)
