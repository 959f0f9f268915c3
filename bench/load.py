"""The load generator: ``python -m bench.load --port P --path /x``.

Runs in its own process so that the client never shares a CPU budget with
the orchestrator's bookkeeping. ``--clients`` asyncio tasks each send one
HTTP/1.1 GET at a time over a raw connection (kept alive when the server
allows it; gunicorn's sync workers close it after every response, so those
clients reconnect, and the connect time is part of the latency). After a
warm-up, every response completed inside the measured window counts; a
non-200 answer, a timeout or a broken connection is an error. A session
cookie, if any, comes in the environment (BENCH_COOKIE), not on the command
line. The result is one JSON object on stdout: ok, errors, seconds, rps,
p50_ms, p95_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0


class ProtocolError(Exception):
    """The server's answer was not HTTP/1.1 as this client reads it."""


@dataclass
class Tally:
    window_start: float
    window_end: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def record(self, started: float, finished: float, ok: bool) -> None:
        if started < self.window_start or finished > self.window_end:
            return
        if ok:
            self.latencies.append(finished - started)
        else:
            self.errors += 1


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(lines[0])
    status = int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    keep_alive = parts[0] == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()
        keep_alive = False
    return status, keep_alive


async def client(port: int, request: bytes, deadline: float, tally: Tally) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        ok = False
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                assert reader is not None  # noqa: S101  (opened together with writer)
                writer.write(request)
                await writer.drain()
                status, keep_alive = await read_response(reader)
            ok = status == 200
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ProtocolError, ValueError):
            keep_alive = False
            await asyncio.sleep(0.01)  # a refused connection must not become a busy loop
        tally.record(started, time.perf_counter(), ok)
        if not keep_alive and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


Result = dict[str, float | int | None]


async def drive(port: int, path: str, cookie: str, clients: int, warmup: float, seconds: float) -> Result:
    headers = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: awl-bench", "Accept: */*"]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    request = ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1")
    start = time.perf_counter()
    tally = Tally(window_start=start + warmup, window_end=start + warmup + seconds)
    await asyncio.gather(*(client(port, request, tally.window_end, tally) for _ in range(clients)))
    latencies = sorted(tally.latencies)
    return {
        "ok": len(latencies),
        "errors": tally.errors,
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.50) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    result = asyncio.run(
        drive(
            args.port, args.path, os.environ.get("BENCH_COOKIE", ""), args.clients, args.warmup, args.seconds
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
