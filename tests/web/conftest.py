"""Web fixtures: the hub served by uvicorn on a free local port, and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ORBITSHARE_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--use-angle=swiftshader",  # WebGL on the CPU (SwiftShader): the map draws without a GPU
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory) -> Iterator[dict]:
    """Serve a demo-seeded hub (owners from the shared SATCAT when present); yields its base URL, tokens and hub."""
    import uvicorn
    from tests.conftest import SHARED

    from orbitshare.api.app import create_app
    from orbitshare.api.demo import seed
    from orbitshare.service import HubConfig
    from orbitshare.settings import Settings

    home: Path = tmp_path_factory.mktemp("web")
    satcat = SHARED / "catalog" / "satcat_2025-03-16.csv.gz"
    settings = Settings(satcat=satcat if satcat.exists() else None)
    app = create_app(HubConfig(db_url=f"sqlite:///{home / 'hub.db'}", home=home), settings=settings)
    people = seed(app.state.hub)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield {
        "url": f"http://127.0.0.1:{port}",
        "tokens": {k: v["token"] for k, v in people.items()},
        "hub": app.state.hub,
        "satcat": settings.satcat is not None,
    }
    server.should_exit = True
    thread.join(timeout=10)
    app.state.hub.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots of the end-to-end runs (ignored by git); its path is printed."""
    folder = Path(os.environ.get("ORBITSHARE_WEB_ARTIFACTS", Path(__file__).parent / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nweb screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("ORBITSHARE_REQUIRE_POSTGRES"):
            pytest.fail(f"{CHROMIUM} missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium) – web end-to-end tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def env(tmp_path: Path):
    """A fresh demo-seeded app with a test client (the API tests' environment)."""
    from tests.api.hub_api_env import make_env

    e = make_env(tmp_path)
    yield e
    e.hub.close()
