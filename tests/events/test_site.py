"""Site-wide odds and ends served by the core."""

from __future__ import annotations


def test_the_favicon_is_the_sites_mark_and_every_page_declares_it(client):
    """Browsers ask /favicon.ico on every page that declares no icon (the projector screens);
    it used to be a 404 in every log."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert icon.data.startswith(b"<svg")
    assert icon.headers["Cache-Control"] == "public, max-age=86400"
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/img/huiwu-mark.svg"' in page
