"""Every HTML form of the demo, fuzzed: the forms are found by crawling the demo as an organizer,
a judge, check-in staff, a site administrator and a visitor; each is submitted a few times with
values drawn by hypothesis (garbage, huge, control characters, markup, wrong choices, missing
fields). No answer may be a 500, and a refused submission (anything but a redirect) must leave
every table's row count as it was: nothing half-written.

Bounded: EXAMPLES_PER_FORM submissions per form (derandomized, so CI runs the same inputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select, union_all
from werkzeug.exceptions import HTTPException

from app.demo import DEMO_SLUG
from app.extensions import db
from tests.security.test_headers import crawl, demo_site, sign_in  # noqa: F401

EXAMPLES_PER_FORM = 3
# Success that answers a page instead of a redirect: the new device token is shown only once.
SUCCESS_IS_A_PAGE = {"checkin.devices"}
PASSWORD = "huiwu-demo-2020"  # the demo's published password
# Forms whose success is not a redirect or that end the session the crawl relies on.
SKIP_ACTIONS = ("/logout", "/account/sign-out-everywhere")

NASTY = [
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "\u202e\u0000\ufeff",
    "９９",
    "-1",
    "0",
    "1e309",
    str(2**31),
    str(2**63),
    "1" + "0" * 30,
    "NaN",
    "2026-02-30",
    "2026-13-01T25:61",
    "𠮷" * 300,
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
    "javascript:alert(1)",
    "http://127.0.0.1:1/",
]


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, select, radio, checkbox, file, textarea, number, …
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    who: str | None
    page: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)
    endpoint: str = ""

    @property
    def label(self) -> str:
        return f"{self.who or 'visitor'} POST {self.action} (from {self.page})"


class FormReader(HTMLParser):
    """POST forms of a page with their fields."""

    def __init__(self, who: str | None, page: str) -> None:
        super().__init__()
        self.who, self.page = who, page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                action = urljoin(self.page, a.get("action") or self.page)
                self._form = Form(self.who, self.page, action.replace("http://localhost", ""))
                self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            known = self._form.fields.get(name)
            if known is not None and kind in ("radio", "checkbox"):
                known.options.append(a.get("value", "y"))
                return
            options = [a.get("value", "y")] if kind in ("radio", "checkbox") else []
            self._form.fields[name] = Field(name, kind, a.get("value") or "", options)
        elif tag == "textarea":
            self._form.fields[name] = Field(name, "textarea")
        elif tag == "select":
            self._select = self._form.fields[name] = Field(name, "select")
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def text_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.text(min_size=1, max_size=4).map(lambda s: s * 2500),  # ~10 kB
        st.integers().map(str),
    )


def value_strategy(spec: Field) -> st.SearchStrategy:
    if spec.kind == "file":
        return st.one_of(
            st.binary(max_size=2000),
            st.sampled_from([b"%PDF-1.4 not really", b"\x89PNG\r\n\x1a\n", b"<svg onload=x>"]),
        ).map(lambda data: (BytesIO(data), "upload.bin"))
    if spec.options:
        return st.one_of(st.sampled_from(spec.options), text_values())
    if spec.kind == "hidden" and spec.value:
        return st.one_of(st.just(spec.value), text_values())
    return text_values()


def form_strategy(form: Form) -> st.SearchStrategy[dict]:
    """Each field: a drawn value, or left out altogether."""
    return st.fixed_dictionaries(
        {},
        optional={name: value_strategy(spec) for name, spec in form.fields.items()},
    )


def endpoint_of_post(app, path: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(path, method="POST")[0]
    except HTTPException:
        return None


def row_counts() -> dict[str, int]:
    """Rows per table, in one query."""
    counts = union_all(
        *(
            select(literal(table.name).label("name"), func.count().label("n")).select_from(table)
            for table in db.metadata.sorted_tables
        )
    )
    return dict(db.session.execute(counts).all())


@pytest.fixture(scope="module")
def forms(_app, demo_site):  # noqa: F811 - the fixture imported above
    """Every distinct POST form (by action route) the crawl finds, with the first who sees it."""
    found: dict[str, Form] = {}
    checkin_list = demo_site["list_id"]
    visits = [
        ("organizer@huiwu.local", ["/staff", f"/manage/{DEMO_SLUG}/"]),
        ("admin@huiwu.local", ["/admin/events", "/admin/users"]),
        ("judge1@huiwu.local", [f"/judge/{DEMO_SLUG}/"]),
        ("staff@huiwu.local", [f"/manage/{DEMO_SLUG}/checkin/{checkin_list}/scan?station=A"]),
        (
            None,
            [
                "/",
                f"/e/{DEMO_SLUG}/",
                f"/e/{DEMO_SLUG}/register",
                "/login",
                f"/r/{demo_site['manage_token']}",
            ],
        ),
    ]
    with _app.app_context():
        for who, starts in visits:
            pages = crawl(_app, sign_in(_app, who), starts)
            for url, response in pages.items():
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                reader = FormReader(who, url)
                reader.feed(response.text)
                for form in reader.forms:
                    path = urlsplit(form.action).path
                    if path.startswith(SKIP_ACTIONS):
                        continue
                    form.endpoint = endpoint_of_post(_app, path) or path
                    found.setdefault(form.endpoint, form)
    return list(found.values())


def test_the_crawl_finds_the_forms_people_use(forms):
    actions = {urlsplit(f.action).path for f in forms}
    assert len(forms) >= 60, sorted(actions)
    assert f"/e/{DEMO_SLUG}/register" in actions
    assert "/login" in actions


def fuzzer(app, form: Form, client, failures: list[str]):
    """A hypothesis test submitting `form` with drawn values; problems go to `failures`."""

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values=form_strategy(form))
    def submit(values):
        check_submission(app, form, client, values, failures)

    return submit


def check_submission(app, form: Form, client, data: dict, failures: list[str], **options) -> None:
    """Post `data` to the form; a 500, or a refusal that changed a row count, is a failure."""
    with app.app_context():
        before = row_counts()
        db.session.remove()
    response = client.post(form.action, data=data, **options)  # files make it multipart
    response.close()
    if response.status_code >= 500:
        failures.append(f"{form.label}: {response.status_code} for {data!r:.300}")
        return
    if response.status_code not in (301, 302, 303) and form.endpoint not in SUCCESS_IS_A_PAGE:
        with app.app_context():
            after = row_counts()
            db.session.remove()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            failures.append(f"{form.label}: answered {response.status_code}, changed {changed}")


# Visitors first, administrators last: their forms may change others' accounts and roles.
ORDER = [None, "staff@huiwu.local", "judge1@huiwu.local", "organizer@huiwu.local"]


def forms_with_clients(app, forms):
    """(form, a client signed in as the one who saw it), visitors first, admins last."""
    for form in sorted(forms, key=lambda f: ORDER.index(f.who) if f.who in ORDER else 9):
        # A fresh sign-in per form: an earlier form may have signed the client out.
        client = app.test_client()
        if form.who:
            answer = client.post("/login", data={"email": form.who, "password": PASSWORD})
            if answer.status_code != 302:
                continue  # an administrator's form deactivated this account: nothing to fuzz
        yield form, client


def test_no_form_answers_500_or_writes_half_a_record(_app, forms):
    failures: list[str] = []
    for form, client in forms_with_clients(_app, forms):
        fuzzer(_app, form, client, failures)()
    assert failures == [], "\n".join(failures[:30])


def test_no_form_answers_500_to_files_posted_under_its_text_fields(_app, forms):
    """A crafted multipart body with a file part under every field's name: refused with a
    message (or ignored), never a 500, nothing half-written."""
    failures: list[str] = []
    for form, client in forms_with_clients(_app, forms):
        data = {
            name: (BytesIO(b"<b>not a value</b>"), "value.txt", "text/plain")
            for name, spec in form.fields.items()
            if spec.kind != "file" and name != "csrf_token"
        }
        if data:
            check_submission(_app, form, client, data, failures, content_type="multipart/form-data")
    assert failures == [], "\n".join(failures[:40])


# Every form, every field at once: values PostgreSQL refuses where SQLite takes them (text with
# NUL; numbers beyond `integer`, the type of every id and count; an infinite float; text longer
# than any VARCHAR column).
HOSTILE_FILLS = ["a\x00b", str(2**31), "-" + str(2**31 + 1), "1" + "0" * 30, "1e309", "长" * 5000]


def test_no_form_answers_500_to_nul_or_numbers_beyond_the_database(_app, forms):
    failures: list[str] = []
    for form, client in forms_with_clients(_app, forms):
        fields = [n for n, spec in form.fields.items() if spec.kind != "file" and n != "csrf_token"]
        for fill in HOSTILE_FILLS if fields else []:
            data = dict.fromkeys(fields, fill)
            check_submission(_app, form, client, data, failures)
    assert failures == [], "\n".join(failures[:40])


def test_nul_in_any_form_field_is_a_400(_app, forms):
    failures: list[str] = []
    for form, client in forms_with_clients(_app, forms):
        fields = [n for n, spec in form.fields.items() if spec.kind != "file" and n != "csrf_token"]
        if fields:
            response = client.post(form.action, data=dict.fromkeys(fields, "a\x00b"))
            if response.status_code != 400:
                failures.append(f"{form.label}: {response.status_code} for NUL, not 400")
    assert failures == [], "\n".join(failures[:40])
