"""The event's own texts and its privacy notice in every content language (#17): the reader's
language with the event's fallback (said so for the notice), the language of the notice agreed
to recorded and shown, a fourth content language by configuration only, the content gaps."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounts.models import Role
from app.contributions import content_gaps
from app.events.models import ConsentVersion
from app.extensions import db
from app.registration.models import Registration
from app.translated import Translated
from tests.conftest import form_data, manage_token_from
from tests.events.test_settings import settings_form

RU_NOTICE = "Организаторы обрабатывают ваши персональные данные только для проведения конференции."


@pytest.fixture
def trilingual(make_event, make_category):
    """An open event written in Chinese, Russian and English (that fallback order)."""
    event = make_event(
        title=Translated(zh="青岛国际技术转移大会", ru="Конференция в Циндао", en="Qingdao ITTC"),
        description=Translated(
            zh="技术转移与项目签约", ru="Трансфер технологий и подписание", en="Technology transfer"
        ),
        venue=Translated(zh="青岛国际会议中心", ru="Конгресс-центр Циндао", en="Qingdao ICC"),
        privacy_text=Translated(
            zh="我们仅为组织会议处理您的个人信息。",
            ru=RU_NOTICE,
            en="We process your personal data only to organize the conference.",
        ),
        content_languages=["zh", "ru", "en"],
    )
    return event, make_category(event)


def _register_in(client, event, category, lang: str) -> Registration:
    response = client.post(
        f"/e/{event.slug}/register?lang={lang}", data=form_data(category, language="ru")
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    return db.session.scalars(select(Registration).order_by(Registration.id.desc())).first()


def test_a_russian_reader_sees_the_russian_title_description_venue_and_notice(client, trilingual):
    event, _category = trilingual
    page = client.get(f"/e/{event.slug}/?lang=ru").text
    assert "Конференция в Циндао" in page
    assert "Трансфер технологий и подписание" in page
    assert "Конгресс-центр Циндао" in page
    assert "青岛国际技术转移大会" not in page
    form = client.get(f"/e/{event.slug}/register?lang=ru").text
    assert "Конференция в Циндао" in form
    notice = form.split('id="privacy-text"')[1].split("</div>")[0]
    assert 'lang="ru"' in notice and RU_NOTICE in notice
    assert 'id="privacy-fallback"' not in form


def test_the_russian_registration_records_the_russian_notice(client, trilingual):
    event, category = trilingual
    registration = _register_in(client, event, category, "ru")
    assert registration.consent_language == "ru"


def test_without_a_russian_notice_the_form_says_so_and_the_record_holds_the_fallback(
    client, trilingual, make_user, auth
):
    event, category = trilingual
    event.privacy_text = event.privacy_text.with_text("ru", "")
    db.session.commit()
    assert (
        db.session.scalar(
            select(ConsentVersion.number)
            .where(ConsentVersion.event_id == event.id)
            .order_by(ConsentVersion.number.desc())
        )
        == 2
    )

    form = client.get(f"/e/{event.slug}/register?lang=ru").text
    fallback = form.split('id="privacy-fallback"')[1].split("</p>")[0]
    assert "«русский»" in fallback and "«китайский»" in fallback  # zh is the first fallback
    notice = form.split('id="privacy-text"')[1].split("</div>")[0]
    assert 'lang="zh-CN"' in notice and "我们仅为组织会议处理您的个人信息。" in notice
    english = client.get(f"/e/{event.slug}/register?lang=en").text
    assert "This notice is not available" not in english  # English readers have theirs

    response = client.post(
        f"/e/{event.slug}/register?lang=ru",
        data=form_data(category, language="ru", consent_version="2"),
    )
    assert response.status_code == 302, response.text
    token = manage_token_from(response)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.consent_language == "zh"

    # The participant's data download says which text they agreed to …
    consent = client.get(f"/r/{token}/data.json").get_json(force=True)
    consent = consent["registrations"][0]["consent"] if "registrations" in consent else consent
    found = _find_consent(consent)
    assert found["version"] == 2 and found["language"] == "zh"
    assert "ru" not in found["text"] and found["text"]["zh"] == "我们仅为组织会议处理您的个人信息。"

    # … and so do the organizer's registration page and export.
    auth.login(make_user(Role.ORGANIZER, event=event))
    base = f"/manage/{event.slug}/registrations"
    page = client.get(f"{base}/{registration.id}?lang=en").text
    assert page.split('id="consent-language">')[1].startswith("read in Chinese")
    workbook = load_workbook(
        io.BytesIO(client.get(f"{base}/export.xlsx", query_string={"lang": "en"}).data)
    )
    header, row = list(workbook.active.iter_rows(values_only=True))[:2]
    assert row[header.index("Privacy notice read in")] == "Chinese"


def _find_consent(data):
    """The "consent" object anywhere in the participant's data download."""
    if isinstance(data, dict):
        if "consent" in data and isinstance(data["consent"], dict):
            return data["consent"]
        for value in data.values():
            found = _find_consent(value)
            if found:
                return found
    if isinstance(data, list):
        for value in data:
            found = _find_consent(value)
            if found:
                return found
    return None


def test_team_members_agree_in_the_leaders_language_when_the_service_is_called_directly(
    trilingual,
):
    from app.registration.models import Attendance
    from app.registration.services import ParticipantData, register_participant

    event, category = trilingual
    data = ParticipantData(
        native_name="Иван Петров",
        latin_name="Ivan Petrov",
        email="ivan@example.org",
        country="RU",
        attendance=Attendance.ONSITE,
        language="ru",
    )
    # No UI locale given: the participant's language picks the text.
    assert register_participant(event, category, data).consent_language == "ru"


@pytest.fixture
def organizer_client(client, auth, make_user):
    def login(event):
        auth.login(make_user(Role.ORGANIZER, event=event))
        return client

    return login


def test_a_fourth_content_language_gets_its_inputs_and_its_texts_without_a_migration(
    organizer_client, make_event
):
    event = make_event(content_languages=["zh", "en"])
    client = organizer_client(event)
    url = f"/manage/{event.slug}/settings"
    before = client.get(url, query_string={"lang": "en"}).text
    assert 'name="title_kk"' not in before

    # Adding "kk" to the content languages and writing its title in the same save.
    form = settings_form(
        content_languages="zh, en, kk",
        description_zh="技术转移",
        description_en="Technology transfer",
        title_kk="Циндао технологиялар трансфері конференциясы",
        venue_kk="Циндао",
        privacy_text_kk="Жеке деректеріңіз тек конференцияны ұйымдастыру үшін өңделеді.",
    )
    assert client.post(url, data=form).status_code == 302
    db.session.refresh(event)
    assert event.languages == ["zh", "en", "kk"]
    assert event.title.text("kk", event.languages) == "Циндао технологиялар трансфері конференциясы"
    assert event.text(event.venue, "kk") == "Циндао"
    # A Russian reader of this event (no Russian text) gets its first content language.
    assert event.text(event.title, "ru") == "新标题"
    latest = db.session.scalars(
        select(ConsentVersion)
        .where(ConsentVersion.event_id == event.id)
        .order_by(ConsentVersion.number.desc())
    ).first()
    assert latest.text["kk"].startswith("Жеке деректеріңіз")

    page = client.get(url, query_string={"lang": "en"}).text
    kk_title = (
        page.split('name="title_kk"')[0].rsplit("<input", 1)[1]
        + page.split('name="title_kk"')[1].split(">")[0]
    )
    assert 'lang="kk"' in kk_title
    assert 'value="Циндао технологиялар трансфері конференциясы"' in page
    # The description has no Kazakh text yet: the completeness mark says so.
    missing = page.split('id="description-missing">')[1].split("</small>")[0]
    assert "Kazakh" in missing and "English" not in missing
    assert 'id="title-complete"' in page


def test_a_language_dropped_from_the_content_languages_keeps_its_texts(
    organizer_client, make_event
):
    event = make_event(
        title=Translated(zh="大会", en="Conference", ru="Конференция"),
        content_languages=["zh", "ru", "en"],
    )
    client = organizer_client(event)
    form = settings_form(content_languages="zh, en", title_zh="大会", title_en="Conference")
    assert client.post(f"/manage/{event.slug}/settings", data=form).status_code == 302
    db.session.refresh(event)
    assert event.languages == ["zh", "en"]
    assert event.title == {"zh": "大会", "en": "Conference", "ru": "Конференция"}


def test_a_title_in_no_language_is_refused(organizer_client, make_event):
    event = make_event()
    response = organizer_client(event).post(
        f"/manage/{event.slug}/settings",
        data=settings_form(title_zh="", title_en=""),
        query_string={"lang": "en"},
    )
    assert response.status_code == 400
    assert "Enter the title in at least one language." in response.text


def test_the_dashboard_lists_the_event_texts_missing_a_content_language(
    organizer_client, make_event, app
):
    event = make_event(
        title=Translated(zh="大会", en="Conference"),
        description=Translated(zh="介绍"),
        venue=Translated(),
        privacy_text=Translated(zh="隐私", ru="Конфиденциальность", en="Privacy"),
        content_languages=["zh", "ru", "en"],
    )
    with app.test_request_context("/?lang=en"):
        gaps = {str(gap.what): gap.missing for gap in content_gaps(event)}
    assert gaps["Event title"] == ("ru",)
    assert gaps["Event description"] == ("ru", "en")
    assert "Venue" not in gaps  # nothing written: nothing lacks a language
    assert "Privacy notice" not in gaps
    page = organizer_client(event).get(f"/manage/{event.slug}/", query_string={"lang": "en"})
    assert "Event description" in page.text
    assert f"/manage/{event.slug}/settings#description-texts" in page.text
