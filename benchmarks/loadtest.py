"""A conference morning against the deployed stack, with Locust: registrations, then the door,
with judges scoring throughout. Reports throughput, p50/p95/p99 and errors per endpoint.

What it does, from a clean slate each run (127.0.0.1 only, bounded by --max-seconds):
1. creates the database `huiwu_loadtest_<run>` on 127.0.0.1:5432 (<run>: $HUIWU_RUN_ID, which
   .ci/run sets, else this process's id), starts a redis-server of its own on a free port (no
   persistence), an SMTP sink (aiosmtpd) and `deploy/run-stack --demo` (gunicorn + 2 RQ
   workers, production config) on a free port; all three are stopped and the database dropped
   at the end, so two runs on one machine neither meet nor leave anything behind;
2. adds to the demo event an unlimited "load test" category with its own check-in list and one
   device token per door station;
3. phase 1, registrations: --registrations visitors (default 2,000: a morning's hour of sign-ups
   compressed into --registration-seconds) each GET the public form and POST it (CSRF on);
   the workers mail every badge meanwhile;
4. phase 2, the door: --checkins scans (default 1,000: ten minutes of arrivals compressed into
   --checkin-seconds) from --stations stations with device tokens, 5 % of them second scans
   of a badge already used (answered already_checked_in, as at a real door);
5. throughout, the six demo judges sign in and score the final's open sheets on the tablet API
   (read the sheet, autosave two drafts, submit);
6. waits for the outbox to drain and reports mails sent, failed and still queued.

Arrivals are paced (Locust's constant_pacing): each simulated person starts a new action at a
fixed interval, so the offered load is the given rate as long as the server keeps up.

    .venv/bin/python benchmarks/loadtest.py
    .venv/bin/python benchmarks/loadtest.py --registrations 500 --registration-seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PSQL = [
    "psql",
    "-h",
    "127.0.0.1",
    "-U",
    "postgres",
    "-d",
    "postgres",
    "-v",
    "ON_ERROR_STOP=1",
    "-qc",
]
SLUG = "qingdao-ittc-2020"
PASSWORD = "huiwu-demo-2020"  # noqa: S105 - the demo's published password
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def letters(n: int) -> str:
    """n in letters (a, b, …, ba, …): Latin names take letters only."""
    word = ""
    while True:
        n, digit = divmod(n, 26)
        word = chr(ord("a") + digit) + word
        if not n:
            return word.capitalize()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    prepare = sub.add_parser("prepare", help="(internal) add the load-test category and tokens")
    prepare.add_argument("--stations", type=int, required=True)
    sub.add_parser("codes", help="(internal) print the load-test guests' ticket codes")
    sub.add_parser("outbox", help="(internal) print the outbox counts by state")
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--registration-seconds", type=float, default=240.0)
    parser.add_argument("--checkins", type=int, default=1000)
    parser.add_argument("--checkin-seconds", type=float, default=120.0)
    parser.add_argument("--stations", type=int, default=8)
    parser.add_argument("--visitors", type=int, default=24, help="concurrent registrants")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    return parser.parse_args()


# --------------------------------------------------------------------------- internal steps
# They run in a child process: the app and its database driver stay out of Locust's
# gevent-patched process.


def _app():
    sys.path.insert(0, str(REPO))
    from benchmarks.support import setup_app

    app = setup_app(os.environ["DATABASE_URL"], Path(os.environ["HUIWU_INSTANCE_DIR"]))
    return app


def command_prepare(stations: int) -> None:
    from sqlalchemy import select

    app = _app()
    from app.accounts.models import User
    from app.accounts.services import find_user
    from app.checkin.services import ListData, create_device_token, create_list
    from app.events.models import Event
    from app.extensions import db
    from app.judging import assignment_services, round_services
    from app.judging.models import RoundKind, ScoreSheet
    from app.registration.models import AttendanceRule, Category
    from app.translated import Translated

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        category = Category(
            event_id=event.id,
            code="loadtest",
            name=Translated(zh="压力测试", en="Load test", ru="Нагрузочный тест"),
            capacity=None,
            attendance_rule=AttendanceRule.EITHER,
        )
        db.session.add(category)
        db.session.flush()
        door = create_list(event, ListData(name="Load test door", category_ids=[category.id]))
        tokens = [create_device_token(event, f"station {n + 1}")[1] for n in range(stations)]
        final = next(r for r in round_services.list_rounds(event) if r.kind == RoundKind.FINAL)
        scored = {
            (s.entry_id, s.judge_user_id)
            for s in db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == final.id))
        }
        sheets: dict[str, list[int]] = {}
        for assignment in assignment_services.assignments_of(final):
            if (assignment.entry_id, assignment.judge_user_id) in scored:
                continue
            judge = db.session.get(User, assignment.judge_user_id)
            sheets.setdefault(judge.email, []).append(assignment.entry_id)
        criteria = [c.id for c in final.criteria]
        db.session.commit()
        print(
            json.dumps(
                {
                    "category_id": category.id,
                    "list_id": door.id,
                    "tokens": tokens,
                    "round_id": final.id,
                    "criteria": criteria,
                    "sheets": {e: s for e, s in sheets.items() if find_user(e) is not None},
                }
            )
        )


def command_codes() -> None:
    from sqlalchemy import select

    app = _app()
    from app.extensions import db
    from app.registration.models import Category, Registration, RegistrationState
    from app.registration.tickets import ticket_code

    with app.app_context():
        registrations = db.session.scalars(
            select(Registration)
            .join(Category)
            .where(Category.code == "loadtest", Registration.state == RegistrationState.CONFIRMED)
            .order_by(Registration.id)
        ).all()
        print(json.dumps([ticket_code(r) for r in registrations]))


def command_outbox() -> None:
    from sqlalchemy import func, select

    app = _app()
    from app.extensions import db
    from app.mail.models import OutboxMessage

    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
        print(json.dumps({str(state): count for state, count in rows}))


def internal(command: str, env: dict, *extra: str) -> object:
    result = subprocess.run(
        [sys.executable, __file__, command, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_name() -> str:
    """This run's database: huiwu_loadtest_<HUIWU_RUN_ID, else the process id>."""
    run = os.environ.get("HUIWU_RUN_ID") or str(os.getpid())
    if not re.fullmatch(r"[a-z0-9_]+", run):
        raise SystemExit(f"HUIWU_RUN_ID must be [a-z0-9_]+, not {run!r}")
    return f"huiwu_loadtest_{run}"


def drop_database(name: str) -> None:
    subprocess.run([*PSQL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


def start_redis(instance: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server of this run's own on a free port, without persistence."""
    port = free_port()
    redis = subprocess.Popen(
        [
            *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(instance)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return redis, f"redis://127.0.0.1:{port}/0"
        except OSError:
            if redis.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("redis-server did not start") from None
            time.sleep(0.05)


def start_stack(instance: Path, database: str) -> tuple[list[subprocess.Popen], str, dict]:
    drop_database(database)
    subprocess.run([*PSQL, f'CREATE DATABASE "{database}"'], check=True)
    redis, redis_url = start_redis(instance)
    smtp_port, port = free_port(), free_port()
    smtp = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{smtp_port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUIWU_", "MAIL_", "TEST_"))}
    env.update(
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        REDIS_URL=redis_url,
        HUIWU_BIND=f"127.0.0.1:{port}",
        HUIWU_INSTANCE_DIR=str(instance),
        HUIWU_FONT_DIR=str(REPO / "instance" / "fonts"),
        HUIWU_ACCESS_LOG="",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        # Every simulated guest comes from 127.0.0.1: per-address limits would stop the test.
        RATELIMIT_ENABLED="0",
    )
    log = (instance / "stack.log").open("w")
    stack = subprocess.Popen(
        [str(REPO / "deploy" / "run-stack"), "--demo"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    processes = [stack, smtp, redis]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_stack(stack, base, instance)
    except BaseException:
        stop(processes)
        raise
    return processes, base, env


def wait_for_stack(stack: subprocess.Popen, base: str, instance: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 300
    while True:
        if stack.poll() is not None:
            raise SystemExit("the stack exited:\n" + (instance / "stack.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"{base}/e/{SLUG}/", timeout=30) as answer:  # noqa: S310
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the stack did not come up in 300 s")
        time.sleep(1)
    # The RQ workers warm their fonts for a few seconds after the web app answers.
    time.sleep(5)


def stop(processes: list[subprocess.Popen]) -> None:
    stack, smtp, redis = processes
    try:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(stack.pid, signal.SIGKILL)
    for process in (smtp, redis):
        process.terminate()
        process.wait(timeout=10)


# --------------------------------------------------------------------------- the morning


def run_morning(args, base: str, env: dict, plan: dict) -> dict:
    import gevent
    from locust import HttpUser, constant_pacing, task
    from locust.env import Environment
    from locust.exception import StopUser

    registrations = iter(range(args.registrations))
    state = {"door_open": False, "checkins_done": 0, "registered": 0, "codes": iter(())}
    judge_plan = list(plan["sheets"].items())

    class Visitor(HttpUser):
        """A guest who opens the registration form and submits it."""

        fixed_count = args.visitors
        wait_time = constant_pacing(args.visitors * args.registration_seconds / args.registrations)
        host = base

        @task
        def register(self):
            n = next(registrations, None)
            if n is None:
                raise StopUser()
            self.client.cookies.clear()
            page = self.client.get(f"/e/{SLUG}/register", name="GET /e/<slug>/register")
            match = CSRF_INPUT.search(page.text or "")
            if not match:
                return
            data = {
                "csrf_token": match.group(1),
                "category_id": str(plan["category_id"]),
                "native_name": f"负载{n}",
                "latin_name": f"Load Guest {letters(n)}",
                "email": f"load{n}@loadtest.example.org",
                "phone": "+86 532 8000 0000",
                "organization": "Load Test Org",
                "job_title": "Engineer",
                "country": "CN",
                "attendance": "onsite",
                "language": "zh_CN",
                "consent": "y",
            }
            for field, value in re.findall(r'name="(q_\d+)"[^>]*value="([^"]*)"', page.text or ""):
                data.setdefault(field, value)
            with self.client.post(
                f"/e/{SLUG}/register",
                data=data,
                allow_redirects=False,
                name="POST /e/<slug>/register",
                catch_response=True,
            ) as answer:
                if answer.status_code == 302 and "/r/" in answer.headers.get("Location", ""):
                    answer.success()
                    state["registered"] += 1
                else:
                    errors = re.findall(
                        r'id="([\w-]+)-help" class="field-error">\s*([^<]*)', answer.text
                    )
                    answer.failure(f"{answer.status_code}: {errors or answer.text[:200]}")

    class Station(HttpUser):
        """A door station (device token) scanning arriving guests' badges."""

        fixed_count = args.stations
        wait_time = constant_pacing(args.stations * args.checkin_seconds / args.checkins)
        host = base
        number = 0

        def on_start(self):
            Station.number += 1
            self.name_ = f"Gate {Station.number}"
            self.token = plan["tokens"][(Station.number - 1) % len(plan["tokens"])]
            self.scanned: list[str] = []

        @task
        def scan(self):
            if not state["door_open"]:
                return
            if state["checkins_done"] >= args.checkins:
                raise StopUser()
            rescan = self.scanned and state["checkins_done"] % 20 == 19
            code = self.scanned[-1] if rescan else next(state["codes"], None)
            if code is None:
                raise StopUser()
            state["checkins_done"] += 1
            with self.client.post(
                f"/api/events/{SLUG}/checkin/redeem",
                json={
                    "code": code,
                    "list_id": plan["list_id"],
                    "station": self.name_,
                    "nonce": os.urandom(12).hex(),
                },
                headers={"Authorization": f"Bearer {self.token}"},
                name="POST /api/…/checkin/redeem",
                catch_response=True,
            ) as answer:
                expected = "already_checked_in" if rescan else "ok"
                status = answer.json().get("status") if answer.status_code == 200 else None
                if status == expected:
                    answer.success()
                    self.scanned.append(code)
                else:
                    answer.failure(f"{answer.status_code} {status} (expected {expected})")

    class Judge(HttpUser):
        """A judge on a tablet: read a sheet, autosave twice, submit; then the next entry."""

        fixed_count = len(judge_plan)
        wait_time = constant_pacing(3.0)
        host = base
        index = 0

        def on_start(self):
            email, entries = judge_plan[Judge.index % len(judge_plan)]
            Judge.index += 1
            self.steps = [
                (entry, action)
                for entry in entries
                for action in ("read", "draft", "draft", "submit")
            ]
            page = self.client.get("/login", name="GET /login")
            token = CSRF_INPUT.search(page.text).group(1)
            self.client.post(
                "/login",
                data={"csrf_token": token, "email": email, "password": PASSWORD},
                name="POST /login",
            )
            page = self.client.get("/login", name="GET /login")
            self.csrf = CSRF_INPUT.search(page.text).group(1)

        @task
        def score(self):
            if not self.steps:
                raise StopUser()
            entry, action = self.steps.pop(0)
            url = f"/api/events/{SLUG}/judging/rounds/{plan['round_id']}/sheets/{entry}"
            if action == "read":
                self.client.get(url, name="GET /api/…/judging/…/sheets/<entry>")
                return
            values = {str(c): 7 + (entry + c) % 3 for c in plan["criteria"]}
            with self.client.post(
                url,
                json={"client_id": os.urandom(8).hex(), "action": action, "values": values},
                headers={"X-CSRFToken": self.csrf},
                name=f"POST /api/…/judging/…/sheets/<entry> ({action})",
                catch_response=True,
            ) as answer:
                if answer.status_code == 200:
                    answer.success()
                else:
                    answer.failure(f"{answer.status_code}: {answer.text[:200]}")

    environment = Environment(user_classes=[Visitor, Station, Judge])
    runner = environment.create_local_runner()
    total_users = Visitor.fixed_count + Station.fixed_count + Judge.fixed_count
    started = time.monotonic()
    runner.start(total_users, spawn_rate=total_users)
    while runner.user_count < total_users and time.monotonic() < started + 30:
        gevent.sleep(0.1)
    phases = {}
    deadline = started + args.max_seconds

    def registrations_finished() -> bool:
        return not any(isinstance(greenlet.args[0], Visitor) for greenlet in runner.user_greenlets)

    while time.monotonic() < deadline and not registrations_finished():
        gevent.sleep(0.5)
    phases["registration_seconds"] = round(time.monotonic() - started, 1)
    codes = internal("codes", env)
    state["codes"] = iter(codes)
    door_opened = time.monotonic()
    state["door_open"] = True
    while time.monotonic() < deadline and state["checkins_done"] < min(args.checkins, len(codes)):
        gevent.sleep(0.5)
    phases["checkin_seconds"] = round(time.monotonic() - door_opened, 1)
    while time.monotonic() < deadline and runner.user_count > 0:
        gevent.sleep(0.5)
    runner.quit()
    phases["total_seconds"] = round(time.monotonic() - started, 1)
    errors = sorted(environment.stats.errors.values(), key=lambda e: -e.occurrences)
    for error in errors[:5]:
        print(f"{error.occurrences} x {error.name}: {str(error.error)[:300]}", file=sys.stderr)
    return {
        "phases": phases,
        "registered": state["registered"],
        "codes": len(codes),
        "stats": _stats(environment),
    }


def _stats(environment) -> dict:
    rows = {}
    for (name, _method), entry in sorted(environment.stats.entries.items()):
        if not entry.num_requests:
            continue
        rows[name] = {
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            "per_s": round(
                entry.num_requests / max(entry.last_request_timestamp - entry.start_time, 1e-9), 1
            ),
            "p50_ms": entry.get_response_time_percentile(0.50),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time),
        }
    return rows


def main() -> int:
    args = parse_args()
    if args.command == "prepare":
        command_prepare(args.stations)
        return 0
    if args.command == "codes":
        command_codes()
        return 0
    if args.command == "outbox":
        command_outbox()
        return 0
    import tempfile

    import locust  # noqa: F401  (gevent's monkey-patching, before anything opens a socket)

    database = database_name()
    with tempfile.TemporaryDirectory(prefix="huiwu-loadtest-") as scratch:
        instance = Path(scratch)
        load_before = os.getloadavg()[0]
        try:
            processes, base, env = start_stack(instance, database)
        except BaseException:
            drop_database(database)
            raise
        try:
            plan = internal("prepare", env, "--stations", str(args.stations))
            morning = run_morning(args, base, env, plan)
            drained_at = time.monotonic()
            while time.monotonic() - drained_at < 120:
                outbox = internal("outbox", env)
                if not outbox.get("queued") and not outbox.get("sending"):
                    break
                time.sleep(2)
            morning["mail_drain_seconds_after_morning"] = round(time.monotonic() - drained_at, 1)
            morning["outbox"] = outbox
        finally:
            stop(processes)
            drop_database(database)
            log = (instance / "stack.log").read_text()
            if "Traceback" in log:
                print("the stack logged errors:\n" + log[-5000:], file=sys.stderr)
    morning["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    print("endpoint                                           n   err   /s   p50   p95   p99 ms")
    for name, row in morning["stats"].items():
        print(
            f"{name[:48]:48} {row['requests']:5} {row['errors']:5} {row['per_s']:5} "
            f"{row['p50_ms']:5} {row['p95_ms']:5} {row['p99_ms']:5}"
        )
    print(f"phases: {morning['phases']}; registered {morning['registered']}")
    print(f"outbox: {morning['outbox']}")
    errors = sum(row["errors"] for row in morning["stats"].values())
    morning["errors"] = errors
    print(json.dumps(morning, ensure_ascii=False))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
