"""The host script as printed for a lectern, read back from the PDF: a space between each
signatory's title and name, text of at least 14 pt, and no page left half empty."""

from __future__ import annotations

import re

import pytest

from app.ceremonies.documents import render_host_script_pdf
from app.extensions import db
from tests.ceremonies.conftest import item_data, party
from tests.pdf_support import pdf_chars, pdf_text

SIGNATORIES = [("CEO", "Ingrid Solberg"), ("Проректор", "Алексей Петров"), ("主任", "王海峰")]
WITNESSES = [
    ("周建国", "区科技局局长", "青岛市市南区科学技术局"),
    ("Олег Смирнов", "Советник", "Секретариат ШОС"),
]


def items(count: int):
    """count signing items with three parties each, the signatories above among them."""
    return [
        item_data(
            f"中外联合创新合作项目{number}",
            [
                party(f"合作机构{number}甲", "NO", *reversed(SIGNATORIES[number % 3])),
                party(f"合作机构{number}乙", "RU", *reversed(SIGNATORIES[(number + 1) % 3])),
                party(f"合作机构{number}丙", "CN", *reversed(SIGNATORIES[(number + 2) % 3])),
            ],
            witnesses=WITNESSES,
        )
        for number in range(1, count + 1)
    ]


def host_script(make_ceremony, language: str, count: int = 7) -> bytes:
    ceremony = make_ceremony(items=items(count))
    ceremony.host_language = language
    db.session.commit()
    return render_host_script_pdf(ceremony)


@pytest.mark.parametrize("language", ["zh", "en", "ru"])
def test_host_script_puts_a_space_between_each_title_and_name(make_ceremony, language):
    text = re.sub(r"\s+", " ", pdf_text(host_script(make_ceremony, language, count=3)))
    for title, name in SIGNATORIES:
        assert f"{title} {name}" in text, (title, name)
        assert f"{title}{name}" not in text


@pytest.mark.parametrize("language", ["zh", "en", "ru"])
def test_host_script_prints_nothing_smaller_than_14_pt(make_ceremony, language):
    pages = pdf_chars(host_script(make_ceremony, language))
    sizes = [char.size_pt for page in pages for char in page if not char.text.isspace()]
    assert len(sizes) > 500
    assert min(sizes) >= 13.95


@pytest.mark.parametrize("language", ["zh", "en", "ru"])
def test_host_script_fills_every_page_but_the_last(make_ceremony, language):
    """A long signing segment runs on over the page instead of leaving page 1 half empty
    (only a signing item, a few lines, is kept whole)."""
    pages = pdf_chars(host_script(make_ceremony, language))
    assert len(pages) >= 2
    for number, page in enumerate(pages[:-1], start=1):
        # The page number sits in the bottom margin (18 mm); the text area ends above it.
        text_bottom = max(char.bottom for char in page if char.bottom < 297 - 18)
        assert text_bottom > 0.7 * (297 - 18), f"page {number} ends at {text_bottom:.0f} mm"
