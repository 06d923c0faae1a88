"""Tasking across partners on SQLite and PostgreSQL: decisions, lifecycle, release of products, audit history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from orbitshare.service import Conflict, Forbidden, Invalid, NotFound, Principal
from orbitshare.service.tasking import AcceptanceStatement, EmergencyCandidate
from orbitshare.sharing import consent as cs
from orbitshare.store.models import Grant, Tasking

EO = "earth-observation"
AOI = {"type": "Polygon", "coordinates": [[[14.4, 46.0], [14.6, 46.0], [14.6, 46.1], [14.4, 46.1], [14.4, 46.0]]]}


@dataclass
class People:
    """Principals of three partners: SVN requests, LUX owns the asset, DEU is a third party."""

    svn_fp: Principal
    svn_an: Principal
    lux_fp: Principal
    lux_an: Principal
    deu_fp: Principal
    svn_viewer: Principal


@pytest.fixture
def people(hub) -> People:
    """Partners and users with EO as their purpose."""
    out = {}
    for code in ("SVN", "LUX", "DEU"):
        hub.parties.create_partner(code, code, "nation", ["NATO", "EU"])
    for key, (partner, role) in {
        "svn_fp": ("SVN", "focal_point"),
        "svn_an": ("SVN", "analyst"),
        "lux_fp": ("LUX", "focal_point"),
        "lux_an": ("LUX", "analyst"),
        "deu_fp": ("DEU", "focal_point"),
        "svn_viewer": ("SVN", "viewer"),
    }.items():
        user = hub.parties.create_user(partner, key, role, "NATO SECRET", EO)
        out[key] = hub.parties.authenticate(hub.parties.issue_token(user.id).token)[0]
    return People(**out)


def _window(hours: float = 48.0) -> tuple[datetime, datetime]:
    """A window from now to `hours` later."""
    now = datetime.now(UTC)
    return now, now + timedelta(hours=hours)


def _request(hub, p: People, **kw):
    """SVN's analyst asks LUX's asset for an image of AOI."""
    start, end = _window()
    return hub.tasking.request(p.svn_an, "naos", "LUX", kw.pop("aoi", AOI), start, end, EO, **kw)


def _label(*rel_to: str) -> dict:
    """An EO product label of LUX releasable to `rel_to`."""
    return {
        "policy_id": "NATO",
        "classification": "NATO RESTRICTED",
        "purposes": [EO],
        "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel_to)}],
    }


def test_request_then_decline(hub, people: People) -> None:
    """The owner's focal point declines; the request is final and its history is in the audit log."""
    t = _request(hub, people, justification="flood extent")
    assert (t.status, t.owner, t.requester, t.urgency) == ("requested", "LUX", "SVN", "routine")
    inbox = hub.tasking.taskings(people.lux_fp, "inbox")
    assert [x.id for x in inbox] == [t.id]
    assert hub.tasking.taskings(people.svn_fp, "inbox") == []
    d = hub.tasking.decide(people.lux_fp, t.id, False, note="asset in safe mode")
    assert (d.status, d.decision_note, d.acceptance) == ("declined", "asset in safe mode", None)
    with pytest.raises(Conflict):
        hub.tasking.decide(people.lux_fp, t.id, True)
    with pytest.raises(Conflict):
        hub.tasking.advance(people.svn_an, t.id, "cancelled")
    got = hub.tasking.get(people.svn_an, t.id)
    assert [(h.event, h.status, h.partner) for h in got.history] == [
        ("tasking.request", "requested", "SVN"),
        ("tasking.decline", "declined", "LUX"),
    ]
    assert got.history[1].note == "asset in safe mode"
    assert hub.tasking.taskings(people.lux_fp, "inbox") == []
    assert hub.audit.verify().ok


def test_full_lifecycle_releases_products_to_the_requester_only(hub, people: People) -> None:
    """accept -> planned -> acquired -> delivered: the requester reads the product, a third partner gets 404."""
    t = _request(hub, people)
    acc = hub.tasking.decide(people.lux_fp, t.id, True, note="ok")
    assert acc.status == "accepted" and acc.acceptance_valid is True
    st = acc.acceptance
    assert (st["release_to"], st["release_purpose"], st["owner"], st["type"]) == (
        "SVN", EO, "LUX", "orbitshare.tasking-acceptance/v1"
    )
    # the signed bytes verify offline with the published key
    assert cs.verify_signature(cs.unb64u(acc.acceptance_b64), acc.acceptance_signature,
                               cs.unb64u(acc.acceptance_public_key))
    assert AcceptanceStatement.from_bytes(cs.unb64u(acc.acceptance_b64)).tasking_id == t.id
    planned_time = datetime.now(UTC) + timedelta(hours=3)
    pl = hub.tasking.advance(people.lux_an, t.id, "planned", planned_time=planned_time, plan_ref="plan-42")
    assert pl.status == "planned" and pl.planned_time == cs.iso(planned_time)
    aq = hub.tasking.advance(people.lux_an, t.id, "acquired", acquired_time=datetime.now(UTC))
    assert aq.status == "acquired"
    product = hub.products.add(people.lux_an, "stac_item", "LUXEOSys scene over Ljubljana",
                               _label("LUX", "SVN", "DEU"), b'{"type":"Feature"}', "application/geo+json")
    # before delivery, the requester cannot read it (no consent yet)
    with pytest.raises(NotFound):
        hub.products.get(people.svn_an, EO, product.id)
    dv = hub.tasking.advance(people.lux_an, t.id, "delivered", product_ids=[product.id])
    assert dv.status == "delivered" and [p["product_id"] for p in dv.products] == [product.id]
    info, content = hub.products.get(people.svn_an, EO, product.id)
    assert content == b'{"type":"Feature"}' and info.released_by == "CONSENT"
    assert info.label["originator"] == "LUX"
    with pytest.raises(NotFound):
        hub.products.get(people.deu_fp, EO, product.id)  # REL TO names DEU, but LUX never consented
    with pytest.raises(NotFound):
        hub.tasking.get(people.deu_fp, t.id)
    # the grant is signed by the focal point who accepted and names the tasking
    with hub.engine.connect() as conn:
        g = conn.execute(select(Grant).where(Grant.id == dv.products[0]["grant_id"])).one()
    assert (g.recipient, g.purpose, g.request_id, g.signer) == ("SVN", EO, t.id, people.lux_fp.user_id)
    hist = hub.tasking.get(people.lux_fp, t.id).history
    assert [h.status for h in hist] == ["requested", "accepted", "planned", "acquired", "delivered"]
    assert [h.partner for h in hist] == ["SVN", "LUX", "LUX", "LUX", "LUX"]
    times = [h.time for h in hist]
    assert times == sorted(times)
    assert hub.audit.verify().ok
    # revoking the grant withdraws the product at once
    hub.consent.revoke(people.lux_fp, dv.products[0]["grant_id"], "no longer needed")
    with pytest.raises(NotFound):
        hub.products.get(people.svn_an, EO, product.id)


def test_wrong_party_cannot_decide_or_advance(hub, people: People) -> None:
    """Only the owner's focal point decides (403), a third partner cannot see the tasking (404)."""
    t = _request(hub, people)
    for who in (people.lux_an, people.svn_fp, people.svn_an):
        with pytest.raises(Forbidden):
            hub.tasking.decide(who, t.id, True)
    with pytest.raises(NotFound):
        hub.tasking.decide(people.deu_fp, t.id, True)
    hub.tasking.decide(people.lux_fp, t.id, True)
    with pytest.raises(Forbidden):  # the requester does not plan the owner's asset
        hub.tasking.advance(people.svn_an, t.id, "planned", planned_time=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(Forbidden):
        hub.tasking.advance(people.lux_an, t.id, "cancelled")  # the owner withdraws through its focal point
    with pytest.raises(Forbidden):
        hub.tasking.request(people.svn_viewer, "naos", "LUX", AOI, *_window())
    assert hub.tasking.get(people.lux_fp, t.id).status == "accepted"


def test_skipping_a_state_is_refused(hub, people: People) -> None:
    """requested -> planned, accepted -> acquired, planned -> delivered and leaving a final state are refused."""
    t = _request(hub, people)
    soon = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(Conflict, match="from requested it may go to accepted, declined, cancelled"):
        hub.tasking.advance(people.lux_fp, t.id, "planned", planned_time=soon)
    hub.tasking.decide(people.lux_fp, t.id, True)
    with pytest.raises(Conflict):
        hub.tasking.advance(people.lux_an, t.id, "acquired", acquired_time=datetime.now(UTC))
    with pytest.raises(Invalid, match="planned_time"):
        hub.tasking.advance(people.lux_an, t.id, "planned", planned_time=soon + timedelta(days=30))
    hub.tasking.advance(people.lux_an, t.id, "planned", planned_time=soon)
    with pytest.raises(Conflict):
        hub.tasking.advance(people.lux_an, t.id, "delivered", product_ids=["x"])
    hub.tasking.advance(people.svn_an, t.id, "cancelled", reason="flood receded")
    with pytest.raises(Conflict, match="final"):
        hub.tasking.advance(people.lux_an, t.id, "acquired", acquired_time=datetime.now(UTC))
    got = hub.tasking.get(people.svn_an, t.id)
    assert (got.status, got.cancel_reason) == ("cancelled", "flood receded")
    assert [h.status for h in got.history] == ["requested", "accepted", "planned", "cancelled"]


def test_invalid_requests_name_the_field(hub, people: People) -> None:
    """Own assets, unknown owners, bad AOIs and windows are refused with the field named."""
    start, end = _window()
    cases = [
        (dict(asset_id="nemo-hd", owner="SVN"), "asset_id"),
        (dict(asset_id="x", owner="FRA"), "asset_id"),
        (dict(aoi={"type": "Point", "coordinates": [200.0, 10.0]}), "aoi.coordinates"),
        (dict(aoi={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 2]]]}), "aoi.coordinates"),
        (dict(window_end=start - timedelta(hours=1)), "window_end"),
        (dict(window_start=start.replace(tzinfo=None)), "window_start"),
        (dict(urgency="whenever"), "urgency"),
    ]
    for change, field in cases:
        args = dict(asset_id="naos", owner="LUX", aoi=AOI, window_start=start, window_end=end) | change
        with pytest.raises(Invalid, match=field):
            hub.tasking.request(people.svn_an, args["asset_id"], args["owner"], args["aoi"], args["window_start"],
                                args["window_end"], EO, urgency=args.get("urgency", "routine"))


def test_delivery_checks_the_products(hub, people: People) -> None:
    """A product not labelled by the owner, or whose label refuses the requester, cannot be delivered."""
    t = _request(hub, people)
    hub.tasking.decide(people.lux_fp, t.id, True)
    hub.tasking.advance(people.lux_an, t.id, "planned", planned_time=datetime.now(UTC) + timedelta(hours=1))
    hub.tasking.advance(people.lux_an, t.id, "acquired", acquired_time=datetime.now(UTC))
    svn_product = hub.products.add(people.svn_an, "file", "not LUX's", _label("SVN", "LUX"), b"x")
    with pytest.raises(Invalid, match=r"product_ids\[0\]"):
        hub.tasking.advance(people.lux_an, t.id, "delivered", product_ids=[svn_product.id])
    lux_only = hub.products.add(people.lux_an, "file", "LUX eyes only", _label("LUX"), b"y")
    with pytest.raises(Invalid, match=r"product_ids\[0\].*does not allow release to SVN"):
        hub.tasking.advance(people.lux_an, t.id, "delivered", product_ids=[lux_only.id])
    assert hub.tasking.get(people.lux_an, t.id).status == "acquired"


def test_tampered_acceptance_no_longer_verifies(hub, people: People) -> None:
    """Editing the stored acceptance (release to another partner) breaks its signature."""
    t = _request(hub, people)
    hub.tasking.decide(people.lux_fp, t.id, True)
    with hub.engine.begin() as conn:
        raw = conn.execute(select(Tasking.acceptance).where(Tasking.id == t.id)).scalar_one()
        forged = json.loads(raw) | {"release_to": "DEU"}
        conn.execute(update(Tasking).where(Tasking.id == t.id).values(acceptance=cs.canonical_json(forged)))
    assert hub.tasking.get(people.svn_an, t.id).acceptance_valid is False


def test_emergency_activation_requests_other_partners_assets(hub, people: People) -> None:
    """An activation requests each chosen asset of another partner, emergency first in the owner's inbox."""
    routine = _request(hub, people)
    now = datetime.now(UTC)
    cands = [
        EmergencyCandidate("nemo-hd", "SVN", now + timedelta(minutes=20), now + timedelta(minutes=28)),
        EmergencyCandidate("naos", "LUX", now + timedelta(minutes=50), now + timedelta(minutes=58)),
        EmergencyCandidate("sentinel-1c", "EU", now + timedelta(minutes=70), now + timedelta(minutes=78)),
    ]
    act, made = hub.tasking.activate(people.svn_fp, AOI, "flood", "emergency", cands, now + timedelta(hours=24))
    assert [(m.asset_id, m.owner, m.urgency, m.event_type) for m in made] == [
        ("naos", "LUX", "emergency", "flood")
    ]
    assert [x.id for x in hub.tasking.taskings(people.lux_fp, "inbox")] == [made[0].id, routine.id]
    events = [e for e in hub.audit.entries(people.svn_fp) if e.entry["event"] == "tasking.activate"]
    assert events and events[0].entry["activation"] == act and events[0].entry["taskings"] == [made[0].id]
