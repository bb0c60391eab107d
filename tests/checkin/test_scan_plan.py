"""The scan's statements stay cheap as the check-ins pile up (PostgreSQL).

psycopg prepares a statement on the server after five executions, and PostgreSQL then may run
it with a generic plan, made without the parameters' values. When ids arrived as `smallint`
(psycopg's choice for small ints) cast to `integer`, that plan looked up a guest's active entry
through an index on the list alone and read every check-in of the list on each scan:
app/database.py now sends ints as `integer`. These tests look at the plan PostgreSQL really
uses for the statement the app prepared.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from app.checkin.services import _SCAN_CONTEXT
from app.extensions import db


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("prepared statements and generic plans are PostgreSQL's")


def test_python_ints_reach_postgresql_as_integer(app):
    def type_of(value: int) -> str:
        return db.session.execute(text("SELECT pg_typeof(:value)::text"), {"value": value}).scalar()

    assert type_of(7) == "integer"
    assert type_of(-(2**31)) == "integer"
    assert type_of(2**31) == "bigint"
    assert type_of(2**70) == "numeric"


def test_the_scan_finds_the_active_entry_by_its_unique_key_in_a_generic_plan(app, setup):
    connection = db.session.connection()
    connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    params = {
        "event_id": setup.event.id,
        "list_id": setup.checkin_list.id,
        "nonce": "plan-test-nonce",
        "registration_id": setup.guest.id,
    }
    for _ in range(6):  # psycopg prepares on the server from the fifth execution
        assert connection.execute(_SCAN_CONTEXT, params).first() is not None
    prepared = connection.exec_driver_sql(
        "SELECT name, parameter_types::text FROM pg_prepared_statements"
        " WHERE position('AS nonce_scan_id' IN statement) > 0"
    ).one()
    assert "smallint" not in prepared.parameter_types
    # EXPLAIN EXECUTE takes literal arguments, in the order psycopg numbered the parameters:
    # their first appearance in the SQL.
    compiled = str(_SCAN_CONTEXT.compile(dialect=connection.dialect))
    order = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", compiled)))
    values = {
        "nonce": "'plan-test-nonce'",
        "registration_id": str(setup.guest.id),
        "list_id": str(setup.checkin_list.id),
        "event_id": str(setup.event.id),
    }
    arguments = ", ".join(values[name] for name in order)
    plan = "\n".join(
        row[0]
        for row in connection.exec_driver_sql(f"EXPLAIN EXECUTE {prepared.name}({arguments})")
    )
    connection.exec_driver_sql("RESET plan_cache_mode")
    entry_scan = next(line for line in plan.splitlines() if "on checkin entry" in line)
    assert "uq_checkin_list_id_active_registration_id" in entry_scan, plan
