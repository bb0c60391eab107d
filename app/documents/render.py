"""The one PDF renderer: sandboxed Jinja templates from templates/documents/ → WeasyPrint.

No Flask app context is needed, so RQ jobs and benchmarks call it directly. Speed comes
from work done once per process and reused by every document:

* one WeasyPrint ``FontConfiguration`` and one pre-parsed stylesheet declaring the
  "Huiwu Sans" base fonts (TrueType subsets, see fonts.py), so fontconfig and the CSS
  parser do not start over for each PDF;
* characters outside the base fonts get a tiny supplement font (cached by character set)
  declared with an ``@font-face`` data: URL and appended to the ``--document-fonts``
  custom property that document templates use as their font-family;
* document stylesheets (``*.css`` Jinja templates in templates/documents/, e.g. badge.css)
  rendered and parsed once per process for each distinct context (a badge size) and passed
  to WeasyPrint as ready CSS objects, so a document carries no <style> of its own;
* QR symbols placed with the ``qr_box(data)`` template global are drawn as vector
  rectangles straight into the page's PDF content stream after layout (see
  ``_QRPlacement``): WeasyPrint would otherwise tokenize, parse and draw an inline SVG in
  Python (~10 ms of a badge), while this costs well under a millisecond and stays vector;
* call ``warm_up()`` in a worker before it forks jobs so children inherit all of this.

WeasyPrint is not thread-safe, so rendering is serialised by a process-wide lock.
Resources: data: URLs are allowed, file: URLs only inside our own static assets and the
built font directory, everything else (http, https, ftp, other files) is refused.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.documents import fonts
from app.documents.qr import QUIET_ZONE, qr_matrix, qr_rectangles, qr_svg

__all__ = [
    "TEMPLATE_DIR",
    "RestrictedURLFetcher",
    "Stylesheet",
    "URLRefusedError",
    "document_resource_url",
    "render_html",
    "render_pdf",
    "stylesheet",
    "warm_up",
]

# A document stylesheet: the name of a CSS template in templates/documents/ and its context
# as sorted (key, value) pairs of plain hashable values, e.g. ("badge.css", (("size", "A6"),)).
Stylesheet = tuple[str, tuple[tuple[str, object], ...]]

TEMPLATE_DIR = fonts.PROJECT_ROOT / "templates" / "documents"
STATIC_DIR = fonts.PROJECT_ROOT / "static"
# Documents may embed our own images, stylesheets and fonts, nothing else from disk.
STATIC_ROOTS = (STATIC_DIR / "img", STATIC_DIR / "css", STATIC_DIR / "fonts")
# After this many distinct supplement fonts the font configuration starts afresh, so that
# a long-running worker does not grow fontconfig without bound.
MAX_SUPPLEMENT_FACES = 64
# Templates set ``font-family: var(--document-fonts, "Huiwu Sans")``; a document that needs
# a supplement font gets this property redefined to append the supplement's family.
# (A supplement cannot join the "Huiwu Sans" family itself: WeasyPrint identifies embedded
# fonts by family, weight and style, so it would embed one file for both.)
FONTS_PROPERTY = "--document-fonts"


# Images given to documents as bytes (an event logo) are registered under a short URL of
# this scheme: a data: URL would repeat ~100 KB of base64 for every badge of a sheet, and
# WeasyPrint's HTML tokenizer reads it character by character in Python.
RESOURCE_SCHEME = "huiwu-resource"
MAX_RESOURCES = 64
_RESOURCES: dict[str, tuple[bytes, str]] = {}


def document_resource_url(data: bytes, content_type: str) -> str:
    """Register bytes for documents of this process and return the URL that fetches them."""
    url = f"{RESOURCE_SCHEME}:{hashlib.sha256(data).hexdigest()}"
    if url not in _RESOURCES:
        if len(_RESOURCES) >= MAX_RESOURCES:
            _RESOURCES.pop(next(iter(_RESOURCES)))
        _RESOURCES[url] = (bytes(data), content_type)
    return url


class URLRefusedError(ValueError):
    """A document asked for a resource outside the allow-list."""


class Translations(Protocol):
    """The part of gettext.NullTranslations / babel Translations that templates use."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class RestrictedURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher allowing data: URLs and files under given roots only."""

    def __init__(self, allowed_roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.allowed_roots = tuple(Path(root).resolve() for root in allowed_roots)

    def allowed_path(self, url: str) -> Path | None:
        """Return the local file a file: URL names if it is inside the allow-list."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_file():
            return None
        if any(path.is_relative_to(root) for root in self.allowed_roots):
            return path
        return None

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Fetch a data: URL, a registered resource or an allowed file; else URLRefusedError."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == RESOURCE_SCHEME:
            resource = _RESOURCES.get(url)
            if resource is None:
                raise URLRefusedError(f"unknown document resource: {url[:200]}")
            return URLFetcherResponse(url, resource[0], {"Content-Type": resource[1]})
        path = self.allowed_path(url) if scheme == "file" else None
        if path is None:
            raise URLRefusedError(f"resource not allowed in documents: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


# CSS pixels to PDF points (WeasyPrint's page scale at zoom 1).
_PT_PER_PX = 0.75
QR_ATTRIBUTE = "data-qr"


def _qr_box(data: str) -> Markup:
    """Template global: an empty block the renderer fills with the QR symbol of data.

    Size it with CSS (square); the symbol, with its 4-module quiet zone, fills the box.
    """
    return Markup(f'<div class="qr-box" {QR_ATTRIBUTE}="{escape(str(data))}"></div>')  # noqa: S704


@dataclass(frozen=True)
class _QRPlacement:
    """A laid-out QR box: page index, top-left corner and side in PDF points, data."""

    page: int
    left: float
    top: float
    side: float
    data: str

    def operators(self) -> bytes:
        """PDF operators filling the dark modules black (y grows downwards on our pages)."""
        matrix = qr_matrix(self.data)
        module = self.side / (len(matrix) + 2 * QUIET_ZONE)
        left = self.left + QUIET_ZONE * module
        top = self.top + QUIET_ZONE * module
        rectangles = " ".join(
            f"{left + x * module:.3f} {top + y * module:.3f} "
            f"{width * module:.3f} {height * module:.3f} re"
            for x, y, width, height in qr_rectangles(matrix)
        )
        return f"q 0 0 0 rg {rectangles} f Q".encode("ascii")


def _qr_placements(document: Any) -> list[_QRPlacement]:
    """Find the laid-out qr_box() blocks of a rendered WeasyPrint document."""
    placements = []
    for index, page in enumerate(document.pages):
        seen = set()
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "element", None)
            if element is None or id(element) in seen:
                continue
            data = element.get(QR_ATTRIBUTE)
            if data is None or box.element_tag != "div":
                continue
            seen.add(id(element))
            side = min(box.width, box.height) * _PT_PER_PX
            left = box.content_box_x() * _PT_PER_PX + (box.width * _PT_PER_PX - side) / 2
            top = box.content_box_y() * _PT_PER_PX
            placements.append(_QRPlacement(index, left, top, side, data))
    return placements


def _finisher(placements: list[_QRPlacement], overlay: bytes) -> Callable[[Any, Any], None]:
    """Return a WeasyPrint finisher appending QR symbols, and overlay on every page."""

    def finisher(document: Any, pdf: Any) -> None:
        kids = pdf.pages["Kids"]  # flat [number, 0, "R", ...]

        def stream(page_index: int) -> Any:
            contents = pdf.objects[kids[3 * page_index]]["Contents"]
            return pdf.objects[int(contents.split()[0])]

        for placement in placements:
            stream(placement.page).stream.append(placement.operators())
        if overlay:
            for page_index in range(len(kids) // 3):
                stream(page_index).stream.append(overlay)

    return finisher


def _identity_ngettext(singular: str, plural: str, n: int) -> str:
    """Untranslated ngettext."""
    return singular if n == 1 else plural


def _qr_markup(data: str) -> Markup:
    """Template global: the inline SVG QR symbol of data."""
    return Markup(qr_svg(str(data)))  # noqa: S704 - SVG built by us; data only sets modules


class _Renderer:
    """Per-process rendering state: Jinja environment, fonts, WeasyPrint configuration."""

    def __init__(self) -> None:
        self.font_files = fonts.ensure_fonts()
        self.fetcher = RestrictedURLFetcher((*STATIC_ROOTS, self.font_files.directory))
        self.environment = SandboxedEnvironment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.globals["qr_svg"] = _qr_markup
        self.environment.globals["qr_box"] = _qr_box
        self.stylesheets: dict[Stylesheet, CSS] = {}
        self._new_font_configuration()

    def stylesheet(self, sheet: Stylesheet) -> CSS:
        """Return the parsed CSS of a stylesheet template for a context (cached)."""
        parsed = self.stylesheets.get(sheet)
        if parsed is None:
            name, context = sheet
            source = self.environment.get_template(name).render(dict(context))
            parsed = CSS(
                string=source,
                url_fetcher=self.fetcher,
                base_url=TEMPLATE_DIR.as_uri() + "/",
            )
            self.stylesheets[sheet] = parsed
        return parsed

    def _new_font_configuration(self) -> None:
        """Start a fresh FontConfiguration with the base fonts' stylesheet parsed once."""
        self.font_config = FontConfiguration()
        faces = "".join(
            f'@font-face{{font-family:"{fonts.FAMILY}";font-weight:{weight};'
            f'src:url("{path.as_uri()}")}}'
            for weight, path in sorted(self.font_files.paths.items())
        )
        self.base_stylesheet = CSS(
            string=faces,
            font_config=self.font_config,
            url_fetcher=self.fetcher,
            base_url=TEMPLATE_DIR.as_uri() + "/",
        )
        self.supplements: set[frozenset[int]] = set()

    def supplement_css(self, html: str) -> str:
        """Return @font-face rules adding glyphs the base fonts lack for this html."""
        missing = {ord(c) for c in set(html)} - self.font_files.codepoints
        missing = {cp for cp in missing if cp >= 0x20}
        if not missing:
            return ""
        wanted = fonts.available_in_source(missing)
        if not wanted:
            return ""
        if wanted not in self.supplements and len(self.supplements) >= MAX_SUPPLEMENT_FACES:
            self._new_font_configuration()
        self.supplements.add(wanted)
        family = fonts.supplement_family(wanted)
        rules = [f':root{{{FONTS_PROPERTY}:"{fonts.FAMILY}","{family}",sans-serif}}']
        for weight in sorted(self.font_files.paths):
            data = fonts.supplement_font(wanted, weight)
            if data is None:
                continue
            encoded = base64.b64encode(data).decode("ascii")
            rules.append(
                f'@font-face{{font-family:"{family}";font-weight:{weight};'
                f'src:url("data:font/ttf;base64,{encoded}")}}'
            )
        return "".join(rules)

    def render_html(
        self,
        template_name: str,
        context: dict[str, Any],
        gettext: Callable[[str], str],
        ngettext: Callable[[str, str, int], str],
    ) -> str:
        """Render a template to an HTML string with the given translation functions."""
        self.environment.install_gettext_callables(gettext, ngettext, newstyle=True)
        return self.environment.get_template(template_name).render(context)

    def write_pdf(
        self, html: str, stylesheets: Sequence[Stylesheet] = (), overlay: bytes = b""
    ) -> bytes:
        """Lay out html (with any supplement fonts it needs) and return PDF bytes.

        overlay: PDF operators drawn on top of every page, in points from the top-left
        corner with y growing downwards (e.g. cut marks).
        """
        extra = self.supplement_css(html)
        if extra:
            style = f"<style>{extra}</style>"
            head_end = html.find("</head>")
            html = html[:head_end] + style + html[head_end:] if head_end >= 0 else style + html
        document = HTML(
            string=html,
            base_url=TEMPLATE_DIR.as_uri() + "/",
            url_fetcher=self.fetcher,
        )
        sheets = [self.base_stylesheet, *(self.stylesheet(sheet) for sheet in stylesheets)]
        rendered = document.render(stylesheets=sheets, font_config=self.font_config)
        placements = _qr_placements(rendered) if QR_ATTRIBUTE in html else []
        finish = _finisher(placements, overlay) if placements or overlay else None
        return rendered.write_pdf(finisher=finish)


_LOCK = threading.RLock()
_renderer: _Renderer | None = None


def _get_renderer() -> _Renderer:
    """Return the process's renderer, creating it (and building fonts) on first use."""
    global _renderer
    if _renderer is None:
        _renderer = _Renderer()
    return _renderer


def _translation_functions(
    translations: Translations | None,
    gettext: Callable[[str], str] | None,
    ngettext: Callable[[str, str, int], str] | None,
) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """Pick gettext/ngettext from a translations object, explicit callables or identity."""
    if translations is not None:
        return translations.gettext, translations.ngettext
    return (gettext or str), (ngettext or _identity_ngettext)


def render_html(
    template_name: str,
    context: dict[str, Any],
    *,
    translations: Translations | None = None,
    gettext: Callable[[str], str] | None = None,
    ngettext: Callable[[str, str, int], str] | None = None,
) -> str:
    """Render a documents/ template to HTML (what render_pdf lays out)."""
    functions = _translation_functions(translations, gettext, ngettext)
    with _LOCK:
        return _get_renderer().render_html(template_name, context, *functions)


def stylesheet(name: str, context: Mapping[str, object] | None = None) -> Stylesheet:
    """Name a document stylesheet template with its context, for render_pdf(stylesheets=)."""
    return (name, tuple(sorted((context or {}).items())))


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    stylesheets: Sequence[Stylesheet] = (),
    translations: Translations | None = None,
    gettext: Callable[[str], str] | None = None,
    ngettext: Callable[[str, str, int], str] | None = None,
) -> bytes:
    """Render a documents/ template to PDF bytes; jinja2 errors propagate."""
    functions = _translation_functions(translations, gettext, ngettext)
    with _LOCK:
        renderer = _get_renderer()
        html = renderer.render_html(template_name, context, *functions)
        return renderer.write_pdf(html, stylesheets)


def render_html_to_pdf(
    html: str, stylesheets: Sequence[Stylesheet] = (), overlay: bytes = b""
) -> bytes:
    """Lay out already rendered document HTML to PDF bytes (used for badge sheets).

    overlay: PDF operators drawn on every page (points, origin top-left, y downwards).
    """
    with _LOCK:
        return _get_renderer().write_pdf(html, stylesheets, overlay)


def warm_up() -> None:
    """Load fonts, fontconfig and the CJK supplement source now, e.g. before forking."""
    with _LOCK:
        renderer = _get_renderer()
        fonts.available_in_source({0x5586})
        renderer.write_pdf("<p style=\"font-family:'Huiwu Sans'\">会务 Huiwu Юи <b>喆</b></p>")
