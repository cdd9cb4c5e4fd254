"""make resilience: load, faults and recovery on loopback, against private PostgreSQL and Redis.

Starts its own PostgreSQL cluster (initdb in a temp dir, 127.0.0.1:RESIL_PG_PORT), its own
redis-server (127.0.0.1:RESIL_REDIS_PORT), a stub partner service, and gunicorn with production
settings and deploy/gunicorn.conf.py; seeds a small database; then runs four scenarios, each bounded
in time, and prints a summary of each. Everything it started is stopped and removed at the end,
whatever happens; the machine's shared PostgreSQL and Redis are never touched.

1. sustained  wrk at concurrency 32 (28 readers + 4 clerks registering parcels) for
              RESIL_SUSTAINED seconds (default 300): 0 errors.
2. redis      Redis stopped during load, started again: no 5xx, sign-ins keep working.
3. postgres   PostgreSQL stopped during load, started again: /ready turns 503 and back, requests in
              the outage get the 503 page or, when they need no database, their own answer (never
              a 500, no traceback), rows committed before are unchanged (count + checksum) and
              every answered registration is a row.
4. partners   tracking/notification partners answer 503 for a while: the outbox worker
              (manage.py run_outbox) delivers every message afterwards, none dead or lost.

Environment: RESIL_SUSTAINED (300), RESIL_FAULT (40: seconds of load around each fault),
RESIL_PORT (8091), RESIL_PG_PORT (5440), RESIL_REDIS_PORT (6390), RESIL_PACKAGES (2000).
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402 (HTTP helpers, wrk, gunicorn wrapper)
from tests.partner_stub import PartnerStub  # noqa: E402

SUSTAINED = int(os.environ.get("RESIL_SUSTAINED", "300"))
FAULT = int(os.environ.get("RESIL_FAULT", "40"))
PORT = int(os.environ.get("RESIL_PORT", "8091"))
PG_PORT = int(os.environ.get("RESIL_PG_PORT", "5440"))
REDIS_PORT = int(os.environ.get("RESIL_REDIS_PORT", "6390"))
PACKAGES = int(os.environ.get("RESIL_PACKAGES", "2000"))
READERS, WRITERS = 28, 4
bench.HOST, bench.ORIGIN, bench.THREADS = f"127.0.0.1:{PORT}", f"https://127.0.0.1:{PORT}", 2


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    if shutil.which(name):
        return shutil.which(name)
    raise SystemExit(f"{name} not found: run scripts/ensure-bench-tools.sh as root")


class Postgres:
    """A throwaway cluster owned by the postgres user when we are root (initdb refuses root)."""

    def __init__(self, work: Path):
        self.dir = work / "pg"
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, *args, check=True):
        return subprocess.run([*self.as_owner, *args], check=check, capture_output=True, text=True)

    def create(self):
        self.dir.mkdir()
        if self.as_owner:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.dir.parent, "postgres")
        self.run(pg_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self):
        options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=100"
        self.run(
            pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.dir / "log"), "-o", options, "-w", "start"
        )

    def stop(self, mode="fast"):
        self.run(pg_bin("pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop", check=False)

    def sql(self, query: str):
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="resilience") as conn:
            return conn.execute(query).fetchall()


class Redis:
    def __init__(self):
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def lua(items: list[dict], cookies: dict, token: str) -> str:
    """A wrk script rotating through GETs and intake POSTs, counting answers by status class."""
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    rows = []
    for item in items:
        if item.get("post"):
            body = urlencode({**item["post"], "csrfmiddlewaretoken": token})
            extra = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": bench.ORIGIN + item["path"],
                "Origin": bench.ORIGIN,
            }
            extra_lua = "{" + ", ".join(f"[{json.dumps(k)}]={json.dumps(v)}" for k, v in extra.items()) + "}"
            rows.append(
                f"wrk.format('POST', {json.dumps(item['path'])}, with({extra_lua}), {json.dumps(body)})"
            )
        else:
            rows.append(f"wrk.format('GET', {json.dumps(item['path'])})")
    return f"""
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Cookie"] = {json.dumps(cookie)}
local threads = {{}}
-- wrk.format() replaces wrk.headers with the table it is given: merge them.
function with(extra)
  local h = {{}}
  for k, v in pairs(wrk.headers) do h[k] = v end
  for k, v in pairs(extra) do h[k] = v end
  return h
end
function setup(thread) table.insert(threads, thread); thread:set("number", #threads - 1) end
function init(args)
  requests_list = {{ {", ".join(rows)} }}
  position = number; c2 = 0; c3 = 0; c4 = 0; c5 = 0
end
function request()
  local r = requests_list[(position % #requests_list) + 1]
  position = position + 1
  return r
end
function response(status, headers, body)
  if status >= 500 then c5 = c5 + 1 elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1 else c2 = c2 + 1 end
end
function done(summary, latency, requests)
  local t = {{0, 0, 0, 0}}
  for _, th in ipairs(threads) do
    t[1] = t[1] + th:get("c2"); t[2] = t[2] + th:get("c3")
    t[3] = t[3] + th:get("c4"); t[4] = t[4] + th:get("c5")
  end
  local e = summary.errors
  io.write(string.format('RESULT {{"requests": %d, "s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, '
    .. '"socket": %d, "timeout": %d, "p99_ms": %.1f}}\\n', summary.requests, t[1], t[2], t[3], t[4],
    e.connect + e.read + e.write, e.timeout, latency:percentile(99) / 1000))
end
"""


class Load:
    """wrk in the background: readers and writers at once; .result() waits for both."""

    def __init__(self, work: Path, reads: str, writes: str, seconds: int):
        self.procs = []
        for name, script, conns in (("reads", reads, READERS), ("writes", writes, WRITERS)):
            path = work / f"{name}.lua"
            path.write_text(script)
            command = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "-s", str(path)]
            self.procs.append(
                (
                    name,
                    subprocess.Popen([*command, f"http://{bench.HOST}"], stdout=subprocess.PIPE, text=True),
                )
            )

    def result(self) -> dict:
        out = {}
        for name, proc in self.procs:
            text = proc.communicate(timeout=FAULT + SUSTAINED + 120)[0]
            line = next((r for r in text.splitlines() if r.startswith("RESULT ")), None)
            out[name] = json.loads(line[len("RESULT ") :]) if line else {"failed": text[-300:]}
        return out

    def kill(self):
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def intake_form(destination_id: int, n: int) -> dict:
    return {
        "sender_name": f"Resilience Sender {n}",
        "sender_phone": "+1 212 555 0100",
        "sender_address": "1 Main St",
        "recipient_name": f"Resilience Recipient {n}",
        "recipient_phone": "+1 617 555 0199",
        "recipient_address": "2 Oak Ave",
        "destination_branch": str(destination_id),
        "service": "STANDARD",
        "weight_grams": "1200",
        "declared_value": "0.00",
        # The fee is paid in cash into the clerk's drawer (opened once by open_drawer()).
        "payment_method": "CASH",
    }


def open_drawer(cookies: dict, token: str) -> None:
    """Cash intake needs the clerk's drawer open: open it over HTTP like the clerk would."""
    body = urlencode({"opening_float": "100.00", "csrfmiddlewaretoken": token})
    headers = {"Referer": f"{bench.ORIGIN}/drawer/", "Origin": bench.ORIGIN}
    status, _, _ = bench.request("POST", "/drawer/open/", cookies=cookies, body=body, headers=headers)
    if status != 302:
        raise RuntimeError(f"opening the cash drawer answered {status}, not a redirect")


def checksum(pg: Postgres, below_id: int) -> tuple:
    return pg.sql(
        "SELECT count(*), md5(string_agg(id || ':' || status || ':' || updated_at::text, ',' ORDER BY id)) "
        f"FROM packages WHERE id <= {below_id}"
    )[0]


def totals(load: dict) -> dict:
    keys = ("requests", "s2xx", "s3xx", "s4xx", "s5xx", "socket", "timeout")
    return {k: sum(part.get(k, 0) for part in load.values()) for k in keys}


def main() -> int:
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            print(f"{tool} not found: run scripts/ensure-bench-tools.sh as root")
            return 1
    work = Path(tempfile.mkdtemp(prefix="resilience-"))
    os.chmod(work, 0o755)  # noqa: S103 (the postgres user must reach its data directory)
    pg, redis, summary, load = Postgres(work), Redis(), {}, None
    stub = PartnerStub()
    try:
        pg.create()
        pg.start()
        pg.run(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "resilience")
        redis.start()
        stub.__enter__()
        prom = str(work / "prom")
        os.makedirs(prom)
        env = bench.server_environment(prom)
        env.update(
            {
                "DB_HOST": "127.0.0.1",
                "DB_PORT": str(PG_PORT),
                "DB_NAME": "resilience",
                "DB_USER": "postgres",
                "DB_PASSWORD": "",
                "DB_CONNECT_TIMEOUT": "2",
                "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
                "GUNICORN_BIND": bench.HOST,
                "ENABLE_REAL_TIME_TRACKING": "true",
                "TRACKING_SERVICE_URL": stub.url,
                "NOTIFICATION_SERVICE_URL": stub.url,
                "PARTNER_TIMEOUT": "2",
                # Retries every 1-4 s instead of 5 s … 1 h, so catching up fits in the run.
                "OUTBOX_BACKOFF_BASE_SECONDS": "1",
                "OUTBOX_BACKOFF_MAX_SECONDS": "4",
                "OUTBOX_POLL_SECONDS": "0.5",
                "LOG_LEVEL": "warning",
            }
        )
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "seed_demo", "--force", "--packages", str(PACKAGES), "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        # The seeded events queued tracking pushes: deliver them first so scenario 4 starts clean.
        stub.mode = "up"
        subprocess.run([*manage, "run_outbox", "--once", "-v0"], cwd=ROOT, env=env, check=True)
        clerk_branch, dest = pg.sql(
            "SELECT u.branch_id, "
            "(SELECT id FROM accounts_branch WHERE id <> u.branch_id ORDER BY id LIMIT 1) "
            "FROM accounts_user u WHERE u.username = 'clerk.nyc01'"
        )[0]
        sample = pg.sql(f"SELECT tracking_number FROM packages WHERE branch_id = {clerk_branch} LIMIT 1")[0][
            0
        ]
        reads = [
            {"path": "/"},
            {"path": "/packages/"},
            {"path": "/packages/?status=IN_TRANSIT"},
            {"path": f"/packages/?q={sample}"},
            {"path": f"/packages/{sample}/"},
            {"path": "/inquiries/"},
            {"path": f"/track/{sample}"},
            {"path": f"/api/v1/track/{sample}"},
            {"path": "/live"},
        ]
        writes = [{"path": "/packages/new/", "post": intake_form(dest, n)} for n in range(50)]
        with bench.Server(env, work / "gunicorn.log"):
            cookies, token = bench.sign_in("clerk.nyc01")
            _, more, html = bench.request("GET", "/packages/new/", cookies=cookies)
            cookies.update(more)
            token = bench.form_token(html)
            open_drawer(cookies, token)
            read_lua, write_lua = lua(reads, cookies, token), lua(writes, cookies, token)

            def run_load(seconds):
                nonlocal load
                load = Load(work, read_lua, write_lua, seconds)
                return load

            summary["sustained"] = scenario_sustained(run_load)
            summary["redis"] = scenario_redis(run_load, redis)
            summary["postgres"] = scenario_postgres(run_load, pg, cookies)
            summary["partners"] = scenario_partners(run_load, pg, stub, env, manage)
    finally:
        if load:
            load.kill()
        stub.__exit__(None, None, None)
        redis.stop()
        pg.stop("immediate")
        shutil.rmtree(work, ignore_errors=True)
    print("\n=== make resilience: summary ===")
    ok = True
    for name, result in summary.items():
        ok &= result["pass"]
        print(f"{name:<10} {'PASS' if result['pass'] else 'FAIL'}  {result['line']}")
    return 0 if ok and len(summary) == 4 else 1


def scenario_sustained(run_load) -> dict:
    print(f"sustained: concurrency {READERS + WRITERS} for {SUSTAINED} s …", flush=True)
    load = run_load(SUSTAINED).result()
    t = totals(load)
    # Reads all answer 200 and registrations 302: anything else is an error.
    errors = t["s4xx"] + t["s5xx"] + t["socket"] + t["timeout"] + load["reads"].get("s3xx", 0)
    errors += load["writes"].get("s2xx", 0)
    rps = t["requests"] / SUSTAINED
    line = (
        f"{t['requests']:,} requests in {SUSTAINED} s ({rps:,.0f}/s) at concurrency 32, errors {errors}, "
        f"p99 reads {load['reads'].get('p99_ms')} ms, writes {load['writes'].get('p99_ms')} ms"
    )
    return {"pass": errors == 0 and t["requests"] > 0, "line": line, "load": load}


def scenario_redis(run_load, redis: Redis) -> dict:
    print(f"redis: stop at {FAULT // 4} s, start at {FAULT * 3 // 5} s, {FAULT} s of load …", flush=True)
    wrk = run_load(FAULT)
    logins, stop = [], threading.Event()

    def sign_ins():
        while not stop.is_set():
            try:
                bench.sign_in("supervisor.nyc01")
                logins.append(True)
            except Exception:  # any failure counts; the summary says how many
                logins.append(False)
            stop.wait(1)

    thread = threading.Thread(target=sign_ins)
    time.sleep(FAULT // 4)
    redis.stop()
    thread.start()
    time.sleep(FAULT * 3 // 5 - FAULT // 4)
    redis.start()
    time.sleep(2)
    stop.set()
    thread.join()
    t = totals(wrk.result())
    line = (
        f"{t['requests']:,} requests, 5xx {t['s5xx']}, 4xx {t['s4xx']}, socket errors {t['socket']}; "
        f"sign-ins while Redis was down or just back: {sum(logins)}/{len(logins)} ok"
    )
    passed = t["s5xx"] == 0 and t["socket"] == 0 and t["timeout"] == 0 and logins and all(logins)
    return {"pass": bool(passed), "line": line}


# What a signed-in clerk may get while PostgreSQL is down: the 503 page ("try again"), or the
# page's own answer when it needs no database (the user, the session and the dashboard's figures
# can all come from Redis; a mistyped tracking number is refused before any query). Never a 500.
OUTAGE_PAGES = {
    "/packages/": {503},
    "/": {503, 200},
    "/track/RB000000000GB": {503, 400},
}


def scenario_postgres(run_load, pg: Postgres, cookies: dict) -> dict:
    outage = max(5, FAULT // 5)
    print(f"postgres: stop at {FAULT // 4} s for {outage} s, {FAULT} s of load …", flush=True)
    top = pg.sql("SELECT max(id) FROM packages")[0][0]
    before = checksum(pg, top)
    rows_before = pg.sql("SELECT count(*) FROM packages")[0][0]
    ready, bodies, stop = [], [], threading.Event()

    def watch():
        while not stop.is_set():
            try:
                status = bench.request("GET", "/ready")[0]
            except OSError:
                status = 0
            if not ready or ready[-1] != status:
                ready.append(status)
            stop.wait(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    wrk = run_load(FAULT)
    time.sleep(FAULT // 4)
    pg.stop("fast")
    time.sleep(1)
    for path in OUTAGE_PAGES:
        try:
            status, _, body = bench.request("GET", path, cookies=cookies)
            bodies.append(
                (path, status, "Traceback" in body or 'File "' in body, "try again" in body.lower())
            )
        except OSError as exc:
            bodies.append((path, str(exc), False, False))
    time.sleep(outage - 1)
    pg.start()
    load = wrk.result()
    t = totals(load)
    time.sleep(2)
    stop.set()
    watcher.join()
    after = checksum(pg, top)
    rows_after = pg.sql("SELECT count(*) FROM packages")[0][0]
    created = rows_after - rows_before
    answered = load["writes"].get("s3xx", 0)  # an intake that committed answers 302 to its page
    clean = all(s in OUTAGE_PAGES[path] and not tb for path, s, tb, _ in bodies)
    went_503_and_back = 503 in ready and ready[-1] == 200
    line = (
        f"/ready {' → '.join(map(str, ready))}; outage pages {[(p, s) for p, s, *_ in bodies]}, traceback in "
        f"none: {not any(tb for *_, tb, _ in bodies)}; rows before unchanged: {before == after} "
        f"({before[0]:,} rows, md5 {before[1][:8]}…); registrations answered 302: {answered}, "
        f"new rows: {created}; 5xx during outage {t['s5xx']}"
    )
    passed = clean and went_503_and_back and before == after and created >= answered
    return {"pass": passed, "line": line}


def scenario_partners(run_load, pg: Postgres, stub: PartnerStub, env: dict, manage: list) -> dict:
    down = max(10, FAULT // 2)
    print(f"partners: down for {down} s under load, then up; the outbox worker runs throughout …", flush=True)
    first_new = pg.sql("SELECT COALESCE(max(id), 0) FROM outbox_messages")[0][0]
    stub.mode = "down"
    worker = subprocess.Popen(
        [*manage, "run_outbox", "-v0", "--max-seconds", str(down + 150)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wrk = run_load(down)
        registered = wrk.result()["writes"].get("s3xx", 0)
        stub.mode = "up"
        deadline, waited = time.monotonic() + 120, time.monotonic()
        while time.monotonic() < deadline:
            left = pg.sql(
                f"SELECT count(*) FROM outbox_messages WHERE id > {first_new} "
                "AND status IN ('PENDING', 'SENDING')"
            )[0][0]
            if left == 0:
                break
            time.sleep(1)
        caught_up = time.monotonic() - waited
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    rows = dict(
        pg.sql(f"SELECT status, count(*) FROM outbox_messages WHERE id > {first_new} GROUP BY status")
    )
    keys = {k for (k,) in pg.sql(f"SELECT key FROM outbox_messages WHERE id > {first_new}")}
    delivered = keys & set(stub.delivered)
    total = sum(rows.values())
    line = (
        f"{total} messages queued while partners answered 503 ({registered} registrations); caught up "
        f"{caught_up:.0f} s after they came back: {rows}; "
        f"delivered to the stub: {len(delivered)}/{len(keys)}, "
        f"duplicates ignored by key: {stub.duplicates}"
    )
    passed = total > 0 and rows.get("SENT", 0) == total and len(delivered) == len(keys)
    return {"pass": passed, "line": line}


if __name__ == "__main__":
    sys.exit(main())
