"""Versioned privacy notices: every edit is a new version; registrations record theirs."""

from __future__ import annotations

from sqlalchemy import func, select

from app.events.consent import current_consent_version
from app.events.models import ConsentVersion
from app.extensions import db
from app.registration.models import Registration
from app.translated import Translated
from tests.conftest import form_data
from tests.events.test_settings import settings_form
from tests.registration.support import field_error


def versions_of(event) -> list[ConsentVersion]:
    return db.session.scalars(
        select(ConsentVersion)
        .where(ConsentVersion.event_id == event.id)
        .order_by(ConsentVersion.number)
    ).all()


def test_a_new_event_with_a_notice_starts_at_version_1(privacy_event):
    event, _category = privacy_event
    (version,) = versions_of(event)
    assert version.number == 1
    assert version.text["ru"].startswith("Мы обрабатываем")


def test_editing_the_notice_creates_a_new_version_and_an_unchanged_save_does_not(
    client, privacy_event, organizer
):
    event, _category = privacy_event
    user = organizer(event)
    url = f"/manage/{event.slug}/settings"
    form = settings_form(
        privacy_text_zh="新的隐私说明", privacy_text_en="New notice", privacy_text_ru="Новое"
    )
    assert client.post(url, data=form).status_code == 302
    assert client.post(url, data=form).status_code == 302  # same text again
    assert client.post(url, data={**form, "title_en": "Renamed"}).status_code == 302

    versions = versions_of(event)
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].text == {"zh": "新的隐私说明", "en": "New notice", "ru": "Новое"}
    assert versions[1].created_by_user_id == user.id
    # Version 1 is kept exactly as participants saw it.
    assert versions[0].text["en"] == "We process your data only to organize the conference."


def test_registration_records_the_version_shown_and_the_time(client, privacy_event, register):
    event, category = privacy_event
    registration, _token = register(event, category)
    assert db.session.get(ConsentVersion, registration.consent_version_id).number == 1
    assert registration.consent_at is not None


def test_the_form_shows_the_current_version_in_the_participants_language(
    client, privacy_event, organizer
):
    event, _category = privacy_event
    event.privacy_text = event.privacy_text.with_text("ru", "Вторая версия")
    db.session.commit()
    page = client.get(f"/e/{event.slug}/register?lang=ru").get_data(as_text=True)
    assert "Вторая версия" in page
    assert 'data-version="2"' in page
    assert 'name="consent_version" type="hidden" value="2"' in page


def test_a_notice_changed_while_the_form_was_open_must_be_agreed_to_again(client, privacy_event):
    event, category = privacy_event
    data = form_data(category, consent_version="1")
    event.privacy_text = event.privacy_text.with_text(
        "en", "Changed: we also share your name with the venue."
    )
    db.session.commit()

    response = client.post(f"/e/{event.slug}/register?lang=en", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, "consent").startswith("The privacy notice was changed")
    assert "we also share your name with the venue" in page
    assert 'value="2"' in page
    assert db.session.scalar(select(func.count(Registration.id))) == 0

    response = client.post(
        f"/e/{event.slug}/register?lang=en", data={**data, "consent_version": "2"}
    )
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert db.session.get(ConsentVersion, registration.consent_version_id).number == 2


def test_an_event_without_a_notice_registers_without_a_version(
    client, make_event, make_category, register
):
    event = make_event(privacy_text=Translated())
    category = make_category(event)
    assert current_consent_version(event) is None
    registration, _token = register(event, category)
    assert registration.consent_version_id is None


def test_a_tampered_version_number_is_refused_with_a_message(client, privacy_event):
    event, category = privacy_event
    response = client.post(
        f"/e/{event.slug}/register?lang=en", data=form_data(category, consent_version="1 OR 1=1")
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_organizer_sees_the_versions_with_their_registration_counts(
    client, privacy_event, organizer, register
):
    event, category = privacy_event
    register(event, category)
    event.privacy_text = event.privacy_text.with_text("zh", "第二版")
    db.session.commit()
    register(event, category)
    register(event, category)
    organizer(event)
    page = client.get(f"/manage/{event.slug}/privacy?lang=en").get_data(as_text=True)
    assert "Participants now agree to version 2" in page
    rows = page.split('id="versions-table"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 3  # header + 2 versions
    version_page = client.get(f"/manage/{event.slug}/privacy/consent/1").get_data(as_text=True)
    assert "我们仅为组织会议处理您的个人信息。" in version_page
    assert client.get(f"/manage/{event.slug}/privacy/consent/9").status_code == 404
