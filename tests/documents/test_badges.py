"""Print geometry of badges, read back from the rendered PDF: as many badges per A4 sheet as
fit, cut marks where the guillotine goes, and every text whole and inside its own block."""

from __future__ import annotations

import io
import math

import pypdfium2 as pdfium
import pytest
from PIL import Image

from app.documents.badges import BADGE_SIZES, BadgeData, render_badge_pdf, render_badge_sheet_pdf
from app.documents.tickets import issue_ticket_code
from tests.pdf_support import MM_PER_PT, decode_qr_codes, find_chars, pdf_chars

KEY = bytes(range(32))
A4_MM = (210, 297)
TITLES = {
    "zh": "2020青岛国际技术转移大会暨第二届上合组织成员国青年创新创业大赛",
    "en": "2020 Qingdao International Technology Transfer Conference and the 2nd SCO "
    "Member States Youth Innovation and Entrepreneurship Competition",
    "ru": "Циндаоская международная конференция по трансферу технологий 2020 и второй "
    "конкурс молодёжных инноваций и предпринимательства государств — членов ШОС",
    "latin-120": (
        "International Interdisciplinary Symposium on Sustainable Urban Infrastructure, "
        "Electromobility and Renewable Energy Grid"
    ),
    "cjk-120": "国际城市可持续基础设施电动交通与可再生能源系统跨学科研讨会暨" * 4,
}
assert len(TITLES["latin-120"]) == len(TITLES["cjk-120"]) == 120


def codes(count: int, event: int = 1) -> list[str]:
    return [issue_ticket_code(KEY, event, index, 1) for index in range(count)]


def grid(size: str) -> tuple[int, int]:
    """Columns and rows of badges that fit an A4 portrait page (what a sheet must hold)."""
    width, height = BADGE_SIZES[size]
    return math.floor(A4_MM[0] / width), math.floor(A4_MM[1] / height)


@pytest.mark.parametrize("size", sorted(BADGE_SIZES))
def test_sheet_puts_four_badges_on_each_a4_page_and_every_qr_decodes(size):
    tickets = codes(9)
    pdf = render_badge_sheet_pdf(
        [BadgeData(name=f"张伟{i}", ticket_code=code) for i, code in enumerate(tickets)],
        size=size,
        workers=1,
    )
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 3  # ceil(9 / 4)
    per_page = []
    for page in document:
        width, height = page.get_size()
        assert (round(width * MM_PER_PT), round(height * MM_PER_PT)) == A4_MM
        per_page.append(decode_qr_codes(page.render(scale=200 / 72).to_pil()))
    assert [len(found) for found in per_page] == [4, 4, 1]
    assert sorted(code for found in per_page for code in found) == sorted(tickets)


@pytest.mark.parametrize("size", sorted(BADGE_SIZES))
def test_sheet_of_120_badges_is_30_pages(size):
    pdf = render_badge_sheet_pdf([BadgeData(name=f"李娜{i}") for i in range(120)], size=size)
    assert len(pdfium.PdfDocument(pdf)) == 30


def ink(image, x_mm: float, y_mm: float, dpi: int) -> int:
    """The darkest grey level within 0.3 mm of a point (0 black, 255 white)."""
    radius = max(1, round(0.3 / 25.4 * dpi))
    cx, cy = round(x_mm / 25.4 * dpi), round(y_mm / 25.4 * dpi)
    return min(
        image.getpixel((x, y))
        for x in range(max(0, cx - radius), min(image.width, cx + radius + 1))
        for y in range(max(0, cy - radius), min(image.height, cy + radius + 1))
    )


def marked(image, points, dpi: int) -> bool:
    """Whether a line is drawn through every point."""
    return all(ink(image, x, y, dpi) < 160 for x, y in points)


@pytest.mark.parametrize("size", sorted(BADGE_SIZES))
def test_sheet_marks_every_cut_line_outside_the_badges_or_on_the_cut(size):
    """Each cut line is marked near both paper edges: in the margin when there is one, and
    otherwise (4 × A6 fill the A4) on the cut between two badges, which the cut removes."""
    columns, rows = grid(size)
    width, height = BADGE_SIZES[size]
    left, top = (A4_MM[0] - columns * width) / 2, (A4_MM[1] - rows * height) / 2
    white = {"category_color": "#FFFFFF", "accent_color": "#FFFFFF"}  # only marks are ink
    pdf = render_badge_sheet_pdf(
        [BadgeData(name="", **white) for _ in range(columns * rows)], size=size, workers=1
    )
    dpi = 300
    image = pdfium.PdfDocument(pdf)[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")

    def ends(margin: float, paper: float) -> list[tuple[float, float]]:
        """Stretches where a mark must be: in each margin, or within 8 mm of each edge
        (printers do not print the outer 4 mm)."""
        if margin >= 5:
            return [(margin - 4.5, margin - 2.5), (paper - margin + 2.5, paper - margin + 4.5)]
        return [(4.5, 7.5), (paper - 7.5, paper - 4.5)]

    xs = [left + i * width for i in range(columns + 1)]
    ys = [top + i * height for i in range(rows + 1)]
    if left < 1:
        xs = xs[1:-1]  # those edges are the paper's
    if top < 1:
        ys = ys[1:-1]
    checked = 0
    for x in xs:
        for start, end in ends(top, A4_MM[1]):
            points = [(x, start + (end - start) * t / 4) for t in range(5)]
            assert marked(image, points, dpi), (size, "vertical cut", x, start)
            assert not marked(image, [(x + 1.5, y) for _, y in points], dpi)  # a thin line
            checked += 1
    for y in ys:
        for start, end in ends(left, A4_MM[0]):
            points = [(start + (end - start) * t / 4, y) for t in range(5)]
            assert marked(image, points, dpi), (size, "horizontal cut", y, start)
            assert not marked(image, [(x, y + 1.5) for x, _ in points], dpi)
            checked += 1
    assert checked >= 4


def badge_blocks(badge: BadgeData) -> dict[str, str]:
    """The badge's texts in the order of its blocks, top to bottom."""
    texts = {
        "event": badge.event_name,
        "dates": badge.event_dates,
        "name": badge.name,
        "latin": badge.latin_name,
        "organization": badge.organization,
        "title": badge.title,
        "code": badge.ticket_code or "",
        "band": badge.category_label,
    }
    return {block: text for block, text in texts.items() if text}


def assert_every_text_whole_and_in_its_place(badge: BadgeData) -> None:
    """Each text is printed whole, inside the badge, and entirely below the text before it.

    A block hides what overflows it, and clipped text stays in the PDF's text layer: but it
    is drawn past the block's edge, over the next block, so its glyphs would not lie above
    the next text's glyphs.
    """
    pdf = render_badge_pdf(badge)
    (chars,) = pdf_chars(pdf)
    width, height = BADGE_SIZES[badge.size]
    previous_bottom, previous = 0.0, "top edge"
    taken: set = set()  # the name and its Latin form may be the same text
    for block, text in badge_blocks(badge).items():
        found = find_chars(chars, text, taken)
        assert found is not None, f"{block} is not printed whole: {text!r}"
        taken.update(found)
        left, right = min(c.left for c in found), max(c.right for c in found)
        assert left >= 0.5 and right <= width - 0.5, f"{block} runs past a side of the badge"
        assert min(c.top for c in found) >= previous_bottom - 0.05, f"{block} overlaps {previous}"
        previous_bottom, previous = max(c.bottom for c in found), block
    assert previous_bottom <= height - 0.5


@pytest.mark.parametrize("size", sorted(BADGE_SIZES))
@pytest.mark.parametrize("title", sorted(TITLES))
def test_event_title_is_printed_whole_inside_its_block(size, title):
    badge = BadgeData(
        name="Ingrid Solberg",
        latin_name="Solberg Ingrid",
        organization="Norway Future Innovation Alliance",
        title="Chief Executive Officer",
        category_label="Guest",
        event_name=TITLES[title],
        event_dates="16 дек. 2026 г. – 17 дек. 2026 г.",
        ticket_code=issue_ticket_code(KEY, 9, 1, 1),
        size=size,
    )
    assert_every_text_whole_and_in_its_place(badge)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("size", sorted(BADGE_SIZES))
@pytest.mark.parametrize("title", ["en", "latin-120"])
def test_event_title_beside_the_logo_is_printed_whole_and_clear_of_it(size, title):
    badge = BadgeData(
        name="Ingrid Solberg",
        event_name=TITLES[title],
        event_dates="Dec 16, 2026 – Dec 17, 2026",
        ticket_code=issue_ticket_code(KEY, 9, 3, 1),
        logo_png=png(240, 100),  # printed 10 mm high, so 24 mm wide: the widest logo
        size=size,
    )
    assert_every_text_whole_and_in_its_place(badge)
    (chars,) = pdf_chars(render_badge_pdf(badge))
    scale = BADGE_SIZES[size][0] / 105
    logo_right, logo_bottom = (6 + 24) * scale, (3 + 2.5 + 10) * scale
    for text in (badge.event_name, badge.event_dates):
        for char in find_chars(chars, text):
            assert char.left >= logo_right or char.top >= logo_bottom, (char, "on the logo")


LONG_TEXTS = {
    "latin": dict(
        name="Ingrid Kari Silje Solveig Nora Ragnhild Solberg-Christiansen",
        latin_name="Ingrid Kari Silje Solveig Nora Ragnhild Solberg-Christiansen",
        organization="Norwegian University of Science and Technology, Department of "
        "Marine Technology, Centre for Autonomous Marine Operations and Systems",
        title="Senior Vice President for International Partnerships and Technology Transfer, "
        "Head of the Nordic Office",
        category_label="Distinguished International Guest Speaker",
    ),
    "cjk": dict(
        name="欧阳娜娜丽莎·阿卜杜拉赫曼诺娃",
        latin_name="Ouyang Nana Lisa Abdurakhmanova",
        organization="中国—上海合作组织技术转移中心（青岛）暨上合组织成员国青年创新创业服务平台运营管理办公室",
        title="国际合作与技术转移部副主任兼青年创新创业服务平台项目总监",
        category_label="高校及科研院所特邀嘉宾代表",
    ),
    "cyrillic": dict(
        name="Александра Константиновна Преображенская-Верещагина",
        latin_name="Aleksandra Konstantinovna Preobrazhenskaya-Vereshchagina",
        organization="Санкт-Петербургский государственный морской технический университет "
        "(Институт кораблестроения и океанотехники)",
        title="Проректор по международному сотрудничеству и трансферу технологий",
        category_label="Представитель компании-участника",
    ),
    "maximum": dict(
        name="Name " * 20,
        latin_name="Latin " * 16,
        organization="Organization " * 15,
        title="Title " * 33,
        category_label="Category " * 11,
    ),
}


@pytest.mark.parametrize("size", sorted(BADGE_SIZES))
@pytest.mark.parametrize("texts", sorted(LONG_TEXTS))
def test_long_names_and_titles_shrink_or_wrap_but_print_whole(size, texts):
    badge = BadgeData(
        event_name=TITLES["zh"],  # fits (the test above is about the event's name)
        event_dates="Dec 16, 2026 – Dec 17, 2026",
        ticket_code=issue_ticket_code(KEY, 9, 2, 1),
        size=size,
        **LONG_TEXTS[texts],
    )
    assert_every_text_whole_and_in_its_place(badge)


def test_short_name_keeps_its_large_size():
    (chars,) = pdf_chars(render_badge_pdf(BadgeData(name="王伟", event_name=TITLES["en"])))
    assert min(c.size_pt for c in find_chars(chars, "王伟")) >= 39
