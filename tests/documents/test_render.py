"""PDF rendering: real glyphs for Chinese/Cyrillic/Latin names, a decodable QR, safety."""

import io

import pypdfium2 as pdfium
import pytest
from weasyprint.urls import URLFetchingError

from app.documents import render
from app.documents.badges import BadgeData, render_badge_pdf, render_badge_sheet_pdf
from app.documents.qr import qr_png, qr_svg
from app.documents.tickets import issue_ticket_code
from tests.pdf_support import decode_qr_codes

KEY = bytes(range(32))
NAMES = ["王喆𠮷", "Иван Петров", "Jean-Luc Dupré"]


def _pages(pdf: bytes) -> list:
    """Open a PDF with pdfium."""
    document = pdfium.PdfDocument(pdf)
    return [document[i] for i in range(len(document))]


def _decode_qr_codes(page) -> list[str]:
    """Rasterise a page and decode every QR code on it."""
    image = page.render(scale=300 / 72).to_pil()
    return decode_qr_codes(image)


def _embedded_font_names(pdf: bytes) -> list[str]:
    """List the embedded font names of a PDF's first page."""
    document = pdfium.PdfDocument(pdf)
    textpage = document[0].get_textpage()
    names = set()
    import pypdfium2.raw as raw

    for index in range(textpage.count_chars()):
        font = raw.FPDFText_GetTextObject(textpage.raw, index)
        if not font:
            continue
        buffer = (raw.c_char * 256)()
        length = raw.FPDFFont_GetBaseFontName(raw.FPDFTextObj_GetFont(font), buffer, 256)
        if length:
            names.add(bytes(buffer[: length - 1]).decode())
    return sorted(names)


@pytest.mark.parametrize("name", NAMES)
def test_badge_name_renders_with_real_glyphs_and_qr_decodes(name):
    code = issue_ticket_code(KEY, 3, 4, 1)
    pdf = render_badge_pdf(BadgeData(name=name, latin_name="Latin", ticket_code=code))
    page = _pages(pdf)[0]
    text = page.get_textpage().get_text_range()
    assert name in text
    assert _decode_qr_codes(page) == [code]
    # Every character came from our own fonts, none from a system fallback.
    fonts = _embedded_font_names(pdf)
    assert fonts and all("Huiwu" in font for font in fonts)


def test_rare_characters_get_glyphs_not_tofu():
    """Characters outside GB2312 are drawn from a supplement font with real outlines."""
    pdf = render_badge_pdf(BadgeData(name="喆堃玥𠮷", ticket_code=issue_ticket_code(KEY, 1, 1, 1)))
    fonts = _embedded_font_names(pdf)
    assert any("HuiwuSupplement" in font for font in fonts)
    # A glyph with outlines covers pixels; tofu would be an empty or boxed glyph. Compare
    # the rendered name area with a badge whose name is empty.
    page = _pages(pdf)[0]
    text_page = page.get_textpage()
    assert "喆堃玥𠮷" in text_page.get_text_range()
    for index in range(text_page.count_chars()):
        if text_page.get_text_range(index, 1) in "喆堃玥":
            left, bottom, right, top = text_page.get_charbox(index)
            assert right - left > 10 and top - bottom > 10


def test_supplement_does_not_leak_into_next_document():
    render_badge_pdf(BadgeData(name="堃", ticket_code=issue_ticket_code(KEY, 1, 1, 1)))
    pdf = render_badge_pdf(BadgeData(name="张伟", ticket_code=issue_ticket_code(KEY, 1, 2, 1)))
    assert all("HuiwuSupplement" not in font for font in _embedded_font_names(pdf))


def test_online_attendee_badge_shows_link_instead_of_qr():
    url = "https://meet.example.com/r/abc"
    pdf = render_badge_pdf(BadgeData(name="张伟", online_access_url=url, size="90x130"))
    page = _pages(pdf)[0]
    assert url in page.get_textpage().get_text_range().replace("\n", "").replace("\r", "")
    assert _decode_qr_codes(page) == []
    width, height = page.get_size()
    assert round(width / 72 * 25.4) == 90 and round(height / 72 * 25.4) == 130


def test_huge_name_and_emoji_keep_one_page_and_qr_readable():
    code = issue_ticket_code(KEY, 9, 9, 9)
    badge = BadgeData(
        name="名🙂" * 100,
        latin_name="X" * 200,
        organization="O" * 300,
        title="T" * 200,
        category_label="L" * 100,
        event_name="E" * 300,
        ticket_code=code,
    )
    pages = _pages(render_badge_pdf(badge))
    assert len(pages) == 1
    assert _decode_qr_codes(pages[0]) == [code]


def test_script_in_name_is_escaped():
    html = render.render_html(
        "badge.html",
        {
            "badge": {
                "name": "<script>alert(1)</script>",
                "scale": 1,
                "page_width_mm": 105,
                "page_height_mm": 148,
                "styles": {},
                "category_color": "#000",
                "organization": '"><img src=x>',
            }
        },
    )
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x>" not in html


def test_sandbox_blocks_unsafe_attribute_access(tmp_path):
    from jinja2.exceptions import SecurityError

    environment = render._get_renderer().environment
    with pytest.raises(SecurityError):
        environment.from_string("{{ x.__class__.__mro__ }}").render(x=1)


def test_bad_category_colour_falls_back_to_default():
    from app.documents.badges import DEFAULT_COLOR, badge_context

    context = badge_context(BadgeData(name="x", category_color="red;background:url(x)"))
    assert context["category_color"] == DEFAULT_COLOR


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/logo.png",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "file://evil.example.com/share/x.png",
    ],
)
def test_url_fetcher_refuses_foreign_resources(url):
    fetcher = render._get_renderer().fetcher
    with pytest.raises(render.URLRefusedError):
        fetcher.fetch(url)


def test_url_fetcher_refuses_path_traversal_out_of_static():
    fetcher = render._get_renderer().fetcher
    traversal = (render.STATIC_DIR / "img").as_uri() + "/../../../../etc/passwd"
    with pytest.raises(render.URLRefusedError):
        fetcher.fetch(traversal)


def test_url_fetcher_allows_data_urls_and_built_fonts():
    fetcher = render._get_renderer().fetcher
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    font = next(iter(render._get_renderer().font_files.paths.values()))
    assert fetcher.fetch(font.as_uri()).read()[:4] == b"\x00\x01\x00\x00"


def test_document_cannot_embed_local_files(tmp_path):
    from weasyprint.urls import fetch

    secret = tmp_path / "secret.png"
    secret.write_bytes(qr_png("secret", box_size=2))
    fetcher = render._get_renderer().fetcher
    with pytest.raises(URLFetchingError), fetch(fetcher, secret.as_uri()):
        pass


def test_translations_are_applied():
    class French:
        def gettext(self, message):
            return {"Online attendee": "Participant en ligne"}.get(message, message)

        def ngettext(self, singular, plural, n):
            return singular if n == 1 else plural

    pdf = render_badge_pdf(
        BadgeData(name="Zoé", online_access_url="https://x.example"), translations=French()
    )
    assert "Participant en ligne" in _pages(pdf)[0].get_textpage().get_text_range()


def test_qr_png_and_svg_decode_to_the_data():
    from PIL import Image

    data = issue_ticket_code(KEY, 1, 2, 3)
    assert decode_qr_codes(Image.open(io.BytesIO(qr_png(data)))) == [data]
    svg = qr_svg(data)
    assert svg.startswith("<svg") and "<script" not in svg


def test_badge_sheet_has_four_badges_per_a4_page_all_decodable():
    codes = [issue_ticket_code(KEY, 1, i, 1) for i in range(6)]
    seen = []
    pdf = render_badge_sheet_pdf(
        [BadgeData(name=f"张伟{i}", ticket_code=code) for i, code in enumerate(codes)],
        progress=lambda done, total: seen.append((done, total)),
    )
    pages = _pages(pdf)
    assert len(pages) == 2
    width, height = pages[0].get_size()
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297
    decoded = sorted(_decode_qr_codes(pages[0]) + _decode_qr_codes(pages[1]))
    assert decoded == sorted(codes)
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)


def test_fixed_mask_qr_codes_decode_when_small_and_blurred():
    """The fixed mask (MASK_PATTERN) stays readable at 2 px per module with blur."""
    from PIL import Image, ImageFilter

    from app.documents.qr import QUIET_ZONE, qr_matrix

    failures = 0
    codes = [
        issue_ticket_code(KEY, event, reg, 1) for event in (1, 77) for reg in range(0, 5000, 50)
    ]
    for code in codes:
        matrix = qr_matrix(code)
        size = len(matrix) + 2 * QUIET_ZONE
        image = Image.new("L", (size, size), 255)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    image.putpixel((x + QUIET_ZONE, y + QUIET_ZONE), 0)
        image = image.resize((size * 2, size * 2), Image.NEAREST).filter(
            ImageFilter.GaussianBlur(0.8)
        )
        if decode_qr_codes(image) != [code]:
            failures += 1
    assert failures <= len(codes) // 50


def test_badge_qr_is_vector_not_an_image():
    code = issue_ticket_code(KEY, 5, 6, 1)
    pdf = render_badge_pdf(BadgeData(name="张伟", ticket_code=code))
    assert b"/Subtype /Image" not in pdf
    page = _pages(pdf)[0]
    # Readable at a low resolution too (about 6 px per module).
    assert decode_qr_codes(page.render(scale=1.0).to_pil()) == [code]


def test_badge_prints_logo_and_accent_colour():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (0, 160, 0)).save(buffer, format="PNG")
    code = issue_ticket_code(KEY, 5, 7, 1)
    pdf = render_badge_pdf(
        BadgeData(name="张伟", ticket_code=code, logo_png=buffer.getvalue(), accent_color="#CC0000")
    )
    assert b"/Subtype /Image" in pdf
    image = _pages(pdf)[0].render(scale=2).to_pil().convert("RGB")
    # The accent stripe runs along the top edge.
    red, green, blue = image.getpixel((image.width // 2, 3))
    assert red > 180 and green < 60 and blue < 60
    assert _decode_qr_codes(_pages(pdf)[0]) == [code]


def test_sheet_in_forked_workers_keeps_every_qr_and_order():
    codes = [issue_ticket_code(KEY, 2, i, 1) for i in range(10)]
    from app.documents import badges

    previous = badges.SHEET_CHUNK
    badges.SHEET_CHUNK = 4  # three chunks, laid out by two workers
    try:
        pdf = render_badge_sheet_pdf(
            [BadgeData(name=f"李娜{i}", ticket_code=code) for i, code in enumerate(codes)],
            workers=2,
        )
    finally:
        badges.SHEET_CHUNK = previous
    pages = _pages(pdf)
    assert len(pages) == 3
    decoded = [code for page in pages for code in _decode_qr_codes(page)]
    assert sorted(decoded) == sorted(codes)
    text = "".join(page.get_textpage().get_text_range() for page in pages)
    assert [text.index(f"李娜{i}") for i in range(10)] == sorted(
        text.index(f"李娜{i}") for i in range(10)
    )


def test_badge_stylesheet_is_parsed_once_per_size():
    from app.documents.badges import badge_stylesheet

    renderer = render._get_renderer()
    render_badge_pdf(BadgeData(name="王伟", size="90x130"))
    parsed = renderer.stylesheets[badge_stylesheet("90x130")]
    render_badge_pdf(BadgeData(name="王芳", size="90x130"))
    assert renderer.stylesheets[badge_stylesheet("90x130")] is parsed
