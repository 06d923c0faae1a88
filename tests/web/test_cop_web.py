"""The common operational picture end to end in headless Chromium, and offline.

One partner's analyst uploads a catalog, screens it and opens a conjunction on the map; the other partner's
analyst cannot see the report and asks for consent; the first partner's focal point grants it (and verifies
the audit log in the browser); the second analyst now sees the conjunction; after revocation it cannot.
Screenshots of each step go to the artifacts folder.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import expect
from tests.conftest import DATA

SVN_AN, SVN_FP = "Slovenia MoD analyst", "Slovenia MoD focal point"
LUX_AN = "Luxembourg DoD analyst"
STATIONS = DATA / "tle" / "stations_2026-03-10.json"
TIMEOUT_MS = 60_000


def _sign_in(page, live_hub: dict, who: str) -> None:
    """Sign in as `who` and wait until every panel has loaded."""
    page.goto(live_hub["url"] + "/")
    page.fill("#token", live_hub["tokens"][who])
    page.click("#signin-form button[type=submit]")
    expect(page.locator("body[data-ready]")).to_be_attached(timeout=TIMEOUT_MS)
    expect(page.locator("#who")).to_contain_text(who)


def _sign_out(page) -> None:
    """Sign out and check the page forgot the user."""
    page.click("#signout")
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()


def _report_options(page) -> list[str]:
    """Values of the conjunction-report picker."""
    return [v for v in page.locator("#report-select option").evaluate_all("os => os.map(o => o.value)") if v]


def _open_first_conjunction(page) -> None:
    """Select the closest non-co-located conjunction (or else the first co-located pair)."""
    page.click("#tab-conjunctions")
    expect(page.locator("#report-summary")).to_contain_text("objects screened")
    rows = page.locator("#conj-rows tr")
    (rows.first if rows.count() else page.locator("#coloc-rows tr").first).click()
    expect(page.locator("#conj-detail")).to_be_visible()


def test_consent_flow_on_the_picture(browser, live_hub, artifacts) -> None:
    """Upload, screen, open; refused then requested; granted; seen; revoked; no longer seen."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("dialog", lambda d: d.accept())
    shot = lambda name: page.screenshot(path=str(artifacts / f"cop-{name}.png"))  # noqa: E731

    # 1. SVN analyst uploads a catalog (LUX eligible, nothing released yet) and screens it.
    _sign_in(page, live_hub, SVN_AN)
    page.click("#tab-jobs")
    page.set_input_files("#upload-file", str(STATIONS))
    page.fill("#upload-title", "SVN stations catalog")
    page.check("#upload-releasable input[value=LUX]")  # eligible; released to LUX only with SVN's consent
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#status")).to_contain_text("Uploaded SVN stations catalog", timeout=TIMEOUT_MS)
    page.select_option("#job-name", "screening")
    page.select_option("#job-catalog", label=page.locator("#job-catalog option", has_text="SVN stations").inner_text())
    page.fill("#job-start", "2026-03-10T00:00:00")
    page.fill("#job-threshold", "500")  # out of range: the form says so before anything is sent
    page.click("#job-form button[type=submit]")
    expect(page.locator("#job-error")).to_contain_text("at most 100 km")
    page.fill("#job-threshold", "50")
    page.fill("#job-title", "SVN station screening")
    page.check("#job-releasable input[value=LUX]")  # the result is labelled at least as its input
    page.click("#job-form button[type=submit]")
    expect(page.locator("#job-result")).to_contain_text("Finished", timeout=TIMEOUT_MS)
    report_id = page.locator("#job-result").get_attribute("data-product-id")
    assert report_id
    shot("1-screening-finished")

    # 2. ... and opens a conjunction on the map: tracks around TCA from its own catalog.
    assert _report_options(page) == [report_id] or report_id in _report_options(page)
    _open_first_conjunction(page)
    expect(page.locator("#conj-positions")).to_contain_text("Tracks ±10 min around TCA")
    expect(page.locator("#conj-facts")).to_contain_text("Radial / in-track / cross-track")
    expect(page.locator("#conj-cdm")).to_contain_text("CCSDS CDM OS-")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Download CDM").click()
    assert "CCSDS_CDM_VERS" in Path(saved.value.path()).read_text()
    page.wait_for_timeout(1000)  # the map eases to the TCA
    shot("2-conjunction-svn")
    page.click("#tab-products")
    page.fill("#q", "station")  # a filter the next user must not inherit
    page.click("#search-form button[type=submit]")
    _sign_out(page)

    # 3. LUX analyst cannot see it: the page says why without revealing it, and asks for consent.
    _sign_in(page, live_hub, LUX_AN)
    page.click("#tab-products")
    expect(page.locator("#q")).to_have_value("")
    assert report_id not in _report_options(page)
    page.fill("#open-id", report_id)
    page.click("#open-form button[type=submit]")
    expect(page.locator("#open-result")).to_contain_text("not available to you")
    assert "SVN station screening" not in page.locator("#open-result").inner_text()
    shot("3-withheld-lux")
    page.get_by_role("button", name="Ask for consent").click()
    expect(page.locator("#consent-product")).to_have_value(report_id)
    page.fill("#consent-justification", "conjunction affecting a LUX payload")
    page.click("#consent-form button[type=submit]")
    expect(page.locator("#status")).to_contain_text("Consent requested", timeout=TIMEOUT_MS)
    expect(page.locator("#outbox-rows tr", has_text=report_id)).to_contain_text("pending")
    shot("4-consent-requested")
    _sign_out(page)

    # 4. SVN focal point grants it from the inbox, then verifies the audit log in the browser.
    _sign_in(page, live_hub, SVN_FP)
    page.click("#tab-inbox")
    row = page.locator("#inbox-rows tr", has_text=report_id)
    expect(row).to_contain_text("LUX")
    shot("5-inbox-svn-fp")
    row.get_by_role("button", name="Grant").click()
    expect(page.locator("#status")).to_contain_text("Granted")
    page.click("#tab-audit")
    expect(page.locator("#audit-head")).to_contain_text("signature valid")
    page.click("#audit-verify-all")
    expect(page.locator("#status")).to_contain_text("Verified in the browser", timeout=TIMEOUT_MS)
    verified = page.locator("#status").inner_text()
    n = verified.split(": ")[1].split(" of ")
    assert n[0] == n[1].split()[0] and int(n[0]) > 0, verified
    shot("6-audit-verified")
    _sign_out(page)

    # 5. LUX analyst now sees the conjunction; its positions stay withheld (the catalog was not released).
    _sign_in(page, live_hub, LUX_AN)
    assert report_id in _report_options(page)
    page.click("#tab-conjunctions")
    page.select_option("#report-select", report_id)
    expect(page.locator("#report-summary")).to_contain_text("objects screened")
    _open_first_conjunction(page)
    expect(page.locator("#conj-positions")).to_contain_text("Positions withheld")
    shot("7-conjunction-lux")
    _sign_out(page)

    # 6. SVN focal point revokes the grant ...
    _sign_in(page, live_hub, SVN_FP)
    page.click("#tab-consent")
    grant = page.locator("#grant-rows tr", has_text=report_id)
    grant.get_by_role("button", name="Revoke").click()
    expect(page.locator("#status")).to_contain_text("Revoked")
    expect(grant).to_contain_text("revoked")
    _sign_out(page)

    # 7. ... and the LUX analyst cannot see it any more.
    _sign_in(page, live_hub, LUX_AN)
    assert report_id not in _report_options(page)
    page.click("#tab-products")
    page.fill("#open-id", report_id)
    page.click("#open-form button[type=submit]")
    expect(page.locator("#open-result")).to_contain_text("not available to you")
    shot("8-revoked-lux")
    page.close()


def test_page_and_docs_work_offline(browser, live_hub, artifacts) -> None:
    """With every request to anything but the hub aborted, the picture, /docs and /redoc load and none was tried
    (the docs' own CSP keeps ReDoc's footer logo from being fetched at all)."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    hub = urlparse(live_hub["url"]).netloc
    outside: list[str] = []

    def only_local(route) -> None:
        """Let requests to the hub through; abort (and remember) everything else."""
        if urlparse(route.request.url).netloc == hub or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(page, live_hub, SVN_AN)
    expect(page.locator("#map canvas")).to_be_attached()
    expect(page.locator("#object-count")).to_contain_text("objects shown")
    _check_owner_filter(page, live_hub["satcat"])
    page.fill("#object-search", "25544")
    page.locator("#search-results button").first.click()
    expect(page.locator("#object-facts")).to_contain_text("Element-set age")
    assert page.locator("#history-rows tr").count() >= 1
    page.wait_for_timeout(500)
    assert page.evaluate("window.orbitshare.layer.frames") > 0, "the point layer never drew"
    page.screenshot(path=str(artifacts / "offline-picture.png"))
    page.goto(live_hub["url"] + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("orbitshare", timeout=TIMEOUT_MS)
    page.screenshot(path=str(artifacts / "offline-docs.png"))
    page.goto(live_hub["url"] + "/redoc")
    expect(page.locator("h1", has_text="orbitshare")).to_be_visible(timeout=TIMEOUT_MS)
    assert outside == [], f"requests left the hub: {outside}"
    assert errors == []
    context.close()


def _check_owner_filter(page, with_satcat: bool) -> None:
    """Choosing one owner shows at most that owner's objects; without a SATCAT the page says owners are unknown."""
    if not with_satcat:
        expect(page.locator("#owner-hint")).to_contain_text("Owners unknown")
        return
    expect(page.locator("#owner-hint")).to_contain_text("Owners from satcat_2025-03-16.csv.gz")
    total = int(page.locator("#object-count").inner_text().split(" of ")[1].split()[0].replace(",", ""))
    options = page.locator("#filter-owner option")
    expect(options.first).to_be_attached()
    pick = 1 if options.count() > 1 else 0  # the second owner, so that the filter hides something
    per_owner = int(options.nth(pick).inner_text().rsplit("(", 1)[1].rstrip(")").replace(",", ""))
    page.locator("#filter-owner").select_option(index=pick)
    if pick:
        expect(page.locator("#object-count")).not_to_contain_text(f"{total:,} of")
    shown = int(page.locator("#object-count").inner_text().split(" of ")[0].replace(",", ""))
    assert 0 < shown <= per_owner <= total and (per_owner < total or not pick)
    page.locator("#filter-owner").select_option([])
    expect(page.locator("#object-count")).to_contain_text(f"{total:,} objects shown")


def test_bad_token_and_empty_token_are_refused(browser, live_hub) -> None:
    """An empty token is caught by the form; a wrong one shows the API's refusal and nothing else."""
    page = browser.new_page()
    page.goto(live_hub["url"] + "/")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin-error")).to_contain_text("Enter your API token")
    expect(page.locator("#token")).to_have_attribute("aria-invalid", "true")
    page.fill("#token", "osh_wrong")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin-error")).to_contain_text("401")
    expect(page.locator("#app")).to_be_hidden()
    page.close()


def test_controls_are_labelled_and_tabs_follow_the_keyboard(browser, live_hub) -> None:
    """Every form control of the signed-in page has a label, and the tabs move with the arrow keys."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(page, live_hub, SVN_FP)
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map((e) => e.id || e.outerHTML.slice(0, 60))""")
    assert unlabelled == []
    page.focus("#tab-picture")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-conjunctions")).to_be_focused()
    expect(page.locator("#panel-conjunctions")).to_be_visible()
    page.keyboard.press("End")
    expect(page.locator("#tab-audit")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-picture")).to_have_attribute("aria-selected", "true")
    page.close()


def test_tasking_and_persistence_in_the_browser(browser, live_hub, artifacts) -> None:
    """SVN asks for a LUX satellite (the form checks its fields first); LUX's focal point accepts with a signed
    statement the page shows as valid; an imaging-opportunities product shows its AOIs' persistence table."""
    import gzip
    import json
    from datetime import UTC, datetime, timedelta
    from importlib import resources

    import httpx

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(page, live_hub, SVN_AN)
    page.click("#tab-tasking")
    page.click("#tasking-form button[type=submit]")
    expect(page.locator("#tasking-error")).to_contain_text("Choose the satellite")
    page.select_option("#tasking-asset", "naos")
    page.fill("#tasking-lat", "95")
    page.click("#tasking-form button[type=submit]")
    expect(page.locator("#tasking-error")).to_contain_text("Latitude must be")
    page.fill("#tasking-lat", "46.05")
    page.fill("#tasking-lon", "14.51")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    page.fill("#tasking-start", (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#tasking-end", (now + timedelta(hours=49)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#tasking-justification", "flood extent along the Sava")
    page.click("#tasking-form button[type=submit]")
    expect(page.locator("#status")).to_contain_text("Tasking requested: naos (LUX)", timeout=TIMEOUT_MS)
    expect(page.locator("#tasking-rows tr").first).to_contain_text("requested")
    _sign_out(page)

    _sign_in(page, live_hub, "Luxembourg DoD focal point")
    page.click("#tab-tasking")
    row = page.locator("#tasking-rows tr", has_text="SVN")
    row.get_by_role("button", name="Accept").first.click()
    expect(page.locator("#status")).to_contain_text("Accepted: naos for SVN")
    expect(page.locator("#tasking-rows tr", has_text="SVN").first).to_contain_text("signed acceptance valid")
    page.screenshot(path=str(artifacts / "tasking-accepted.png"))
    _sign_out(page)

    data = resources.files("orbitshare.data")
    with gzip.open(str(data.joinpath("celestrak_active_2026-03-10.csv.gz")), "rt") as fh:
        lines = fh.read().splitlines()
    text = "\n".join([lines[0], *[x for x in lines[1:] if x.startswith(("SENTINEL-2B,", "PLEIADES NEO 3,"))]])
    auth = {"Authorization": "Bearer " + live_hub["tokens"][LUX_AN]}
    label = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}
    up = httpx.post(live_hub["url"] + "/catalogs", headers=auth, data={"label": json.dumps(label)},
                    files={"file": ("eo.csv", text.encode())})
    assert up.status_code == 201, up.text
    aois = json.loads(data.joinpath("eo/demo_aoi.geojson").read_text())
    job = httpx.post(live_hub["url"] + "/jobs/imaging-opportunities", headers=auth, timeout=120,
                     json={"label": label, "title": "LUX opportunities", "params": {
                         "catalog_product": up.json()["id"], "aois": aois, "start": "2026-03-10T00:00:00Z",
                         "hours": 48}})
    assert job.status_code == 201, job.text
    _sign_in(page, live_hub, LUX_AN)
    page.click("#tab-layers")
    item = page.locator("#layer-list li", has_text="LUX opportunities").first
    item.locator("input[type=checkbox]").check()
    table = item.locator("table.persistence")
    expect(table).to_contain_text("Persistence per AOI", timeout=TIMEOUT_MS)
    assert table.locator("tbody tr").count() == len(aois["features"])
    page.screenshot(path=str(artifacts / "layers-persistence.png"))
    page.close()
