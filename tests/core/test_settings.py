"""Production settings refuse to start without their secrets and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k7#Qm2!vR9@xL4$pT8^wZ1&nB6*cY3(eF5)hJ0-sD2_gA7+uM9=iO4"


def _manage(args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "branch_courier.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PROD_ENV = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "branch.courier.example", "DB_HOST": "127.0.0.1"}
SECRETS = ("SECRET_KEY", "SESSION_SECRET", "ALLOWED_HOSTS", "DB_HOST", "DATABASE_URL")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY (or SESSION_SECRET) must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set"),
        ("DB_HOST", "production needs PostgreSQL"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _manage(["check"], env, drop=SECRETS)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_accepts_session_secret_as_the_secret_key():
    env = {**PROD_ENV, "SESSION_SECRET": STRONG_KEY}
    del env["SECRET_KEY"]
    result = _manage(["check"], env, drop=SECRETS)
    assert result.returncode == 0, result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(STRONG_KEY + "\n")
    env = {**PROD_ENV, "SECRET_KEY_FILE": str(key_file)}
    del env["SECRET_KEY"]
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], env, drop=SECRETS)
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_nothing_silenced():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV, drop=SECRETS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_junk_in_a_boolean_flag_is_a_configuration_error():
    result = _manage(["check"], {**PROD_ENV, "ENABLE_REAL_TIME_TRACKING": "maybe"}, drop=SECRETS)
    assert result.returncode != 0
    assert "ENABLE_REAL_TIME_TRACKING='maybe' must be true or false" in result.stderr


def test_durations_follow_the_ops_guide_format():
    from branch_courier.settings.env import duration

    os.environ["BC_TEST_DURATION"] = "24h"
    try:
        assert duration("BC_TEST_DURATION", "1m").total_seconds() == 86400
    finally:
        del os.environ["BC_TEST_DURATION"]
    assert duration("BC_TEST_UNSET", "30m").total_seconds() == 1800


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_run_five_times_is_prepared_so_postgresql_can_keep_its_plan():
    from django.db import connection

    from branch_courier.accounts.models import Branch

    for _ in range(6):
        list(Branch.objects.filter(code="NOPE1").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('FROM "accounts_branch"' in s and '"code" = $1' in s for s in statements), statements
