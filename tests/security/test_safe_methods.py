"""No state change on GET: every GET route, walked by every kind of visitor over a furnished
event, leaves every table as it was (the audit log excepted: reading an export of personal
data is logged on purpose)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from tests.security.matrix_support import ROLES, walk

# Written on GET by design: exports and downloads of personal data are recorded in the audit
# log; opening an online guest's join link (/j/<token>) is their attendance, recorded in
# online_attendance (tests/checkin/test_online_join.py checks exactly what it writes).
LOGGED_ON_READ = {"audit_entry", "online_attendance"}


def table_contents() -> dict[str, list[tuple]]:
    """Every row of every table but the audit log, ordered by primary key."""
    contents = {}
    for table in db.metadata.sorted_tables:
        if table.name in LOGGED_ON_READ:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        contents[table.name] = [tuple(row) for row in rows]
    db.session.rollback()
    return contents


def test_no_get_route_changes_a_row_for_any_visitor(matrix_setup):
    app = matrix_setup.app
    with app.app_context():
        before = table_contents()
    requests = 0
    for role in ROLES:
        walker, client = matrix_setup.walkers[role]
        for _rule, method, url in walk(app, walker):
            if method != "GET":
                continue
            matrix_setup.sign_in(client, role)
            client.get(url).close()
            requests += 1
    with app.app_context():
        after = table_contents()
    changed = {
        name: {"before": len(before[name]), "after": len(after[name])}
        for name in before
        if before[name] != after[name]
    }
    assert requests > 500
    assert changed == {}
