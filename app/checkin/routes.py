"""Check-in pages for organizers: lists, device tokens and the live dashboard.

The blueprint is shared: api.py (JSON API) and scanner_routes.py (scanner pages) add their
views to it.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.checkin.auth import forget_cached_tokens
from app.checkin.forms import CheckinListForm, ConfirmForm, DeviceTokenForm
from app.checkin.models import CheckinList, DeviceToken
from app.checkin.online_services import online_joins_per_bucket, online_stats
from app.checkin.services import (
    CheckinError,
    ListData,
    create_device_token,
    create_list,
    dashboard_data,
    delete_list,
    device_tokens_of_event,
    lists_of_event,
    revoke_device_token,
    update_list,
)
from app.clock import local_to_utc, to_local
from app.extensions import db
from app.views import commit_and_redirect

bp = Blueprint("checkin", __name__)

ORGANIZER = event_role(Role.ORGANIZER)
STAFF_OR_ORGANIZER = event_role(Role.ORGANIZER, Role.CHECKIN_STAFF)


def _list_or_404(list_id: int) -> CheckinList:
    checkin_list = db.session.get(CheckinList, list_id)
    if checkin_list is None or checkin_list.event_id != g.event.id:
        abort(404)
    return checkin_list


def _local_naive(value: datetime | None) -> datetime | None:
    local = to_local(value, g.event.timezone)
    return None if local is None else local.replace(tzinfo=None)


def _list_form(checkin_list: CheckinList | None = None) -> CheckinListForm:
    form = CheckinListForm(obj=None if checkin_list is None else _ListFormValues(checkin_list))
    locale = str(get_locale())
    form.categories.choices = [(c.id, c.name_in(locale)) for c in g.event.categories]
    return form


class _ListFormValues:
    """A check-in list as the form shows it (times in the event's timezone)."""

    def __init__(self, checkin_list: CheckinList):
        self.name = checkin_list.name
        self.categories = [c.id for c in checkin_list.categories]
        self.starts_at = _local_naive(checkin_list.starts_at)
        self.ends_at = _local_naive(checkin_list.ends_at)
        self.track_exits = checkin_list.track_exits


def _list_data(form: CheckinListForm) -> ListData:
    timezone = g.event.timezone
    return ListData(
        name=form.name.data,
        category_ids=list(form.categories.data or []),
        starts_at=local_to_utc(form.starts_at.data, timezone) if form.starts_at.data else None,
        ends_at=local_to_utc(form.ends_at.data, timezone) if form.ends_at.data else None,
        track_exits=bool(form.track_exits.data),
    )


# --------------------------------------------------------------------------- lists


@bp.route("/manage/<slug>/checkin/lists")
@requires(ORGANIZER)
def list_lists(slug: str):
    """The event's check-in lists with their categories and windows."""
    return render_template(
        "checkin/lists.html", lists=lists_of_event(g.event), confirm_form=ConfirmForm()
    )


@bp.route("/manage/<slug>/checkin/lists/new", methods=["GET", "POST"])
@requires(ORGANIZER)
def new_list(slug: str):
    """Create a check-in list."""
    form = _list_form()
    if form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: create_list(g.event, _list_data(form)),
            success=lambda created: _("Check-in list “%(name)s” created.", name=created.name),
            to=url_for("checkin.list_lists", slug=slug),
            errors=CheckinError,
        )
    ):
        return done
    status = 400 if form.errors else 200
    return render_template("checkin/list_form.html", form=form, checkin_list=None), status


@bp.route("/manage/<slug>/checkin/lists/<int:list_id>/edit", methods=["GET", "POST"])
@requires(ORGANIZER)
def edit_list(slug: str, list_id: int):
    """Change a check-in list's name, categories, window or exit tracking."""
    checkin_list = _list_or_404(list_id)
    form = _list_form(checkin_list)
    if form.validate_on_submit() and (
        done := commit_and_redirect(
            lambda: update_list(checkin_list, _list_data(form)),
            success=lambda _saved: _("Check-in list “%(name)s” saved.", name=checkin_list.name),
            to=url_for("checkin.list_lists", slug=slug),
            errors=CheckinError,
        )
    ):
        return done
    status = 400 if form.errors else 200
    return render_template("checkin/list_form.html", form=form, checkin_list=checkin_list), status


@bp.route("/manage/<slug>/checkin/lists/<int:list_id>/delete", methods=["POST"])
@requires(ORGANIZER)
def remove_list(slug: str, list_id: int):
    """Delete a check-in list that has no check-ins yet."""
    checkin_list = _list_or_404(list_id)
    target = url_for("checkin.list_lists", slug=slug)
    if ConfirmForm().validate_on_submit():
        return commit_and_redirect(
            lambda: delete_list(checkin_list),
            success=_("Check-in list deleted."),
            to=target,
            errors=CheckinError,
        ) or redirect(target)
    return redirect(target)


# --------------------------------------------------------------------------- device tokens


@bp.route("/manage/<slug>/checkin/devices", methods=["GET", "POST"])
@requires(ORGANIZER)
def devices(slug: str):
    """Device tokens of the event; creating one shows its secret exactly once."""
    form = DeviceTokenForm()
    secret = None
    created = None
    status = 200
    if form.validate_on_submit():
        created, secret = create_device_token(g.event, form.name.data)
        db.session.commit()
        form = DeviceTokenForm(formdata=None)
    elif form.errors:
        status = 400
    response = render_template(
        "checkin/devices.html",
        form=form,
        tokens=device_tokens_of_event(g.event),
        secret=secret,
        created=created,
        confirm_form=ConfirmForm(),
    )
    # The secret is on this page only: never cache it.
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/manage/<slug>/checkin/devices/<int:token_id>/revoke", methods=["POST"])
@requires(ORGANIZER)
def revoke_device(slug: str, token_id: int):
    """Revoke a device token: the device's next request is refused."""
    token = db.session.get(DeviceToken, token_id)
    if token is None or token.event_id != g.event.id:
        abort(404)
    if ConfirmForm().validate_on_submit() and revoke_device_token(token):
        db.session.commit()
        forget_cached_tokens()
        flash(_("Device token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("checkin.devices", slug=slug))


# --------------------------------------------------------------------------- dashboard


@bp.route("/manage/<slug>/checkin/dashboard")
@requires(STAFF_OR_ORGANIZER)
def dashboard(slug: str):
    """Live numbers: on-site arrivals and online joins per 5 minutes, checked in (on site) and
    joined (online) vs expected, recent scans, conflicts."""
    return render_template("checkin/dashboard.html", data=dashboard_json(g.event))


@bp.route("/manage/<slug>/checkin/dashboard.json")
@requires(STAFF_OR_ORGANIZER)
def dashboard_numbers(slug: str):
    """The dashboard's numbers as JSON (the page polls this every 10 s)."""
    return dashboard_json(g.event), 200, {"Cache-Control": "no-store"}


def dashboard_json(event) -> dict:
    """The dashboard's numbers, names localized and times in the event's timezone."""
    from app.templating import event_time

    locale = str(get_locale())
    data = dashboard_data(event)
    online = online_stats(event)
    # On-site arrivals per list and first online joins (list_id None), side by side in time.
    arrivals = sorted(
        [*data["arrivals"], *({**row, "list_id": None} for row in online_joins_per_bucket(event))],
        key=lambda row: (row["at"], row["list_id"] is None, row["list_id"] or 0),
    )

    def scan(row) -> dict:
        return {
            "id": row.id,
            "list": row.checkin_list.name,
            "name": row.registration.native_name,
            "status": row.status.value,
            "kind": row.kind.value,
            "station": row.station,
            "at": event_time(row.scanned_at, event.timezone, "short"),
            "offline": row.offline,
            "conflict": row.conflict,
            "undone": row.undone_at is not None,
        }

    return {
        "lists": [
            {
                "id": item["list"].id,
                "name": item["list"].name,
                "checked_in": item["stats"]["checked_in"],
                "expected": item["stats"]["expected"],
                "per_category": [
                    {
                        "name": row["category"].name_in(locale),
                        "color": row["category"].color,
                        "checked_in": row["checked_in"],
                        "expected": row["expected"],
                    }
                    for row in item["stats"]["per_category"]
                ],
            }
            for item in data["lists"]
        ],
        "online": {
            "joined": online["joined"],
            "expected": online["expected"],
            "per_category": [
                {
                    "name": row["category"].name_in(locale),
                    "color": row["category"].color,
                    "joined": row["joined"],
                    "expected": row["expected"],
                }
                for row in online["per_category"]
            ],
        },
        "arrivals": [
            {
                "at": event_time(row["at"], event.timezone, "short"),
                "list_id": row["list_id"],
                "count": row["count"],
            }
            for row in arrivals
        ],
        "recent": [scan(row) for row in data["recent"]],
        "conflicts": [
            {
                **scan(row),
                "first_station": None if first is None else first.station,
                "first_at": None
                if first is None
                else event_time(first.scanned_at, event.timezone, "short"),
            }
            for row, first in data["conflicts"]
        ],
    }
