"""The demo's ceremony and coverage log: consistent with the seed, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.ceremonies.models import Ceremony, SigningItem
from app.ceremonies.services import pre_print_checks
from app.demo import load_demo
from app.extensions import db
from app.media.models import CoverageItem, Outlet, PressAccreditation
from app.media.services import CoverageFilter, coverage_summary


def counts():
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (Ceremony, SigningItem, Outlet, CoverageItem, PressAccreditation)
    )


def test_demo_ceremony_and_coverage_match_the_seed_and_load_once(app):
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first
    ceremonies, items, outlets, reports, links = first
    assert (ceremonies, items) == (1, 7) and links > 0
    ceremony = db.session.scalar(select(Ceremony))
    titles = [i.title["zh"] for i in ceremony.items]
    assert titles[:2] == ["中挪未来创新科技平台", "北欧（青岛）跨境产业创新合作中心"]
    assert [c for c in pre_print_checks(ceremony) if c.level == "error"] == []
    assert 90 <= outlets < 100 and 650 < reports < 700
    plays = db.session.scalar(select(func.sum(CoverageItem.plays)))
    assert 20000 < plays < 21000
    summary = coverage_summary(ceremony.event, CoverageFilter())
    assert summary["zh"].startswith("中央电视台《晚间新闻》、新华网、《科技日报》等中央媒体")
    for phrase in (
        "《山东新闻联播》《大众日报》《青岛日报》",
        "凤凰网",
        "今日头条",
        "近百家",
        "650余次",
        "20000多次",
    ):
        assert phrase in summary["zh"], phrase
    assert "nearly 100" in summary["en"] and "650+" in summary["en"]
