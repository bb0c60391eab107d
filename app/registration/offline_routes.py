"""The personal page at the door without a network (#15): its service worker and web app manifest.

The worker is served under the page's own path and controls only that page (scope `/r/<token>`):
it keeps a copy of the page and the static files the page loads, in one cache named for the
token, so the page and its entrance QR code (inline in the HTML) open offline after one online
visit. Nothing else is cached: not another participant's page, not a staff page.

The page tells the worker in a response header what to do with the copy it just received
(`OFFLINE_COPY_HEADER`): `keep` a clean rendering; `refetch` a clean one in place of a one-time
rendering (a flash message, the "you are registered" note); `drop` the copy of a registration
that is no longer active (cancelled or rejected: nothing to show at the door). A page answered
404 or 410 (a revoked, anonymized or expired link) drops the copy and the worker too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import current_app, g, jsonify, url_for

from app.accounts.permissions import PUBLIC, requires
from app.registration.routes import OFFLINE_COPY_HEADER, _registration_or_error_page, bp
from app.templating import localized

SERVICE_WORKER = "js/registration/service-worker.js"

# What the personal page loads from static/ (templates/base.html and registration/manage.html):
# the worker keeps exactly these. tests/registration/test_offline_page.py checks the page loads
# nothing else from static/.
PERSONAL_PAGE_STATIC_FILES = (
    "vendor/pico/pico.min.css",
    "css/app.css",
    "css/registration.css",
    "js/confirm-submit.js",
    "js/registration/personal-page.js",
    "img/huiwu-mark.svg",
    "img/personal-page-192.png",
    "img/personal-page-512.png",
)


def _worker_version(static: Path) -> str:
    """A digest of the worker and the files it keeps: a new one installs a new worker."""
    digest = hashlib.sha256()
    for name in [SERVICE_WORKER, *PERSONAL_PAGE_STATIC_FILES]:
        digest.update(name.encode())
        digest.update((static / name).read_bytes())
    return digest.hexdigest()[:16]


@bp.route("/r/<token>/sw.js")
@requires(PUBLIC)
def personal_page_worker(token: str):
    """The service worker of one personal page (scope: that page), with the files it keeps."""
    _registration, error = _registration_or_error_page(token)
    if error:
        return error
    static = Path(current_app.static_folder)
    page = url_for("registration.manage", token=token)
    settings = {
        "version": _worker_version(static),
        "page": page,
        "assets": [url_for("static", filename=name) for name in PERSONAL_PAGE_STATIC_FILES],
        "header": OFFLINE_COPY_HEADER,
    }
    source = (static / SERVICE_WORKER).read_text("utf-8")
    response = current_app.response_class(
        f"self.PERSONAL_PAGE = {json.dumps(settings)};\n{source}", mimetype="text/javascript"
    )
    # Its folder is /r/<token>/; the page it serves is /r/<token> itself.
    response.headers["Service-Worker-Allowed"] = page
    return response


@bp.route("/r/<token>/manifest.webmanifest")
@requires(PUBLIC)
def personal_page_manifest(token: str):
    """The web app manifest of a personal page, so it can be added to the home screen."""
    registration, error = _registration_or_error_page(token)
    if error:
        return error
    g.event = registration.event
    page = url_for("registration.manage", token=token)
    manifest = {
        "name": localized(registration.event, "title"),
        "start_url": page,
        "scope": page,
        "id": page,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0172ad",
        "icons": [
            {
                "src": url_for("static", filename=f"img/personal-page-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = jsonify(manifest)
    response.mimetype = "application/manifest+json"
    return response
