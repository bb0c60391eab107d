"""Registration throughput on PostgreSQL under concurrent load, served by gunicorn.

Bar (PRODUCT.md): >= 100 confirmed registrations/s on 2 cores, zero overbooking.

What it does, from a clean slate each run:
1. drops and recreates the database `huiwu_bench` on 127.0.0.1:5432 (user postgres, trust auth)
   and creates the schema (the models' create_all, the same tables as the migrations);
2. creates an open event, a category with `--capacity` places, a second unlimited category
   used only to warm the workers up, and a required custom question (the form's real load);
3. starts gunicorn with the app's ordinary development config (CSRF ON, mail written in-process
   to an outbox folder in a temporary directory: part of a registration's real cost);
4. drives `--clients` concurrent keep-alive HTTP clients (threads, stdlib http.client) that
   POST complete registration forms to /e/<slug>/register, `--overshoot` times the capacity
   in total, so the category fills up and the rest goes to the waiting list;
5. checks the database: confirmed + pending beyond the capacity (overbooking) must be 0 and
   `places_taken` must equal the places actually held.

CSRF stays on, as in production. Flow `post` (the default, comparable to an order API): each
client is one browser session that fetches the form once (session cookie + CSRF token, the
token is valid for the whole session) and then submits registrations with it; the redirect to
the confirmation page is not followed. Flow `browser`: every registration is a new visitor who
GETs the form, POSTs it and follows the redirect to the self-service page (3 requests each).

Prints a human summary, then the figures as JSON on the last line. The load is bounded by
count (`--overshoot` x capacity) and by time (`--max-seconds`), and targets 127.0.0.1 only.

    .venv/bin/python benchmarks/registration.py                  # defaults: 2000 places, 32 clients
    .venv/bin/python benchmarks/registration.py --flow browser --workers 4
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.support import PG_ADMIN_DSN, drop_database, setup_app  # noqa: E402

BAR_CONFIRMED_PER_S = 100.0
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLUG = "bench-2020"


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="huiwu_bench")
    parser.add_argument("--capacity", type=int, default=2000)
    parser.add_argument(
        "--overshoot", type=float, default=1.25, help="registrations sent = capacity x this"
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2 * cores + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--flow", choices=["post", "browser"], default="post")
    parser.add_argument(
        "--mail",
        choices=["inline", "redis"],
        default="inline",
        help="inline: mail (with its badge) built and written to the outbox inside the request, "
        "the no-Redis default; redis: jobs queued in Redis for worker.py as in production "
        "(no worker runs during the measurement)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="hard stop of the load")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="experiment: ALTER DATABASE ... SET synchronous_commit = off (not the bar's setup)",
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database afterwards")
    return parser.parse_args()


# --------------------------------------------------------------------------- database setup


def recreate_database(name: str, async_commit: bool = False) -> str:
    """Drop and create the benchmark database; returns its SQLAlchemy URL."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unsafe database name: {name}")
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
        if async_commit:
            conn.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def create_schema_and_event(database_url: str, instance_dir: Path, capacity: int) -> dict:
    """Create the tables, the event, its categories and a required question; returns their ids."""
    from app.clock import utcnow
    from app.events.models import Event, EventKind, EventStatus
    from app.extensions import db
    from app.registration.models import AttendanceRule, Category, Question, QuestionKind
    from app.translated import Translated

    app = setup_app(database_url, instance_dir)
    with app.app_context():
        db.create_all()
        event = Event(
            slug=SLUG,
            title=Translated(
                zh="2020 国际技术转移大会（基准测试）",
                en="2020 International Technology Transfer Conference (benchmark)",
            ),
            starts_at=utcnow() + timedelta(days=30),
            ends_at=utcnow() + timedelta(days=31),
            status=EventStatus.OPEN,
            kind=EventKind.CONFERENCE,
            privacy_text=Translated(
                zh="我们仅为会议组织目的处理您的个人信息。",
                en="We process your personal data only to organize the conference.",
            ),
        )
        db.session.add(event)
        db.session.flush()
        measured = Category(
            event_id=event.id,
            code="guest",
            name=Translated(zh="嘉宾", en="Guest", ru="Гость"),
            capacity=capacity,
            attendance_rule=AttendanceRule.EITHER,
            position=1,
        )
        warmup = Category(
            event_id=event.id,
            code="warmup",
            name=Translated(zh="预热", en="Warm-up"),
            capacity=None,
            attendance_rule=AttendanceRule.EITHER,
            position=2,
        )
        question = Question(
            event_id=event.id,
            kind=QuestionKind.SINGLE_CHOICE,
            label=Translated(zh="饮食要求", en="Dietary requirements"),
            choices=[
                {"value": "none", "zh": "无", "en": "None"},
                {"value": "veg", "zh": "素食", "en": "Vegetarian"},
                {"value": "halal", "zh": "清真", "en": "Halal"},
            ],
            required=True,
        )
        db.session.add_all([measured, warmup, question])
        db.session.commit()
        ids = {"event": event.id, "category": measured.id, "warmup": warmup.id}
        ids["question"] = question.id
        db.session.remove()
        db.engine.dispose()
    return ids


def count_outcome(database_url: str, category_id: int, capacity: int) -> dict:
    """States of the measured category's registrations, straight from the database."""
    import psycopg

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT lower(state), count(*), min(created_at), max(created_at) FROM registration"
            " WHERE category_id = %s GROUP BY lower(state)",
            (category_id,),
        ).fetchall()
        places_taken = conn.execute(
            "SELECT places_taken FROM category WHERE id = %s", (category_id,)
        ).fetchone()[0]
        mails = conn.execute(
            "SELECT lower(state), count(*) FROM outbox_message GROUP BY lower(state)"
        ).fetchall()
    by_state = {state: count for state, count, _, _ in rows}
    held = by_state.get("confirmed", 0) + by_state.get("pending", 0)
    confirmed_times = [(lo, hi) for state, _, lo, hi in rows if state == "confirmed"]
    return {
        "by_state": by_state,
        "held": held,
        "places_taken": places_taken,
        "overbooked": max(0, held - capacity),
        "places_taken_consistent": places_taken == held,
        "last_confirmed_at": confirmed_times[0][1] if confirmed_times else None,
        "mail_by_state": dict(mails),
    }


# --------------------------------------------------------------------------- server


def flush_redis(url: str) -> None:
    """Empty the benchmark's own Redis database (jobs nobody will run)."""
    from redis import Redis

    Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, database_url: str, instance_dir: Path, port: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        HUIWU_CONFIG="development",
        # Every simulated guest comes from 127.0.0.1: per-address rate limits would refuse them.
        RATELIMIT_ENABLED="0",
        HUIWU_INSTANCE_DIR=str(instance_dir),
        MAIL_OUTBOX_DIR=str(instance_dir / "outbox"),
        MAIL_SERVER="",
        REDIS_URL=args.redis_url if args.mail == "redis" else "",
        SECRET_KEY="benchmark-secret-key-not-for-production-use",  # noqa: S106
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    command = [
        gunicorn,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(REPO),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
        "app:create_app()",
    ]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    raise SystemExit("gunicorn did not start within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(process: subprocess.Popen, database_url: str) -> tuple[list[int], list[int]]:
    """The gunicorn master and workers; the PostgreSQL backends serving the database."""
    import psycopg

    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_DSN) as conn:
        backends = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return [process.pid, *map(int, children)], [pid for (pid,) in backends]


# --------------------------------------------------------------------------- client


class Visitor:
    """One browser: a keep-alive connection and a session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, dict]:
        headers = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once, as browsers do.
                self.conn.close()
                if attempt == 2:
                    raise
        set_cookie = response.getheader("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def fetch_form_token(self) -> str:
        status, text, _ = self.request("GET", f"/e/{SLUG}/register")
        match = CSRF_INPUT.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"registration form not served (HTTP {status})")
        return match.group(1)

    def close(self) -> None:
        self.conn.close()


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def registration_body(n: int, token: str, ids: dict, category_key: str) -> str:
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)] + GIVEN[(n // 3) % len(GIVEN)]
    return urlencode(
        {
            "csrf_token": token,
            "category_id": ids[category_key],
            "native_name": name,
            "latin_name": "",
            "email": f"guest{n}.{category_key}@bench.example.org",
            "phone": f"+86 138 {n % 10000:04d} {(n * 7) % 10000:04d}",
            "organization": "青岛大学",
            "job_title": "教授",
            "country": "CN",
            "attendance": "onsite",
            "language": "zh_CN",
            f"q_{ids['question']}": "veg" if n % 3 == 0 else "none",
            "consent": "y",
        }
    )


def run_load(args, port: int, ids: dict, total: int, category_key: str) -> dict:
    """Send `total` registrations with args.clients threads; returns latencies and errors."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + args.max_seconds

    def note_error(kind: str) -> None:
        with lock:
            errors[kind] = errors.get(kind, 0) + 1

    def client() -> None:
        visitor = Visitor(port)
        token = None
        mine: list[float] = []
        try:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter)
                if n >= total:
                    break
                try:
                    started = time.perf_counter()
                    if args.flow == "browser" or token is None:
                        if args.flow == "browser":
                            visitor.close()
                            visitor = Visitor(port)
                        token = visitor.fetch_form_token()
                    if args.flow == "post":
                        started = time.perf_counter()
                    body = registration_body(n, token, ids, category_key)
                    status, _, headers = visitor.request("POST", f"/e/{SLUG}/register", body)
                    if status != 302 or "/r/" not in headers.get("Location", ""):
                        note_error(f"HTTP {status}")
                        continue
                    if args.flow == "browser":
                        location = headers["Location"]
                        path = location.split("127.0.0.1", 1)[-1].split(f":{port}", 1)[-1]
                        status, _, _ = visitor.request("GET", path)
                        if status != 200:
                            note_error(f"confirmation page HTTP {status}")
                            continue
                    mine.append(time.perf_counter() - started)
                except Exception as exc:
                    note_error(type(exc).__name__)
                    visitor.close()
                    visitor = Visitor(port)
                    token = None
        finally:
            visitor.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "started": started,
        "seconds": time.time() - started,
        "latencies": latencies,
        "errors": errors,
        "stopped_by_time": time.monotonic() >= deadline,
    }


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> int:
    args = parse_args()
    database_url = recreate_database(args.database, args.async_commit)
    workdir = Path(tempfile.mkdtemp(prefix="huiwu-bench-"))
    process = None
    if args.mail == "redis":
        flush_redis(args.redis_url)
    try:
        ids = create_schema_and_event(database_url, workdir, args.capacity)
        port = args.port or free_port()
        process = start_gunicorn(args, database_url, workdir, port)
        # Warm-up: every worker imports, compiles templates and opens its pool.
        run_load(
            argparse.Namespace(**{**vars(args), "max_seconds": 60}),
            port,
            ids,
            total=max(4 * args.workers * args.threads, args.clients),
            category_key="warmup",
        )
        total = int(args.capacity * args.overshoot)
        app_pids, db_pids = server_pids(process, database_url)
        cpu_before = {pid: cpu_seconds(pid) for pid in app_pids + db_pids}
        own_before = time.process_time()
        load = run_load(args, port, ids, total=total, category_key="category")
        app_cpu = sum(cpu_seconds(pid) - cpu_before[pid] for pid in app_pids)
        db_cpu = sum(cpu_seconds(pid) - cpu_before[pid] for pid in db_pids)
        server_cpu = app_cpu + db_cpu
        client_cpu = time.process_time() - own_before
        outcome = count_outcome(database_url, ids["category"], args.capacity)
    finally:
        if process is not None:
            stop_gunicorn(process)
        shutil.rmtree(workdir, ignore_errors=True)
        if args.mail == "redis":
            flush_redis(args.redis_url)

    confirmed = outcome["by_state"].get("confirmed", 0)
    waitlisted = outcome["by_state"].get("waitlisted", 0)
    accepted = len(load["latencies"])
    last_confirmed = outcome["last_confirmed_at"]
    if last_confirmed is not None and last_confirmed.tzinfo is None:
        last_confirmed = last_confirmed.replace(tzinfo=UTC)
    fill_seconds = (
        (last_confirmed - datetime.fromtimestamp(load["started"], UTC)).total_seconds()
        if last_confirmed
        else None
    )
    ms = [value * 1000 for value in load["latencies"]]
    result = {
        "benchmark": "registration",
        "flow": args.flow,
        "cores": os.cpu_count(),
        "workers": args.workers,
        "threads": args.threads,
        "mail": args.mail,
        "synchronous_commit": "off" if args.async_commit else "on",
        "clients": args.clients,
        "capacity": args.capacity,
        "sent": int(args.capacity * args.overshoot),
        "accepted": accepted,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "confirmed_per_s": round(confirmed / fill_seconds, 1) if fill_seconds else 0.0,
        "accepted_per_s": round(accepted / load["seconds"], 1),
        "seconds": round(load["seconds"], 2),
        "latency_ms": {
            "p50": round(percentile(ms, 50), 1) if ms else None,
            "p95": round(percentile(ms, 95), 1) if ms else None,
            "p99": round(percentile(ms, 99), 1) if ms else None,
            "mean": round(statistics.fmean(ms), 1) if ms else None,
        },
        # CPU per registration, server side (gunicorn + its PostgreSQL backends): the figure
        # that does not depend on what else the machine is running at the same time.
        "server_cpu_ms_per_registration": round(1000 * server_cpu / max(accepted, 1), 1),
        "app_cpu_ms_per_registration": round(1000 * app_cpu / max(accepted, 1), 1),
        "db_cpu_ms_per_registration": round(1000 * db_cpu / max(accepted, 1), 1),
        "client_cpu_ms_per_registration": round(1000 * client_cpu / max(accepted, 1), 1),
        "cpu_ceiling_per_s": round((os.cpu_count() or 1) * accepted / server_cpu, 1)
        if server_cpu
        else None,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "errors": sum(load["errors"].values()),
        "error_kinds": load["errors"],
        "overbooked": outcome["overbooked"],
        "places_taken_consistent": outcome["places_taken_consistent"],
        "mail_by_state": outcome["mail_by_state"],
        "stopped_by_time": load["stopped_by_time"],
        "bar_confirmed_per_s": BAR_CONFIRMED_PER_S,
    }
    result["meets_bar"] = (
        result["confirmed_per_s"] >= BAR_CONFIRMED_PER_S
        and result["overbooked"] == 0
        and result["places_taken_consistent"]
        and result["errors"] == 0
    )
    if not args.keep_db:
        drop_database(args.database)
    print(
        f"{confirmed} confirmed + {waitlisted} waitlisted of {result['sent']} sent in "
        f"{result['seconds']} s; {result['confirmed_per_s']} confirmed/s "
        f"(bar {BAR_CONFIRMED_PER_S:.0f}); p50 {result['latency_ms']['p50']} ms, "
        f"p99 {result['latency_ms']['p99']} ms; {result['errors']} errors; "
        f"overbooked {result['overbooked']}",
        file=sys.stderr,
    )
    print(json.dumps(result, default=str))
    return 0 if result["meets_bar"] else 1


if __name__ == "__main__":
    sys.exit(main())
