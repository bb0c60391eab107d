"""Benchmark mail delivery: confirmation mails with badge PDFs, 2 RQ workers, a local SMTP server.

Run: .venv/bin/python benchmarks/mail.py [--n 300] [--latency-count 40] [--rate 2]

Needs PostgreSQL (the database --database-url names is created if missing and emptied) and
Redis (--redis-url; that Redis database is flushed). Starts an aiosmtpd server in this
process and two `python worker.py` processes, then measures
  (a) throughput: N participants registered through the services in one transaction, so N
      confirmation mails with badge attachments are queued at once; mails/s from the commit
      until the SMTP server has the last one (bar: >= 20/s with 2 workers);
  (b) latency: participants registered one at a time at --rate per second; time from each
      commit until the SMTP server has that participant's mail, p50/p95 (bar: p50 <= 2 s).
Prints the figures as JSON on its last line.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/huiwu_bench_mail"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


class ReceiptHandler:
    """aiosmtpd handler noting when each recipient's mail arrived.

    The mail itself is kept and checked (parsed, badge PDF attached) only after the
    measurement: the SMTP server stands in for a mail server on another machine, and parsing
    every message here would take CPU from the workers being measured.
    """

    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        self.contents: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received.setdefault(address.lower(), now)
            self.contents.append(envelope.content)
        return "250 Message accepted for delivery"

    def wait_for(self, addresses: list[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        wanted = {a.lower() for a in addresses}
        while time.monotonic() < deadline:
            with self.lock:
                if wanted <= self.received.keys():
                    return True
            time.sleep(0.005)
        return False

    def count_with_pdf(self) -> int:
        """Received mails that parse and carry a PDF attachment (the badge)."""
        with self.lock:
            contents = list(self.contents)
        count = 0
        for content in contents:
            message = email.message_from_bytes(content, policy=email.policy.default)
            count += any(
                part.get_content_type() == "application/pdf" for part in message.iter_attachments()
            )
        return count


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(fields[index]) for index in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError):
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                todo.extend(int(child) for child in children)
    return found


def database_backends(url: str) -> list[int]:
    """PostgreSQL backend processes serving the benchmark's database."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (parsed.database,),
        ).fetchall()
    return [pid for (pid,) in rows]


class CPUMeter:
    """CPU seconds used by the workers, the database backends and this process over a run."""

    def __init__(self, workers: list[subprocess.Popen], database_url: str) -> None:
        self.worker_pids = [pid for worker in workers for pid in process_tree(worker.pid)]
        self.database_url = database_url

    def start(self) -> None:
        self.db_pids = database_backends(self.database_url)
        self.before = {pid: cpu_seconds(pid) for pid in self.worker_pids + self.db_pids}
        self.own_before = time.process_time()

    def stop(self) -> dict[str, float]:
        def used(pids):
            return sum(max(0.0, cpu_seconds(pid) - self.before.get(pid, 0.0)) for pid in pids)

        return {
            "workers": used(self.worker_pids),
            "database": used(self.db_pids),
            "benchmark_and_smtp": time.process_time() - self.own_before,
        }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="mails for the throughput run")
    parser.add_argument("--latency-count", type=int, default=40)
    parser.add_argument("--rate", type=float, default=2.0, help="registrations/s, latency run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--worker-script", default="worker.py", help="worker entry point (to compare variants)"
    )
    return parser.parse_args()


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            conn.execute(f'create database "{parsed.database}"')


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_app(args, instance: Path, smtp_port: int):
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = args.database_url
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 5}
        REDIS_URL = args.redis_url
        INSTANCE_DIR = instance
        OUTBOX_DIR = instance / "outbox"
        MAIL_SERVER = "127.0.0.1"
        MAIL_PORT = smtp_port
        PUBLIC_BASE_URL = "http://127.0.0.1:5000"

    from app import create_app

    return create_app(BenchConfig)


def start_workers(args, app, instance: Path, smtp_port: int) -> list[subprocess.Popen]:
    env = dict(os.environ)
    env.update(
        HUIWU_CONFIG="development",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        HUIWU_INSTANCE_DIR=str(instance),
        MAIL_OUTBOX_DIR=str(instance / "outbox"),
        SECRET_KEY=app.config["SECRET_KEY"],
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
    )
    workers = []
    for index in range(args.workers):
        log = (instance / f"worker-{index}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [sys.executable, args.worker_script],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
    return workers


def wait_for_workers(app, count: int, timeout: float = 90) -> None:
    from rq import Worker

    from app.jobs import queue

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(Worker.all(connection=queue.connection())) >= count:
            return
        time.sleep(0.2)
    raise RuntimeError("the workers did not start")


def make_event():
    from datetime import timedelta

    from app.clock import utcnow
    from app.events.models import Event, EventStatus
    from app.extensions import db
    from app.registration.models import Category
    from app.translated import Translated

    event = Event(
        slug=f"bench-mail-{int(time.time())}",
        title=Translated(
            zh="2020青岛国际技术转移大会",
            en="2020 Qingdao International Technology Transfer Conference",
        ),
        starts_at=utcnow() + timedelta(days=30),
        ends_at=utcnow() + timedelta(days=32),
        status=EventStatus.OPEN,
    )
    db.session.add(event)
    db.session.flush()
    category = Category(
        event_id=event.id, code="guest", name=Translated(zh="嘉宾", en="Guest"), capacity=None
    )
    db.session.add(category)
    db.session.commit()
    return event, category


GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红堃喆玥"


def participant(n: int, tag: str):
    from app.registration.models import Attendance
    from app.registration.services import ParticipantData

    return ParticipantData(
        native_name="王" + GIVEN[n % len(GIVEN)] + GIVEN[(n // 7) % len(GIVEN)],
        latin_name="",
        email=f"{tag}{n}@bench.example.org",
        country="CN",
        attendance=Attendance.ONSITE,
        language="zh_CN" if n % 3 else "en",
        organization="青岛大学 Qingdao University",
        job_title="教授",
    )


def throughput_run(args, handler: ReceiptHandler, event, category, meter: CPUMeter) -> dict:
    from app.extensions import db
    from app.registration.services import register_participant

    addresses = []
    for n in range(args.n):
        data = participant(n, "bulk")
        register_participant(event, category, data)
        addresses.append(data.email)
    db.session.flush()
    meter.start()
    started = time.perf_counter()
    db.session.commit()  # enqueues the N delivery jobs
    enqueued = time.perf_counter()
    complete = handler.wait_for(addresses, timeout=600)
    cpu = meter.stop()
    with handler.lock:
        times = sorted(
            handler.received[a.lower()] for a in addresses if a.lower() in handler.received
        )
    finished = times[-1] if times else time.perf_counter()
    delivered = len(times)
    seconds = finished - started
    return {
        "mails": args.n,
        "delivered": delivered,
        "complete": complete,
        "seconds": round(seconds, 2),
        "mails_per_second": round(delivered / seconds, 1) if seconds > 0 else None,
        "enqueue_seconds": round(enqueued - started, 3),
        # CPU per mail from the commit to the last arrival: the figures that do not depend on
        # what else the machine runs; the ceiling is what the cores could deliver if the
        # workers, PostgreSQL and the SMTP server had them to themselves.
        "cpu_ms_per_mail": {
            name: round(1000 * seconds / max(delivered, 1), 1) for name, seconds in cpu.items()
        },
        "cpu_ceiling_mails_per_second": round(
            (os.cpu_count() or 1) * delivered / sum(cpu.values()), 1
        )
        if sum(cpu.values())
        else None,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def latency_run(args, handler: ReceiptHandler, event, category) -> dict:
    from app.extensions import db
    from app.registration.services import register_participant

    latencies = []
    interval = 1.0 / args.rate
    next_at = time.perf_counter()
    pending: list[tuple[str, float]] = []
    for n in range(args.latency_count):
        now = time.perf_counter()
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        data = participant(n, "one")
        register_participant(event, category, data)
        db.session.commit()
        pending.append((data.email.lower(), time.perf_counter()))
    handler.wait_for([address for address, _ in pending], timeout=120)
    with handler.lock:
        for address, committed in pending:
            if address in handler.received:
                latencies.append(handler.received[address] - committed)
    latencies.sort()

    def percentile(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "registrations": args.latency_count,
        "received": len(latencies),
        "rate_per_second": args.rate,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": percentile(0.95),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
    }


def main() -> int:
    args = parse_args()
    from aiosmtpd.controller import Controller
    from redis import Redis
    from sqlalchemy.engine import make_url

    from benchmarks.support import drop_database

    drop_database(make_url(args.database_url).database)
    ensure_database(args.database_url)
    Redis.from_url(args.redis_url).flushdb()
    handler = ReceiptHandler()
    smtp_port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    instance = Path(tempfile.mkdtemp(prefix="huiwu-bench-mail-"))
    app = build_app(args, instance, smtp_port)
    workers: list[subprocess.Popen] = []
    try:
        with app.app_context():
            from app.extensions import db

            db.create_all()
            event, category = make_event()
            workers = start_workers(args, app, instance, smtp_port)
            wait_for_workers(app, args.workers)
            # One mail through the whole path first, so both workers have rendered a badge.
            from app.registration.services import register_participant

            for n in range(args.workers * 2):
                data = participant(n, "warm")
                register_participant(event, category, data)
                db.session.commit()
                handler.wait_for([data.email], timeout=120)
            throughput = throughput_run(
                args, handler, event, category, CPUMeter(workers, args.database_url)
            )
            latency = latency_run(args, handler, event, category)
            from sqlalchemy import func, select

            from app.mail.models import MailState, OutboxMessage

            # The SMTP server has the last mail a moment before its worker commits "sent".
            deadline = time.monotonic() + 30
            while True:
                sent = db.session.scalar(
                    select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.state == MailState.SENT
                    )
                )
                total = db.session.scalar(select(func.count(OutboxMessage.id)))
                db.session.commit()
                if sent == total or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)  # the scheduler child, if left
        controller.stop()
        Redis.from_url(args.redis_url).flushdb()
        print(f"worker logs in {instance}", file=sys.stderr)

    result = {
        "benchmark": "mail",
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "throughput": throughput,
        "throughput_bar_mails_per_second": 20,
        "latency": latency,
        "latency_bar_p50_ms": 2000,
        "mails_with_pdf": handler.count_with_pdf(),
        "smtp_received": len(handler.received),
        "outbox_sent": sent,
        "outbox_total": total,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
