"""Every route declares who may use it, and organizer pages keep everyone else out."""

from __future__ import annotations

import pytest

from app import create_app
from app.accounts.models import Role
from app.accounts.permissions import Rule
from tests.route_support import iter_routes


def routes_without_permission(flask_app) -> list[str]:
    """Endpoints whose view has no rule from @requires."""
    return sorted(
        rule.endpoint
        for rule in flask_app.url_map.iter_rules()
        if rule.endpoint != "static"
        and not isinstance(
            getattr(flask_app.view_functions[rule.endpoint], "permission", None), Rule
        )
    )


def permission_of(flask_app, rule) -> Rule:
    return flask_app.view_functions[rule.endpoint].permission


def is_organizer_page(flask_app, rule) -> bool:
    permission = permission_of(flask_app, rule)
    return permission.name.startswith("event:") and Role.ORGANIZER.value in permission.name


def request_for(client, rule, url):
    """GET when the route allows it, else POST with an empty body."""
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={})


@pytest.fixture
def event_slug(make_event):
    return make_event().slug


def test_every_route_declares_a_permission(app):
    assert routes_without_permission(app) == []


def test_a_route_without_a_permission_is_reported(config_class):
    other = create_app(config_class)

    @other.route("/forgotten")
    def forgotten():
        return "open to anyone by accident"

    assert routes_without_permission(other) == ["forgotten"]


def test_there_are_organizer_pages_to_check(app, event_slug):
    organizer_pages = [r for r, _ in iter_routes(app, event_slug) if is_organizer_page(app, r)]
    assert len(organizer_pages) >= 5


def test_anonymous_visitor_is_sent_to_login_from_every_signed_in_page(app, client, event_slug):
    wrong = {}
    for rule, url in iter_routes(app, event_slug):
        if not permission_of(app, rule).needs_login:
            continue
        response = request_for(client, rule, url)
        location = response.headers.get("Location", "")
        if rule.rule.startswith("/api/"):
            # A JSON API answers 401 JSON rather than sending its client to the login page.
            if response.status_code != 401 or not response.is_json:
                wrong[rule.rule] = (response.status_code, location)
        elif response.status_code != 302 or not location.split("?")[0].endswith("/login"):
            wrong[rule.rule] = (response.status_code, location)
    assert wrong == {}


def test_judge_gets_403_on_every_organizer_page(app, client, auth, make_event, make_user):
    event = make_event()
    slug = event.slug
    auth.login(make_user(Role.JUDGE, event=event))
    wrong = {
        rule.rule: status
        for rule, url in iter_routes(app, slug)
        if is_organizer_page(app, rule)
        and (status := request_for(client, rule, url).status_code) != 403
    }
    assert wrong == {}


def test_organizer_of_another_event_gets_403(app, client, auth, make_event, make_user):
    event, other = make_event(), make_event()
    slug = event.slug
    auth.login(make_user(Role.ORGANIZER, event=other))
    wrong = {
        rule.rule: status
        for rule, url in iter_routes(app, slug)
        if is_organizer_page(app, rule)
        and (status := request_for(client, rule, url).status_code) != 403
    }
    assert wrong == {}


def test_check_in_staff_gets_403_on_organizer_only_pages(app, client, auth, make_event, make_user):
    event = make_event()
    slug = event.slug
    auth.login(make_user(Role.CHECKIN_STAFF, event=event))
    wrong = {
        rule.rule: status
        for rule, url in iter_routes(app, slug)
        if permission_of(app, rule).name == "event:organizer"
        and (status := request_for(client, rule, url).status_code) != 403
    }
    assert wrong == {}


def test_judge_gets_403_on_site_admin_pages(app, client, auth, make_event, make_user):
    event = make_event()
    slug = event.slug
    auth.login(make_user(Role.JUDGE, event=event))
    wrong = {
        rule.rule: status
        for rule, url in iter_routes(app, slug)
        if permission_of(app, rule).name == "site_admin"
        and (status := request_for(client, rule, url).status_code) != 403
    }
    assert wrong == {}


def test_organizer_opens_every_organizer_page_of_their_event(
    app, client, auth, make_event, make_user
):
    event = make_event()
    slug = event.slug
    auth.login(make_user(Role.ORGANIZER, event=event))
    wrong = {}
    for rule, url in iter_routes(app, slug):
        if (
            not is_organizer_page(app, rule)
            or "GET" not in rule.methods
            or rule.arguments != {"slug"}
        ):
            continue
        status = client.get(url).status_code
        # 404 is a page's own answer (e.g. a logo not uploaded yet), not a permission refusal.
        if status not in {200, 404}:
            wrong[rule.rule] = status
    assert wrong == {}
