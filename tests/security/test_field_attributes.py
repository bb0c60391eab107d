"""Every form field of the demo, as each kind of user sees it: no attribute is the text "None".

Jinja passed Python's None through WTForms, which rendered it: `inputmode="None"` is an
enumerated attribute, read case-insensitively as *none*, so phones showed no keyboard on the
name and organization fields and the sign-in email; `aria-invalid="None"` made screen readers
announce every untouched field as invalid. Playwright types through the browser's protocol and
never notices, so the attributes themselves are checked.
"""

from __future__ import annotations

from html.parser import HTMLParser

from app.demo import DEMO_SLUG
from tests.security.test_headers import crawl, demo_site, sign_in  # noqa: F401

FIELD_TAGS = {"input", "select", "textarea", "fieldset", "button"}


class NoneAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FIELD_TAGS:
            for name, value in attrs:
                if name != "value" and value is not None and value.strip().lower() == "none":
                    self.found.append(f"<{tag} {dict(attrs).get('name', '')!r}> {name}={value!r}")


def test_no_field_of_any_page_has_an_attribute_none(_app, demo_site):  # noqa: F811
    visits = [
        ("organizer@huiwu.local", ["/staff", f"/manage/{DEMO_SLUG}/"]),
        ("judge1@huiwu.local", [f"/judge/{DEMO_SLUG}/"]),
        (None, ["/", f"/e/{DEMO_SLUG}/", f"/e/{DEMO_SLUG}/register", "/login"]),
    ]
    failures, pages = [], 0
    with _app.app_context():
        for who, starts in visits:
            for url, response in crawl(_app, sign_in(_app, who), starts).items():
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                pages += 1
                reader = NoneAttributes()
                reader.feed(response.text)
                failures += [f"{url}: {found}" for found in reader.found]
    assert pages > 40
    assert failures == [], "\n".join(failures[:30])


def test_the_registration_form_asks_phones_for_the_right_keyboard(_app, demo_site):  # noqa: F811
    page = _app.test_client().get(f"/e/{DEMO_SLUG}/register").text
    assert 'name="email"' in page and 'inputmode="email"' in page
    assert 'inputmode="tel"' in page
    assert 'inputmode="None"' not in page and 'aria-invalid="None"' not in page
