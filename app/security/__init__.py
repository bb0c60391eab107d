"""Security infrastructure applied to the whole app: rate limits and HTTP security headers.

`init_security(app)` runs at the end of create_app, once every blueprint is registered, so the
rate limits can be attached to the routes they protect by looking at the URL map.
"""

from __future__ import annotations

from flask import Flask


def init_security(app: Flask) -> None:
    """Attach rate limits and security headers to `app`."""
    from app.security.headers import init_security_headers
    from app.security.ratelimit import init_rate_limits

    init_rate_limits(app)
    init_security_headers(app)
