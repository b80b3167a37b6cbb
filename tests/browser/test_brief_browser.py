"""The brief's HTML page in a real browser (Debian's Chromium driven by Playwright): built on
the real data, opened from disk with every non-``file:``/``data:`` request aborted, it must
draw every chart with Plotly, raise no script error and keep its links, sections and BibTeX
download. Chromium comes from ``FOEDUS_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on
PATH; without it the tests fail under CI (``CI`` set) and skip elsewhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from foedus.operations.brief import BriefRequest, run_brief
from tests.conftest import real_data_dir

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SECTIONS = ["glance", "parties", "foundations", "prospects", "consequences", "record", "data"]
#: The briefs: (key, states, year, fewest charts expected).
BRIEFS = [
    ("rus-chn-2021", ("Russia", "China"), 2021, 6),
    ("usa-jpn-1960", ("USA", "Japan"), 1960, 5),
    ("rus-chn-prk-2021", ("Russia", "China", "North Korea"), 2021, 5),
    ("gbr-fra-1910", ("United Kingdom", "France"), 1910, 4),  # before the model's years
]
CHART_TIMEOUT_MS = 30_000
#: What the test reads off the page once the charts are drawn.
PAGE_FACTS = """() => {
    const all = (sel) => [...document.querySelectorAll(sel)];
    const href = (a) => a.getAttribute('href');
    const bib = document.getElementById('bibtex');
    return {
        charts: all('div.foedus-chart').map(d => ({
            id: d.id, name: d.dataset.chart, svg: !!d.querySelector('.main-svg')})),
        sections: all('section[id]').map(s => s.id),
        glance: all('#glance a').map(href),
        // in-page links whose target is not on the page
        dangling: all('a[href^="#"]').map(href)
            .filter(h => !document.getElementById(decodeURIComponent(h.slice(1)))),
        scriptSrc: all('script[src]').length,
        bibtex: bib && {href: href(bib), download: bib.getAttribute('download')},
        title: document.title,
    };
}"""


def _missing(msg: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def chromium_path() -> str | None:
    env = os.environ.get("FOEDUS_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def briefs(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    """The three briefs as HTML files, built once with one shared cache (the fitted models are
    reused); key -> (file, the states' names as the brief gives them)."""
    data = real_data_dir()
    if data is None:
        _missing("real data not found: set FOEDUS_DATA_DIR or provide ../shared/data")
    out = tmp_path_factory.mktemp("briefs")
    built: dict[str, tuple[Path, list[str]]] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOEDUS_CACHE_DIR", str(tmp_path_factory.mktemp("brief-cache")))
        mp.setenv("FOEDUS_OFFLINE", "1")
        mp.setenv("FOEDUS_DATA_DIR", str(data))
        ledger = tmp_path_factory.mktemp("brief-claims") / "claims.sqlite"
        mp.setenv("FOEDUS_CLAIMS_URL", f"sqlite:///{ledger}")
        for key, states, year, _ in BRIEFS:
            path = out / f"{key}.html"
            outcome = run_brief(BriefRequest(states=states, year=year, output=path, draws=100))
            assert outcome.format == "html" and outcome.written == path and path.is_file()
            names = [s["name"] for s in outcome.brief.to_dict()["states"]]
            built[key] = (path, names)
    return built


@pytest.fixture(scope="module")
def browser():
    exe = chromium_path()
    if exe is None:
        _missing("Chromium not found: set FOEDUS_CHROMIUM or put chromium on PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.mark.parametrize(("key", "min_charts"), [(k, n) for k, _, _, n in BRIEFS])
def test_the_page_in_a_browser(briefs, browser, key, min_charts):
    path, names = briefs[key]
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    blocked: list[str] = []
    requested: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"console: {m.text} ({m.location})") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("request", lambda r: requested.append(r.url))

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", only_local)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=60_000)
        charts = page.locator("div.foedus-chart")
        n = charts.count()
        assert n >= min_charts, f"{n} charts"
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.foedus-chart')]"
            ".every(d => d.querySelector('.main-svg'))",
            timeout=CHART_TIMEOUT_MS,
        )
        info = page.evaluate(PAGE_FACTS)
    finally:
        context.close()

    assert not errors, errors
    assert not blocked, blocked
    assert all(u.startswith(("file:", "data:")) for u in requested), requested
    assert info["scriptSrc"] == 0
    # every chart drawn by Plotly, each its own id and name
    assert all(c["svg"] for c in info["charts"]), info["charts"]
    assert all(c["id"].startswith("chart-") and c["name"] for c in info["charts"]), info["charts"]
    assert len({c["id"] for c in info["charts"]}) == len(info["charts"])
    # the sections, and every glance sentence (and every other in-page link) lands on one
    assert set(SECTIONS) <= set(info["sections"]), info["sections"]
    assert info["glance"], "no glance links"
    assert all(h and h.startswith("#") for h in info["glance"]), info["glance"]
    assert not info["dangling"], f"links without a target: {info['dangling']}"
    # the BibTeX download
    bib = info["bibtex"]
    assert bib is not None, "no #bibtex link"
    assert bib["href"].startswith("data:") and (bib["download"] or "").endswith(".bib"), bib
    for name in names:
        assert name in info["title"], (name, info["title"])
