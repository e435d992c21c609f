"""A minimal Streamlit websocket client: what a browser tab says to the server, nothing more.

Used by the load test and the load benchmark to open many sessions on loopback without
starting a browser per session. Each ``run`` asks the server to rerun the script with a
query string (theater, selected line, compare pair, date) and waits for the script to
finish, collecting the element types and any exception the app displayed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


@dataclass
class RunResult:
    query: str
    seconds: float
    elements: int = 0
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


class StreamlitSession:
    def __init__(self, port: int) -> None:
        self.port = port
        self.ws: websockets.ClientConnection | None = None

    async def __aenter__(self) -> StreamlitSession:
        origin = f"http://127.0.0.1:{self.port}"
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream",
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(origin),
            max_size=64 * 1024 * 1024,
            open_timeout=30,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, query: str, *, timeout: float = 60.0) -> RunResult:
        """Rerun the app with ``query`` as its URL query string; wait for the run to end."""
        assert self.ws is not None
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = ""
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        result = RunResult(query=query, seconds=0.0)
        started = False
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.ws.recv()
                fwd = ForwardMsg()
                fwd.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
                kind = fwd.WhichOneof("type")
                if kind == "new_session":
                    started = True
                elif kind == "delta":
                    result.elements += 1
                    el = fwd.delta.new_element
                    which = el.WhichOneof("type") if fwd.delta.HasField("new_element") else None
                    if which == "exception":
                        result.exceptions.append(el.exception.message)
                    elif which == "markdown":
                        result.texts.append(el.markdown.body)
                    elif which == "alert":
                        result.texts.append(el.alert.body)
                elif kind == "script_finished" and started:
                    result.seconds = time.perf_counter() - t0
                    return result
