"""Sign in and out (with the optional second factor); the staff home page; two-step sign-in
settings."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts.forms import (
    EnableTwoFactorForm,
    LoginForm,
    PasswordConfirmForm,
    SecondFactorForm,
    SignOutEverywhereForm,
)
from app.accounts.permissions import LOGGED_IN, PUBLIC, requires
from app.accounts.services import (
    AccountError,
    authenticate,
    user_by_token_id,
)
from app.accounts.sessions import begin_session, end_every_session, end_session
from app.accounts.trusted_devices import trust_this_device, trusted_users
from app.accounts.two_factor import (
    disable_two_factor,
    enable_two_factor,
    may_use_two_factor,
    new_secret,
    qr_data_url,
    regenerate_recovery_codes,
    unused_recovery_codes,
    verify_second_factor,
)
from app.contributions import page_context, sign_in_landing
from app.extensions import db
from app.security.ratelimit import exempt_from_account_limit

bp = Blueprint("accounts", __name__)

# The session keys of a sign-in waiting for its second factor, and of an enrolment in progress.
PENDING_SIGN_IN = "second_factor_pending"
PENDING_SECRET = "second_factor_secret"  # noqa: S105 - a session key name
SECOND_FACTOR_SECONDS = 300


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _sign_in(user, remember: bool, next_url: str | None):
    """Begin a server-side session for `user`, sign this browser in and trust it from now on."""
    begin_session(user)
    db.session.commit()
    login_user(user, remember=remember)
    response = redirect(next_url or sign_in_landing(user) or url_for("accounts.home"))
    trust_this_device(response, user)
    return response


def _attempt_from_trusted_device() -> bool:
    """True when this sign-in attempt is for an account this browser signed in to before:
    exempt from the per-account limit (app/security/ratelimit.py)."""
    users = trusted_users()
    if not users:
        return False
    if request.endpoint == "accounts.login_second_factor":
        pending_user, _pending = _pending_user()
        return pending_user is not None and pending_user.id in {user.id for user in users}
    email = (request.form.get("email") or "").strip().lower()
    return any(user.email.lower() == email for user in users)


bp.record_once(lambda state: exempt_from_account_limit(state.app, _attempt_from_trusted_device))


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
def login():
    """Sign in a staff member; accounts with a second factor continue to the code page."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        next_url = _safe_next(request.args.get("next"))
        if user is None:
            flash(_("Wrong email or password."), "error")
        elif user.has_two_factor:
            session[PENDING_SIGN_IN] = {
                "user": f"{user.id}:{user.session_token}",
                "remember": bool(form.remember.data),
                "next": next_url,
                "at": time.time(),
            }
            return redirect(url_for("accounts.login_second_factor"))
        else:
            return _sign_in(user, bool(form.remember.data), next_url)
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


def _pending_user():
    """The account whose password was right a moment ago, or None (expired, or changed)."""
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > SECOND_FACTOR_SECONDS:
        return None, None
    user = user_by_token_id(str(pending.get("user", "")))
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@requires(PUBLIC)
def login_second_factor():
    """Second step of signing in: a code from the authenticator app or a recovery code."""
    user, pending = _pending_user()
    if user is None or not user.has_two_factor:
        session.pop(PENDING_SIGN_IN, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if verify_second_factor(user, form.code.data):
            session.pop(PENDING_SIGN_IN, None)
            return _sign_in(user, bool(pending.get("remember")), _safe_next(pending.get("next")))
        db.session.rollback()
        form.code.errors = [*form.code.errors, _("The code is not right.")]
    return render_template("accounts/login_second_factor.html", form=form), (
        400 if form.errors else 200
    )


@bp.route("/logout", methods=["POST"])
@requires(PUBLIC)
def logout():
    """Sign out: this browser's session ends on the server too, so a copy of its session or
    remember-me cookie no longer signs anyone in."""
    if current_user.is_authenticated:
        end_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("events.index"))


@bp.route("/staff")
@requires(LOGGED_IN)
def home():
    """The events a staff member works on, with links for each role."""
    return render_template(
        "accounts/home.html",
        **page_context("staff_home", current_user),
        may_use_two_factor=may_use_two_factor(current_user),
        sign_out_everywhere_form=SignOutEverywhereForm(),
    )


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@requires(LOGGED_IN)
def sign_out_everywhere():
    """End every session of the signed-in account, on every browser (remember-me and
    trusted-device cookies included)."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        abort(400)
    end_every_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You have been signed out on every device."), "info")
    return redirect(url_for("events.index"))


def _two_factor_user():
    """The signed-in user if they may use a second factor, else 403."""
    user = current_user._get_current_object()
    if not may_use_two_factor(user):
        abort(403)
    return user


def _show_recovery_codes(codes: list[str]):
    response = render_template("accounts/recovery_codes.html", codes=codes)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/account/two-step", methods=["GET", "POST"])
@requires(LOGGED_IN)
def two_factor():
    """Two-step sign-in: enrol with a QR code and a confirming code, or see its state."""
    user = _two_factor_user()
    if user.has_two_factor:
        return render_template(
            "accounts/two_factor.html",
            remaining=unused_recovery_codes(user),
            password_form=PasswordConfirmForm(formdata=None),
        )
    secret = session.get(PENDING_SECRET) or new_secret()
    session[PENDING_SECRET] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = enable_two_factor(user, secret, form.code.data)
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            form.code.errors = [*form.code.errors, str(exc.message)]
        else:
            session.pop(PENDING_SECRET, None)
            login_user(user)  # the session token changed: keep this session signed in
            flash(_("Two-step sign-in is on. Other sessions were signed out."), "success")
            return _show_recovery_codes(codes)
    page = render_template(
        "accounts/two_factor.html",
        form=form,
        secret=secret,
        qr=qr_data_url(user, secret),
    )
    return page, (400 if form.errors else 200), {"Cache-Control": "no-store"}


@bp.route("/account/two-step/off", methods=["POST"])
@requires(LOGGED_IN)
def two_factor_off():
    """Turn two-step sign-in off (password required)."""
    user = _two_factor_user()
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        disable_two_factor(user, form.password.data)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        login_user(user)
        flash(_("Two-step sign-in is off."), "success")
    return redirect(url_for("accounts.two_factor"))


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@requires(LOGGED_IN)
def two_factor_recovery_codes():
    """Replace the recovery codes (password required); shows the new ones once."""
    user = _two_factor_user()
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        codes = regenerate_recovery_codes(user, form.password.data)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("accounts.two_factor"))
    return _show_recovery_codes(codes)
