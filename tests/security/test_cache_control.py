"""Pages with personal data are never kept by a browser or proxy cache: every route under
/manage/ (organizers) and /r/ (a participant's self-service link), walked from the URL map as
the role that may open it, answers with Cache-Control: no-store, whatever the view and status.
A new route under those paths is walked, and so checked, without anyone listing it."""

from __future__ import annotations

from app.security.headers import NO_STORE_PREFIXES
from tests.security.matrix_support import walk


def personal_data_answers(matrix_setup):
    """(method URL, Cache-Control) of every route under the no-store paths, each requested by
    the role that may use it: the organizer (the management pages) and the participant holding
    the link (self-service pages), plus a made-up link's 404."""
    app = matrix_setup.app
    answers = {}
    for role in ("organizer", "participant", "anonymous"):
        walker, client = matrix_setup.walkers[role]
        for rule, method, url in walk(app, walker):
            if not rule.rule.startswith(NO_STORE_PREFIXES):
                continue
            matrix_setup.sign_in(client, role)
            response = client.open(url, method=method, data={} if method == "POST" else None)
            answers[f"{role} {method} {url} ({response.status_code})"] = response.headers.get(
                "Cache-Control", ""
            )
            response.close()
    return answers


def test_every_page_under_manage_and_r_is_sent_with_no_store(matrix_setup):
    answers = personal_data_answers(matrix_setup)
    assert len(answers) >= 100  # the walk reached the routes (today about 400 answers)
    assert {url: value for url, value in answers.items() if value != "no-store"} == {}


def test_public_pages_are_not_marked_no_store(matrix_setup):
    client = matrix_setup.app.test_client()
    response = client.get(f"/e/{matrix_setup.own.slug}/")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
