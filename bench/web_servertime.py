"""Server-side time of the web pages, in-process: each request's whole handling (use
case, SQL, template) through FastAPI's TestClient, without a browser or a socket.

Logs in as ``--user``, states a purpose, loads each page once, then ``--runs`` times
round-robin and prints the median per page (ms), in ``--lang``. Run it with another checkout's
interpreter and ``PYTHONPATH`` to compare two versions in the same minutes.

    python bench/web_servertime.py --data-dir /tmp/webdemo-full --user benchadmin \\
        --password-file pw.txt --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

PAGES = ("/", "/alerts", "/groups", "/groups/1", "/search", "/persons/RP-000001",
         "/alerts/1", "/handovers", "/bulletin", "/admin")  # fmt: skip


def main() -> None:
    from fastapi.testclient import TestClient

    from scamnet.api.app import create_app
    from scamnet.settings import Settings
    from scamnet.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    # The pages' language (the switcher's cookie): fr and zh translate the stored texts.
    parser.add_argument("--lang", default="en", choices=("en", "fr", "zh"))
    args = parser.parse_args()
    store = Store(Settings.from_env(args.data_dir).database_url)
    client = TestClient(create_app(store, args.data_dir), base_url="http://testserver")
    client.get("/login")
    password = args.password_file.read_text(encoding="utf-8").strip()
    client.post("/login", data={"username": args.user, "password": password,
                                "csrf_token": client.cookies.get("scamnet_csrf")})  # fmt: skip
    # A version without the purpose form answers 404 here, which changes nothing.
    client.post("/purpose", data={"why": "benchmark", "csrf_token": client.cookies.get(
        "scamnet_csrf")})  # fmt: skip
    client.cookies.set("scamnet_lang", args.lang)
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    for path in PAGES:
        client.get(path)
    for _ in range(args.runs):
        for path in PAGES:
            began = time.perf_counter()
            answer = client.get(path)
            times[path].append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
    for path, values in times.items():
        print(f"{path}\t{statistics.median(values):.0f}")


if __name__ == "__main__":
    main()
