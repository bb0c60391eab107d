"""How the app talks to PostgreSQL through psycopg: integer parameters sent as `integer`.

psycopg sends a Python int as the smallest PostgreSQL type that holds it: `smallint` below
32,768. SQLAlchemy casts each integer parameter to the column's type (`$2::INTEGER`), so a
small id arrives as the expression `($2)::integer` rather than as a plain parameter. In the
generic plan PostgreSQL makes for a prepared statement after five executions, such an
expression does not propagate through a join's equality the way a parameter does: the check-in
scan's look-up of the guest's active entry (joined on the registration's id) lost its unique
index and scanned every check-in of the list, so each scan cost more than the last
(tests/checkin/test_scan_plan.py). Sending ids as `integer`, the type of every id column here,
keeps parameters plain. Values outside the `integer` range still go as bigint or numeric.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _int4_first(dumper_class: type) -> type:
    """A psycopg int dumper that prefers `integer` over `smallint`."""

    class Int4FirstDumper(dumper_class):
        def upgrade(self, obj: int, format):
            if -(2**31) <= obj < 2**31:
                return self._int4_dumper
            return super().upgrade(obj, format)

    Int4FirstDumper.__name__ = f"Int4First{dumper_class.__name__}"
    return Int4FirstDumper


def send_integers_as_int4(engine: Engine) -> None:
    """Make every psycopg connection of `engine` send Python ints as `integer` (see above)."""
    if engine.dialect.driver != "psycopg":
        return
    from psycopg.types.numeric import IntBinaryDumper, IntDumper

    dumpers = (_int4_first(IntDumper), _int4_first(IntBinaryDumper))

    @event.listens_for(engine, "connect")
    def _register(dbapi_connection, _record) -> None:
        for dumper in dumpers:
            dbapi_connection.adapters.register_dumper(int, dumper)
