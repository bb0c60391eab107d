"""Competition and judging: entries and teams, rounds with weighted criteria, balanced judge
assignment with conflicts, tablet scoring (JSON API), aggregation, advancement, live final."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the judging pages, the team entry pages and the judges' JSON API."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_demo_loader, add_manage_section, add_page_context
    from app.judging import api  # the blueprint with its JSON views and the team entry pages
    from app.judging.demo import load_demo_judging
    from app.judging.schemas import OPENAPI_PART
    from app.openapi import register_openapi_part

    app.register_blueprint(api.bp)
    register_openapi_part(OPENAPI_PART)
    add_manage_section(app, "judging.index", _l("Judging"), role=Role.ORGANIZER, order=100)
    add_manage_section(app, "judging.judge_home", _l("Score entries"), role=Role.JUDGE, order=100)
    add_demo_loader(app, load_demo_judging, order=40)
    add_page_context(app, "event_page", _competition_call)
    add_page_context(app, "participant_page", _team_entry_link)


def _competition_call(event, now) -> dict:
    """The event page's call for team entries, while submissions are open."""
    from app.judging.submission_services import competition_settings, submission_closed_reason

    settings = competition_settings(event)
    is_open = submission_closed_reason(event, settings, now) is None
    return {"competition": settings if is_open else None}


def _team_entry_link(registration, token: str) -> dict:
    """The personal page of a team's leader links to the team's entry."""
    from flask import url_for
    from sqlalchemy import select

    from app.extensions import db
    from app.judging.models import TeamMember

    leads = db.session.scalar(
        select(TeamMember.id).where(
            TeamMember.registration_id == registration.id, TeamMember.is_leader
        )
    )
    return {"team_entry_url": url_for("judging.team_entry", token=token) if leads else None}
