"""Shared by the bench scripts that measure behind a real server: start gunicorn on a free loopback port
with the deployment's settings (deploy/gunicorn.conf.py), drive it with N keep-alive clients through a
bounded list of requests, and print p50 / p95 / max, requests/s and status codes."""

import http.client
import os
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv/bin/gunicorn"), "jps_portal.wsgi", "--config", str(BASE_DIR / "deploy/gunicorn.conf.py"),
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not come up")


def load(port: int, paths: list[str], *, clients: int, headers: dict[str, str] | None = None) -> dict:
    """Send every path once, spread over ``clients`` threads with one keep-alive connection each."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    pending = iter(paths)

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                return
            started = time.perf_counter()
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "statuses": statuses, "seconds": time.perf_counter() - started}


def report(label: str, result: dict) -> None:
    values = sorted(result["latencies"])
    if not values:
        print(f"{label}: no requests")
        return
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    print(
        f"{label}: {len(values)} requests, {len(values) / result['seconds']:.0f} req/s, "
        f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms, "
        f"statuses {result['statuses']}, load {os.getloadavg()[0]:.2f}"
    )
