"""The served socket's connections send at once (TCP_NODELAY): an answer written in two
parts never waits for the client's delayed ACK."""

from __future__ import annotations

import asyncio
import socket

from scamnet.api.serve import listening_socket


def test_connections_of_the_served_socket_have_nodelay() -> None:
    async def accept_one() -> int:
        sock = listening_socket("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted: socket.socket = writer.get_extra_info("socket")
            seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            port = sock.getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            flag = await asyncio.wait_for(seen, 30)
            writer.close()
        return flag

    assert asyncio.run(accept_one()) != 0
