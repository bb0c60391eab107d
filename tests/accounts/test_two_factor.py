"""Optional two-step sign-in (TOTP) for organizers and site administrators: enrolment through
a QR code decoded for real, sign-in with a code or a one-time recovery code, no code twice."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from PIL import Image
from sqlalchemy import select

from app.accounts.models import RecoveryCode, Role, User
from app.accounts.two_factor import seal_secret, stored_secret
from app.clock import utcnow
from app.extensions import db
from tests.conftest import TEST_PASSWORD, AuthActions
from tests.pdf_support import decode_qr_codes


@pytest.fixture
def organizer(make_user, make_event):
    return make_user(Role.ORGANIZER, event=make_event())


def signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user)
    client.get("/?lang=en")
    return client


def enrolment_page(client) -> tuple[str, str]:
    """(secret shown as text, otpauth URI decoded from the QR image) of the enrolment page."""
    page = client.get("/account/two-step").text
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page).group(1)
    data_url = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(data_url)))
    (uri,) = decode_qr_codes(image)
    return secret, uri


def enrol(client) -> tuple[str, list[str]]:
    """Turn two-step sign-in on; returns (secret, recovery codes)."""
    secret, _uri = enrolment_page(client)
    response = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(
        r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>", response.text
    )
    return secret, codes


def code_at(secret: str, seconds_from_now: int) -> str:
    return pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=seconds_from_now))


def password_step(client, user, **extra):
    data = {"email": user.email, "password": TEST_PASSWORD, **extra}
    return client.post("/login?next=/manage/x/", data=data)


def test_enrolment_qr_code_carries_the_secret_for_an_authenticator_app(app, organizer):
    client = signed_in(app, organizer)
    secret, uri = enrolment_page(client)
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == f"/Huiwu:{organizer.email}"
    assert parse_qs(parts.query)["secret"] == [secret]
    assert parse_qs(parts.query)["issuer"] == ["Huiwu"]


def test_a_wrong_code_does_not_turn_it_on(app, organizer):
    client = signed_in(app, organizer)
    secret, _uri = enrolment_page(client)
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    response = client.post("/account/two-step", data={"code": wrong})
    assert response.status_code == 400
    assert "The code is not right." in response.text
    db.session.refresh(organizer)
    assert organizer.totp_secret is None and not organizer.has_two_factor


def test_turning_it_on_shows_ten_recovery_codes_stored_only_as_hashes(app, organizer):
    client = signed_in(app, organizer)
    secret, codes = enrol(client)
    assert len(codes) == len(set(codes)) == 10
    db.session.refresh(organizer)
    assert organizer.has_two_factor and stored_secret(organizer) == secret
    assert secret not in organizer.totp_secret and organizer.totp_secret.startswith("v1:")
    hashes = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == organizer.id)
    ).all()
    assert len(hashes) == 10
    stored = " ".join(hashes)
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    assert client.get("/account/two-step").text.count('data-state="on"') == 1


def test_turning_it_on_signs_out_other_sessions(app, organizer):
    other_device = signed_in(app, organizer)
    client = signed_in(app, organizer)
    enrol(client)
    assert client.get("/staff").status_code == 200
    assert other_device.get("/staff").status_code == 302


def test_sign_in_asks_for_the_code_after_the_password(app, organizer):
    client = signed_in(app, organizer)
    secret, _codes = enrol(client)
    fresh = app.test_client()
    response = password_step(fresh, organizer)
    assert response.headers["Location"].endswith("/login/code")
    assert fresh.get("/staff").status_code == 302  # not signed in yet
    response = fresh.post("/login/code", data={"code": code_at(secret, 30)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/x/"
    assert fresh.get("/staff").status_code == 200


def test_a_code_is_accepted_only_once(app, organizer):
    client = signed_in(app, organizer)
    secret, _codes = enrol(client)
    code = code_at(secret, 30)
    first, second = app.test_client(), app.test_client()
    password_step(first, organizer)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    password_step(second, organizer)
    response = second.post("/login/code?lang=en", data={"code": code})
    assert response.status_code == 400
    assert "The code is not right." in response.text
    assert second.get("/staff").status_code == 302


def test_a_recovery_code_signs_in_once(app, organizer):
    client = signed_in(app, organizer)
    _secret, codes = enrol(client)
    first, second = app.test_client(), app.test_client()
    password_step(first, organizer)
    assert first.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    password_step(second, organizer)
    assert second.post("/login/code", data={"code": codes[3]}).status_code == 400
    assert second.post("/login/code", data={"code": codes[4]}).status_code == 302


def test_the_stored_secret_is_sealed_with_the_secret_key_and_bound_to_the_account(
    app, organizer, make_user, make_event
):
    client = signed_in(app, organizer)
    secret, _codes = enrol(client)
    db.session.refresh(organizer)
    sealed = organizer.totp_secret
    # A copy of the row on another account does not open.
    other = make_user(Role.ORGANIZER, event=make_event())
    other.totp_secret = sealed
    assert stored_secret(other) is None
    # Nor does it with another secret key: a dump of the database alone makes no codes.
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key-of-enough-length"
    try:
        assert stored_secret(organizer) is None
        fresh = app.test_client()
        password_step(fresh, organizer)
        assert fresh.post("/login/code", data={"code": code_at(secret, 30)}).status_code == 400
    finally:
        app.config["SECRET_KEY"] = original
    assert stored_secret(organizer) == secret


def test_a_secret_stored_in_clear_before_still_works_and_is_sealed_at_its_next_use(app, organizer):
    client = signed_in(app, organizer)
    secret, _codes = enrol(client)
    db.session.refresh(organizer)
    organizer.totp_secret = secret  # as rows written before secrets were sealed hold it
    db.session.commit()
    fresh = app.test_client()
    password_step(fresh, organizer)
    assert fresh.post("/login/code", data={"code": code_at(secret, 30)}).status_code == 302
    db.session.refresh(organizer)
    assert organizer.totp_secret != secret and organizer.totp_secret.startswith("v1:")
    assert stored_secret(organizer) == secret
    assert seal_secret(organizer, secret) != organizer.totp_secret  # a fresh nonce each time


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(app, organizer):
    response = app.test_client().post("/login/code", data={"code": "123456"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")


def test_a_judge_cannot_turn_it_on(app, make_user, make_event):
    judge = make_user(Role.JUDGE, event=make_event())
    client = signed_in(app, judge)
    assert client.get("/account/two-step").status_code == 403


def test_site_admin_can_turn_it_on(app, make_user):
    client = signed_in(app, make_user(admin=True))
    assert client.get("/account/two-step").status_code == 200


def test_turning_it_off_needs_the_password(app, organizer):
    client = signed_in(app, organizer)
    enrol(client)
    client.post("/account/two-step/off", data={"password": "not-my-password"})
    db.session.refresh(organizer)
    assert organizer.has_two_factor
    client.post("/account/two-step/off", data={"password": TEST_PASSWORD})
    db.session.refresh(organizer)
    assert not organizer.has_two_factor
    assert db.session.scalars(select(RecoveryCode)).all() == []
    fresh = app.test_client()
    assert password_step(fresh, organizer).headers["Location"] == "/manage/x/"


def test_new_recovery_codes_replace_the_old_ones(app, organizer):
    client = signed_in(app, organizer)
    _secret, old_codes = enrol(client)
    response = client.post("/account/two-step/recovery-codes", data={"password": TEST_PASSWORD})
    new_codes = re.findall(r"<code>([a-z2-7-]{19})</code>", response.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    fresh = app.test_client()
    password_step(fresh, organizer)
    assert fresh.post("/login/code", data={"code": old_codes[0]}).status_code == 400
    assert fresh.post("/login/code", data={"code": new_codes[0]}).status_code == 302


def test_accounts_without_it_sign_in_with_the_password_alone(app, organizer):
    assert password_step(app.test_client(), organizer).headers["Location"] == "/manage/x/"
    assert db.session.get(User, organizer.id).totp_secret is None
