"""gunicorn settings for Branch Courier (used by the Dockerfile, make run and make bench)."""

import os
import shutil

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# gthread, leaving connections opened together to idle workers (branch_courier/core/gunicorn_worker.py).
worker_class = "branch_courier.core.gunicorn_worker.BalancedThreadWorker"


def usable_cpus() -> float:
    """CPUs this container may use: its cgroup quota (a Kubernetes CPU limit) or the CPUs it sees."""
    try:
        quota, period = open("/sys/fs/cgroup/cpu.max").read().split()  # noqa: SIM115 (tiny file)
        if quota != "max":
            return int(quota) / int(period)
    except (OSError, ValueError):
        pass
    return len(os.sched_getaffinity(0))


# Pages are CPU-bound Python: processes, not threads, use the cores (threads of one worker share
# its GIL; `make bench` on 2 cores: 2x4 served the dashboard 75 req/s, 4x1 86 req/s and /live
# 1660 vs 2116 req/s). Two workers per usable CPU, at least two; two threads each, so a long CSV
# export or label render does not hold a whole worker.
workers = int(
    os.environ.get("WEB_CONCURRENCY", os.environ.get("GUNICORN_WORKERS", max(2, round(2 * usable_cpus()))))
)
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# The heartbeat file on tmpfs: a container's overlay disk can stall and get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (tmpfs on purpose)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (with jitter, so they do not all restart at once). Not too often:
# at 2000 the busy workers restarted every few seconds under load, stalling the requests queued
# behind them.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
# Only these proxies may set X-Forwarded-*; default: loopback (nginx in the same pod/host).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = None  # our middleware logs requests as JSON; gunicorn's access log would duplicate it
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The app is imported once, in the master, and each worker is a fork of it: a recycled worker
# starts in milliseconds instead of importing Django and the app again (about a second of CPU, which
# under `make bench`'s load came every few seconds) and shares the imported code's memory with the
# others. Safe here: nothing opens a connection or starts a thread at import (database, Redis and
# the audit flusher all start on first use, and audit/page_views.py and customers/ratelimit.py
# reset what a fork inherits). GUNICORN_PRELOAD=false imports in each worker, as before.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")

# Prometheus multiprocess mode: every worker writes its samples to files in this directory.
# It must be set before prometheus_client is imported in the workers, so here, not in settings.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/branch-courier-prometheus")  # noqa: S108
# gunicorn hands workers the environment through raw_env, not through the config module's globals.
raw_env = [f"PROMETHEUS_MULTIPROC_DIR={os.environ['PROMETHEUS_MULTIPROC_DIR']}"]
# With preload_app the master imports the app (and creates its metrics) before on_starting below.
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)


def on_starting(server):
    # Stale files from a previous run would add old counts to the new ones. (The master's own, made
    # by the preload, go too: it serves nothing, and a forked worker writes files of its own pid.)
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    # Imported here: prometheus_client picks its value class at import, which must come after
    # PROMETHEUS_MULTIPROC_DIR is set above.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    # A stopping worker (recycled by max_requests, a deploy) writes the page-view audit rows it
    # still holds (audit/page_views.py); atexit does the same, this is the earlier and surer hook.
    try:
        from audit import page_views
    except Exception:  # noqa: BLE001 (the app never loaded in this worker: nothing to write)
        return
    page_views.flush()
