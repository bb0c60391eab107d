"""Organizer mailings: compose, preview and send a message to filtered registrations.
Views are registered on the registration blueprint."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.extensions import db
from app.registration.mailing_forms import MailingForm
from app.registration.mailing_services import (
    MailingError,
    MailingFilter,
    list_mailings,
    new_client_token,
    preview_mailing,
    send_mailing,
)
from app.registration.models import Attendance, RegistrationState
from app.registration.queries import categories_of_event
from app.registration.routes import bp

ORGANIZER = event_role(Role.ORGANIZER)


def _mailing_form() -> MailingForm:
    form = MailingForm()
    locale = str(get_locale())
    state_labels = {
        RegistrationState.PENDING: _("Awaiting approval"),
        RegistrationState.CONFIRMED: _("Confirmed"),
        RegistrationState.WAITLISTED: _("Waiting list"),
        RegistrationState.CANCELLED: _("Cancelled"),
        RegistrationState.REJECTED: _("Rejected"),
    }
    form.category.choices = [("", _("All categories"))] + [
        (str(c.id), c.name_in(locale)) for c in categories_of_event(g.event)
    ]
    form.state.choices = [("", _("All states"))] + [
        (s.value, state_labels[s]) for s in RegistrationState
    ]
    form.attendance.choices = [
        ("", _("On site and online")),
        (Attendance.ONSITE.value, _("On site")),
        (Attendance.ONLINE.value, _("Online")),
    ]
    form.language.choices = [
        ("", _("All languages")),
        ("zh_CN", "中文"),
        ("en", "English"),
        ("ru", "Русский"),
    ]
    if not form.client_token.data:
        form.client_token.data = new_client_token()
    return form


def _page(form: MailingForm, preview=None, status: int = 200):
    return (
        render_template(
            "registration/mailings.html",
            form=form,
            preview=preview,
            mailings=list_mailings(g.event),
            categories={str(c.id): c for c in categories_of_event(g.event)},
        ),
        status,
    )


@bp.route("/manage/<slug>/mailings", methods=["GET", "POST"])
@requires(ORGANIZER)
def mailings(slug: str):
    """Compose a message to filtered registrations, preview it, send it; list past mailings."""
    form = _mailing_form()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    filters = MailingFilter.from_args(request.form, g.event)
    try:
        if request.form.get("action") != "send":
            preview = preview_mailing(g.event, form.subject.data, form.body.data, filters)
            return _page(form, preview=preview)
        mailing = send_mailing(
            g.event,
            current_user,
            form.subject.data,
            form.body.data,
            filters,
            form.client_token.data or "",
        )
    except MailingError as exc:
        db.session.rollback()
        field = getattr(form, exc.field_name or "", None)
        if field is not None:
            field.errors = [*field.errors, str(exc.message)]
        else:
            flash(str(exc.message), "error")
        return _page(form, status=400)
    db.session.commit()
    flash(
        ngettext(
            "The message is being sent to %(num)d registration.",
            "The message is being sent to %(num)d registrations.",
            mailing.recipient_count,
        ),
        "success",
    )
    return redirect(url_for("registration.mailings", slug=slug))
