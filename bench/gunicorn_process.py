"""A gunicorn server process for the HTTP benchmarks (bench/codes_load.py), and what /proc says of it:
start and stop it, the CPU its workers and the database's backends used, its memory. Loopback only.
See docs/decisions/0003-wsgi-server-for-benchmarks.md for why gunicorn."""

import os
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(app: str, env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn serving `app` ("module:callable()", from bench/) on 127.0.0.1:port, in a session of its
    own so that stop_server reaches the master and every worker."""
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--pythonpath",
        str(ROOT / "bench"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
        app,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_until_up(port: int, server: subprocess.Popen, path: str, timeout: float = 60) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            conn = HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer within a minute")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn's master and its workers: a session of their own
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def processes():
    """(pid, parent pid, utime + stime in seconds, command line) of every process we can read."""
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        yield int(entry.name), int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, cmdline


def cpu_seconds(master: int, database: str) -> dict:
    """CPU time used so far by the gunicorn workers and by the PostgreSQL backends of our database."""
    app = db = 0.0
    for _pid, parent, cpu, cmdline in processes():
        if parent == master:
            app += cpu
        elif cmdline.startswith("postgres:") and f" {database} " in cmdline:
            db += cpu
    return {"app": app, "db": db}


def per_request_cpu(before: dict, after: dict, requests: int) -> dict:
    """Milliseconds of CPU per request in the server's workers and in the database during a phase."""
    return {k: round(1000 * (after[k] - before[k]) / requests, 2) if requests else None for k in before}


def server_memory(master: int) -> dict:
    """RSS in MiB of the master and of each worker (its children), by pid."""
    workers = [pid for pid, parent, _cpu, _cmd in processes() if parent == master]
    sizes = {pid: rss_kib(pid) / 1024 for pid in sorted(workers)}
    return {
        "master_mib": round(rss_kib(master) / 1024, 1),
        "workers_mib": {str(pid): round(size, 1) for pid, size in sizes.items()},
        "total_mib": round((rss_kib(master) + sum(rss_kib(pid) for pid in sizes)) / 1024, 1),
    }
