"""A failed sign-in costs one password hash whether or not the email has an account (or an
active one), so the answer's timing does not tell which emails have accounts. Counted, not
timed: every run of the key derivation is recorded with its parameters."""

from __future__ import annotations

import hashlib

import pytest
from werkzeug.security import generate_password_hash

from app.extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def key_derivations(monkeypatch):
    """The scrypt runs (n, r, p, maxmem, dklen) of hashlib during the test, as werkzeug's
    password hashes call it; the real function still does the work."""
    runs = []
    real_scrypt = hashlib.scrypt

    def counting_scrypt(password, *, salt, n, r, p, maxmem=0, dklen=64):
        runs.append((n, r, p, maxmem, dklen))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    return runs


def sign_in(client, email: str, password: str):
    return client.post("/login?lang=en", data={"email": email, "password": password})


def test_unknown_inactive_and_known_emails_cost_the_same_password_hash(
    app, client, make_user, key_derivations
):
    known, inactive = make_user(), make_user()
    # The accounts' hashes at werkzeug's own cost, as in production (the suite hashes cheaper).
    for user in (known, inactive):
        user.password_hash = generate_password_hash(TEST_PASSWORD)
    inactive.active = False
    db.session.commit()
    # The right password of a deactivated account is as wrong as any other.
    attempts = [
        (known.email, "wrong-password"),
        ("nobody@example.org", "wrong-password"),
        (inactive.email, TEST_PASSWORD),
        (known.email.upper(), "wrong-password"),
    ]
    runs_per_attempt = []
    for email, password in attempts:
        before = len(key_derivations)
        response = sign_in(client, email, password)
        assert response.status_code == 200 and "Wrong email or password." in response.text
        runs_per_attempt.append(key_derivations[before:])
    assert [len(runs) for runs in runs_per_attempt] == [1, 1, 1, 1]
    # The same algorithm at the same cost as the accounts' own hashes.
    assert len({runs[0] for runs in runs_per_attempt}) == 1


def test_the_right_password_still_signs_in(app, client, make_user, key_derivations):
    email = make_user().email
    key_derivations.clear()  # creating the account hashed its password
    assert sign_in(client, email, TEST_PASSWORD).status_code == 302
    assert len(key_derivations) == 1
