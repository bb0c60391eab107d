"""Sign in and out; the staff home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts.forms import LoginForm
from app.accounts.permissions import LOGGED_IN, PUBLIC, requires
from app.accounts.services import authenticate, events_for_user

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
def login():
    """Sign in a staff member."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong email or password."), "error")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
@requires(PUBLIC)
def logout():
    """Sign out."""
    logout_user()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("events.index"))


@bp.route("/staff")
@requires(LOGGED_IN)
def home():
    """The events a staff member works on, with links for each role."""
    return render_template("accounts/home.html", events=events_for_user(current_user))
