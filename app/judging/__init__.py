"""Competition and judging: entries and teams, rounds with weighted criteria, balanced judge
assignment with conflicts, tablet scoring (JSON API), aggregation, advancement, live final."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the judging pages, the team entry pages and the judges' JSON API."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import (
        add_content_gaps,
        add_demo_loader,
        add_manage_section,
        add_page_context,
        add_personal_data,
        add_sign_in_landing,
    )
    from app.judging import api  # the blueprint with its JSON views and the team entry pages
    from app.judging.demo import load_demo_judging
    from app.judging.privacy import export_competition_entries
    from app.judging.rubric import judging_content_gaps
    from app.judging.schemas import OPENAPI_PART
    from app.openapi import register_openapi_part

    app.register_blueprint(api.bp)
    register_openapi_part(OPENAPI_PART)
    add_manage_section(app, "judging.index", _l("Judging"), role=Role.ORGANIZER, order=100)
    add_manage_section(app, "judging.judge_home", _l("Score entries"), role=Role.JUDGE, order=100)
    add_demo_loader(app, load_demo_judging, order=40)
    add_page_context(app, "event_page", _competition_call)
    add_page_context(app, "participant_page", _team_entry_link)
    add_page_context(app, "registration_mail", _team_of_member)
    add_sign_in_landing(app, _judge_landing, order=100)
    add_personal_data(app, "competition_entries", export_competition_entries, order=800)
    add_content_gaps(app, judging_content_gaps, order=100)


def _judge_landing(user) -> str | None:
    """A judge (who holds no other role) lands on their scoring page: the first round, of their
    most recent event, with entries they have not submitted yet; or their judging page."""
    from flask import url_for

    from app.accounts.models import Role
    from app.judging.scoring_services import judge_rounds

    if user.is_admin or not user.roles or any(r.role != Role.JUDGE for r in user.roles):
        return None
    events = sorted({r.event for r in user.roles}, key=lambda e: e.starts_at, reverse=True)
    for event in events:
        rounds = judge_rounds(event, user)
        unfinished = [round_ for round_, done, total in rounds if done < total]
        if unfinished:
            return url_for("judging.judge_round", slug=event.slug, round_id=unfinished[0].id)
    return url_for("judging.judge_home", slug=events[0].slug)


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


def _team_of_member(registration) -> dict:
    """A team member's registration mails say which team and entry they belong to and who
    leads it."""
    from sqlalchemy import select

    from app.extensions import db
    from app.judging.models import TeamMember

    member = db.session.scalar(
        select(TeamMember).where(TeamMember.registration_id == registration.id).limit(1)
    )
    if member is None:
        return {"team": None}
    entry = member.entry
    leader = next((m.registration for m in entry.members if m.is_leader), None)
    return {
        "team": {
            "name": entry.team_name,
            "entry": entry.title(registration.language or "en"),
            "leader": leader.native_name if leader is not None else "",
            "is_leader": member.is_leader,
        }
    }
