"""Rubrics: a criterion's description and level bands in every content language, edited by
organizers, shown on the judge's sheet, cited by the advancement preview and printed on the
results PDF; and the translated-text type they are stored in."""

from __future__ import annotations

import json
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.extensions import db
from app.judging import assignment_services, round_services, scoring_services
from app.judging.errors import JudgingError
from app.judging.models import Criterion, CriterionLevel
from app.judging.round_services import CriterionData, LevelData, RoundData
from app.judging.rubric import band_score, cite_levels, round_rubric, rubric_missing
from app.translated import Translated
from tests.judging.conftest import criteria_rows, full_values, new_client_id

LEVELS = [
    (0, 3, {"zh": "薄弱", "ru": "Слабо", "en": "Weak"}, "no prototype"),
    (3.5, 6, {"zh": "一般", "ru": "Средне", "en": "Adequate"}, "a prototype"),
    (6.5, 8, {"zh": "良好", "ru": "Хорошо", "en": "Strong"}, "pilot users"),
    (8.5, 10, {"zh": "突出", "ru": "Отлично", "en": "Outstanding"}, "paying customers"),
]


def levels(languages=("zh", "ru", "en")) -> list[LevelData]:
    return [
        LevelData(
            low,
            high,
            Translated({lang: title[lang] for lang in languages}),
            Translated({lang: f"{what} ({lang})" for lang in languages}),
        )
        for low, high, title, what in LEVELS
    ]


def rubric_form(languages=("zh", "ru", "en"), rows=LEVELS, **overrides) -> dict:
    data = {f"description_{lang}": f"What counts ({lang})" for lang in languages}
    for i, (low, high, title, what) in enumerate(rows):
        data[f"levels-{i}-low"] = str(low)
        data[f"levels-{i}-high"] = str(high)
        for lang in languages:
            data[f"levels-{i}-title_{lang}"] = title.get(lang, "")
            data[f"levels-{i}-descriptor_{lang}"] = f"{what} ({lang})"
    data.update(overrides)
    return data


@pytest.fixture
def trilingual(competition):
    """A competition whose event writes its texts in zh, ru, en (that fallback order)."""
    comp = competition(entries=3, judges=3, k=3)
    comp.event.content_languages = ["zh", "ru", "en"]
    assignment_services.assign_automatically(comp.round)  # every judge on every entry (k = 3)
    db.session.commit()
    return comp


# --- the translated-text type ----------------------------------------------------------------


def test_translated_text_picks_the_readers_language_then_the_events_order():
    text = Translated(zh="创新性", en="Innovation")
    assert text.pick("ru_RU", ["zh", "ru", "en"]) == ("创新性", "zh")
    assert text.pick("ru", ["en", "zh"]) == ("Innovation", "en")
    assert text.pick("zh_Hans_CN", ["en"]) == ("创新性", "zh")
    assert text.pick("kk", []) == ("创新性", "zh")  # the default order when the event has none
    assert Translated().pick("en") == ("", None)
    assert text.missing(["zh", "ru", "en"]) == ["ru"]
    assert text.with_text("ru", "Инновационность").text("ru") == "Инновационность"
    assert text.with_text("en", "").as_dict() == {"zh": "创新性"}
    assert Translated(zh="  ", en=None) == Translated()
    assert text == {"en": "Innovation", "zh": "创新性"}


def test_a_fourth_language_is_only_data(trilingual):
    """Kazakh needs no migration: it is one more key of the JSON map."""
    criterion = trilingual.round.criteria[0]
    criterion.name = criterion.name.with_text("kk", "Инновациялылық")
    trilingual.event.content_languages = ["zh", "ru", "en", "kk"]
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Criterion, criterion.id)
    assert stored.name.text("kk_KZ", trilingual.event.languages) == "Инновациялылық"
    assert isinstance(stored.name, Translated)
    raw = db.session.execute(
        select(Criterion.__table__.c.name).where(Criterion.id == criterion.id)
    ).scalar_one()
    assert dict(raw) == {"en": "Innovation", "kk": "Инновациялылық", "zh": "创新性"}


# --- validation -----------------------------------------------------------------------------


def test_a_mean_between_two_bands_reaches_the_lower_one(trilingual):
    round_ = trilingual.round
    round_services.set_rubric(round_.criteria[0], Translated(), levels())
    entry = trilingual.entries[0]
    for judge, value in zip(trilingual.judges, (6.0, 6.5, 6.0), strict=True):
        scoring_services.save_sheet(
            round_,
            entry.id,
            judge,
            values=full_values(round_, value),
            comment="",
            submit=True,
            client_id=new_client_id(),
        )
    db.session.commit()
    cited = cite_levels(round_, round_rubric(round_, trilingual.event, "en"), [entry.id])
    assert cited[entry.id][0].mean == 6.17
    assert cited[entry.id][0].level.title.text == "Adequate"
    assert cited[entry.id][1].level is None  # no rubric on the second criterion


def test_band_score_is_the_middle_of_the_band_on_the_step_grid():
    assert [band_score(lo, hi, 0, 0.5) for lo, hi, _, _ in LEVELS] == [1.5, 5.0, 7.5, 9.5]
    assert [band_score(lo, hi, 0, 1) for lo, hi in [(0, 3), (4, 6), (7, 8), (9, 10)]] == [
        2,
        5,
        8,
        10,
    ]
    assert band_score(10, 10, 0, 0.5) == 10


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            [
                LevelData(0, 4, descriptor=Translated(en="a")),
                LevelData(4, 10, descriptor=Translated(en="b")),
            ],
            "overlap",
        ),
        ([LevelData(-1, 3, descriptor=Translated(en="a"))], "within"),
        ([LevelData(8, 11, descriptor=Translated(en="a"))], "within"),
        ([LevelData(6, 3, descriptor=Translated(en="a"))], "not be above"),
        ([LevelData(0, 3, title=Translated(en="Weak"))], "what earns it"),
        ([LevelData(float("nan"), 3, descriptor=Translated(en="a"))], "not be above"),
        ([LevelData(i, i, descriptor=Translated(en="a")) for i in range(9)], "at most 8"),
    ],
)
def test_bad_levels_are_refused_and_nothing_changes(trilingual, bad, message):
    criterion = trilingual.round.criteria[0]
    round_services.set_rubric(criterion, Translated(en="d"), levels())
    db.session.commit()
    with pytest.raises(JudgingError) as refused:
        round_services.set_rubric(criterion, Translated(en="other"), bad)
    with force_locale("en"):
        assert message in str(refused.value.message)
    db.session.rollback()
    assert [lv.low for lv in db.session.get(Criterion, criterion.id).levels] == [0, 3.5, 6.5, 8.5]


def test_a_round_edit_keeps_the_rubric_of_renamed_and_reweighted_criteria(trilingual):
    round_ = trilingual.round
    first = round_.criteria[0]
    round_services.set_rubric(first, Translated(zh="看新颖", en="novelty"), levels())
    db.session.commit()
    rows = criteria_rows(weights=[40, 15, 20, 15, 10])
    rows[0].name = Translated(zh="创新", ru="Новизна", en="Novelty")
    rows[0].max_score = 8  # the last band (8.5–10) no longer fits and goes
    round_services.update_round(
        round_,
        RoundData(name=Translated(zh="初赛", en="Preliminary"), kind=round_.kind, criteria=rows),
    )
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Criterion, first.id)
    assert kept.name.text("ru") == "Новизна"
    assert kept.weight == 40
    assert kept.description.text("en") == "novelty"
    assert [(lv.low, lv.high) for lv in kept.levels] == [(0, 3), (3.5, 6), (6.5, 8)]


# --- the organizer's editor -----------------------------------------------------------------


def rubric_url(comp, criterion) -> str:
    return (
        f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}/criteria/{criterion.id}/rubric"
    )


def test_organizer_writes_a_rubric_in_every_content_language(trilingual, auth, client):
    criterion = trilingual.round.criteria[0]
    auth.login(trilingual.organizer)
    page = client.get(rubric_url(trilingual, criterion) + "?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ("description_zh", "description_ru", "description_en", "levels-0-title_ru"):
        assert f'name="{name}"' in html
    assert 'lang="ru"' in html
    response = client.post(rubric_url(trilingual, criterion), data=rubric_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#rubric")
    db.session.expire_all()
    saved = db.session.get(Criterion, criterion.id)
    assert saved.description.text("ru") == "What counts (ru)"
    assert [lv.title.text("ru") for lv in saved.levels] == ["Слабо", "Средне", "Хорошо", "Отлично"]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "judging.rubric_edit"))
    entry = audit.one()
    assert entry.target == f"criterion:{criterion.id}"
    assert entry.details["levels"] == 4
    assert entry.details["languages_missing"] == ["ru"]  # the criterion's name has no Russian

    # The saved bands read back as the organizer wrote them: "0" and "3", not "0.0" and "3.0".
    again = client.get(rubric_url(trilingual, criterion) + "?lang=en").get_data(as_text=True)
    assert re.search(r'name="levels-0-low"[^>]*value="0"', again)
    assert re.search(r'name="levels-1-low"[^>]*value="3.5"', again)

    round_page = client.get(
        f"/manage/{trilingual.event.slug}/judging/rounds/{trilingual.round.id}/?lang=en"
    )
    assert "Слабо" not in round_page.get_data(as_text=True)  # an English reader sees English
    assert "Outstanding" in round_page.get_data(as_text=True)


def test_the_round_page_says_which_language_a_rubric_lacks(trilingual, auth, client):
    criterion = trilingual.round.criteria[0]
    form = rubric_form(languages=("zh", "en"))
    auth.login(trilingual.organizer)
    assert client.post(rubric_url(trilingual, criterion), data=form).status_code == 302
    db.session.expire_all()
    assert rubric_missing(db.session.get(Criterion, criterion.id), ["zh", "ru", "en"]) == ["ru"]
    html = client.get(
        f"/manage/{trilingual.event.slug}/judging/rounds/{trilingual.round.id}/?lang=en"
    ).get_data(as_text=True)
    assert "Missing in: Russian" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"levels-1-low": "2.5"}, "Levels must not overlap"),
        ({"levels-3-high": "12"}, "within the criterion"),
        ({"levels-0-high": ""}, "lowest and highest score"),
        ({"levels-0-low": "abc"}, "Not a valid float value"),
        ({"description_ru": "x" * 1001}, "1000"),
    ],
)
def test_a_bad_rubric_gets_a_message_and_nothing_is_stored(
    trilingual, auth, client, overrides, message
):
    criterion = trilingual.round.criteria[0]
    auth.login(trilingual.organizer)
    response = client.post(
        rubric_url(trilingual, criterion) + "?lang=en", data=rubric_form(**overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(CriterionLevel)).all() == []


def test_only_the_events_organizers_edit_a_rubric(trilingual, auth, client, make_user, make_event):
    criterion = trilingual.round.criteria[0]
    url = rubric_url(trilingual, criterion)
    assert client.get(url).status_code in (302, 401)
    auth.login(trilingual.judges[0])
    assert client.get(url).status_code == 403
    assert client.post(url, data=rubric_form()).status_code in (400, 403)
    auth.logout()
    auth.login(make_user(Role.ORGANIZER, event=make_event()))
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(trilingual.organizer)
    assert (
        client.get(url.replace(f"/criteria/{criterion.id}/", "/criteria/99999/")).status_code == 404
    )
    db.session.expire_all()
    assert db.session.scalars(select(CriterionLevel)).all() == []


# --- what judges and readers see -----------------------------------------------------------


def test_the_judges_sheet_carries_the_rubric_in_the_judges_language(trilingual, auth, client):
    criterion = trilingual.round.criteria[0]
    round_services.set_rubric(
        criterion, Translated(zh="看新颖", en="novelty"), levels(("zh", "ru", "en"))
    )
    db.session.commit()
    auth.login(trilingual.judges[0])
    html = client.get(
        f"/judge/{trilingual.event.slug}/rounds/{trilingual.round.id}/?lang=ru"
    ).get_data(as_text=True)
    data = json.loads(re.search(r'id="tablet-data">(.*?)</script>', html, re.S).group(1))
    first = data["criteria"][0]
    assert first["name"] == "创新性" and first["nameLang"] == "zh"  # no Russian name: zh is next
    assert first["description"] == "看新颖" and first["descriptionLang"] == "zh"
    assert [(lv["band"], lv["target"], lv["title"]) for lv in first["levels"]] == [
        ("0–3", 1.5, "Слабо"),
        ("3.5–6", 5.0, "Средне"),
        ("6.5–8", 7.5, "Хорошо"),
        ("8.5–10", 9.5, "Отлично"),
    ]
    assert first["levels"][0]["descriptor"] == "no prototype (ru)"
    assert data["criteria"][1]["levels"] == []


def test_the_advancement_preview_cites_the_level_each_mean_reaches(trilingual, auth, client):
    round_ = trilingual.round
    for criterion in round_.criteria:
        round_services.set_rubric(criterion, Translated(), levels())
    db.session.commit()
    scores = {0: 9.0, 1: 7.0, 2: 6.0}
    for index, entry in enumerate(trilingual.entries):
        for judge in trilingual.judges:
            scoring_services.save_sheet(
                round_,
                entry.id,
                judge,
                values=full_values(round_, scores[index]),
                comment="",
                submit=True,
                client_id=new_client_id(),
            )
    db.session.commit()
    rubric = round_rubric(round_, trilingual.event, "en")
    cited = cite_levels(round_, rubric, [e.id for e in trilingual.entries])
    assert [c.level.title.text for c in cited[trilingual.entries[0].id]] == ["Outstanding"] * 5
    assert cited[trilingual.entries[2].id][0].level.title.text == "Adequate"  # 6.0: top of 3.5–6
    round_services.create_round(
        trilingual.event,
        RoundData(
            name=Translated(zh="复赛", en="Semifinal"), kind="semifinal", criteria=criteria_rows()
        ),
    )
    db.session.commit()
    auth.login(trilingual.organizer)
    html = client.get(
        f"/manage/{trilingual.event.slug}/judging/rounds/{round_.id}/?lang=en"
    ).get_data(as_text=True)
    preview = html[html.index('class="advancement-preview"') :]
    assert (
        'Innovation <span class="numbers">9</span> · <span lang="en">Outstanding</span>' in preview
    )


def test_the_results_pdf_prints_the_rubric(trilingual, auth, client):
    from tests.pdf_support import pdf_text

    for criterion in trilingual.round.criteria:
        round_services.set_rubric(criterion, Translated(en="What the judge looks at"), levels())
    db.session.commit()
    auth.login(trilingual.organizer)
    response = client.get(
        f"/manage/{trilingual.event.slug}/judging/rounds/{trilingual.round.id}/results.pdf?lang=en"
    )
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Rubric" in text
    assert "What the judge looks at" in text
    assert "pilot users (en)" in text
    assert "8.5–10" in text


def test_rubric_free_rounds_print_no_rubric_page(trilingual, auth, client):
    from tests.pdf_support import pdf_text

    auth.login(trilingual.organizer)
    response = client.get(
        f"/manage/{trilingual.event.slug}/judging/rounds/{trilingual.round.id}/results.pdf?lang=en"
    )
    assert "Rubric" not in pdf_text(response.data)


def test_criteria_with_a_rubric_are_created_in_one_call(app, make_event):
    event = make_event()
    round_ = round_services.create_round(
        event,
        RoundData(
            name=Translated(zh="决赛", en="Final"),
            kind="final",
            criteria=[
                CriterionData(
                    Translated(zh="创新性", ru="Инновационность", en="Innovation"),
                    100,
                    description=Translated(en="novelty"),
                    levels=levels(),
                )
            ],
        ),
    )
    db.session.commit()
    assert [lv.title.text("ru") for lv in round_.criteria[0].levels][-1] == "Отлично"


def test_texts_in_a_language_the_event_dropped_are_kept_when_the_forms_are_saved(
    trilingual, auth, client
):
    """Taking Russian off the event's list hides its fields; saving the forms keeps its texts."""
    criterion = trilingual.round.criteria[0]
    criterion.name = criterion.name.with_text("ru", "Инновационность")
    round_services.set_rubric(criterion, Translated(zh="看", ru="Новизна", en="look"), levels())
    trilingual.event.content_languages = ["zh", "en"]
    db.session.commit()
    auth.login(trilingual.organizer)
    form = rubric_form(languages=("zh", "en"))
    assert client.post(rubric_url(trilingual, criterion), data=form).status_code == 302
    round_form = {
        "name_zh": "初赛",
        "name_en": "Preliminary",
        "kind": "preliminary",
        "judges_per_entry": "3",
        "aggregation": "weighted_mean",
        "advancement_rule": "top_n",
        "advancement_value": "10",
        "pitch_minutes": "8",
        "qa_minutes": "7",
    }
    for i, c in enumerate(trilingual.round.criteria):
        round_form.update(
            {
                f"criteria-{i}-name_zh": c.name["zh"],
                f"criteria-{i}-name_en": f"C{i} renamed",
                f"criteria-{i}-weight": str(c.weight),
                f"criteria-{i}-min_score": "0",
                f"criteria-{i}-max_score": "10",
                f"criteria-{i}-step": "0.5",
            }
        )
    edit = f"/manage/{trilingual.event.slug}/judging/rounds/{trilingual.round.id}/edit"
    assert client.post(edit, data=round_form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Criterion, criterion.id)
    assert saved.name.as_dict() == {"en": "C0 renamed", "ru": "Инновационность", "zh": "创新性"}
    assert saved.description["ru"] == "Новизна"
    assert [lv.title["ru"] for lv in saved.levels] == ["Слабо", "Средне", "Хорошо", "Отлично"]
    assert saved.levels[0].descriptor["en"] == "no prototype (en)"


def test_the_dashboard_lists_texts_lacking_a_content_language(trilingual, auth, client):
    """Contributed content gaps: a rubric without Russian is listed on the event dashboard with
    a link to where it is written; once written in every language, it is not listed."""
    criterion = trilingual.round.criteria[0]
    auth.login(trilingual.organizer)
    client.post(rubric_url(trilingual, criterion), data=rubric_form(languages=("zh", "en")))
    dashboard = f"/manage/{trilingual.event.slug}/?lang=en"
    html = client.get(dashboard).get_data(as_text=True)
    gaps = html[html.index('id="content-gaps"') :]
    assert "criteria and rubric" in gaps
    assert "Russian" in gaps
    assert f"/judging/rounds/{trilingual.round.id}/#rubric" in gaps

    round_ = trilingual.round
    round_.name = Translated(zh="初赛", ru="Отборочный тур", en="Preliminary")
    for c in round_.criteria:
        c.name = Translated(zh=f"标准{c.id}", ru=f"Критерий {c.id}", en=f"Criterion {c.id}")
    db.session.commit()
    client.post(rubric_url(trilingual, criterion), data=rubric_form())
    html = client.get(dashboard).get_data(as_text=True)
    # The round's texts are complete; what is left (the event's own texts) is not judging's.
    assert "criteria and rubric" not in html
    assert f"/judging/rounds/{trilingual.round.id}/#rubric" not in html
