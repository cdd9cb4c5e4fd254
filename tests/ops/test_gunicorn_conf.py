"""deploy/gunicorn.conf.py sizes the worker pool from the CPUs the container may use."""

import runpy
from pathlib import Path
from unittest import mock

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def _conf(env: dict[str, str], cpu_max: str | None, cpus: int = 2) -> dict:
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path) == "/sys/fs/cgroup/cpu.max":
            if cpu_max is None:
                raise FileNotFoundError(path)
            from io import StringIO

            return StringIO(cpu_max)
        return real_open(path, *args, **kwargs)

    with (
        mock.patch.dict("os.environ", env, clear=True),
        mock.patch("builtins.open", fake_open),
        mock.patch("os.sched_getaffinity", return_value=set(range(cpus))),
    ):
        return runpy.run_path(str(CONF))


def test_two_workers_per_cpu_without_a_limit():
    conf = _conf({}, None, cpus=2)
    assert (conf["workers"], conf["threads"]) == (4, 2)


def test_a_kubernetes_cpu_limit_sizes_the_pool():
    assert _conf({}, "150000 100000", cpus=16)["workers"] == 3  # 1.5 CPUs
    assert _conf({}, "50000 100000", cpus=16)["workers"] == 2  # 500m: at least two
    assert _conf({}, "max 100000", cpus=3)["workers"] == 6  # no quota: the CPUs it sees


def test_the_environment_wins():
    conf = _conf({"WEB_CONCURRENCY": "7", "GUNICORN_THREADS": "1"}, "50000 100000")
    assert (conf["workers"], conf["threads"]) == (7, 1)
