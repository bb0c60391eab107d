"""Ceremony pages over HTTP: permissions, forms, reordering, documents and the PDFs."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.accounts.models import Role
from app.ceremonies.models import SigningDocument, SigningItem
from app.ceremonies.services import MAX_DOCUMENT_BYTES
from app.extensions import db
from tests.ceremonies.conftest import item_data, party
from tests.pdf_support import pdf_text

ITEMS = [
    item_data(
        "中挪未来创新科技平台",
        [
            party("中国—上合技术转移中心", name="王海峰", title="主任"),
            party("挪威创新联盟", "NO", name="Ingrid Solberg", title="CEO"),
        ],
        witnesses=[("周建国", "局长", "科技局")],
    ),
    item_data(
        "北欧（青岛）跨境产业创新合作中心",
        [
            party("北欧创新商会", "FI", name="Mikko Laine", title="Chairman"),
            party("丹麦清洁技术集群", "DK", name="Sofie Jensen", title="Director"),
        ],
    ),
]


def base(event, ceremony) -> str:
    return f"/manage/{event.slug}/ceremonies/{ceremony.id}"


@pytest.mark.parametrize("role", [None, Role.CHECKIN_STAFF, Role.JUDGE])
def test_non_organizers_get_403_everywhere(client, auth, make_user, make_ceremony, role):
    ceremony = make_ceremony(items=ITEMS)
    event = ceremony.event
    user = make_user(*([role] if role else []), event=event if role else None)
    auth.login(user)
    url = base(event, ceremony)
    item_id = ceremony.items[0].id
    for path in (
        "/",
        "/agenda.pdf",
        "/host-script.pdf",
        "/host-script",
        "/stage-list",
        "/stage-list.pdf",
        f"/items/{item_id}/",
    ):
        assert client.get(url + path).status_code == 403, path
    assert client.get(f"/manage/{event.slug}/ceremonies/").status_code == 403
    response = client.post(url + "/items/reorder", data={"order": "1,2"})
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, make_ceremony):
    ceremony = make_ceremony()
    response = client.get(base(ceremony.event, ceremony) + "/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_ceremony_view_declares_the_organizer_permission(app):
    views = [v for name, v in app.view_functions.items() if name.startswith("ceremonies.")]
    assert views
    assert all(v.permission.name == "event:organizer" for v in views)


def test_organizer_sees_agenda_with_computed_times_and_checks(
    client, auth, make_user, make_ceremony
):
    ceremony = make_ceremony(items=ITEMS, slot_minutes=30)
    auth.login(make_user(Role.ORGANIZER, event=ceremony.event))
    client.get("/?lang=en")
    html = client.get(base(ceremony.event, ceremony) + "/").get_data(as_text=True)
    assert "09:30" in html and "09:45" in html
    assert "Check before printing" in html and "10 more" in html


def test_creating_an_item_with_one_party_is_refused_and_nothing_written(
    organizer_client, make_ceremony
):
    client, event = organizer_client
    ceremony = make_ceremony(event=event)
    response = client.post(
        base(event, ceremony) + "/items/new",
        data={
            "title_zh": "项目",
            "title_en": "Project",
            "duration_minutes": "3",
            "parties-0-organization_zh": "甲方",
            "parties-0-country": "CN",
        },
    )
    assert response.status_code == 400
    assert "at least two parties" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SigningItem.id))) == 0


def test_creating_an_item_with_two_parties_works(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event)
    response = client.post(
        base(event, ceremony) + "/items/new",
        data={
            "title_zh": "项目",
            "title_en": "Project",
            "duration_minutes": "3",
            "parties-0-organization_zh": "甲方",
            "parties-0-country": "CN",
            "parties-0-signatory_name": "张三",
            "parties-1-organization_en": "Party B",
            "parties-1-country": "RU",
            "witnesses-0-name": "李四",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(select(SigningItem))
    assert [p.organization.text("zh") for p in item.parties] == ["甲方", "Party B"]
    assert [w.name for w in item.witnesses] == ["李四"]


def test_reorder_post_changes_the_order(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    first, second = (i.id for i in ceremony.items)
    response = client.post(
        base(event, ceremony) + "/items/reorder",
        data={"order": f"{second},{first}"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.json == {"ok": True}
    db.session.expire_all()
    assert [i.id for i in ceremony.items] == [second, first]


def test_reorder_with_bad_ids_is_a_400_with_a_reason(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    response = client.post(
        base(event, ceremony) + "/items/reorder",
        data={"order": "1,x"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and "order" in response.json["message"]


def test_move_buttons_move_an_item(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    first, second = (i.id for i in ceremony.items)
    response = client.post(
        base(event, ceremony) + f"/items/{second}/move", data={"direction": "up"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [i.id for i in ceremony.items] == [second, first]


def test_reorder_requires_csrf_when_enabled(app, organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    first, second = (i.id for i in ceremony.items)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            base(event, ceremony) + "/items/reorder", data={"order": f"{second},{first}"}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    db.session.expire_all()
    assert [i.id for i in ceremony.items] == [first, second]


def test_host_script_pdf_announces_parties_and_signatories_in_order(
    organizer_client, make_ceremony
):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    response = client.get(base(event, ceremony) + "/host-script.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data).replace("\r", "").replace("\n", "")
    names = [
        "中挪未来创新科技平台",
        "王海峰",
        "Ingrid Solberg",
        "周建国",
        "北欧（青岛）跨境产业创新合作中心",
        "Mikko Laine",
        "Sofie Jensen",
    ]
    positions = [text.find(name) for name in names]
    assert all(p >= 0 for p in positions), list(zip(names, positions, strict=True))
    assert positions == sorted(positions)


def test_host_script_follows_a_reorder(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    first, second = (i.id for i in ceremony.items)
    client.post(base(event, ceremony) + "/items/reorder", data={"order": f"{second},{first}"})
    html = client.get(base(event, ceremony) + "/host-script").get_data(as_text=True)
    assert html.index("Mikko Laine") < html.index("Ingrid Solberg")


def test_agenda_and_stage_list_pdfs_render_from_current_data(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    agenda = pdf_text(client.get(base(event, ceremony) + "/agenda.pdf").data)
    assert "签约仪式" in agenda and "Signing ceremony" in agenda and "09:45" in agenda
    assert "中挪未来创新科技平台" in agenda
    stage = pdf_text(client.get(base(event, ceremony) + "/stage-list.pdf").data)
    assert stage.index("王海峰") < stage.index("Ingrid Solberg") < stage.index("Mikko Laine")


def test_pdf_shows_pre_print_problems(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS, slot_minutes=30)
    stage = pdf_text(client.get(base(event, ceremony) + "/stage-list.pdf").data)
    assert "Check before printing" in stage and "10 more" in stage
    # The host script is in the host's language (Chinese here), its check box too.
    with force_locale("zh_CN"):
        heading = gettext("Check before printing")
    script = pdf_text(client.get(base(event, ceremony) + "/host-script.pdf").data)
    assert heading in script and "40" in script


def upload(client, event, ceremony, data: bytes, name="agreement.pdf"):
    item_id = ceremony.items[0].id
    return client.post(
        base(event, ceremony) + f"/items/{item_id}/documents",
        data={"document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_pdf_upload_is_stored_and_served_as_attachment(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    assert upload(client, event, ceremony, b"%PDF-1.4\n%test\n", "协议.pdf").status_code == 302
    document = db.session.scalar(select(SigningDocument))
    assert document.filename == "协议.pdf" and document.size == len(b"%PDF-1.4\n%test\n")
    response = client.get(
        base(event, ceremony) + f"/items/{ceremony.items[0].id}/documents/{document.id}"
    )
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_non_pdf_and_oversized_uploads_are_refused(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    response = upload(client, event, ceremony, b"<html>not a pdf</html>", "x.pdf")
    assert "Only PDF" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = upload(client, event, ceremony, b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "big.pdf")
    assert "too large" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(SigningDocument.id))) == 0


def test_status_change_over_http_is_recorded(organizer_client, make_ceremony):
    client, event = organizer_client
    ceremony = make_ceremony(event=event, items=ITEMS)
    item = ceremony.items[0]
    client.post(base(event, ceremony) + f"/items/{item.id}/status", data={"status": "confirmed"})
    db.session.expire_all()
    assert item.status == "confirmed" and len(item.status_changes) == 2
    assert item.status_changes[-1].changed_by is not None
