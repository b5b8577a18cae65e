"""The pages for people in a real headless Chromium (Debian's ``/usr/bin/chromium``), driven over
its DevTools protocol by Playwright (``executable_path``; ``playwright install`` is never run).

Each page must render without console errors (CSP violations included), with the accessibility
basics (``<html lang>``, ``<th scope>``, text alternatives for charts); screenshots are kept under
``tests/artifacts/`` (gitignored). ``make browser`` installs chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from converter.iris import agency_key

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
AGENCY_001 = agency_key("偃师市人民政府办公室")
REPORT_001 = f"report/{AGENCY_001}/2020"
NOTED_OBS = f"{REPORT_001}/table3/3.7/total"

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip, test extra) is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A browser tab that records console errors and failed requests."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def open(self, path: str) -> Any:
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return response

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        out = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 1000
        return out

    def check_basics(self) -> None:
        lang = self.page.get_attribute("html", "lang")
        assert lang in {"zh", "en"}
        unscoped = self.page.eval_on_selector_all("th", "els => els.filter(e => !e.getAttribute('scope')).length")
        assert unscoped == 0, "every <th> has a scope"
        for svg in self.page.query_selector_all("figure.chart > svg"):
            assert svg.get_attribute("role") == "img"
            assert svg.query_selector("title") is not None and svg.query_selector("title").text_content().strip()
            assert svg.query_selector("desc") is not None and svg.query_selector("desc").text_content().strip()
        assert self.errors == [], self.errors

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, live_server: str) -> Iterator[Page]:
    p = Page(browser, live_server)
    try:
        yield p
    finally:
        p.close()


def test_home(tab: Page) -> None:
    tab.open("/")
    assert tab.page.query_selector("table.coverage") is not None
    assert tab.page.query_selector("a[href='/sparql']") is not None
    assert tab.page.query_selector("a[href='/dumps/']") is not None
    assert tab.page.query_selector("a[href='/.well-known/void']") is not None
    tab.screenshot("home")
    tab.page.fill("#q", "偃师")
    with tab.page.expect_navigation():
        tab.page.click("form.search button")
    assert "/agencies?" in tab.page.url
    assert tab.page.locator("table.listing tbody tr").count() == 1
    assert "偃师市人民政府办公室" in tab.page.inner_text("table.listing")
    tab.screenshot("agencies-search")
    tab.check_basics()


def test_home_in_english(tab: Page) -> None:
    tab.open("/?lang=en")
    assert tab.page.get_attribute("html", "lang") == "en"
    assert "Coverage" in tab.page.inner_text("main")
    tab.check_basics()


def test_agency_page_charts(tab: Page) -> None:
    tab.open(f"/doc/agency/{AGENCY_001}")
    assert tab.page.locator("figure.chart > svg").count() == 4
    assert tab.page.locator("figure.chart svg rect").count() > 0
    assert tab.page.query_selector(f"a[href='/agencies/{AGENCY_001}/series.csv']") is not None
    assert tab.page.query_selector("table.figures tbody tr") is not None
    tab.screenshot("agency")
    tab.check_basics()


def test_figures_national_then_a_province(tab: Page) -> None:
    tab.open("/figures")
    assert tab.page.locator("figure.chart > svg").count() == 4
    assert tab.page.locator("figure.chart svg rect").count() > 0
    assert tab.page.locator("#table-applications tbody tr").count() > 10
    tab.screenshot("figures")
    tab.check_basics()
    with tab.page.expect_navigation():
        tab.page.click("nav.places a[href^='/figures?province=41']")
    assert "province=41" in tab.page.url and "河南省" in tab.page.inner_text("h1")
    assert tab.page.locator("#table-applications tbody tr").count() > 10
    tab.screenshot("figures-henan")
    tab.check_basics()


def test_report_page_noted_cell_shows_note_on_focus(tab: Page) -> None:
    tab.open(f"/doc/{REPORT_001}")
    flagged = tab.page.locator("td.flagged[tabindex='0']")
    assert flagged.count() > 0
    first = flagged.first
    pop = first.locator(".note-pop")
    assert not pop.is_visible()
    first.focus()
    assert pop.is_visible()
    assert pop.inner_text().strip()
    tab.screenshot("report-note-focused")
    # every number cell links to its observation
    cells = tab.page.locator("#table3 td.num:not(.missing)")
    assert cells.count() > 0
    assert cells.count() == tab.page.locator("#table3 td.num:not(.missing) a[href^='/doc/report/']").count()
    tab.check_basics()


def test_observation_page(tab: Page) -> None:
    tab.open(f"/doc/{NOTED_OBS}")
    text = tab.page.inner_text("main")
    assert "SELECT" in tab.page.inner_text("pre.sparql")
    assert "表三" in text
    tab.screenshot("observation")
    tab.check_basics()
    href = tab.page.get_attribute("#query a[href^='/sparql?']", "href")
    response = tab.page.request.get(tab.base + href)  # CSV: a download in a browser
    assert response.status == 200
    assert response.text().splitlines()[0].startswith("measure,value")


def test_query_page_runs_a_query(tab: Page) -> None:
    tab.open("/query")
    tab.page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    tab.page.click("button.load-example[data-query-id='query-report-table']")
    tab.page.evaluate("() => window.gongkaiYasgui.getTab().getYasqe().query()")
    tab.page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
    assert tab.page.locator(".yasr table tbody tr").count() > 5
    tab.screenshot("query")
    assert tab.errors == [], tab.errors
    assert tab.page.get_attribute("html", "lang") in {"zh", "en"}


def test_a_browser_opening_sparql_lands_on_the_query_editor(tab: Page) -> None:
    response = tab.page.goto(tab.base + "/sparql", wait_until="networkidle")
    assert response is not None and response.status == 200
    redirect = response.request.redirected_from
    assert redirect is not None and redirect.url == tab.base + "/sparql"
    assert redirect.response() is not None and redirect.response().status == 303
    assert tab.page.url == tab.base + "/query"
    tab.page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    assert tab.page.get_attribute("#yasgui", "data-endpoint") == "/sparql"
    assert tab.errors == [], tab.errors


def test_artifacts_are_ignored_by_git() -> None:
    gitignore = (Path(__file__).resolve().parents[2] / ".gitignore").read_text()
    assert "tests/artifacts/" in gitignore
    assert shutil.which  # (the artefacts directory is only written by the tests above)
