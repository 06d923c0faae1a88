"""End to end in headless Chromium: sign in, see only releasable products, answer the consent inbox."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from orbitshare.api.demo import ALERT_TITLE as ALERT
from orbitshare.api.demo import CATALOG_TITLE


def _sign_in(page, live_hub: dict, who: str) -> None:
    """Open the page and sign in with `who`'s token."""
    page.goto(live_hub["url"] + "/")
    page.fill("#token", live_hub["tokens"][who])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("body[data-ready]")).to_be_attached(timeout=60_000)
    page.click("#tab-products")


def _titles(page) -> list[str]:
    """Titles in the product table."""
    return page.locator("#product-rows tr td:first-child").all_inner_texts()


def test_consent_flow_in_the_browser(browser, live_hub) -> None:
    """LUX sees only granted SVN products; SVN's focal point grants from the inbox; LUX then sees it."""
    page = browser.new_page()
    _sign_in(page, live_hub, "Luxembourg DoD analyst")
    expect(page.locator("#product-rows tr")).to_have_count(2)
    titles = _titles(page)
    assert ALERT not in titles and CATALOG_TITLE in titles
    expect(page.locator("#tab-inbox")).to_be_hidden()
    page.click("#signout")

    _sign_in(page, live_hub, "Slovenia MoD focal point")
    expect(page.locator("#who")).to_contain_text("focal point")
    page.click("#tab-inbox")
    row = page.locator("#inbox-rows tr", has_text=ALERT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("LUX")
    row.get_by_role("button", name="Grant").click()
    expect(page.locator("#status")).to_contain_text("Granted")
    expect(page.locator("#inbox-rows tr", has_text=ALERT)).to_have_count(0)
    page.click("#signout")

    _sign_in(page, live_hub, "Luxembourg DoD analyst")
    expect(page.locator("#product-rows tr")).to_have_count(3)
    assert ALERT in _titles(page)
    with page.expect_download() as download:
        page.locator("#product-rows tr", has_text=ALERT).get_by_role("button", name="Download").click()
    alerts = json.loads(download.value.path().read_bytes())
    assert alerts and {a["kind"] for a in alerts} == {"overflight"}
    page.close()
    events = [e for e in _events(live_hub["hub"]) if e["event"] in ("consent.grant", "access.download")]
    kinds = [e["event"] for e in events]
    assert "consent.grant" in kinds and kinds[-1] == "access.download"
    assert kinds.index("consent.grant") < len(kinds) - 1


def _events(hub) -> list[dict]:
    """All audit payloads."""
    import json

    from sqlalchemy import text

    with hub.engine.connect() as conn:
        return [json.loads(r[0]) for r in conn.execute(text("select payload from audit_entries order by idx"))]
