"""The browser tests' world: one real ``scamnet serve`` over a copy of the tiny demo world,
and Debian's Chromium driven by Playwright (no browser is downloaded).

- ``web``: the server (its URL and data directory), one per session; users of each role
  are registered in it with the password ``PASSWORD``.
- ``browser``: Chromium, one per run of this package's tests; ``page`` is a fresh
  context (no cookies) per test.
- ``shoot``: saves a screenshot under ``$SCAMNET_SCREENSHOTS`` (default
  ``tests/.artifacts/screenshots``) for a reviewer to look at.
- ``axe_clean``: runs axe-core (vendored from npm) in the page and fails on any WCAG A/AA
  violation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import skip_or_fail
from tests.exchange.servers import free_port
from tests.web import users

CHROMIUM = Path(os.environ.get("SCAMNET_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "src" / "scamnet" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("SCAMNET_SCREENSHOTS", ROOT / "tests" / ".artifacts" / "screenshots"))
PASSWORD = users.PASSWORD


@dataclass(frozen=True)
class Web:
    url: str
    data_dir: Path
    log: list[str]  # what the server printed (tracebacks included)


@pytest.fixture(scope="session")
def web(_pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    root = tmp_path_factory.mktemp("web-world") / "demo"
    shutil.copytree(_pristine_demo, root)
    users.register(root)
    port = free_port()
    # Many users log in from loopback within a minute: above the default per-client limit.
    env = {**os.environ, "SCAMNET_DATA_DIR": str(root), "SCAMNET_LOGIN_ATTEMPTS": "1000"}
    env.pop("SCAMNET_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scamnet.cli.main", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    # The server prints its ready line once the socket is bound; a dead server ends the read.
    line = proc.stdout.readline()
    if "serving the scamnet API on" not in line:
        proc.kill()
        pytest.fail(f"scamnet serve did not start: {line}{proc.stdout.read()}")
    # Drain the server's output (errors, tracebacks) so a full pipe never blocks it.
    log: list[str] = []
    drain = threading.Thread(target=lambda: log.extend(proc.stdout or []), daemon=True)
    drain.start()
    yield Web(f"http://127.0.0.1:{port}", root, log)
    proc.terminate()
    proc.wait(timeout=30)
    drain.join(timeout=10)
    proc.stdout.close()


# One Chromium for the package, not the session: Playwright's sync API keeps its event loop
# marked running in this thread while it is open, so a test outside tests/web that runs
# asyncio.run after these would fail ("cannot be called from a running event loop").
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_or_fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, web: Web) -> Iterator[Any]:
    # bypass_csp: axe-core is injected as an inline script, which the pages' CSP forbids.
    context = browser.new_context(base_url=web.url, bypass_csp=True, locale="en-GB",
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    context.set_default_timeout(30_000)
    pg = context.new_page()
    failed: list[str] = []
    pg.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    pg.on("pageerror", lambda e: failed.append(f"script error: {e}"))
    yield pg
    context.close()
    assert failed == [], "server errors or script errors in the page"


_sessions: dict[str, Any] = {}


def login(page: Any, username: str) -> None:
    """Log ``page`` in as ``username``: through the form once per user and session (the
    server limits logins per client), then with that session's cookies."""
    if username in _sessions:
        page.context.add_cookies(_sessions[username])
        page.goto("/")
        return
    fresh_login(page, username)
    state_purpose(page)
    _sessions[username] = page.context.cookies()


PURPOSE = "browser tests of the web UI"


def state_purpose(page: Any, why: str = PURPOSE) -> None:
    """Say why personal data is read (the pages showing it ask once per session)."""
    page.goto("/purpose")
    page.get_by_label("Case or legal basis").fill(why)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")


def fresh_login(page: Any, username: str, attempts: int = 4) -> None:
    """Log in through the login form.

    A busy store answers 503 with Retry-After (the server waits at most a second for
    SQLite's write lock); a user would press the button again, and so does this. Any
    other refusal fails at once, with the page's message.
    """
    for attempt in range(attempts):
        page.goto("/login")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_response(lambda r: r.url.endswith("/login")
                                  and r.request.method == "POST") as posted:  # fmt: skip
            page.get_by_role("button", name="Log in").click()
        status = posted.value.status
        if status in (429, 503) and attempt + 1 < attempts:
            time.sleep(min(float(posted.value.headers.get("retry-after", "1")), 3.0))
            continue
        assert status == 303, f"login of {username} answered {status}: {page.content()[:2000]}"
        page.wait_for_load_state("load")
        # The login's commit precedes its 303 (the API's sessions end with the route):
        # the first page finds the new session, so coming back here is a bug.
        assert not page.url.endswith("/login"), (
            f"login of {username} came back to the login page: {page.content()[:3000]}"
        )
        return


def switch_language(page: Any, lang: str) -> None:
    page.locator("#lang-select").select_option(lang)
    page.locator("form.lang button").click()
    page.wait_for_load_state("load")


def shoot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 2 A and AA violations axe-core finds in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return found


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], violations
