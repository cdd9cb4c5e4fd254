"""/live, /ready, /health and /metrics."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_live_answers_without_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/live")
    assert response.status_code == 200
    assert response.json() == {"status": "UP"}
    assert "Set-Cookie" not in str(response.headers)


def test_ready_checks_database_and_migrations(client):
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "UP"
    assert body["checks"]["migrations"]["status"] == "UP"


def test_health_reports_the_ops_guide_shape(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "UP"
    assert body["timestamp"].endswith("Z")
    assert set(body["checks"]) == {"database", "redis", "externalServices"}
    for check in body["checks"].values():
        assert "status" in check and "latency_ms" in check
    expected_redis = "UP" if settings.REDIS_URL else "NOT_CONFIGURED"
    assert body["checks"]["redis"]["status"] == expected_redis
    assert body["checks"]["externalServices"]["status"] == "NOT_CONFIGURED"
    assert "no-store" in response["Cache-Control"]


def test_probes_touch_no_session_and_write_no_audit(client, alice):
    from audit.models import AuditLog

    client.force_login(alice)
    before = AuditLog.objects.count()
    for path in ("/live", "/ready", "/health"):
        assert client.get(path).status_code == 200
    assert AuditLog.objects.count() == before


class _Stub(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        ok = self.path == "/health"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b'{"status":"UP"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_service():
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_health_checks_external_services_at_their_health_url(client, settings, stub_service, closed_port):
    settings.TRACKING_SERVICE_URL = stub_service
    settings.NOTIFICATION_SERVICE_URL = f"http://127.0.0.1:{closed_port}"
    body = client.get("/health").json()
    services = body["checks"]["externalServices"]["services"]
    assert services["tracking"]["status"] == "UP"
    assert services["notification"]["status"] == "DOWN"
    assert services["payment"]["status"] == "NOT_CONFIGURED"
    assert body["checks"]["externalServices"]["status"] == "DOWN"


def _health_in_subprocess(extra_env: dict) -> tuple[int, dict]:
    """Run GET /health in a fresh process whose settings point somewhere else."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "branch_courier.settings.test"
    code = (
        "import django, json; django.setup();"
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import Client; r = Client().get('/health');"
        "print(json.dumps({'code': r.status_code, 'body': r.json()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["code"], result["body"]


def test_health_is_503_when_the_database_is_unreachable(closed_port):
    code, body = _health_in_subprocess(
        {"DB_HOST": "127.0.0.1", "DB_PORT": str(closed_port), "DB_CONNECT_TIMEOUT": "1"}
    )
    assert code == 503
    assert body["status"] == "DOWN"
    assert body["checks"]["database"]["status"] == "DOWN"


def test_health_is_503_when_redis_is_unreachable(closed_port, tmp_path):
    # The database stays reachable (this run's test database), so only Redis is down.
    from django.db import connection

    if connection.vendor == "postgresql":
        db_env = {"DB_NAME": connection.settings_dict["NAME"]}
    else:
        db_env = {"SQLITE_PATH": str(tmp_path / "health.sqlite3")}
    code, body = _health_in_subprocess({"REDIS_URL": f"redis://127.0.0.1:{closed_port}/0", **db_env})
    assert code == 503
    assert body["checks"]["redis"]["status"] == "DOWN"
    assert body["checks"]["database"]["status"] == "UP"


def test_metrics_refused_from_a_client_outside_the_allowed_networks(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403


def test_metrics_served_to_loopback(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert b"django_http_requests_total" in response.content


def test_metrics_served_with_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope").status_code == 403
    )
    ok = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus"
    )
    assert ok.status_code == 200


def test_forged_x_forwarded_for_does_not_open_metrics(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 403
