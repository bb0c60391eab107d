"""Judging: time to compute a round's ranking, and the delay from a judge's submit to the
ranking screen receiving the update.

Bar (PRODUCT.md): ranking 300 entries × 40 judges × 6 criteria ≤ 100 ms, with the judge
calibration the organizer's round page shows included.

1. Pure aggregation (app/judging/aggregation.py): every one of 40 judges scores every one of
   300 entries on 6 criteria (72,000 scores, the worst case); each method is timed
   (`--repeat` runs, median and max), and so is the judge calibration of the same sheets
   (app/judging/calibration_services.py, from the 12,000 totals).
2. The service as the pages use it, cold cache: `round_ranking` after an invalidation reads
   the 12,000 submitted sheets from the database and ranks them, then `round_calibration`
   reads them again and calibrates the 40 judges (SQLite file by default,
   `--database-url postgresql+psycopg://…` for PostgreSQL); the bar holds for the two
   together, as the round page computes them after a submit.
3. Submit → screen: gunicorn with *sync* workers serves the app; `--screens` ranking screens
   follow the server-sent events as a browser's EventSource does (each response is short and
   ends with `retry:`; the client reconnects after that many milliseconds with Last-Event-ID),
   a judge submits scores through the JSON API, and the delay from sending the submit to the
   event carrying the new ranking arriving at the first screen is measured `--submits` times,
   with the submit's own response time: screens must not take the workers the judges need.

Prints a human summary, then the figures as JSON on the last line. Targets 127.0.0.1 only.

    .venv/bin/python benchmarks/ranking.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BAR_MS = 100.0
ENTRIES, JUDGES, CRITERIA = 300, 40, 6
PASSWORD = "bench-password-2020"  # noqa: S105 - a throwaway benchmark database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--submits", type=int, default=20, help="0 skips submit → screen")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--screens", type=int, default=10, help="ranking screens following the event stream"
    )
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    return parser.parse_args()


def timed(func, repeat: int) -> tuple[float, float, float]:
    """Median and max wall time, and median CPU time of the process (ms): on a busy machine
    the CPU time shows the work itself, the wall time also the waiting for a core."""
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(samples), max(samples), statistics.median(cpu)


def bench_pure(repeat: int) -> dict:
    from app.judging.aggregation import METHODS, CriterionSpec, Sheet, rank_entries
    from app.judging.calibration_services import calibrate_totals

    rng = random.Random(1)
    weights = [30, 20, 20, 15, 10, 5]
    criteria = [CriterionSpec(i + 1, weights[i], 0, 10) for i in range(CRITERIA)]
    sheets = [
        Sheet(e, j, {c.id: rng.randrange(0, 21) / 2 for c in criteria})
        for e in range(ENTRIES)
        for j in range(JUDGES)
    ]
    result = {}
    for method in METHODS:
        median, worst, cpu = timed(
            lambda m=method: rank_entries(
                range(ENTRIES), sheets, criteria, m, tie_break_criteria=[1, 2]
            ),
            repeat,
        )
        result[method] = {
            "median_ms": round(median, 1),
            "max_ms": round(worst, 1),
            "cpu_median_ms": round(cpu, 1),
        }
    entry_ids = [s.entry_id for s in sheets]
    judge_ids = [s.judge_id for s in sheets]
    totals = [sum(s.values[c.id] * c.weight / 10 for c in criteria) for s in sheets]
    median, worst, cpu = timed(lambda: calibrate_totals(entry_ids, judge_ids, totals), repeat)
    result["calibration"] = {
        "median_ms": round(median, 1),
        "max_ms": round(worst, 1),
        "cpu_median_ms": round(cpu, 1),
    }
    return result


def build_app(database_url: str, instance: Path):
    os.environ["HUIWU_CONFIG"] = "development"
    from app import create_app
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_DIR = instance
        OUTBOX_DIR = instance / "outbox"
        REDIS_URL = ""

    return create_app(BenchConfig)


def seed_round(app, judges: int, entries: int, full: bool):
    """An event with `entries` entries, `judges` judges, a 6-criterion round; with `full`,
    every judge's submitted sheet for every entry, inserted in bulk."""
    from sqlalchemy import insert

    from app.accounts.models import Role
    from app.accounts.services import create_user, grant_role
    from app.clock import utcnow
    from app.events.models import Event, EventKind, EventStatus
    from app.extensions import db
    from app.judging import (
        assignment_services,
        round_services,
        scoring_services,
    )
    from app.judging.models import Eligibility, Entry, RoundEntry, RoundKind, ScoreSheet
    from app.judging.round_services import CriterionData, RoundData
    from app.translated import Translated

    with app.app_context():
        db.drop_all()
        db.create_all()
        now = utcnow()
        event = Event(
            slug="bench-judging",
            title=Translated(zh="评审基准", en="Judging benchmark"),
            starts_at=now,
            ends_at=now,
            status=EventStatus.OPEN,
            kind=EventKind.COMPETITION,
        )
        db.session.add(event)
        db.session.flush()
        organizer = create_user("organizer@bench.local", "Organizer", PASSWORD)
        grant_role(organizer, event, Role.ORGANIZER)
        judge_users = []
        for j in range(judges):
            user = create_user(f"judge{j}@bench.local", f"Judge {j}", PASSWORD)
            grant_role(user, event, Role.JUDGE)
            judge_users.append(user)
        weights = [30, 20, 20, 15, 10, 5]
        round_ = round_services.create_round(
            event,
            RoundData(
                name=Translated(zh="初赛", en="Preliminary"),
                kind=RoundKind.PRELIMINARY,
                judges_per_entry=judges,
                criteria=[
                    CriterionData(Translated(zh=f"标准{i}", en=f"C{i}"), weights[i], 0, 10, 0.5)
                    for i in range(CRITERIA)
                ],
            ),
        )
        db.session.flush()
        entry_rows = [
            {
                "event_id": event.id,
                "title_zh": f"项目{i}",
                "title_en": f"Entry {i}",
                "team_name": "",
                "track": f"T{i % 4}",
                "summary": "",
                "video_url": "",
                "deck_size": 0,
                "eligibility": Eligibility.ELIGIBLE,
                "eligibility_reason": "",
                "created_at": now,
            }
            for i in range(entries)
        ]
        db.session.execute(insert(Entry), entry_rows)
        entry_ids = sorted(db.session.scalars(db.select(Entry.id)).all())
        db.session.execute(
            insert(RoundEntry),
            [{"round_id": round_.id, "entry_id": e, "advanced": False} for e in entry_ids],
        )
        assignment_services.assign_automatically(round_, seed=1)
        if full:
            rng = random.Random(2)
            cids = [str(c.id) for c in round_.criteria]
            rows = []
            for e in entry_ids:
                for user in judge_users:
                    values = {cid: rng.randrange(0, 21) / 2 for cid in cids}
                    rows.append(
                        {
                            "round_id": round_.id,
                            "entry_id": e,
                            "judge_user_id": user.id,
                            "values": values,
                            "comment": "",
                            "status": "SUBMITTED",
                            "version": 1,
                            "total": scoring_services.sheet_total(round_, values),
                            "value_list": scoring_services.value_list(round_, values),
                            "submitted_at": now,
                            "updated_at": now,
                        }
                    )
            for start in range(0, len(rows), 2000):
                db.session.execute(insert(ScoreSheet), rows[start : start + 2000])
        db.session.commit()
        return round_.id, entry_ids, [u.email for u in judge_users]


def bench_service(database_url: str, repeat: int) -> dict:
    from app.extensions import db
    from app.judging import (
        calibration_services,
        ranking_cache,
        ranking_services,
    )
    from app.judging.models import Round

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = build_app(url, Path(tmp))
        round_id, _, _ = seed_round(app, JUDGES, ENTRIES, full=True)
        samples, cpu, with_calibration, with_calibration_cpu = [], [], [], []
        with app.app_context():
            for _ in range(repeat):
                round_ = db.session.get(Round, round_id)
                ranking_cache.bump_score_version(round_)
                db.session.commit()
                round_ = db.session.get(Round, round_id)
                start, start_cpu = time.perf_counter(), time.process_time()
                ranking = ranking_services.round_ranking(round_)
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert len(ranking.entries) == ENTRIES
                assert all(line.judges == JUDGES for line in ranking.entries)
                calibration = calibration_services.round_calibration(round_)
                with_calibration.append((time.perf_counter() - start) * 1000)
                with_calibration_cpu.append((time.process_time() - start_cpu) * 1000)
                assert len(calibration.judges) == JUDGES
                start = time.perf_counter()
                ranking_services.round_ranking(round_)
                calibration_services.round_calibration(round_)
                cached_ms = (time.perf_counter() - start) * 1000
                db.session.remove()
        return {
            "database": url.split(":", 1)[0],
            "cold_median_ms": round(statistics.median(samples), 1),
            "cold_max_ms": round(max(samples), 1),
            "cold_cpu_median_ms": round(statistics.median(cpu), 1),
            "cold_with_calibration_median_ms": round(statistics.median(with_calibration), 1),
            "cold_with_calibration_max_ms": round(max(with_calibration), 1),
            "cold_with_calibration_cpu_median_ms": round(
                statistics.median(with_calibration_cpu), 1
            ),
            "cached_ms": round(cached_ms, 2),
        }


# --- submit → screen over HTTP (gunicorn sync workers) -----------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(base: str, workers: int) -> None:
    """Wait until every worker has built the app (a sync worker answers one request at a time)."""
    import requests

    deadline = time.monotonic() + 120
    answered = 0
    while time.monotonic() < deadline and answered < workers * 2:
        try:
            requests.get(f"{base}/login", timeout=60)
            answered += 1
        except requests.RequestException:
            time.sleep(0.2)


def logged_in(base: str, email: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    response = session.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.status_code
    return session


def bench_submit_to_screen(database_url: str, submits: int, workers: int, screens: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/screen.sqlite3"
        app = build_app(url, Path(tmp))
        round_id, entry_ids, judge_emails = seed_round(app, 5, max(submits, 5), full=False)
        with app.app_context():
            from app.judging.models import Round

            criteria = [
                str(c.id)
                for c in app.extensions["sqlalchemy"].session.get(Round, round_id).criteria
            ]
        port = free_port()
        env = dict(
            os.environ,
            DATABASE_URL=url,
            HUIWU_INSTANCE_DIR=tmp,
            HUIWU_CONFIG="development",
            REDIS_URL="",
            # Every judge signs in from this one address: the sign-in limits would refuse them.
            RATELIMIT_ENABLED="0",
        )
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--graceful-timeout",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "app:create_app()",
            ],
            cwd=REPO,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(base, workers)
            return _measure(base, round_id, entry_ids, judge_emails, criteria, submits, screens)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _parse_events(body: str) -> tuple[list[tuple[int, str]], int | None]:
    """((id, data) of every event, the retry in ms) of a server-sent events body."""
    events, retry = [], None
    for block in body.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "retry" in fields:
            retry = int(fields["retry"])
        if "id" in fields and "data" in fields:
            events.append((int(fields["id"]), fields["data"]))
    return events, retry


def _measure(base, round_id, entry_ids, judge_emails, criteria, submits, screens) -> dict:
    import requests

    organizer = logged_in(base, "organizer@bench.local")
    judge = logged_in(base, judge_emails[0])
    tablet = judge.get(f"{base}/judge/bench-judging/rounds/{round_id}/", timeout=10).text
    csrf = re.search(r'data-csrf="([^"]+)"', tablet).group(1)
    assignments = re.findall(r'"id": (\d+), "members"', tablet)
    mine = [int(a) for a in assignments] or entry_ids
    received: dict[int, float] = {}
    requests_made = [0]
    ready = threading.Event()
    stop = threading.Event()
    url = f"{base}/manage/bench-judging/judging/rounds/{round_id}/events"

    def follow(session, record: bool) -> None:
        """What EventSource does: request, read the short answer, wait `retry`, resume."""
        last = None
        while not stop.is_set():
            headers = {"Accept": "text/event-stream"}
            if last is not None:
                headers["Last-Event-ID"] = str(last)
            response = session.get(url, headers=headers, timeout=60)
            arrived = time.perf_counter()
            requests_made[0] += 1
            events, retry = _parse_events(response.text)
            for event_id, _data in events:
                if record:
                    received.setdefault(event_id, arrived)
                last = event_id
            ready.set()
            stop.wait((retry or 1000) / 1000)

    def follow_until_stopped(session, record: bool) -> None:
        try:
            follow(session, record)
        except requests.RequestException:
            if not stop.is_set():
                raise

    listeners = [threading.Thread(target=follow_until_stopped, args=(organizer, True))]
    listeners += [
        threading.Thread(
            target=follow_until_stopped, args=(logged_in(base, "organizer@bench.local"), False)
        )
        for _ in range(max(screens - 1, 0))
    ]
    for listener in listeners:
        listener.daemon = True
        listener.start()
    ready.wait(10)
    time.sleep(1.0)
    delays, submit_ms = [], []
    # The round's score version before the first submit: earlier parts of the benchmark (and
    # the setup) already bumped it, so the events the submits cause carry the versions after it.
    base_version = max(received, default=0)
    started = time.perf_counter()
    first_requests = requests_made[0]
    for index in range(min(submits, len(mine))):
        entry_id = mine[index]
        sent = time.perf_counter()
        answer = judge.post(
            f"{base}/api/events/bench-judging/judging/rounds/{round_id}/sheets/{entry_id}",
            json={
                "client_id": f"bench-submit-{index:04d}",
                "action": "submit",
                "values": dict.fromkeys(criteria, 7.5),
            },
            headers={"X-CSRFToken": csrf},
            timeout=10,
        )
        submit_ms.append((time.perf_counter() - sent) * 1000)
        assert answer.status_code == 200, answer.text
        version = base_version + index + 1
        deadline = time.perf_counter() + 10
        while version not in received and time.perf_counter() < deadline:
            time.sleep(0.002)
        if version in received:
            delays.append((received[version] - sent) * 1000)
        time.sleep(0.3)
    elapsed = time.perf_counter() - started
    stop.set()

    def p(values, q):
        return round(sorted(values)[int(q * (len(values) - 1))], 1) if values else None

    return {
        "screens": screens,
        "submits": len(delays),
        "p50_ms": round(statistics.median(delays), 1) if delays else None,
        "p95_ms": p(delays, 0.95),
        "max_ms": round(max(delays), 1) if delays else None,
        "submit_response_p50_ms": round(statistics.median(submit_ms), 1) if submit_ms else None,
        "submit_response_p95_ms": p(submit_ms, 0.95),
        "event_requests_per_s": round((requests_made[0] - first_requests) / elapsed, 1),
    }


def main() -> None:
    args = parse_args()
    pure = bench_pure(args.repeat)
    for method, figures in pure.items():
        median, worst, cpu = figures["median_ms"], figures["max_ms"], figures["cpu_median_ms"]
        print(f"pure {method:14} median {median:7.1f} ms  max {worst:7.1f} ms  cpu {cpu:7.1f} ms")
    service = bench_service(args.database_url, max(3, args.repeat // 3))
    print(
        f"service round_ranking ({service['database']}), cold (database read included): median "
        f"{service['cold_median_ms']} ms, max {service['cold_max_ms']} ms, cpu "
        f"{service['cold_cpu_median_ms']} ms; with calibration: median "
        f"{service['cold_with_calibration_median_ms']} ms, cpu "
        f"{service['cold_with_calibration_cpu_median_ms']} ms; "
        f"both cached {service['cached_ms']} ms"
    )
    screen = None
    if args.submits:
        screen = bench_submit_to_screen(args.database_url, args.submits, args.workers, args.screens)
        print(
            f"submit → ranking screen (short SSE answers + retry, {args.screens} screens, "
            f"gunicorn sync × {args.workers}): p50 {screen['p50_ms']} ms, p95 "
            f"{screen['p95_ms']} ms over {screen['submits']} submits; the submit itself p50 "
            f"{screen['submit_response_p50_ms']} ms, p95 {screen['submit_response_p95_ms']} ms; "
            f"{screen['event_requests_per_s']} event requests/s"
        )
    worst_pure = max(f["median_ms"] for m, f in pure.items() if m != "calibration")
    figures = {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "entries": ENTRIES,
        "judges": JUDGES,
        "criteria": CRITERIA,
        "bar_ms": BAR_MS,
        "pure_ms": pure,
        "service_cold": service,
        "ranking_within_bar": worst_pure + pure["calibration"]["median_ms"] <= BAR_MS
        and service["cold_with_calibration_median_ms"] <= BAR_MS,
        "submit_to_screen": screen,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
