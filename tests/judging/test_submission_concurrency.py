"""Teams submitting at the same moment from real threads (PostgreSQL in CI): when several
teams name the same person, exactly one entry gets them and the others are refused whole —
no leader registered without an entry, no person registered twice."""

from __future__ import annotations

import io
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.judging.models import Entry, TeamMember
from app.registration.models import Registration
from tests.judging.submission_support import entry_form, tiny_pdf


def test_teams_naming_the_same_member_at_once_get_one_entry_and_nothing_half_written(
    app, call_for_entries, is_postgres
):
    # SQLite runs one writer at a time: a few teams show the rule without queueing past its
    # lock timeout; PostgreSQL takes the full crowd.
    teams = 8 if is_postgres else 3
    call = call_for_entries()
    slug = call.event.slug
    db.session.commit()
    deck = tiny_pdf()
    forms = []
    for index in range(teams):
        form = entry_form(members=2)
        form["members-1-email"] = "shared.member@example.org"
        form["title_en"] = f"Project {index}"
        forms.append(form)
    barrier = threading.Barrier(teams)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def team(form: dict) -> None:
        try:
            client = app.test_client()
            form["deck"] = (io.BytesIO(deck), "deck.pdf")
            barrier.wait(timeout=60)
            response = client.post(f"/e/{slug}/entry?lang=en", data=form)
            with lock:
                statuses.append(response.status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=team, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(statuses) == [302] + [409] * (teams - 1)

    db.session.expire_all()
    entries = db.session.scalars(select(Entry)).all()
    assert len(entries) == 1
    winner = entries[0]
    emails = {m.registration.email for m in winner.members}
    assert "shared.member@example.org" in emails and len(emails) == 3
    # Only the winning team's three people are registered; every refused team left nothing.
    assert db.session.scalar(select(func.count(Registration.id))) == 3
    assert db.session.scalar(select(func.count(TeamMember.id))) == 3
    shared = db.session.scalars(
        select(Registration).where(Registration.email == "shared.member@example.org")
    ).all()
    assert len(shared) == 1
