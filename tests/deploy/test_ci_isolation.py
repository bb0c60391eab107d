"""Two CI runs on one machine do not meet, and leave nothing behind: every PostgreSQL database
of a run carries its run id and is dropped at the end (xdist workers drop their own `_gw<n>`
database at the end of the session, .ci/run's exit trap whatever is left), and each run has a
redis-server of its own, shut down at the end. .ci/run still fails when tests fail or none
are collected (pytest's exit status 5).

.ci/run is driven with stand-ins for `make` (setup and test) and for the load test's Python
(the suite and the load test themselves are not what these tests are about); PostgreSQL and
redis-server are the machine's. PostgreSQL leg only.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import drop_postgres_database, fresh_postgres_database

REPO = Path(__file__).resolve().parents[2]

# `make setup` does nothing; `make test` records what it got, leaves a worker database behind
# as a killed pytest would, writes a Redis key, and exits with $STUB_TEST_STATUS.
MAKE = """#!/bin/bash
set -e
[ "$1" = setup ] && exit 0
database="${TEST_DATABASE_URL##*/}"
if [ -n "$TEST_DATABASE_URL" ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \\"${database}_gw0\\""
fi
port="${TEST_REDIS_URL#redis://127.0.0.1:}"; port="${port%%/*}"
redis-cli -h 127.0.0.1 -p "$port" set leftover 1 >/dev/null
echo "{\\"database\\": \\"$database\\", \\"redis\\": \\"$TEST_REDIS_URL\\"}" >>"$STUB_LOG"
exit "${STUB_TEST_STATUS:-0}"
"""
# The venv's python for everything but the load test, which says what it got and leaves its
# database behind as a killed load test would.
PYTHON = f"""#!/bin/bash
if [ "$1" = benchmarks/loadtest.py ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE huiwu_loadtest_$HUIWU_RUN_ID"
  echo "{{\\"loadtest_run_id\\": \\"$HUIWU_RUN_ID\\"}}" >>"$STUB_LOG"; exit 0
fi
exec {sys.executable} "$@"
"""


@pytest.fixture
def postgres_leg(is_postgres):
    if not is_postgres:
        pytest.skip("needs the machine's PostgreSQL (the PostgreSQL leg)")


def databases_like(prefix: str) -> list[str]:
    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with engine.connect() as conn:
        names = conn.scalars(
            text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
            {"prefix": prefix},
        ).all()
    engine.dispose()
    return list(names)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_ci(tmp_path: Path, name: str, test_status: int) -> tuple[subprocess.Popen, Path]:
    stubs = tmp_path / name / "bin"
    stubs.mkdir(parents=True)
    for stub, script in (("make", MAKE), ("python", PYTHON)):
        (stubs / stub).write_text(script)
        (stubs / stub).chmod(0o755)
    log = tmp_path / name / "calls.jsonl"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "PYTEST_", "HUIWU_")) and key != "DATABASE_URL"
    }
    env.update(
        PATH=f"{stubs}:{os.environ['PATH']}",
        VENV_BIN=str(stubs),
        STUB_LOG=str(log),
        STUB_TEST_STATUS=str(test_status),
        TMPDIR=str(tmp_path / name),
    )
    process = subprocess.Popen(
        [str(REPO / ".ci" / "run")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, log


def test_two_ci_runs_at_once_use_their_own_databases_and_redis_and_leave_nothing(
    postgres_leg, tmp_path
):
    runs = [start_ci(tmp_path, name, 0) for name in ("first", "second")]
    outputs = [process.communicate(timeout=120)[0] for process, _log in runs]
    assert [process.returncode for process, _log in runs] == [0, 0], outputs
    calls = [[json.loads(line) for line in log.read_text().splitlines()] for _p, log in runs]
    # Each run: the SQLite leg, the PostgreSQL leg, the load test.
    assert [len(run) for run in calls] == [3, 3], calls
    databases = [run[1]["database"] for run in calls]
    redis_urls = {call["redis"] for run in calls for call in run[:2]}
    run_ids = [run[2]["loadtest_run_id"] for run in calls]
    assert databases[0] != databases[1] and all(d.startswith("huiwu_ci_") for d in databases)
    assert [d.removeprefix("huiwu_ci_") for d in databases] == run_ids
    assert calls[0][0]["database"] == "" and calls[0][0]["redis"] == calls[0][1]["redis"]
    assert len(redis_urls) == 2, redis_urls  # one server per run, both legs on it
    for database in databases:
        assert databases_like(database) == []  # the run's own and the leftover _gw0
    for run_id in run_ids:
        assert databases_like(f"huiwu_loadtest_{run_id}") == []
    for url in redis_urls:
        assert not port_open(make_url(url.replace("redis://", "postgresql://")).port)
    assert list(tmp_path.glob("*/huiwu-ci-*")) == []


@pytest.mark.parametrize("test_status", [1, 5])
def test_ci_fails_when_tests_fail_or_none_are_collected(postgres_leg, tmp_path, test_status):
    process, log = start_ci(tmp_path, "run", test_status)
    output = process.communicate(timeout=120)[0]
    assert process.returncode != 0, output
    expected = "no tests were collected" if test_status == 5 else "failed (exit status 1)"
    assert expected in output
    database = json.loads(log.read_text().splitlines()[1])["database"]
    assert databases_like(database) == []


def test_an_xdist_worker_drops_its_database_at_the_end(postgres_leg, database_url, tmp_path):
    base = f"{make_url(database_url).database}_xdist_{uuid.uuid4().hex[:6]}"
    url = fresh_postgres_database(database_url, base)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env["TEST_DATABASE_URL"] = url
        result = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "1"),
                "tests/events/test_settings.py::test_organizer_saves_the_settings",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:]
        assert databases_like(f"{base}_gw") == []
    finally:
        drop_postgres_database(database_url, base)
