"""Competition and judging: entries and teams, rounds with weighted criteria, balanced judge
assignment with conflicts, tablet scoring (JSON API), aggregation, advancement, live final."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the judging pages, the team entry pages and the judges' JSON API."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.contributions import add_demo_loader, add_manage_section
    from app.judging import api  # the blueprint with its JSON views and the team entry pages
    from app.judging.demo import load_demo_judging

    app.register_blueprint(api.bp)
    add_manage_section(app, "judging.index", _l("Judging"), role=Role.ORGANIZER, order=100)
    add_manage_section(app, "judging.judge_home", _l("Score entries"), role=Role.JUDGE, order=100)
    add_demo_loader(app, load_demo_judging, order=40)
