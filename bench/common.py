"""What the benches share: servers (the app, the peer, a static folder), chromium with the
DevTools protocol counting bytes, and the min / median / max of repeats.

Nothing here asserts anything: the benches print numbers and ratios.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import http.server
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for folder in (REPO, REPO / "tests"):  # the app's packages; the tests' app launcher
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from apprunner import CHROMIUM, CHROMIUM_ARGS, free_port, healthy  # noqa: E402

VIEWPORT = {"width": 1600, "height": 1000}


# ---------------------------------------------------------------------------------------
# numbers


@dataclass
class Series:
    """Repeats of one measurement."""

    values: list[float] = field(default_factory=list)

    def add(self, v: float) -> None:
        self.values.append(v)

    @property
    def med(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def fmt(self, unit: str = "ms", scale: float = 1.0, digits: int = 0) -> str:
        if not self.values:
            return "n/a"
        lo, md, hi = min(self.values), self.med, max(self.values)
        return f"{lo / scale:.{digits}f} / {md / scale:.{digits}f} / {hi / scale:.{digits}f} {unit}"


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


# ---------------------------------------------------------------------------------------
# servers


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes] | None
    log: Path | None
    env: dict[str, str]


@contextlib.contextmanager
def streamlit_server(
    script: Path,
    *,
    data_dir: Path,
    cache_dir: Path | None = None,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[Server]:
    """``streamlit run <script>`` on a free loopback port (headless, no file watcher) with
    the records of *data_dir* and a cache folder (a fresh empty one unless given)."""
    with tempfile.TemporaryDirectory(prefix="aa-bench-") as scratch:
        full = dict(os.environ)
        full.update(
            {
                "ARMISTICE_DATA": str(data_dir),
                "ARMISTICE_CACHE": str(cache_dir or Path(scratch) / "cache"),
                "ARMISTICE_USER_DATA": str(Path(scratch) / "user"),
                "PYTHONPATH": os.pathsep.join([str(REPO), full.get("PYTHONPATH", "")]),
            }
        )
        corpus = REPO.parent / "shared" / "corpus"
        if "ARMISTICE_CORPUS" not in full and corpus.is_dir():
            full["ARMISTICE_CORPUS"] = str(corpus)
        full.update(env or {})
        port = free_port()
        log = Path(scratch) / "server.log"
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", *extra_args,
        ]  # fmt: skip
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=script.parent, env=full, stdout=out, stderr=out)
        server = Server(f"http://127.0.0.1:{port}", proc, log, full)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(server.url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{script.name} did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped (level 5, like Streamlit's middleware) when asked for."""

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self) -> Any:  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return super().send_head()
        data = path.read_bytes()
        ctype = self.guess_type(str(path))
        zipped = "gzip" in self.headers.get("Accept-Encoding", "") and len(data) >= 1000
        if zipped and not ctype.startswith("image/"):
            data = gzip.compress(data, 5)
        else:
            zipped = False
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        import io

        return io.BytesIO(data)


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A threaded HTTP server of *folder* on loopback (for the explore() anchor)."""
    handler = functools.partial(_GzipHandler, directory=str(folder))
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


# ---------------------------------------------------------------------------------------
# chromium


@dataclass
class Traffic:
    """What the DevTools protocol saw: HTTP bytes on the wire (headers and compressed
    bodies, ``encodedDataLength``) per URL, and websocket frames (their payload)."""

    http: dict[str, int] = field(default_factory=dict)
    encoding: dict[str, str] = field(default_factory=dict)
    cache: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    ws_in: list[bytes] = field(default_factory=list)
    ws_out: list[bytes] = field(default_factory=list)

    def reset(self) -> None:
        self.http.clear()
        self.ws_in.clear()
        self.ws_out.clear()

    @property
    def http_bytes(self) -> int:
        return sum(self.http.values())

    @property
    def ws_bytes(self) -> int:
        return sum(len(f) for f in self.ws_in)


def _frame(response: Mapping[str, Any]) -> bytes:
    data = response.get("payloadData", "")
    if response.get("opcode") == 2:
        return base64.b64decode(data)
    return str(data).encode()


def record(page: Any) -> Traffic:
    """Count the traffic of *page* (and its same-origin frames) from now on."""
    traffic = Traffic()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def on_response(ev: Mapping[str, Any]) -> None:
        rid, resp = ev["requestId"], ev["response"]
        traffic.urls[rid] = resp["url"]
        headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
        traffic.encoding[resp["url"]] = headers.get("content-encoding", "")
        traffic.cache[resp["url"]] = headers.get("cache-control", "")

    def on_finished(ev: Mapping[str, Any]) -> None:
        url = traffic.urls.get(ev["requestId"], ev["requestId"])
        traffic.http[url] = traffic.http.get(url, 0) + int(ev.get("encodedDataLength", 0))

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", lambda e: traffic.ws_in.append(_frame(e["response"])))
    cdp.on("Network.webSocketFrameSent", lambda e: traffic.ws_out.append(_frame(e["response"])))
    return traffic


@contextlib.contextmanager
def chromium(pw: Any, *, fresh_profile: bool = True) -> Iterator[Any]:
    """A chromium context with a fresh profile (its own user-data folder: empty cache)."""
    profile = tempfile.mkdtemp(prefix="aa-chromium-")
    try:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            headless=True,
        )
        try:
            yield context
        finally:
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def component_bytes(frames: Sequence[bytes], *, component: str) -> tuple[int, int]:
    """(bytes of the frames that carry *component*'s element, all frames) of a run."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    share = 0
    for frame in frames:
        try:
            msg = ForwardMsg.FromString(frame)
        except Exception:  # a text frame or another protocol
            continue
        if msg.WhichOneof("type") != "delta":
            continue
        element = msg.delta.new_element
        if element.WhichOneof("type") == "component_instance" and component in (
            element.component_instance.component_name
        ):
            share += len(frame)
    return share, sum(len(f) for f in frames)


def wait_idle(page: Any, timeout: float = 120_000) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
