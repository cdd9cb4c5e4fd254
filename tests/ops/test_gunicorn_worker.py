"""deploy/gunicorn.conf.py run for real: the balanced worker, and the app preloaded in the master."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with the repo's config on a free loopback port; stopped (with its workers) on exit."""

    def __init__(self, app: str, env: dict[str, str], tmp_path: Path):
        self.port = _free_port()
        self.env = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
            "LOG_LEVEL": "warning",
            **env,
        }
        self.app, self.log = app, tmp_path / "gunicorn.log"

    def __enter__(self):
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [GUNICORN, "-c", "deploy/gunicorn.conf.py", self.app],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while len(self.workers()) < int(self.env["WEB_CONCURRENCY"]) or not self._answers():
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + self.log.read_text()
            time.sleep(0.2)
        return self

    def _answers(self) -> bool:
        try:
            return self.get("/live")[0] == 200
        except OSError:
            return False

    def get(self, path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def __exit__(self, *exc):
        os.killpg(self.proc.pid, 15)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()


def test_connections_opened_together_are_spread_over_the_workers(tmp_path):
    # 8 keep-alive connections opened at once, as nginx's upstream pool or wrk opens them. Plain
    # gthread let the first worker awake take most of them (4/2/2/0, 8/0/0/0); the balanced
    # worker takes no more than its 2 threads while another worker is free. The step back is long
    # here so that a busy test machine is slow to wake the other workers in time.
    env = {"WEB_CONCURRENCY": "4", "GUNICORN_THREADS": "2", "GUNICORN_ACCEPT_STEP_BACK_MS": "300"}
    with Gunicorn("tests.ops.pid_app:app", env, tmp_path) as server:
        time.sleep(1)  # a worker is among the master's children a moment before it listens
        connections = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(8)]
        for conn in connections:
            conn.connect()
        pids = []
        for _ in range(3):  # the same connections, kept alive: the same workers
            for conn in connections:
                conn.request("GET", "/")
                pids.append(conn.getresponse().read().decode())
        for conn in connections:
            conn.close()
    per_worker = Counter(pids[:8])
    assert pids[8:16] == pids[:8] == pids[16:]
    assert len(per_worker) == 4 and max(per_worker.values()) == 2, per_worker


def _sockets_to(pid: int, ports: set[int]) -> int:
    """How many TCP connections process `pid` holds to these remote ports (read from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[9] in inodes and remote_port in ports:
                count += 1
    return count


@pytest.mark.postgres
def test_the_app_is_preloaded_and_the_master_holds_no_database_or_redis_connection(
    tmp_path, transactional_db, settings
):
    # The real app under production settings against the test database: the master imports it
    # once (preload_app), and every worker forked from it opens its own connections.
    from django.db import connection

    db = connection.settings_dict
    env = {
        "WEB_CONCURRENCY": "2",
        "DJANGO_SETTINGS_MODULE": "branch_courier.settings.production",
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdef0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_HOST": db["HOST"] or "127.0.0.1",
        "DB_PORT": str(db["PORT"] or 5432),
        "DB_USER": db["USER"],
        "DB_PASSWORD": db["PASSWORD"] or "",
        "DB_NAME": db["NAME"],
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14",
    }
    with Gunicorn("branch_courier.wsgi:application", env, tmp_path) as server:
        for _ in range(8):  # /ready reads PostgreSQL and Redis in whichever worker answers
            status, body = server.get("/ready")
            assert status == 200, body
        ports = {int(env["DB_PORT"]), int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])}
        assert _sockets_to(server.proc.pid, ports) == 0
        assert sum(_sockets_to(pid, ports) for pid in server.workers()) > 0
        master_modules = Path(f"/proc/{server.proc.pid}/maps").read_text()
    # Preloaded: the master has the app's compiled extensions loaded, psycopg's C part for one
    # (without preload_app the master never imports the app, and it is not there).
    assert "/_psycopg." in master_modules
    # Warmed up (core/warmup.py, from wsgi.py): the views' libraries too, which Django would import on
    # a worker's first request (the label views' reportlab, and with it Pillow's C part).
    assert "/PIL/_imaging." in master_modules
