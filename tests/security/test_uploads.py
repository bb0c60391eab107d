"""Uploads, beyond each domain's own tests: files land in the instance folder (never under
static/), images are re-encoded so nothing smuggled in them is served, downloads are
attachments with the right type, nosniff and a sandbox policy, file names cannot climb out of
the upload folder, spreadsheets that would inflate to gigabytes are refused, and a body over
the size limit gets a 413 page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.accounts.models import Role
from app.ceremonies.models import SigningDocument
from app.extensions import db
from app.judging import entry_services
from app.media.importing import MAX_XLSX_MEMBERS, MAX_XLSX_UNCOMPRESSED_BYTES
from app.registration.services import register_participant
from app.security.headers import DOWNLOAD_POLICY
from tests.ceremonies.conftest import item_data, make_ceremony, party  # noqa: F401 (fixture)
from tests.security.world import MINIMAL_PDF, participant_data

STATIC = Path(__file__).resolve().parents[2] / "static"
SCRIPT = b"<script>alert(document.cookie)</script>"


@pytest.fixture
def organizer(client, auth, make_user, make_event):
    """(client signed in as the organizer, event), reading English."""
    event = make_event()
    auth.login(make_user(Role.ORGANIZER, event=event))
    client.get("/?lang=en")
    return client, event


def png_with_trailer(payload: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue() + payload  # a polyglot: a valid PNG followed by HTML


def static_files() -> set[Path]:
    return {path for path in STATIC.rglob("*") if path.is_file()}


def upload_logo(client, slug: str, content: bytes, filename: str, mimetype: str = "image/png"):
    return client.post(
        f"/manage/{slug}/badges",
        data={
            "badge_size": "A6",
            "accent_color": "#1F4E9C",
            "logo": (io.BytesIO(content), filename, mimetype),
        },
        content_type="multipart/form-data",
    )


def test_an_uploaded_logo_is_re_encoded_and_kept_out_of_static(app, organizer):
    client, event = organizer
    before = static_files()
    assert upload_logo(client, event.slug, png_with_trailer(SCRIPT), "logo.png").status_code == 302
    assert static_files() == before
    db.session.refresh(event)
    stored = Path(app.config["INSTANCE_DIR"]) / "uploads" / str(event.id) / event.badge_logo
    assert stored.suffix == ".png"
    assert SCRIPT not in stored.read_bytes()
    response = client.get(f"/manage/{event.slug}/badges/logo")
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert SCRIPT not in response.data


def test_an_svg_named_and_typed_as_png_is_refused(organizer):
    client, event = organizer
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    response = upload_logo(client, event.slug, svg, "logo.png", "image/png")
    assert response.status_code == 400
    assert "SVG images are not accepted" in response.text
    db.session.refresh(event)
    assert event.badge_logo == ""


def test_a_certificate_seal_in_svg_or_jpeg_is_refused(organizer):
    client, event = organizer
    jpeg = io.BytesIO()
    Image.new("RGB", (20, 20)).save(jpeg, format="JPEG")
    for content, name in ((b"<svg onload=alert(1)>", "seal.svg"), (jpeg.getvalue(), "seal.jpg")):
        response = client.post(
            f"/manage/{event.slug}/certificates/settings",
            data={
                "number_prefix": "SEC2026",
                "issuer_zh": "主办方",
                "issuer_en": "Organizer",
                "seal": (io.BytesIO(content), name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, name
        assert "PNG" in response.text


@pytest.fixture
def signing_item(organizer, request):
    client, event = organizer
    ceremony = request.getfixturevalue("make_ceremony")(
        event=event, items=[item_data("协议", [party("甲方"), party("乙方")])]
    )
    base = f"/manage/{event.slug}/ceremonies/{ceremony.id}/items/{ceremony.items[0].id}"
    return client, base


def assert_sandboxed_pdf_download(response, filename: str) -> None:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and filename in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_POLICY


def test_a_signing_document_named_to_climb_out_is_kept_in_the_upload_folder(app, signing_item):
    client, base = signing_item
    before = static_files()
    polyglot = MINIMAL_PDF + b"<html>" + SCRIPT
    response = client.post(
        f"{base}/documents",
        data={"document": (io.BytesIO(polyglot), "../../static/js/evil.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(select(SigningDocument))
    assert document.filename == "evil.pdf"
    folder = Path(app.config["INSTANCE_DIR"]) / "uploads" / "ceremonies"
    assert (folder / document.stored_name).read_bytes() == polyglot
    assert static_files() == before
    download = client.get(f"{base}/documents/{document.id}")
    assert_sandboxed_pdf_download(download, "evil.pdf")


def test_a_pitch_deck_is_a_sandboxed_attachment(app, organizer, make_category):
    client, event = organizer
    category = make_category(event, capacity=None)
    leader = register_participant(event, category, participant_data(event, category, "组长"))
    entry = entry_services.create_entry(
        event,
        entry_services.EntryData("项目", "Project", member_ids=[leader.id], leader_id=leader.id),
    )
    entry_services.save_deck(entry, io.BytesIO(MINIMAL_PDF + SCRIPT))
    db.session.commit()
    response = client.get(f"/manage/{event.slug}/judging/entries/{entry.id}/deck.pdf")
    assert_sandboxed_pdf_download(response, f"entry-{entry.id}.pdf")


def test_exports_are_sandboxed_attachments_too(organizer):
    client, event = organizer
    response = client.get(f"/manage/{event.slug}/registrations/export.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_POLICY


def xlsx_bomb(members: int = 1, member_bytes: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        for n in range(members):
            zf.writestr(f"xl/sharedStrings{n}.xml", b"\0" * member_bytes)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "bomb",
    [
        pytest.param(lambda: xlsx_bomb(1, MAX_XLSX_UNCOMPRESSED_BYTES + 1), id="inflates"),
        pytest.param(lambda: xlsx_bomb(MAX_XLSX_MEMBERS + 1, 1), id="members"),
    ],
)
def test_a_spreadsheet_that_would_inflate_is_refused_before_reading(organizer, bomb):
    client, event = organizer
    data = bomb()
    assert len(data) < 5 * 1024 * 1024  # it fits under the upload size limit
    response = client.post(
        f"/manage/{event.slug}/media/import",
        data={"file": (io.BytesIO(data), "log.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "too large once unpacked" in response.text


def test_a_body_over_the_size_limit_gets_a_413_page(app, organizer):
    client, event = organizer
    too_big = b"%PDF-" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        f"/manage/{event.slug}/badges",
        data={"badge_size": "A6", "accent_color": "#1F4E9C", "logo": (io.BytesIO(too_big), "x")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The upload is too large." in response.text
