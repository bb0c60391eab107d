"""Issue #17's crawl: the demo read in Russian as a participant, a judge and on the projector.

Every text an organizer wrote (every translated-text column of every table) that has Russian
must reach a Russian reader in Russian: its Chinese or English version appears on no page
they open (the event and registration pages, their personal page, the judge's pages and
tablet sheet, the ranking screen's and the stage's data; not the data download, which holds
every language by design). A text without Russian may show its
fallback; the pages mark it with a `lang` attribute (tested where each text is shown).
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from app.demo import DEMO_SLUG
from app.events.models import Event
from app.extensions import db
from app.judging.models import Round
from app.translated import Translated, TranslatedText
from tests.security.test_headers import crawl, demo_site, sign_in  # noqa: F401

READ = ("text/html", "application/json")
DATA_SCRIPT = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.S)
# The participant's data download holds what is stored, every language of it, by design.
DOWNLOADS = ("/data.json",)
# Shorter texts (a two-letter level title, "A", a number) could stand in other words.
SHORTEST_CHECKED = 4


def written_texts() -> list[Translated]:
    """Every translated text of every row, as stored."""
    texts: list[Translated] = []
    for mapper in db.Model.registry.mappers:
        columns = [
            column
            for column in mapper.columns
            if isinstance(column.type, TranslatedText) and column.table is mapper.local_table
        ]
        for column in columns:
            texts.extend(value for value in db.session.scalars(select(column)) if value)
    return texts


def foreign_versions(texts: list[Translated]) -> dict[str, str]:
    """Chinese and English versions of the texts that have Russian: text → its Russian."""
    found = {}
    for text in texts:
        russian = text.get("ru")
        if not russian:
            continue
        for language, version in text.items():
            if language != "ru" and version != russian and len(version) >= SHORTEST_CHECKED:
                found[version] = russian
    return found


def readable(response) -> str:
    """A page's text with its JSON (answers, and the data scripts a page hands its JavaScript,
    which escape every non-ASCII character) written out as it reads."""
    if response.mimetype == "application/json":
        return json.dumps(response.get_json(), ensure_ascii=False)
    body = response.get_data(as_text=True)
    scripts = [json.loads(html.unescape(data)) for data in DATA_SCRIPT.findall(body)]
    return body + json.dumps(scripts, ensure_ascii=False)


def russian_client(app, email: str | None):
    client = sign_in(app, email)
    assert client.get("/?lang=ru").status_code == 200  # the session remembers the language
    return client


def test_a_russian_reader_sees_the_organizers_texts_in_russian(_app, demo_site):  # noqa: F811
    with _app.app_context():
        texts = written_texts()
        forbidden = foreign_versions(texts)
        event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
        rounds = db.session.scalars(select(Round.id).where(Round.event_id == event.id)).all()
        db.session.remove()
    # The demo writes its texts in Russian too: the check has something to check.
    assert len(forbidden) >= 100, len(forbidden)

    pages = {}
    token = demo_site["manage_token"]
    visitor_starts = ["/", f"/e/{DEMO_SLUG}/", f"/e/{DEMO_SLUG}/register", f"/r/{token}"]
    pages.update(crawl(_app, russian_client(_app, None), visitor_starts))
    pages.update(crawl(_app, russian_client(_app, "judge1@huiwu.local"), [f"/judge/{DEMO_SLUG}/"]))
    organizer = russian_client(_app, "organizer@huiwu.local")
    base = f"/manage/{DEMO_SLUG}/judging/rounds"
    for round_id in rounds:
        for screen in ("screen.json", "stage.json"):
            url = f"{base}/{round_id}/{screen}"
            pages[url] = organizer.get(url)
    paths = {urlsplit(url).path for url in pages}
    assert {f"/e/{DEMO_SLUG}/register", f"/r/{token}", f"/judge/{DEMO_SLUG}/"} <= paths
    assert any(path.startswith(f"/judge/{DEMO_SLUG}/rounds/") for path in paths)  # a sheet

    leaks: dict[str, list[str]] = {}
    russian_shown: set[str] = set()
    for url, response in pages.items():
        if response.status_code != 200 or response.mimetype not in READ:
            continue
        if urlsplit(url).path.endswith(DOWNLOADS):
            continue
        body = readable(response)
        russian_shown.update(russian for russian in forbidden.values() if russian in body)
        found = [version for version in forbidden if version in body]
        if found:
            leaks[url] = found[:5]
    assert leaks == {}, leaks
    # The crawl read Russian pages: the event, categories, questions, rounds, criteria, rubric.
    assert len(russian_shown) >= 40, sorted(russian_shown)
