"""Media pages over HTTP: permissions, coverage entry, dashboard, exports, accreditation."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.accounts.models import Role
from app.extensions import db
from app.media.models import CoverageItem, CoverageKind, OutletLevel, OutletType, PressAccreditation
from app.media.services import CoverageData, CoverageFilter, add_coverage, dashboard
from app.registration.models import Registration, RegistrationState
from tests.pdf_support import pdf_text


def media(event, path=""):
    return f"/manage/{event.slug}/media/{path}"


@pytest.mark.parametrize("role", [None, Role.CHECKIN_STAFF, Role.JUDGE])
def test_non_organizers_get_403(client, auth, make_user, make_event, make_outlet, role):
    event = make_event()
    outlet = make_outlet(event, "新华网")
    auth.login(make_user(*([role] if role else []), event=event if role else None))
    for path in (
        "",
        "coverage",
        "outlets/",
        f"outlets/{outlet.id}/",
        "import",
        "export.xlsx",
        "report.pdf",
        "coverage/new",
    ):
        assert client.get(media(event, path)).status_code == 403, path
    response = client.post(
        media(event, "import"),
        data={"file": (io.BytesIO(b"x"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_every_media_view_declares_the_organizer_permission(app):
    views = [v for name, v in app.view_functions.items() if name.startswith("media.")]
    assert views and all(v.permission.name == "event:organizer" for v in views)


def seed_log(event, make_outlet):
    cctv = make_outlet(event, "中央电视台《晚间新闻》", "CCTV Evening News")
    paper = make_outlet(
        event, "《青岛日报》", "Qingdao Daily", OutletLevel.MUNICIPAL, OutletType.NEWSPAPER
    )
    add_coverage(
        event,
        CoverageData(cctv.id, date(2020, 11, 23), "启用仪式", kind=CoverageKind.VIDEO, plays=1500),
    )
    add_coverage(
        event, CoverageData(paper.id, date(2020, 11, 23), "签约", url="https://q.example/1")
    )
    add_coverage(
        event, CoverageData(paper.id, date(2020, 11, 25), "回顾", url="https://q.example/2")
    )
    db.session.commit()
    return cctv, paper


def test_dashboard_totals_and_date_filter(organizer_client, make_outlet):
    client, event = organizer_client
    seed_log(event, make_outlet)
    numbers = dashboard(event, CoverageFilter())
    assert (numbers.reports, numbers.outlets, numbers.plays) == (3, 2, 1500)
    assert {v: n for v, n, _ in numbers.by_level}["municipal"] == 2
    assert [(d, n) for d, n, _ in numbers.per_day] == [
        (date(2020, 11, 23), 2),
        (date(2020, 11, 25), 1),
    ]
    filtered = dashboard(event, CoverageFilter(date_from=date(2020, 11, 24)))
    assert (filtered.reports, filtered.outlets, filtered.plays) == (1, 1, 0)
    html = client.get(media(event, "?from=2020-11-24&to=2020-11-30")).get_data(as_text=True)
    assert 'id="total-reports">1<' in html and "chart.umd.min.js" in html
    assert client.get(media(event, "?from=yesterday")).status_code == 400


def test_dashboard_shows_the_summary_in_both_languages(organizer_client, make_outlet):
    client, event = organizer_client
    seed_log(event, make_outlet)
    html = client.get(media(event)).get_data(as_text=True)
    assert "中央电视台《晚间新闻》等中央媒体" in html
    assert "Central media such as CCTV Evening News" in html


def test_duplicate_report_is_refused_on_the_form(organizer_client, make_outlet):
    client, event = organizer_client
    _cctv, paper = seed_log(event, make_outlet)
    response = client.post(
        media(event, "coverage/new"),
        data={
            "outlet_id": str(paper.id),
            "published_on": "2020-11-30",
            "title": "另一篇",
            "url": "https://q.example/1",
            "kind": "original",
            "ceremony_id": "0",
        },
    )
    assert response.status_code == 400 and "already in the log" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CoverageItem.id))) == 3


def test_bad_url_is_refused_on_the_form(organizer_client, make_outlet):
    client, event = organizer_client
    cctv, _ = seed_log(event, make_outlet)
    response = client.post(
        media(event, "coverage/new"),
        data={
            "outlet_id": str(cctv.id),
            "published_on": "2020-11-30",
            "title": "x",
            "url": "javascript:alert(1)",
            "kind": "original",
            "ceremony_id": "0",
        },
    )
    assert response.status_code == 400 and "http://" in response.get_data(as_text=True)


def test_xlsx_export_lists_the_log(organizer_client, make_outlet):
    client, event = organizer_client
    seed_log(event, make_outlet)
    response = client.get(media(event, "export.xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Date", "Outlet", "Level") and len(rows) == 4
    assert {r[4] for r in rows[1:]} == {"启用仪式", "签约", "回顾"}


def test_pdf_report_has_totals_summary_and_charts(organizer_client, make_outlet):
    client, event = organizer_client
    seed_log(event, make_outlet)
    response = client.get(media(event, "report.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Media coverage report" in text and "1,500" in text
    assert "Reports by outlet level" in text and "Municipal" in text  # chart labels (SVG)
    assert "中央电视台《晚间新闻》" in text


def test_journalist_in_the_media_category_can_be_linked_to_an_outlet(
    organizer_client, make_outlet, make_category
):
    client, event = organizer_client
    outlet = make_outlet(event, "新华网")
    media_category = make_category(event, code="media")
    other_category = make_category(event, code="government")

    def registration(category, name):
        row = Registration(
            event_id=event.id,
            category_id=category.id,
            state=RegistrationState.CONFIRMED,
            native_name=name,
            latin_name=name,
            email=f"{name}@example.org",
            country="CN",
            attendance="onsite",
            language="zh_CN",
            consent_at=event.created_at,
            organization="新华网",
        )
        db.session.add(row)
        db.session.commit()
        return row

    journalist = registration(media_category, "reporter")
    official = registration(other_category, "official")
    page = client.get(media(event, f"outlets/{outlet.id}/")).get_data(as_text=True)
    assert "reporter" in page and "official" not in page
    client.post(
        media(event, f"outlets/{outlet.id}/journalists"), data={"registration_id": str(official.id)}
    )
    client.post(
        media(event, f"outlets/{outlet.id}/journalists"),
        data={"registration_id": str(journalist.id)},
    )
    links = db.session.scalars(select(PressAccreditation)).all()
    assert [(a.outlet_id, a.registration_id) for a in links] == [(outlet.id, journalist.id)]
    assert "reporter" in client.get(media(event, "outlets/")).get_data(as_text=True)
