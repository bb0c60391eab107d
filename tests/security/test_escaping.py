"""No autoescape gaps: a participant whose name and organization are markup is shown as text on
every page an organizer or the participant opens, in the HTML part of the mails and in the
PDFs; and PDF rendering fetches neither local files nor URLs put into a template value."""

from __future__ import annotations

import email
import http.server
import threading
import uuid
from email import policy

import pytest
from flask import g
from sqlalchemy import select

from app.accounts.models import Role
from app.certificates.models import Certificate, CertificateKind
from app.certificates.services import certificate_context, issue_certificate
from app.checkin.services import ListData, create_list
from app.documents.render import render_pdf
from app.extensions import db
from app.judging import entry_services
from app.registration.models import Registration
from app.registration.tickets import ticket_code
from tests.conftest import form_data, manage_token_from
from tests.pdf_support import pdf_text
from tests.security.test_headers import crawl

NAME = "<script>alert(1)</script>"
ORGANIZATION = '<img src=x onerror="alert(2)"><b>Evil Corp</b>'
RAW = (NAME, "<img src=x", "<b>Evil Corp</b>")
ESCAPED_NAME = "&lt;script&gt;alert(1)&lt;/script&gt;"


def html_of_mail(path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def hostile(app, client, auth, make_event, make_category, make_user):
    """A registration with markup in its name and organization, made through the public form,
    on an event where it is also a team member, checked in and given a certificate."""
    event = make_event()
    category = make_category(event, capacity=None)
    organizer = make_user(Role.ORGANIZER, event=event)
    slug = event.slug
    data = form_data(category, native_name=NAME, latin_name="Zhang Wei", organization=ORGANIZATION)
    response = client.post(f"/e/{slug}/register?lang=en", data=data)
    assert response.status_code == 302
    token = manage_token_from(response)
    registration = db.session.scalar(
        select(Registration).where(Registration.email == data["email"])
    )
    entry_services.create_entry(
        event,
        entry_services.EntryData(
            NAME, NAME, team_name=NAME, member_ids=[registration.id], leader_id=registration.id
        ),
    )
    # The test's requests share its app context: the event of the last one is still in `g`.
    g.pop("event", None)
    issue_certificate(registration, CertificateKind.PARTICIPATION, actor=organizer)
    checkin_list = create_list(event, ListData(name="Hall"))
    code, list_id = ticket_code(registration), checkin_list.id
    db.session.commit()
    auth.login(organizer)
    client.get("/?lang=en")
    answer = client.post(
        f"/api/events/{slug}/checkin/redeem",
        json={"code": code, "list_id": list_id, "station": "A", "nonce": uuid.uuid4().hex},
    )
    assert answer.status_code == 200, answer.text
    return {"slug": slug, "token": token, "registration_id": registration.id}


def test_markup_in_a_name_is_text_on_every_page_that_shows_it(app, client, hostile):
    slug = hostile["slug"]
    pages = crawl(app, client, [f"/manage/{slug}/", f"/manage/{slug}/registrations"])
    participant = app.test_client()
    token = hostile["token"]
    pages.update(crawl(app, participant, [f"/r/{token}", f"/r/{token}/edit"]))
    html = {
        url: response.text
        for url, response in pages.items()
        if response.status_code == 200 and response.mimetype == "text/html"
    }
    injected = {url: [raw for raw in RAW if raw in text] for url, text in html.items()}
    assert {url: found for url, found in injected.items() if found} == {}
    showing = sorted(url for url, text in html.items() if ESCAPED_NAME in text)
    expected_paths = [
        f"/manage/{slug}/registrations",
        f"/manage/{slug}/registrations/{hostile['registration_id']}",
        f"/manage/{slug}/checkin/dashboard",
        f"/manage/{slug}/certificates",
        f"/manage/{slug}/judging/",
        f"/r/{token}",
        f"/r/{token}/edit",
    ]
    shown_paths = {url.split("?")[0] for url in showing}
    assert [path for path in expected_paths if path not in shown_paths] == []
    assert len(showing) >= 10


def test_markup_in_a_name_is_text_in_the_html_mails(app, hostile):
    mails = sorted(app.config["OUTBOX_DIR"].glob("*.eml"))
    assert len(mails) >= 2  # the confirmation and the certificate
    for path in mails:
        body = html_of_mail(path)
        assert not [raw for raw in RAW if raw in body], path.name
        assert ESCAPED_NAME in body or "&lt;b&gt;Evil Corp&lt;/b&gt;" in body, path.name


def test_markup_in_a_name_is_printed_as_text_in_the_pdfs(app, client, hostile):
    badge = app.test_client().get(f"/r/{hostile['token']}/badge.pdf")
    certificate_id = db.session.scalar(select(Certificate.id))
    certificate = client.get(f"/manage/{hostile['slug']}/certificates/{certificate_id}.pdf")
    assert badge.status_code == certificate.status_code == 200
    # Shown literally: had the markup been parsed, the tags would not be in the text.
    # A badge wraps a long name or organization onto more lines: compare without white space.
    badge_text, certificate_text = (
        squeezed(pdf_text(badge.data)),
        squeezed(pdf_text(certificate.data)),
    )
    assert squeezed(NAME) in badge_text and squeezed("<b>Evil Corp</b>") in badge_text
    assert squeezed(NAME) in certificate_text  # a certificate names the person, not the company


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def counting_server():
    """A loopback HTTP server that counts the requests it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_pdf_rendering_fetches_no_local_file_and_no_url(app, hostile, counting_server):
    base_url, hits = counting_server
    certificate = db.session.scalar(select(Certificate))
    context = certificate_context(certificate)
    context.update(
        logo="file:///etc/passwd",
        seal=f"{base_url}/seal.png",
        signature=f"{base_url}/signature.png",
    )
    pdf = render_pdf("certificate.html", context)
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    assert "root:" not in pdf_text(pdf)
    assert b"root:x:0:0" not in pdf
