"""Deliveries that cannot diverge, between real server processes: the partner is killed
(SIGKILL) in the middle of a delivery, once after it applied the bundle and once before,
and after a restart and `exchange resend` both ledger digests agree. Also: a partner
answering 500 in plain text is a clear error, and a sender that stops mid-body is cut off."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scamnet.exchange.transport import deliver
from tests.exchange.servers import Instance, cli, free_port


class KillingProxy:
    """Forwards one HTTP request to ``upstream``, then kills it before the answer comes back.

    ``after_apply``: the partner reads and applies the bundle, and dies before its answer
    reaches the sender. Otherwise it dies before it reads a byte of the request.
    """

    def __init__(self, upstream: Instance, after_apply: bool) -> None:
        self.upstream, self.after_apply = upstream, after_apply
        self.server = socket.create_server(("127.0.0.1", free_port()))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            request = _read_http(conn)
            if self.after_apply:
                with socket.create_connection(("127.0.0.1", self.upstream.port)) as up:
                    up.sendall(request)
                    _read_http(up)  # the partner has committed and answered 201
            self.upstream.kill()
        self.server.close()  # later attempts find nobody listening


def _read_http(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")), 0,
    )  # fmt: skip
    while len(body) < length:
        body += sock.recv(65536)
    return data[: len(head) + 4] + body


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    """One pair of servers for the module (starting one costs seconds); each test makes
    its own request, and a test that kills Dehong starts it again."""
    root = tmp_path_factory.mktemp("pair")
    (root / "dehong").mkdir()
    (root / "muse").mkdir()
    dehong = Instance(root / "dehong", "CN-YN-DH")
    muse = Instance(root / "muse", "MM-MUSE", body_timeout=1.0)
    try:
        cli(dehong.dir, "exchange", "register", "MM-MUSE", muse.identity())
        cli(muse.dir, "exchange", "register", "CN-YN-DH", dehong.identity())
        yield dehong, muse
    finally:
        dehong.stop()
        muse.stop()


def _request(dehong: Instance, muse: Instance, tmp_path: Path) -> str:
    persons = tmp_path / "persons.csv"
    persons.write_text(
        "record_id,source_agency,name,birth_date\nP1,CN-YN-DH,明学昌,1955-01-01\n", "utf-8"
    )
    cli(dehong.dir, "ingest", "persons", str(persons))
    out = cli(dehong.dir, "transfer", "request", "MM-MUSE", "--person", "1",
              "--basis", "bilateral agreement", "--user", "li.wei")  # fmt: skip
    reference = out.split()[2]
    cli(dehong.dir, "exchange", "send-request", reference, "--url", muse.url)
    return reference


@pytest.mark.slow
@pytest.mark.parametrize("after_apply", [True, False], ids=["after-apply", "before-apply"])
def test_killing_the_partner_mid_delivery_converges(
    pair: tuple[Instance, Instance], tmp_path: Path, after_apply: bool
) -> None:
    dehong, muse = pair
    reference = _request(dehong, muse, tmp_path)
    proxy = KillingProxy(dehong, after_apply)
    try:
        _kill_and_resend(dehong, muse, reference, proxy, after_apply)
    finally:
        dehong.ensure_running()  # for the next test on this pair, even after a failure


def _kill_and_resend(
    dehong: Instance, muse: Instance, reference: str, proxy: KillingProxy, after_apply: bool
) -> None:
    out = cli(muse.dir, "exchange", "send-status", reference, "acknowledged", "--url", proxy.url,
              ok=False)  # fmt: skip
    assert "waits in the outbox: scamnet exchange resend" in out
    assert "Traceback" not in out
    assert "1 pending" in cli(muse.dir, "exchange", "outbox")  # this test's bundle only
    # Retrying the change itself is refused: the change is made here, only its delivery waits.
    assert "cannot go from 'acknowledged' to 'acknowledged'" in cli(
        muse.dir, "exchange", "send-status", reference, "acknowledged", "--url", proxy.url,
        ok=False,
    )  # fmt: skip
    dehong.start()
    out = cli(muse.dir, "exchange", "resend", "--url", dehong.url)
    assert ("already applied there" in out) is after_apply
    assert "nothing pending" in out
    assert "0 pending" in cli(muse.dir, "exchange", "outbox")
    assert dehong.ledger() == muse.ledger()
    assert "acknowledged" in cli(dehong.dir, "transfer", "list")


class _PlainText500(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"Internal Server Error"
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_plain_text_500_is_a_clear_error_after_retries() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _PlainText500)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    waits: list[float] = []
    sleep: Callable[[float], None] = waits.append
    try:
        outcome = deliver({"id": "x"}, f"http://127.0.0.1:{server.server_port}", sleep=sleep)
    finally:
        server.shutdown()
        server.server_close()
    assert not outcome.delivered and not outcome.final
    assert outcome.message == (
        "the partner answered 500 with a non-JSON body: 'Internal Server Error'"
    )
    assert outcome.attempts == 4 and waits == [0.5, 1.0, 2.0]  # exponential backoff


@pytest.mark.slow
def test_a_sender_that_stops_mid_body_is_cut_off(pair: tuple[Instance, Instance]) -> None:
    _dehong, muse = pair  # muse serves with a 1 s body timeout
    with socket.create_connection(("127.0.0.1", muse.port)) as s:
        s.settimeout(60)  # a guard against hanging forever, not a measured deadline
        s.sendall(
            b"POST /api/exchange/bundles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b'\r\nContent-Length: 1000\r\n\r\n{"id": '
        )
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    # The server answered and then closed the connection (recv returned b"").
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"body-timeout" in answer
