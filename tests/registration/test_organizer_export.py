"""Registration exports: XLSX and CSV with the list's filters, Chinese text, formula safety."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app.accounts.models import Role
from app.extensions import db
from app.registration.models import Attendance, Question, QuestionKind
from app.translated import Translated
from tests.registration.organizer_support import add_registration, sign_in_organizer


@pytest.fixture
def desk(client, auth, make_event, make_user):
    return sign_in_organizer(client, auth, make_event, make_user)


@pytest.fixture
def exported(desk, make_category):
    """Two registrations with custom-question answers, one with formula-like text."""
    event = desk.event
    topics = Question(
        event_id=event.id,
        kind=QuestionKind.MULTIPLE_CHOICE,
        label=Translated(zh="关注领域", en="Topics"),
        choices=[
            {"value": "ai", "zh": "人工智能", "en": "AI", "ru": "ИИ"},
            {"value": "bio", "zh": "生物医药", "en": "Biotech", "ru": "Биотех"},
        ],
        position=1,
    )
    remark = Question(
        event_id=event.id,
        kind=QuestionKind.TEXT,
        label=Translated(zh="备注", en="Remark"),
        position=2,
    )
    db.session.add_all([topics, remark])
    db.session.commit()
    category = make_category(event, capacity=None, name=Translated(zh="嘉宾", en="Guests"))
    chinese = add_registration(
        event,
        category,
        native_name="张三丰",
        latin_name="Zhang Sanfeng",
        organization="青岛大学",
        answers={str(topics.id): ["ai", "bio"], str(remark.id): "需要翻译"},
    )
    chinese.created_at = datetime(2030, 5, 1, 23, 30, tzinfo=UTC)
    db.session.commit()
    attacker = add_registration(
        event,
        category,
        native_name='=HYPERLINK("http://evil.example","x")',
        latin_name="Mallory",
        organization="@SUM(1+1)",
        job_title="-2+3",
        attendance=Attendance.ONLINE,
        answers={str(remark.id): "+cmd|' /C calc'!A0"},
    )
    return {"chinese": chinese, "attacker": attacker, "topics": topics, "remark": remark}


def xlsx(desk, lang="zh_CN", **params):
    response = desk.client.get(
        f"{desk.base}/registrations/export.xlsx", query_string={"lang": lang, **params}
    )
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(response.data)).active


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_opens_and_holds_chinese_names_and_answers(desk, exported):
    _, sheet = xlsx(desk)
    rows = rows_of(sheet)
    header = rows[0]
    assert "关注领域" in header and "备注" in header
    by_reference = {row[0]: row for row in rows[1:]}
    row = by_reference[exported["chinese"].reference]
    assert "张三丰" in row and "Zhang Sanfeng" in row and "青岛大学" in row and "嘉宾" in row
    assert row[header.index("关注领域")] == "人工智能; 生物医药"
    assert row[header.index("备注")] == "需要翻译"
    assert "中国" in row  # country by name


def test_xlsx_created_time_is_in_the_event_timezone(desk, exported):
    _, sheet = xlsx(desk, lang="en")
    rows = rows_of(sheet)
    created = rows[0].index("Created")
    row = next(r for r in rows if r[0] == exported["chinese"].reference)
    assert row[created] == datetime(2030, 5, 2, 7, 30)


def test_xlsx_header_is_bold_frozen_and_filtered(desk, exported):
    _, sheet = xlsx(desk)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["D"].width >= 8


def test_xlsx_never_contains_formulas(desk, exported):
    _, sheet = xlsx(desk)
    attacker_row = next(
        row for row in sheet.iter_rows(min_row=2) if row[0].value == exported["attacker"].reference
    )
    cells = [cell for cell in attacker_row if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in cells)
    risky = [cell for cell in cells if cell.value[:1] in "=+-@"]
    assert len(risky) >= 4
    assert all(cell.quotePrefix for cell in risky)


def test_xlsx_uses_the_lists_filters(desk, exported):
    _, sheet = xlsx(desk, attendance="online")
    references = [row[0] for row in rows_of(sheet)[1:]]
    assert references == [exported["attacker"].reference]
    _, sheet = xlsx(desk, q="三丰")
    assert [row[0] for row in rows_of(sheet)[1:]] == [exported["chinese"].reference]


def test_xlsx_is_an_attachment_with_the_event_slug_and_date(desk, exported):
    response, _ = xlsx(desk)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename={desk.event.slug}-registrations-" in disposition
    assert disposition.rstrip('"').endswith(".xlsx")
    assert response.headers["Cache-Control"] == "no-store"


def csv_export(desk, lang="zh_CN", **params):
    response = desk.client.get(
        f"{desk.base}/registrations/export.csv", query_string={"lang": lang, **params}
    )
    assert response.status_code == 200
    return response


def test_csv_starts_with_the_utf8_bom_and_holds_chinese(desk, exported):
    response = csv_export(desk)
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert "张三丰" in text and "人工智能; 生物医药" in text
    assert response.mimetype == "text/csv"
    assert ".csv" in response.headers["Content-Disposition"]


def test_csv_neutralizes_formula_cells(desk, exported):
    text = csv_export(desk).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    attacker = next(row for row in rows if row[0] == exported["attacker"].reference)
    assert '\'=HYPERLINK("http://evil.example","x")' in attacker
    assert "'@SUM(1+1)" in attacker
    assert "'-2+3" in attacker
    assert "'+cmd|' /C calc'!A0" in attacker
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_csv_has_one_column_per_question_with_localized_headers(desk, exported):
    text = csv_export(desk, lang="en").data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["Reference", "State", "Category"]
    assert header[-2:] == ["Topics", "Remark"]


def test_export_of_an_event_without_registrations_has_just_the_header(desk):
    _, sheet = xlsx(desk)
    assert sheet.max_row == 1
    text = csv_export(desk).data.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1


def test_exports_are_refused_to_checkin_staff(client, auth, make_event, make_user):
    event = make_event()
    auth.login(make_user(Role.CHECKIN_STAFF, event=event))
    for kind in ("xlsx", "csv"):
        assert client.get(f"/manage/{event.slug}/registrations/export.{kind}").status_code == 403
