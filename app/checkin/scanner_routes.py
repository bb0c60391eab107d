"""Scanner pages for check-in staff: choose a list and a station, then scan.

The pages only render; every decision about a scan is made by the JSON API (app/checkin/api.py)
or, offline, by the page's JavaScript from the list's offline data.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.accounts.models import Role
from app.accounts.permissions import event_role, requires
from app.checkin import services
from app.checkin.routes import bp
from app.clock import utcnow

STATION_MAX = 60
STAFF = event_role(Role.ORGANIZER, Role.CHECKIN_STAFF)
SERVICE_WORKER = "js/checkin/service-worker.js"
# What the scanner page loads besides its own modules (static/js/checkin/*.js) and the shared
# ones (static/js/lib/*.js), kept by the service worker for offline reloads; tests/checkin
# check that the page loads nothing else.
CAMERA_LIBRARY = "vendor/zxing-browser/zxing-browser.min.js"
SCANNER_STATIC_FILES = (
    "vendor/pico/pico.min.css",
    "css/app.css",
    "css/checkin.css",
    "js/confirm-submit.js",
    "img/huiwu-mark.svg",
    "js/ticket-verify.js",
    # Not on the page: camera.js adds it when the camera is first started.
    CAMERA_LIBRARY,
)


def _station_arg() -> str:
    return request.args.get("station", "").strip()[:STATION_MAX]


@bp.route("/manage/<slug>/checkin")
@requires(STAFF)
def choose_scanner(slug: str):
    """Pick a check-in list and a station name; with both given, go on to the scanner."""
    lists = services.lists_of_event(g.event)
    list_id = request.args.get("list_id", type=int)
    station = _station_arg()
    chosen = next((item for item in lists if item.id == list_id), None)
    error = error_field = None
    if "list_id" in request.args or "station" in request.args:
        if chosen is None:
            error, error_field = _("Choose a check-in list."), "list_id"
        elif not station:
            error, error_field = _("Enter a name for this station, e.g. “Door A”."), "station"
        else:
            return redirect(url_for(".scanner", slug=slug, list_id=list_id, station=station))
    # A list is always selected, so the form never meets the browser's own (English) warning.
    chosen = chosen or services.list_to_offer(lists, utcnow())
    return render_template(
        "checkin/choose.html",
        lists=lists,
        chosen_id=chosen.id if chosen else None,
        station=station,
        error=error,
        error_field=error_field,
    ), (400 if error else 200)


def _scanner_strings() -> dict[str, str]:
    """Everything the scanner's JavaScript shows, translated (keys are the English texts)."""
    texts = {
        "Welcome, %(name)s": _("Welcome, %(name)s"),
        "Goodbye, %(name)s": _("Goodbye, %(name)s"),
        "Already checked in at %(time)s by station %(station)s": _(
            "Already checked in at %(time)s by station %(station)s"
        ),
        "Already checked in at %(time)s": _("Already checked in at %(time)s"),
        "Already checked in": _("Already checked in"),
        "Accepted offline": _("Accepted offline"),
        "Checked offline": _("Checked offline"),
        "%(n)d offline scans uploaded": _("%(n)d offline scans uploaded"),
        "%(n)d conflicts reported to the organizer": _("%(n)d conflicts reported to the organizer"),
        "%(n)d refused by the server": _("%(n)d refused by the server"),
        "Undo check-in of %(name)s": _("Undo check-in of %(name)s"),
        "Check-in undone": _("Check-in undone"),
        "No connection: try again in a moment": _("No connection: try again in a moment"),
        "Check in": _("Check in"),
        "Checked in at %(time)s": _("Checked in at %(time)s"),
        "No match": _("No match"),
        "Camera not available": _("Camera not available"),
        "Start camera": _("Start camera"),
        "Stop camera": _("Stop camera"),
        "status:invalid": _("Invalid ticket"),
        "status:revoked": _("This ticket was replaced or cancelled"),
        "status:not_confirmed": _("Registration not confirmed"),
        "status:wrong_event": _("Ticket for another event"),
        "status:wrong_list": _("Not admitted at this check-in point"),
        "status:outside_window": _("Outside the check-in hours of this list"),
        "status:not_checked_in": _("Not checked in"),
        "status:no_offline_data": _("Offline, and this device has no list data yet"),
        "status:error": _("Could not check in, try again"),
        "status:signed_out": _("Signed out — sign in again"),
    }
    return texts


@bp.route("/manage/<slug>/checkin/<int:list_id>/scan")
@requires(STAFF)
def scanner(slug: str, list_id: int):
    """The scanner page of one check-in list (camera, keyboard wedge, search, offline queue)."""
    event = g.event
    try:
        checkin_list = services.get_list(event, list_id)
    except services.CheckinNotFound:
        abort(404)
    locale = str(get_locale())
    station = _station_arg()
    here = url_for(".scanner", slug=event.slug, list_id=checkin_list.id, station=station or None)
    config = {
        "slug": event.slug,
        "listId": checkin_list.id,
        "station": station,
        "chooserUrl": url_for(".choose_scanner", slug=event.slug),
        "loginUrl": url_for("accounts.login", next=here),
        "serviceWorkerUrl": url_for(".service_worker", slug=event.slug),
        "serviceWorkerScope": url_for(".choose_scanner", slug=event.slug) + "/",
        "apiBase": f"{request.script_root}/api/events/{event.slug}/checkin/",
        "csrfToken": generate_csrf(),
        "timezone": event.timezone,
        "locale": locale.replace("_", "-"),
        "strings": _scanner_strings(),
        "stateLabels": {
            "pending": _("Awaiting approval"),
            "confirmed": _("Confirmed"),
            "waitlisted": _("Waiting list"),
            "cancelled": _("Cancelled"),
            "rejected": _("Rejected"),
        },
        # Why the search offers no check-in for a registration in that state.
        "stateReasons": {
            "pending": _("Not confirmed yet: an organizer has to approve the registration."),
            "waitlisted": _("On the waiting list: no place has been offered yet."),
            "cancelled": _("The registration was cancelled."),
            "rejected": _("The registration was rejected."),
        },
        "cameraLibraryUrl": url_for("static", filename=CAMERA_LIBRARY),
        "categories": {
            str(c.id): {"name": c.name_in(locale), "color": c.color} for c in event.categories
        },
    }
    return render_template("checkin/scan.html", checkin_list=checkin_list, config=config)


def offline_files(static: Path) -> list[str]:
    """The static files (relative to static/) the service worker keeps for the scanner."""
    modules = sorted(
        f"js/{folder}/{path.name}"
        for folder in ("checkin", "lib")
        for path in (static / "js" / folder).glob("*.js")
    )
    return [*SCANNER_STATIC_FILES, *(name for name in modules if name != SERVICE_WORKER)]


@bp.route("/manage/<slug>/checkin/service-worker.js")
@requires(STAFF)
def service_worker(slug: str):
    """The scanner's service worker, for the event's check-in pages (its default scope is this
    URL's folder), with the files it keeps and their version; never cached by HTTP caches, so
    a changed file reaches the devices at their next online page load."""
    static = Path(current_app.static_folder)
    files = offline_files(static)
    digest = hashlib.sha256()
    integrity = {}
    for name in [SERVICE_WORKER, *files]:
        content = (static / name).read_bytes()
        digest.update(name.encode())
        digest.update(content)
        if name != SERVICE_WORKER:
            checksum = base64.b64encode(hashlib.sha256(content).digest()).decode()
            integrity[url_for("static", filename=name)] = f"sha256-{checksum}"
    settings = {
        "version": digest.hexdigest()[:16],
        "assets": list(integrity),
        # Subresource-integrity checksums: the worker keeps a copy it already has (in an
        # older cache or the HTTP cache) only when it is this very file.
        "integrity": integrity,
    }
    source = (static / SERVICE_WORKER).read_text("utf-8")
    response = current_app.response_class(
        f"self.SCANNER_CACHE = {json.dumps(settings)};\n{source}", mimetype="text/javascript"
    )
    # Every update check fetches it afresh (no-store, as everything under /manage/).
    response.headers["Cache-Control"] = "no-store"
    return response
