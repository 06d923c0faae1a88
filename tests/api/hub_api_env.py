"""The seeded test environment of the hub API (imported by conftest and by module-level schema tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

SDA = "space-domain-awareness"


@dataclass
class Env:
    """A running app and the credentials and products to exercise it."""

    client: TestClient
    hub: object
    tokens: dict[str, str]
    products: dict[str, dict]

    def auth(self, who: str) -> dict[str, str]:
        """Authorization header of a person."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def audit_events(self, start: int = 0) -> list[dict]:
        """Decoded audit entries from index `start`."""
        import json

        from sqlalchemy import text

        with self.hub.engine.connect() as conn:
            rows = conn.execute(text("select payload from audit_entries where idx >= :s order by idx"), {"s": start})
            return [json.loads(r[0]) for r in rows]

    def audit_size(self) -> int:
        """Current number of audit entries."""
        return self.hub.audit.head().size


def make_env(tmp_path: Path, max_upload_bytes: int = 1 << 20, jwt=None, db_url: str | None = None) -> Env:
    """Build the app (SQLite under tmp_path unless `db_url`), seed the demo, add a partner it does not release to."""
    from orbitshare.api.app import create_app
    from orbitshare.api.demo import seed
    from orbitshare.service import HubConfig

    url = db_url or f"sqlite:///{tmp_path / 'hub.db'}"
    config = HubConfig(db_url=url, home=tmp_path, max_upload_bytes=max_upload_bytes)
    app = create_app(config, jwt=jwt)
    hub = app.state.hub
    people = seed(hub)
    short = {
        "Slovenia MoD focal point": "svn_fp",
        "Slovenia MoD analyst": "svn_an",
        "Luxembourg DoD focal point": "lux_fp",
        "Luxembourg DoD analyst": "lux_an",
    }
    tokens = {short[k]: v["token"] for k, v in people.items()}
    hub.parties.create_partner("DEU", "Germany", "nation", ["NATO", "EU"])
    deu = hub.parties.create_user("DEU", "DEU analyst", "analyst", "SECRET", SDA)
    tokens["deu_an"] = hub.parties.issue_token(deu.id).token
    viewer = hub.parties.create_user("SVN", "SVN viewer", "viewer", "SECRET", SDA)
    tokens["svn_viewer"] = hub.parties.issue_token(viewer.id).token
    expired = hub.parties.issue_token(people["Slovenia MoD analyst"]["user_id"], ttl=timedelta(seconds=-1))
    tokens["expired"] = expired.token
    revoked = hub.parties.issue_token(people["Slovenia MoD analyst"]["user_id"])
    hub.parties.revoke_token(revoked.id, None)
    tokens["revoked"] = revoked.token
    client = TestClient(app)
    listing = client.get("/products", headers={"Authorization": f"Bearer {tokens['svn_an']}"}).json()["items"]
    listing += client.get("/products", headers={"Authorization": f"Bearer {tokens['lux_an']}"}).json()["items"]
    products = {p["title"]: p for p in listing}
    return Env(client, hub, tokens, products)
