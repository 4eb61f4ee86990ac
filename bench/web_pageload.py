"""Page load times of the web UI, measured by the browser (Navigation Timing).

Starts ``scamnet serve`` over a data directory (the demo world: ``scamnet demo --no-serve``),
logs in as ``--user`` in Debian's Chromium, and loads each main page ``--runs`` times
(after one warm-up load each). A load is the navigation entry's ``duration``: from the
start of navigation to the end of the load event, with the page's scripts and styles
fetched (from the browser's cache after the first load, as for a user at work).

The baseline, measured in the same run, is the login page: the same server, template
engine and static files with no data behind it. Each page's p95 is also given as a ratio
to the baseline's.

    python bench/web_pageload.py --data-dir scamnet-data/demo --user admin \
        --password-file pw.txt --runs 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

PAGES = {
    "login (baseline)": "/login",
    "dashboard": "/",
    "alerts": "/alerts",
    "groups": "/groups",
    "group 1": "/groups/1",
    "search": "/search",
    "alert": "/alerts/1",
    "person": "/persons/RP-000001",
    "handovers": "/handovers",
    "bulletin": "/bulletin",
    "admin": "/admin",
}
TARGET_MS = 300.0
# Pages whose scripts draw after the load event, and what shows they have drawn.
DRAWN = {"/groups/1": ("#graph[data-rendered=true]", "#map[data-rendered=true]")}
PURPOSE = "benchmark of page loads"  # the stated purpose the personal pages ask for


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def _serve(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "SCAMNET_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scamnet.cli.main", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "serving the scamnet API on" not in line:
        proc.kill()
        raise SystemExit(f"scamnet serve did not start: {line}{proc.stdout.read()}")
    threading.Thread(target=lambda: [None for _ in proc.stdout or []], daemon=True).start()
    return proc


def _load(page: Any, path: str, drawn: list[float] | None = None) -> float:
    page.goto(path, wait_until="load")
    duration: float = page.evaluate("() => performance.getEntriesByType('navigation')[0].duration")
    if drawn is not None and path in DRAWN:
        # The network and the map draw after the load event: the time until both are
        # drawn (from the start of navigation) is reported beside the load.
        for selector in DRAWN[path]:
            page.wait_for_selector(selector, state="attached")
        drawn.append(page.evaluate("() => performance.now()"))
    return duration


def measure(
    url: str,
    user: str,
    password: str,
    runs: int,
    chromium: str,
    drawn: list[float],
    lang: str | None = None,
) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {name: [] for name in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(120_000)  # a cold server's first page, not a measure
        if lang is not None:  # the reader's choice, as the language switcher stores it
            context.add_cookies([{"name": "scamnet_lang", "value": lang, "url": url}])
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", user)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("form[action='/login'] button")
        if not page.url.endswith("/"):
            raise SystemExit(f"login refused: {page.locator('main').inner_text()[:200]}")
        page.goto("/purpose")  # the pages with personal data ask why they are read
        page.fill("#why", PURPOSE)
        with page.expect_navigation():
            page.click("form[action='/purpose'] button")
        for path in PAGES.values():  # warm-up: the static files reach the browser's cache
            _load(page, path)
        for _ in range(runs):  # round-robin, so a slow moment hits every page alike
            for name, path in PAGES.items():
                out[name].append(_load(page, path, drawn))
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--lang",
        choices=("en", "fr", "zh"),
        default=None,
        help="The pages' language (default: the browser's, English).",
    )
    args = parser.parse_args()
    password = args.password_file.read_text(encoding="utf-8").strip()
    proc = _serve(args.data_dir, args.port)
    try:
        drawn: list[float] = []
        found = measure(f"http://127.0.0.1:{args.port}", args.user, password, args.runs,
                        args.chromium, drawn, args.lang)  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    base = _percentile(found["login (baseline)"], 0.95)
    print(f"| page | median ms | p95 ms | p95 / baseline | p95 ≤ {TARGET_MS:.0f} ms |")
    print("|---|---:|---:|---:|---|")
    worst = 0.0
    for name, values in found.items():
        p95 = _percentile(values, 0.95)
        worst = max(worst, p95)
        print(f"| {name} | {statistics.median(values):.0f} | {p95:.0f} | {p95 / base:.1f} | "
              f"{'met' if p95 <= TARGET_MS else 'NOT met'} |")  # fmt: skip
    every = [v for values in found.values() for v in values]
    print(
        f"\nall pages: {len(every)} loads, p95 {_percentile(every, 0.95):.0f} ms, "
        f"worst page p95 {worst:.0f} ms"
    )
    if drawn:
        print(f"group 1 network and map drawn: median {statistics.median(drawn):.0f} ms, "
              f"p95 {_percentile(drawn, 0.95):.0f} ms after navigation start")  # fmt: skip


if __name__ == "__main__":
    main()
