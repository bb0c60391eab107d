"""Security headers on every response (Flask-Talisman): a Content-Security-Policy that allows
no inline script and no framing, Referrer-Policy, X-Content-Type-Options, a Permissions-Policy
that lets only our own pages use the camera (the check-in scanner), and HSTS in production.
Pages with personal data (the organizer's /manage/ pages, a participant's /r/ self-service
pages) are sent with Cache-Control: no-store, so a shared computer at a registration desk keeps
no copy of them once the browser is closed or the next person presses Back. (The one copy kept
on purpose is the participant's own page in its service worker's cache, for the door without
a network: app/registration/offline_routes.py; the Cache API is not bound by no-store.)

Pages pass data to their scripts in data- attributes or <script type="application/json">
blocks (not executed, so not subject to script-src); tests/security/test_headers.py fetches
every page an organizer can reach and checks that none carries an inline script or an on*=
handler. Inline style *attributes* stay allowed (style-src-attr): category colours are data,
and a style attribute cannot run code.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    # data: for Pico's inline SVG icons and the two-step sign-in QR code.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'self'",
    # Service workers (the check-in scanner's, a participant's personal page) and the personal
    # page's web app manifest: our own files only (what default-src would give them, said aloud).
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# The outbox shows a mail's HTML inside an iframe of our own page: that one response may be
# framed by us (its view sets its own sandbox policy).
FRAMED_BY_US_ENDPOINTS = ("mail.outbox_preview",)

# Files sent as downloads (uploaded decks and signing documents, exports, PDFs) are never
# rendered in our origin: if a browser opens one anyway, it runs sandboxed with nothing allowed.
DOWNLOAD_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"

# Every response under these paths, whatever the view and status (files and exports included).
NO_STORE_PREFIXES = ("/manage/", "/r/")

PERMISSIONS_POLICY = {
    "camera": "(self)",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
}


class _HeaderCachingTalisman(Talisman):
    """Talisman with each view's headers worked out once and reused.

    Talisman rebuilds every policy string on every response (a twentieth of a check-in scan's
    CPU). Our policies are constant and use no nonce, so the headers depend only on the view
    (its own `talisman_view_options`) and on whether the request came over HTTPS (HSTS).
    """

    def __init__(self) -> None:
        super().__init__()
        self._headers_by_view: dict[tuple[str | None, bool], tuple[tuple[str, str], ...]] = {}

    def _set_response_headers(self, response):
        if self.content_security_policy_nonce_in:  # per-response nonces: nothing to reuse
            return super()._set_response_headers(response)
        secure = request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"
        key = (request.endpoint, secure)
        headers = self._headers_by_view.get(key)
        if headers is None:
            scratch = Response()
            scratch.headers.clear()
            super()._set_response_headers(scratch)
            headers = self._headers_by_view[key] = tuple(scratch.headers.items())
        for name, value in headers:
            response.headers[name] = value
        return response


def init_security_headers(app: Flask) -> None:
    """Install Flask-Talisman on `app` with our policies; HSTS and an HTTPS redirect follow
    the configuration (SECURITY_HSTS, SECURITY_FORCE_HTTPS)."""
    # Flask runs after_request hooks in reverse order of registration: `_final_policy` runs
    # after Talisman's hook, `_remember_view_policy` before it.
    app.after_request(_final_policy)
    app.after_request(_no_store_for_personal_pages)
    talisman = _HeaderCachingTalisman()
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        force_https=app.config.get("SECURITY_FORCE_HTTPS", False),
        strict_transport_security=app.config.get("SECURITY_HSTS", False),
        strict_transport_security_max_age=app.config.get("SECURITY_HSTS_MAX_AGE", 31536000),
        strict_transport_security_include_subdomains=app.config.get(
            "SECURITY_HSTS_INCLUDE_SUBDOMAINS", False
        ),
        # The cookie flags stay with config.py (ProdConfig); Talisman must not override them.
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
    app.after_request(_remember_view_policy)
    app.extensions["huiwu_talisman"] = talisman
    for endpoint in FRAMED_BY_US_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is not None:
            view.talisman_view_options = {"frame_options": "SAMEORIGIN"}


def _no_store_for_personal_pages(response):
    """No cache (browser or proxy) keeps pages with personal data."""
    if request.path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response


def _remember_view_policy(response):
    """Keep aside a policy the view set itself (a stricter one: sandboxed previews, files)."""
    policy = response.headers.get("Content-Security-Policy")
    if policy:
        response.huiwu_view_policy = policy
    return response


def _final_policy(response):
    """The view's own policy wins over the page policy; attachments get the download policy."""
    view_policy = getattr(response, "huiwu_view_policy", None)
    if view_policy:
        framing = "'self'" if request.endpoint in FRAMED_BY_US_ENDPOINTS else "'none'"
        if "frame-ancestors" not in view_policy:
            view_policy = f"{view_policy}; frame-ancestors {framing}"
        response.headers["Content-Security-Policy"] = view_policy
    elif response.headers.get("Content-Disposition", "").lower().startswith("attachment"):
        response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    if view_policy or "Content-Disposition" in response.headers:
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response
