"""The device suite's parts: who uses which pages on which devices, how the pages are found, and
what is checked on each page × device (tests/browser/test_devices.py runs it).

Pages are found, not listed: each kind of user's pages are crawled from their start pages with
the Flask test client over the demo (links and GET forms, one URL per route), and every GET
route of the URL map must be reached by some user or be declared here as not a page. A new page
is therefore covered the day it is linked, and a page nobody links fails the coverage test.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import HTTPException

AXE_SOURCE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"

NEVER_FOLLOW = ("/logout", "/static/", "/api/")
PER_ENDPOINT = 1


@dataclass(frozen=True)
class Device:
    name: str
    width: int
    height: int
    touch: bool

    @property
    def viewport(self) -> dict:
        return {"width": self.width, "height": self.height}


PHONE = Device("phone", 390, 844, touch=True)
TABLET_PORTRAIT = Device("tablet-portrait", 768, 1024, touch=True)
TABLET_LANDSCAPE = Device("tablet-landscape", 1024, 768, touch=True)
SPLIT_SCREEN = Device("split-screen", 507, 768, touch=True)
DESKTOP = Device("desktop", 1366, 768, touch=False)
SMALL_LAPTOP = Device("small-laptop", 1024, 768, touch=False)
PROJECTOR = Device("projector", 1920, 1080, touch=False)
SMALL_PROJECTOR = Device("projector-720p", 1280, 720, touch=False)


@dataclass(frozen=True)
class Audience:
    """One kind of user: who signs in, where they start, on which devices they work."""

    name: str
    email: str | None
    starts: tuple[str, ...]
    devices: tuple[Device, ...]
    # Routes of this audience that are screens: they must fit the projector without scrolling.
    screens: bool = False
    # Paths the crawl follows (all when empty): the site administrator reaches every event's
    # pages too, which are the organizer's to check.
    within: tuple[str, ...] = ()


# Screens shown on a projector or a stage monitor: crawled as the organizer, checked on projectors.
# (The host's control page, judging.host, is a laptop page: the organizer's.)
SCREEN_ENDPOINTS = frozenset({"judging.stage", "judging.screen"})

# GET routes that are not pages a person looks at: files, JSON, event streams, probes. Every
# other GET route must be reached by the crawl (test_every_page_is_reached).
NOT_A_PAGE_PATH = re.compile(
    r"(^/api/|^/static/|\.(json|pdf|xlsx|csv|ics|js|png|svg|zip|webmanifest)$)"
)
NOT_A_PAGE_ENDPOINT = {
    "health.healthz": "a probe for the load balancer (text)",
    "health.readyz": "a probe for the load balancer (text)",
    "judging.screen_events": "the ranking screen's event stream",
    "registration.badge_logo": "an image",
    "registration.download_badge_sheet": "a PDF download",
    "ceremonies.download_document": "a file download",
    # Served under a CSP sandbox without scripts (the mail's own HTML, framed by the outbox
    # page): nothing can be measured inside it; tests/mail check what the mail says.
    "mail.outbox_preview": "the mail itself, sandboxed",
}
# Pages a link cannot reach without a step the crawl does not take; each has its own browser
# test, named here.
REACHED_ELSEWHERE = {
    "accounts.login_second_factor": "after a password: tests/accounts/test_two_factor.py",
    "media.import_preview": "needs an uploaded file: tests/media",
    # An online guest's join link redirects to the stream (another site); its refusal pages
    # are looked at on a phone there.
    "checkin.join_online": "a redirect: tests/browser/test_online_join_phone.py",
    # Browsers ask it by themselves; pages declare the SVG it serves.
    "events.favicon": "the site's mark, not a page: tests/events/test_site.py",
}


def is_page_rule(rule) -> bool:
    return (
        "GET" in rule.methods
        and not NOT_A_PAGE_PATH.search(rule.rule)
        and rule.endpoint not in NOT_A_PAGE_ENDPOINT
    )


class _Links(HTMLParser):
    """Links of a page: <a href>, <iframe src> and GET forms' actions."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "iframe" and attributes.get("src"):
            self.links.append(attributes["src"])
        method = (attributes.get("method") or "get").lower()
        if tag == "form" and method == "get" and attributes.get("action"):
            self.links.append(attributes["action"])


def endpoint_of(app, path: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(path, method="GET")[0]
    except HTTPException:
        return None


@dataclass
class Crawl:
    """URL → endpoint of the HTML pages an audience reaches (200, text/html)."""

    pages: dict[str, str] = field(default_factory=dict)
    endpoints: set[str] = field(default_factory=set)


def crawl(
    app,
    client,
    starts: tuple[str, ...],
    within: tuple[str, ...] = (),
    per_endpoint: int = PER_ENDPOINT,
) -> Crawl:
    queue, seen, counts, found = deque(starts), set(), {}, Crawl()
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or parts.scheme or parts.path in seen:
            continue
        if parts.path.startswith(NEVER_FOLLOW) or (within and not parts.path.startswith(within)):
            continue
        seen.add(parts.path)
        endpoint = endpoint_of(app, parts.path)
        if endpoint is None or endpoint in NOT_A_PAGE_ENDPOINT:
            continue
        if counts.get(endpoint, 0) >= per_endpoint and url not in starts:
            continue
        response = client.get(url)
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        if response.headers.get("Content-Disposition", "").startswith("attachment"):
            continue
        counts[endpoint] = counts.get(endpoint, 0) + 1
        found.pages[url] = endpoint
        found.endpoints.add(endpoint)
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for link in parser.links:
            absolute = urljoin("http://localhost" + url, link)
            if absolute.startswith("http://localhost/"):
                queue.append(absolute.removeprefix("http://localhost"))
    return found


def english_enum_values() -> frozenset[str]:
    """Every value of the app's enums that reads as an English word or code ("sent", "final",
    "top_n", "pdf"): on a Chinese or Russian page none may show as text."""
    import app as package

    values: set[str] = set()
    for module_info in pkgutil.walk_packages(package.__path__, "app."):
        try:
            module = importlib.import_module(module_info.name)
        except ImportError:  # a module for a part this machine lacks has no enum for us
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value is not enum.Enum:
                if value.__module__ != module.__name__:
                    continue
                for member in value:
                    text = member.value if isinstance(member.value, str) else member.name.lower()
                    if re.fullmatch(r"[a-z][a-z_]{2,}", text):
                        values.add(text)
    return frozenset(values)


EMAIL_OR_URL = re.compile(r"[\w.+-]+@[\w.-]+|https?://\S+")


def organizer_texts_in_english() -> list[str]:
    """What organizers wrote in English (every `*_en` text column of the database), longest
    first: shown on a Russian page until it has Russian text (#17), and not an enum value even
    where it holds one's word ("Final (live pitches)")."""
    from sqlalchemy import String, Text, select

    from app.extensions import db

    texts: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_en") and isinstance(column.type, String | Text):
                texts.update(v for v in db.session.scalars(select(column).distinct()) if v)
    return sorted(texts, key=len, reverse=True)


def strip_quoted(text: str, organizer_texts: list[str]) -> str:
    """The text without e-mail addresses, URLs and what organizers wrote."""
    text = EMAIL_OR_URL.sub(" ", text)
    for written in organizer_texts:
        if written in text:
            text = text.replace(written, " ")
    return text


# What runs in the page: every measurement at once, returned as lists of readable problems.
MEASURE = Path(__file__).with_name("measure.js").read_text(encoding="utf-8")

# Long lists are looked at through their first rows (MEASURE removes the others before it and
# axe-core look): the rest repeat the same markup, and axe-core needs seconds for a page of
# thousands of nodes.
SAMPLE_ROWS = "tbody > tr:nth-child(n+21), ul > li:nth-child(n+31), ol > li:nth-child(n+31)"

AXE_RUN = """
async () => {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 30000));
  const result = await Promise.race([axe.run(document, {resultTypes: ['violations']}), timeout]);
  if (result === null) return ['serious axe-core: no answer within 30 s'];
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.impact} ${v.id}: `
      + v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')
      + (v.nodes.length > 4 ? ` (+${v.nodes.length - 4} more)` : ''));
}
"""
