"""Batch-job gauges reach a Pushgateway (a small stub HTTP server on 127.0.0.1 stands in for it)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.ops.conftest import make_backup


@pytest.fixture
def pushgateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, body.decode()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_backup_pushes_its_timestamp(backup_dir, seeded, settings, pushgateway):
    url, received = pushgateway
    settings.METRICS_PUSHGATEWAY_URL = url
    make_backup(backup_dir)
    [(path, body)] = received
    assert path == "/metrics/job/branch_courier_backup"
    assert "branch_courier_backup_last_success_timestamp_seconds " in body


def test_a_down_pushgateway_does_not_fail_the_backup(backup_dir, seeded, settings, closed_port):
    settings.METRICS_PUSHGATEWAY_URL = f"http://127.0.0.1:{closed_port}"
    assert make_backup(backup_dir).exists()
