"""Coverage import: CSV (UTF-8, GBK) and XLSX, preview before writing, duplicates, bad files."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.media.models import CoverageItem, CoverageKind, Outlet
from app.media.services import CoverageData, add_coverage

GOOD_CSV = (
    "媒体,日期,标题,链接,类型,播放量,备注\n"
    "新华网,2020-11-23,技术转移中心启用,https://xinhua.example/a.html,原创,,\n"
    "《青岛日报》,2020/11/24,七个项目签约,https://qd.example/b.html,转载,,头版\n"
    '新华网,2020年11月24日,现场视频,https://xinhua.example/v.html,视频,"12,345",\n'
)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def outlets(organizer_client, make_outlet):
    _, event = organizer_client
    return {
        "xinhua": make_outlet(event, "新华网", "Xinhuanet"),
        "qingdao": make_outlet(event, "青岛日报", "Qingdao Daily"),
    }


def upload(client, event, data: bytes, name: str):
    return client.post(
        f"/manage/{event.slug}/media/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def coverage_count() -> int:
    return db.session.scalar(select(func.count(CoverageItem.id)))


def preview(client, event, data: bytes, name: str):
    response = upload(client, event, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"])
    return response.headers["Location"], page.get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_good_csv_previews_then_imports_on_confirm(organizer_client, outlets, encoding):
    client, event = organizer_client
    url, html = preview(client, event, GOOD_CSV.encode(encoding), "coverage.csv")
    assert "3 rows to add" in html and "技术转移中心启用" in html
    assert ("GBK" if encoding == "gbk" else "UTF-8") in html
    assert coverage_count() == 0  # nothing written by the preview
    response = client.post(url, data={"action": "confirm"})
    assert response.status_code == 302
    items = db.session.scalars(select(CoverageItem).order_by(CoverageItem.id)).all()
    assert [(i.outlet.name["zh"], i.published_on, i.kind, i.plays) for i in items] == [
        ("新华网", date(2020, 11, 23), CoverageKind.ORIGINAL, None),
        ("青岛日报", date(2020, 11, 24), CoverageKind.REPOST, None),
        ("新华网", date(2020, 11, 24), CoverageKind.VIDEO, 12345),
    ]
    assert items[1].notes == "头版"


def test_good_xlsx_imports(organizer_client, outlets):
    client, event = organizer_client
    data = xlsx_bytes(
        [
            ["Outlet", "Date", "Title", "URL", "Kind", "Plays"],
            ["Xinhuanet", date(2020, 11, 23), "Center opens", "https://x.example/1", "video", 500],
            ["Qingdao Daily", "2020-11-24", "Seven projects", None, "original", None],
        ]
    )
    url, html = preview(client, event, data, "coverage.xlsx")
    assert "2 rows to add" in html and "XLSX" in html
    client.post(url, data={"action": "confirm"})
    assert coverage_count() == 2
    assert db.session.scalar(select(func.sum(CoverageItem.plays))) == 500


def test_duplicates_in_the_log_and_in_the_file_are_skipped(organizer_client, outlets):
    client, event = organizer_client
    add_coverage(
        event,
        CoverageData(
            outlets["xinhua"].id,
            date(2020, 11, 23),
            "已有报道",
            url="https://xinhua.example/a.html",
        ),
    )
    add_coverage(event, CoverageData(outlets["qingdao"].id, date(2020, 11, 24), "七个项目签约"))
    db.session.commit()
    csv_data = GOOD_CSV + "新华网,2020-11-24,现场视频,,视频,,\n"  # same outlet+title+date as row 4
    url, html = preview(client, event, csv_data.encode(), "dup.csv")
    assert "1 rows to add" in html and "3 duplicates" in html
    assert "in the log" in html and "earlier in this file (row 4)" in html
    client.post(url, data={"action": "confirm"})
    assert coverage_count() == 3


BAD_ROWS = (
    "outlet,date,title,url,plays\n"
    "新华网,2020-13-45,bad date,,\n"
    "新华网,yesterday,bad date 2,,\n"
    "新华网,2020-11-23,bad url,ftp//nope,\n"
    "新华网,2020-11-23,bad plays,,many\n"
    "新华网,2020-11-23,,https://ok.example/,\n"
    "新华网,2020-11-23,good row,https://ok.example/good,7\n"
)


def test_bad_rows_are_listed_with_reasons_and_skipped(organizer_client, outlets):
    client, event = organizer_client
    url, html = preview(client, event, BAD_ROWS.encode(), "bad.csv")
    assert "1 rows to add" in html and "5 bad rows" in html
    for reason in (
        "“2020-13-45” is not a date",
        "“yesterday” is not a date",
        "“ftp//nope” is not a web address",
        "Plays “many” is not a whole number",
        "The title is missing",
    ):
        assert reason in html, reason
    client.post(url, data={"action": "confirm"})
    assert [i.title for i in db.session.scalars(select(CoverageItem))] == ["good row"]


def test_unknown_outlet_is_offered_for_creation(organizer_client, outlets):
    client, event = organizer_client
    data = (
        "媒体,日期,标题,媒体级别,媒体类型\n"
        "今日头条,2020-11-23,报道一,,新媒体\n"
        "今日头条,2020-11-24,报道二,,新媒体\n"
    )
    url, html = preview(client, event, data.encode(), "new.csv")
    assert "2 rows of unknown outlets" in html and 'value="今日头条"' in html
    # Not ticked: nothing imported, no outlet created.
    client.post(url, data={"action": "confirm"})
    assert coverage_count() == 0
    url, html = preview(client, event, data.encode(), "new.csv")
    number = re.search(r'name="create-(\d+)" value="今日头条"', html).group(1)
    client.post(
        url,
        data={
            "action": "confirm",
            f"create-{number}": "今日头条",
            f"level-{number}": "industry",
            f"type-{number}": "new_media",
        },
    )
    outlet = db.session.scalar(select(Outlet).where(Outlet.name_key == "今日头条"))
    assert outlet.level == "industry" and outlet.type == "new_media"
    assert coverage_count() == 2


def test_missing_columns_are_named(organizer_client, outlets):
    client, event = organizer_client
    response = upload(client, event, "outlet,title\n新华网,x\n".encode(), "cols.csv")
    assert response.status_code == 400
    assert "Missing columns: date" in response.get_data(as_text=True)


def test_fifty_megabyte_file_gets_a_clear_message(organizer_client, outlets):
    client, event = organizer_client
    response = upload(client, event, b"a" * (50 * 1024 * 1024), "huge.csv")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert coverage_count() == 0


def test_file_over_the_import_limit_but_under_the_request_limit(organizer_client, outlets):
    client, event = organizer_client
    response = upload(client, event, b"outlet,date,title\n" + b"x" * (6 * 1024 * 1024), "big.csv")
    assert response.status_code == 400 and "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "photo.csv"),
        (b"PK\x03\x04" + b"not really a zip" * 10, "fake.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
        (b"", "empty.csv"),
    ],
)
def test_non_spreadsheets_are_refused_with_a_message(organizer_client, outlets, data, name):
    client, event = organizer_client
    response = upload(client, event, data, name)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert any(m in text for m in ("not a spreadsheet", ".xls", "empty")), text[:500]
    assert coverage_count() == 0


def test_expired_token_writes_nothing(organizer_client, outlets):
    client, event = organizer_client
    response = client.post(
        f"/manage/{event.slug}/media/import/abcdefghijklmnopqrstuvwx", data={"action": "confirm"}
    )
    assert response.status_code == 302
    assert coverage_count() == 0


def test_import_of_another_events_token_is_refused(
    organizer_client, outlets, make_event, make_user, auth
):
    client, event = organizer_client
    url, _ = preview(client, event, GOOD_CSV.encode(), "coverage.csv")
    token = url.rsplit("/", 1)[1]
    other = make_event()
    from app.accounts.models import Role

    auth.login(make_user(Role.ORGANIZER, event=other))
    client.post(f"/manage/{other.slug}/media/import/{token}", data={"action": "confirm"})
    assert coverage_count() == 0


def test_a_failure_during_confirm_leaves_nothing_half_written(
    organizer_client, outlets, monkeypatch
):
    client, event = organizer_client
    url, _ = preview(client, event, GOOD_CSV.encode(), "coverage.csv")
    from app.media import importing

    made = []

    def third_row_fails(**values):
        if len(made) == 2:
            raise RuntimeError("disk full")
        made.append(CoverageItem(**values))
        return made[-1]

    monkeypatch.setattr(importing, "CoverageItem", third_row_fails)
    monkeypatch.setitem(client.application.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post(url, data={"action": "confirm"})
    assert response.status_code == 500
    db.session.rollback()
    assert len(made) == 2 and coverage_count() == 0


def test_submitting_the_import_form_without_a_file_asks_for_one(organizer_client):
    client, event = organizer_client
    response = client.post(f"/manage/{event.slug}/media/import", data={})
    assert response.status_code == 400
    assert "file" in response.get_data(as_text=True).lower()
    assert coverage_count() == 0
