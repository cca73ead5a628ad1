"""The built documentation site in a real browser: Debian's chromium driven by Playwright, as the
explorer's browser test does.

Opens a few pages of ``docs/_build/html`` (built by ``make docs``, which ``make test`` runs before the
test suite) from the file system and checks what only a browser shows: every image on the page has
loaded and has a size (the gallery's figures, the user guide's plots, the benchmark charts), the page has
its title and navigation, and nothing was requested from the network (the site is built to work
offline).  Screenshots go to ``$LPNET_TEST_ARTIFACTS`` when set, else to pytest's temporary directory.

Site not built: skipped with the command that builds it (failed under CI, where ``make test`` builds it
first).  chromium missing: skipped with the install command, failed as root, as the explorer's test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "docs" / "_build" / "html"
# page -> (a text it shows, the fewest images it must display)
PAGES = {
    "index.html": ("certifies every fit", 0),
    "guide/choosing_alpha.html": ("one-standard-error", 2),
    "guide/solvers.html": ("Benchmarks", 2),
    "guide/constrained.html": ("multiplier", 1),
    "auto_examples/index.html": ("Gallery", 15),
    "auto_examples/plot_lasso_path_diabetes.html": ("lasso", 1),
    "api/generated/lpnet.Lasso.html": ("dual_gap_", 0),
}
INSTALL = (
    "the site's browser test needs Debian's chromium and Playwright: apt-get install chromium "
    "(`make test` installs it when run as root) and pip install playwright"
)


def _need(condition: bool, message: str, fail_if: bool) -> None:
    if condition:
        return
    if fail_if:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    _need(
        (SITE / "index.html").exists(),
        "the documentation site is not built: run `make docs`",
        fail_if=bool(os.environ.get("CI")),
    )
    chromium = shutil.which("chromium")
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    _need(chromium is not None, INSTALL, fail_if=as_root)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, INSTALL, fail_if=as_root)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("LPNET_TEST_ARTIFACTS")
    path = Path(folder) / "docs" if folder else tmp_path_factory.mktemp("docs-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_offline(browser, shots, page):
    text, min_images = PAGES[page]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    remote: list[str] = []
    tab.on(
        "request",
        lambda request: remote.append(request.url) if not request.url.startswith(("file:", "data:")) else None,
    )
    tab.goto((SITE / page).as_uri(), wait_until="load")
    tab.wait_for_load_state("networkidle")
    images = tab.evaluate(
        """() => Array.from(document.images).filter(img => img.offsetParent !== null).map(img => ({
            src: img.getAttribute('src'), complete: img.complete, width: img.naturalWidth,
            height: img.naturalHeight, shown: img.getBoundingClientRect().width}))"""
    )
    tab.screenshot(path=str(shots / (page.replace("/", "_") + ".png")), full_page=True)
    body = tab.inner_text("body")
    has_nav = tab.evaluate("() => document.querySelector('nav') !== null")
    context.close()

    assert not remote, f"{page} requested from the network: {remote}"
    assert text.lower() in body.lower(), f"{page} does not show {text!r}"
    assert has_nav
    broken = [img["src"] for img in images if not (img["complete"] and img["width"] > 0 and img["height"] > 0)]
    assert not broken, f"{page}: images that did not load: {broken}"
    figures = [img for img in images if img["width"] >= 100 and img["shown"] > 50]
    assert len(figures) >= min_images, f"{page}: {len(figures)} figures shown, expected at least {min_images}"
