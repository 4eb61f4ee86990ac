"""Serving the API with uvicorn on the loopback interface."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import traceback

import uvicorn

from scamnet.api.app import BODY_TIMEOUT_S, create_app
from scamnet.settings import Settings
from scamnet.store import Store

READY = "serving the scamnet API on"


def serve_api(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    body_timeout: float = BODY_TIMEOUT_S,
    workers: int = 1,
) -> None:
    """Serve until interrupted (Ctrl-C).

    The socket is bound before the ready line is printed, so whoever waits for that
    line (a user, a test, a supervisor) can connect at once: the kernel queues the
    connection until the app has started. A request body must arrive within
    ``body_timeout`` seconds (the app answers 408 and closes the connection
    otherwise); idle keep-alive connections are closed after 5 s, and headers
    larger than h11's limit are refused by the server.

    With ``workers`` above one, that many processes accept on the one socket (forked
    after it is bound, before any store connection is opened). The API keeps no state
    of its own (the store holds the audit chain under its lock, the login counters and
    the jobs), so they answer alike; only the first runs the jobs' worker. A process
    that dies stops the others: the server exits rather than serve with fewer.
    """
    sock = listening_socket(host, port)
    print(f"{READY} http://{host}:{port}/docs (Ctrl-C to stop)", flush=True)
    sys.stdout.flush()
    if workers <= 1:
        _serve(settings, sock, body_timeout, run_jobs=True)
        return
    children: list[int] = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker: serve, and never return into the parent's code
            code = 1
            try:
                _serve(settings, sock, body_timeout, run_jobs=index == 0)
                code = 0
            except BaseException:  # reported, then the process ends
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()
    sys.exit(_supervise(children))


def _serve(settings: Settings, sock: socket.socket, body_timeout: float, run_jobs: bool) -> None:
    store = Store(settings.database_url)
    app = create_app(
        store, settings.data_dir, body_timeout=body_timeout, settings=settings, run_jobs=run_jobs
    )
    # The process starts with some 235,000 long-lived objects (the libraries, the app).
    # Python's full collections walk them all, about 0.25 s each time, and that pause
    # lands in whichever request is running: a page's p95 doubled. Frozen objects are
    # never walked again; what requests allocate is still collected.
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(
        app,
        log_level="warning",
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _supervise(children: list[int]) -> int:
    """Wait for the workers; a stop signal is passed on to them. The exit status is 0
    when every worker ended because it was asked to, 1 when one died on its own."""
    alive = set(children)
    asked = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal asked
        asked = True
        # SIGTERM whatever came: after the SIGINT a terminal sends the whole group,
        # uvicorn takes a second SIGINT as "stop now", a SIGTERM as the same request.
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while alive:
        try:
            pid, code = os.wait()
        except ChildProcessError:
            break
        alive.discard(pid)
        # uvicorn ends a stopped server by raising the signal it caught again.
        stopped = os.WIFSIGNALED(code) and os.WTERMSIG(code) in (signal.SIGTERM, signal.SIGINT)
        if not (code == 0 or (asked and stopped)):
            status = 1
            stop(signal.SIGTERM, None)  # one worker gone: the server stops as a whole
    return status


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening.

    IPPROTO_TCP is spelled out: asyncio sets TCP_NODELAY only on the connections of a
    socket that says it is TCP. Without it every answer written in two parts (headers,
    then body) waited for the client's delayed ACK, about 40 ms per request on loopback.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock
