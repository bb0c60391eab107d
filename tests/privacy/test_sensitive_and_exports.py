"""ID-like questions are flagged and kept out of exports; exports of personal data are logged."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from app.audit.models import AuditEntry
from app.extensions import db
from app.registration.forms import NewRegistrationForm
from app.registration.models import Question
from app.security.sensitive import is_id_like_label, mask_answer
from tests.conftest import AuthActions, form_data
from tests.registration.test_organizer_questions import question_form


def test_the_built_in_form_collects_the_minimum_and_no_id_document():
    names = {
        name
        for klass in NewRegistrationForm.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, UnboundField)
    }
    assert names == {
        "category_id",
        "native_name",
        "latin_name",
        "email",
        "phone",
        "organization",
        "job_title",
        "country",
        "attendance",
        "language",
        "consent",
        "consent_version",
    }


@pytest.mark.parametrize(
    "label",
    [
        "身份证号码",
        "护照号",
        "Passport number",
        "ID card",
        "ID No.",
        "Номер паспорта",
        "national ID",
    ],
)
def test_id_like_labels_are_recognised(label):
    assert is_id_like_label(label)


@pytest.mark.parametrize("label", ["餐饮", "Dietary needs", "Ideas for the forum", "Video link"])
def test_ordinary_labels_are_not(label):
    assert not is_id_like_label(label)


def test_mask_keeps_the_last_four_characters_only():
    assert mask_answer("370202199001011234") == "••••••••••••••1234"
    assert mask_answer("E1234") == "•••••"


@pytest.fixture
def signed_in(client, privacy_event, organizer):
    event, category = privacy_event
    return event, category, organizer(event)


def added_question(client, event, **overrides) -> Question:
    response = client.post(f"/manage/{event.slug}/questions/new", data=question_form(**overrides))
    assert response.status_code == 302, response.text
    return db.session.scalars(select(Question).order_by(Question.id.desc()).limit(1)).one()


def test_a_text_question_asking_for_a_passport_is_flagged_even_unticked(client, signed_in):
    event, _, _ = signed_in
    question = added_question(
        client, event, kind="text", label_zh="护照号码", label_en="Passport number", choices=""
    )
    assert question.sensitive
    plain = added_question(
        client, event, kind="text", label_zh="备注", label_en="Remark", choices=""
    )
    assert not plain.sensitive


def test_an_id_number_question_is_always_sensitive_and_validated(client, signed_in, register):
    event, category, _ = signed_in
    question = added_question(
        client, event, kind="id_number", label_zh="证件", label_en="Document", choices=""
    )
    assert question.sensitive
    client.post("/logout")
    field = f"q_{question.id}"
    response = client.post(
        f"/e/{event.slug}/register?lang=en",
        data={**form_data(category), field: "<script>"},
    )
    assert response.status_code == 400
    assert "only letters, digits, spaces and hyphens" in response.get_data(as_text=True)


def test_exports_leave_sensitive_answers_out_unless_chosen_and_are_logged(
    client, signed_in, register
):
    event, category, user = signed_in
    question = added_question(
        client, event, kind="id_number", label_zh="身份证号", label_en="ID number", choices=""
    )
    client.post("/logout")
    me, _ = register(event, category, **{f"q_{question.id}": "370202199001011234"})
    AuthActions(client).login(user)

    page = client.get(f"/manage/{event.slug}/registrations/{me.id}?lang=en").get_data(as_text=True)
    assert "370202199001011234" not in page and "1234" in page

    plain = client.get(f"/manage/{event.slug}/registrations/export.xlsx?lang=en&state=confirmed")
    sheet = load_workbook(io.BytesIO(plain.data)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert "370202199001011234" not in cells and "ID number" not in cells

    full = client.get(f"/manage/{event.slug}/registrations/export.xlsx?lang=en&sensitive=1")
    cells = [
        str(c.value) for row in load_workbook(io.BytesIO(full.data)).active.iter_rows() for c in row
    ]
    assert "370202199001011234" in cells

    client.get(f"/manage/{event.slug}/registrations/export.csv?q=%E6%9D%8E%E5%A8%9C")
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "registrations.export")
        .order_by(AuditEntry.id)
    ).all()
    assert [
        (
            e.actor,
            e.event_id,
            e.details["format"],
            e.details["rows"],
            e.details["sensitive_included"],
        )
        for e in entries
    ] == [
        (user.email, event.id, "xlsx", 1, False),
        (user.email, event.id, "xlsx", 1, True),
        (user.email, event.id, "csv", 0, False),
    ]
    assert entries[0].details["filters"] == {"state": "confirmed"}
    # What was searched for (often a name) is not kept in the log.
    assert entries[2].details["filters"] == {"q": "…"}
    log = client.get(f"/manage/{event.slug}/privacy?lang=en").get_data(as_text=True)
    assert "registrations.export" in log
