"""Sharing hub benchmarks: release decision, filtered listing of 10,000 products, read requests per second.

Run: .venv/bin/python bench/hub.py [--products 10000] [--seconds 5] [--pg URL]
Prints a table and writes bench/results/hub.json. Each figure comes with a baseline measured in the same run:
  - decision: a bare classification-and-set check (the least any label check must do);
  - listing: SELECT id, label of every product, newest first, with no decision made;
  - reads: GET /health (no auth, no database, no audit) on the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from orbitshare.api.demo import label as demo_label
from orbitshare.sharing.consent import canonical_json
from orbitshare.sharing.labels import (
    Category,
    CategoryType,
    Classification,
    Clearance,
    GrantFacts,
    SecurityLabel,
    release_decision,
)

ROOT = Path(__file__).resolve().parent
SDA = "space-domain-awareness"


def bench_decision(n: int = 200_000) -> dict:
    """Mean µs per release decision over originator, consent and denial cases, vs a bare check."""
    now = datetime.now(UTC)
    rel = Category("Releasable To", CategoryType.PERMISSIVE, frozenset({"SVN", "LUX", "NATO"}))
    special = Category("Special", CategoryType.RESTRICTIVE, frozenset({"NATO"}))
    label = SecurityLabel("NATO", Classification.RESTRICTED, "SVN", (rel, special), frozenset({SDA}))
    lux = Clearance("LUX", frozenset({"NATO", "LUX"}), Classification.SECRET, frozenset({"LUX", "NATO", "EU"}))
    svn = Clearance("SVN", frozenset({"NATO", "SVN"}), Classification.SECRET, frozenset({"SVN", "NATO", "EU"}))
    grants = [
        GrantFacts("p", "SVN", "LUX", "other", now, now + timedelta(days=1)),
        GrantFacts("p", "SVN", "LUX", SDA, now - timedelta(days=1), now + timedelta(days=1)),
    ]
    cases = {
        "originator": lambda: release_decision(label, svn, product_id="p", purpose=SDA, now=now),
        "third party with grant": lambda: release_decision(
            label, lux, product_id="p", purpose=SDA, grants=grants, now=now
        ),
        "third party refused": lambda: release_decision(label, lux, product_id="p", purpose=SDA, now=now),
    }
    out = {name: _per_call_us(fn, n) for name, fn in cases.items()}
    level, attrs = int(lux.classification), lux.attributes
    out["baseline: bare check"] = _per_call_us(lambda: level >= 1 and not rel.values.isdisjoint(attrs), n)
    return out


def _per_call_us(fn, n: int) -> float:
    """Best of 5 runs of n calls, in µs per call."""
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6


def build_store(home: Path, url: str, n_products: int):
    """A hub with two partners and `n_products` labelled products (bulk-inserted), 10% granted to LUX."""
    from sqlalchemy import insert

    from orbitshare.service import Hub, HubConfig
    from orbitshare.store.db import migrate
    from orbitshare.store.models import Product

    migrate(url)
    hub = Hub(HubConfig(db_url=url, home=home))
    tokens = {}
    for code in ("SVN", "LUX"):
        hub.parties.create_partner(code, code, "nation", ["NATO", "EU"])
        for role in ("focal_point", "analyst"):
            u = hub.parties.create_user(code, f"{code} {role}", role, "SECRET", SDA)
            tokens[f"{code}_{role}"] = hub.parties.issue_token(u.id).token
    who = {k: hub.parties.authenticate(t)[0] for k, t in tokens.items()}
    now = datetime.now(UTC)
    rows = []
    for i in range(n_products):
        origin = "SVN" if i % 2 == 0 else "LUX"
        lab = SecurityLabel.from_dict(
            {
                **demo_label(
                    "SVN",
                    "LUX",
                    classification=("NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO SECRET", "COSMIC TOP SECRET")[i % 4],
                ),
                "originator": origin,
            }
        )
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "kind": "cdm",
                "title": f"product {i}",
                "originator": origin,
                "created_by": who[f"{origin}_analyst"].user_id,
                "created_at": now - timedelta(seconds=i),
                "media_type": "application/json",
                "filename": None,
                "size": 2,
                "sha256": "0" * 64,
                "label": canonical_json(lab.to_dict()).decode(),
                "meta": "{}",
                "content": b"{}",
            }
        )
    with hub.engine.begin() as conn:
        conn.execute(insert(Product), rows)
    for r in rows[: n_products // 5 : 2]:  # SVN products, every other one of the first fifth: 10% of all
        hub.consent.grant_directly(who["SVN_focal_point"], r["id"], "LUX", SDA)
    return hub, who, tokens, rows


def bench_listing(hub, who, runs: int = 7) -> dict:
    """Time list_products for a LUX analyst (cold, then warm) against the bare SELECT."""
    from sqlalchemy import select

    from orbitshare.store.models import Product

    lux = who["LUX_analyst"]
    t0 = time.perf_counter()
    hub.products.search(lux, SDA, limit=100)
    first = (time.perf_counter() - t0) * 1e3
    hub.products.clear_caches()
    t0 = time.perf_counter()
    page = hub.products.search(lux, SDA, limit=100)
    cold = (time.perf_counter() - t0) * 1e3
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        hub.products.search(lux, SDA, limit=100)
        warm.append((time.perf_counter() - t0) * 1e3)
    base = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with hub.ctx.sessions() as s:
            s.execute(select(Product.id, Product.label).order_by(Product.created_at.desc())).all()
        base.append((time.perf_counter() - t0) * 1e3)
    return {
        "permitted": page.total,
        "first_call_ms": first,
        "cold_ms": cold,
        "warm_median_ms": statistics.median(warm),
        "baseline_select_median_ms": statistics.median(base),
    }


SERVER = """
import sys, uvicorn
from pathlib import Path
from orbitshare.api.app import create_app
from orbitshare.service import HubConfig
home = Path(sys.argv[1])
app = create_app(HubConfig(db_url=sys.argv[2], home=home), run_migrations=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
"""


def bench_reads(home: Path, url: str, tokens: dict, product_id: str, seconds: float) -> dict:
    """Requests per second for authenticated reads against one uvicorn worker, 4 client threads."""
    import httpx

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(home), url, str(port)])
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_up(base)
        auth = {"Authorization": f"Bearer {tokens['LUX_analyst']}"}
        return {
            "GET /health (baseline)": _load(httpx, base + "/health", {}, seconds),
            "GET /products/{id}": _load(httpx, f"{base}/products/{product_id}", auth, seconds),
            "GET /products/{id}/content": _load(httpx, f"{base}/products/{product_id}/content", auth, seconds),
            "GET /products?limit=20 (10k decisions)": _load(httpx, base + "/products?limit=20", auth, seconds),
        }
    finally:
        proc.terminate()
        proc.wait(10)


def _free_port() -> int:
    """An unused local port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base: str) -> None:
    """Wait until the server answers."""
    import httpx

    for _ in range(200):
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def _load(httpx, url: str, headers: dict, seconds: float, threads: int = 4) -> float:
    """Completed 200 responses per second over `seconds` with `threads` keep-alive clients."""
    done, stop = [0] * threads, time.perf_counter() + seconds

    def worker(k: int) -> None:
        """Issue requests until the deadline."""
        with httpx.Client(headers=headers, timeout=30) as c:
            while time.perf_counter() < stop:
                if c.get(url).status_code != 200:
                    raise RuntimeError(f"{url} refused")
                done[k] += 1

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


def main() -> None:
    """Run the benchmarks, print a table, write bench/results/hub.json."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL admin URL: the listing is also timed in a temporary database there",
    )
    ap.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL listing")
    args = ap.parse_args()
    decision = bench_decision()
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "decision_us": decision,
    }
    with tempfile.TemporaryDirectory() as tmp:
        home, url = Path(tmp), f"sqlite:///{tmp}/hub.db"
        hub, who, tokens, rows = build_store(home, url, args.products)
        result["listing_sqlite"] = bench_listing(hub, who)
        granted = rows[0]["id"]
        hub.close()
        result["reads_per_s"] = bench_reads(home, url, tokens, granted, args.seconds)
    if not args.no_pg:
        with tempfile.TemporaryDirectory() as tmp, _temporary_database(args.pg) as url:
            if url:
                hub, who, _, _ = build_store(Path(tmp), url, args.products)
                result["listing_postgresql"] = bench_listing(hub, who)
                hub.close()
    _report(result, args.products)
    out = ROOT / "results" / "hub.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(ROOT.parent)}")


@contextmanager
def _temporary_database(admin_url: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database created and dropped through `admin_url` (None if unreachable)."""
    import psycopg

    name = f"orbitshare_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as e:
        print(f"PostgreSQL listing skipped: {e}".splitlines()[0])
        yield None
        return
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(r: dict, n: int) -> None:
    """Print the results as a table with the targets."""
    base = r["decision_us"]["baseline: bare check"]
    print(f"{'measure':<62}{'value':>14}{'target':>12}{'vs baseline':>14}")
    print("(first call: first listing in a fresh process, SQL and file caches cold; cold label cache: label")
    print(" cache emptied, as after start-up without the warm-up the server does; warm: median of 7)")
    for name, us in r["decision_us"].items():
        target = "" if name.startswith("baseline") else "<= 20 µs"
        print(f"{'release decision: ' + name:<62}{us:>11.2f} µs{target:>12}{us / base:>13.1f}x")
    for key in ("listing_sqlite", "listing_postgresql"):
        if key in r:
            x = r[key]
            label = f"listing {n:,} products for one user ({key.split('_')[1]})"
            ratio = x["warm_median_ms"] / x["baseline_select_median_ms"]
            print(f"{label + ', warm':<62}{x['warm_median_ms']:>11.1f} ms{'<= 200 ms':>12}{ratio:>13.1f}x")
            print(f"{label + ', cold label cache':<62}{x['cold_ms']:>11.1f} ms{'<= 200 ms':>12}{'':>14}")
            print(f"{label + ', first call':<62}{x['first_call_ms']:>11.1f} ms{'':>12}{'':>14}")
            print(f"{'  (permitted: ' + str(x['permitted']) + ')':<62}")
    health = r["reads_per_s"]["GET /health (baseline)"]
    for name, rps in r["reads_per_s"].items():
        print(f"{'reads: ' + name:<62}{rps:>10.0f} r/s{'':>12}{rps / health:>13.2f}x")


if __name__ == "__main__":
    main()
