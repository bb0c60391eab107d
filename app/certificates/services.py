"""Certificate rules: numbering, issuing (idempotent), revoking, verifying, the PDF and its mail.

Numbers look like "ITTC2020-P-0042": the event's prefix, a letter for the kind and a
sequence per event and kind taken from CertificateCounter with one conditional UPDATE, so
concurrent issuers never get the same number and a rolled-back issue leaves no gap.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_interval
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.services import record_audit
from app.certificates.models import (
    KIND_LETTERS,
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateKind,
    CertificateSettings,
)
from app.checkin.services import attended_registration_ids
from app.clock import utcnow
from app.documents.images import ImageRejected, clean_uploaded_image
from app.documents.render import render_pdf
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.i18n import normalize_language
from app.jobs import queue
from app.mail.services import Attachment, absolute_url, queue_mail
from app.registration.models import Registration, RegistrationState
from app.translated import DEFAULT_CONTENT_LANGUAGES, Translated, content_language, translated

PREFIX_PATTERN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
MAX_PREFIX_LENGTH = 20
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 4000
IMAGE_KINDS = ("logo", "seal", "signature")
BATCH_CHUNK = 50


class CertificateError(DomainError):
    """A certificate operation that cannot be done; `message` is shown to the user."""


# --- settings --------------------------------------------------------------------------------


def default_prefix(event: Event) -> str:
    """The number prefix an event starts with: its slug in capitals (at most 20 characters)."""
    prefix = re.sub(r"[^A-Z0-9-]", "", event.slug.upper())[:MAX_PREFIX_LENGTH].strip("-")
    return re.sub(r"-{2,}", "-", prefix) or f"E{event.id}"


def get_settings(event: Event) -> CertificateSettings:
    """The event's certificate settings; an unsaved default object when none were saved."""
    settings = db.session.get(CertificateSettings, event.id)
    if settings is None:
        settings = CertificateSettings(
            event_id=event.id, number_prefix=default_prefix(event), issuer=Translated()
        )
    return settings


def _prefix_taken(prefix: str, event_id: int) -> bool:
    """True when another event uses `prefix` now or used it for issued numbers."""
    other_settings = db.session.scalar(
        select(CertificateSettings.event_id).where(
            CertificateSettings.number_prefix == prefix, CertificateSettings.event_id != event_id
        )
    )
    if other_settings is not None:
        return True
    other_number = db.session.scalar(
        select(Certificate.id)
        .where(
            Certificate.event_id != event_id,
            Certificate.number.startswith(f"{prefix}-", autoescape=True),
        )
        .limit(1)
    )
    return other_number is not None


def ensure_settings(event: Event) -> CertificateSettings:
    """The event's saved settings, created with a free default prefix when missing."""
    settings = db.session.get(CertificateSettings, event.id)
    if settings is not None:
        return settings
    prefix = default_prefix(event)
    if _prefix_taken(prefix, event.id):
        prefix = f"{prefix[: MAX_PREFIX_LENGTH - 8]}-E{event.id}"
    settings = CertificateSettings(event_id=event.id, number_prefix=prefix, issuer=Translated())
    try:
        with db.session.begin_nested():
            db.session.add(settings)
    except IntegrityError:
        # Created concurrently by another issuer of the same event.
        settings = db.session.get(CertificateSettings, event.id, populate_existing=True)
        if settings is None:
            raise
    return settings


def update_settings(event: Event, number_prefix: str, issuer: Mapping[str, str]) -> None:
    """Save the number prefix and the issuer's name per content language; CertificateError for
    a bad or taken prefix."""
    prefix = number_prefix.strip().upper()
    if (
        not prefix
        or len(prefix) > MAX_PREFIX_LENGTH
        or not PREFIX_PATTERN.match(prefix)
        or prefix.endswith(("-P", "-A"))
    ):
        raise CertificateError(
            _l("Use capital letters, digits and single hyphens (at most 20), e.g. ITTC2020."),
            "number_prefix",
        )
    if _prefix_taken(prefix, event.id):
        raise CertificateError(_l("Another event already uses this prefix."), "number_prefix")
    settings = ensure_settings(event)
    settings.number_prefix = prefix
    settings.issuer = Translated({k: str(v or "")[:200] for k, v in translated(issuer).items()})
    db.session.flush()


def upload_dir(event_id: int) -> Path:
    """Where an event's uploaded images are kept: instance/uploads/<event_id>/."""
    return Path(current_app.config["INSTANCE_DIR"]) / "uploads" / str(int(event_id))


def _clean_png(data: bytes) -> bytes:
    """An uploaded PNG re-encoded by app/documents/images.py; CertificateError if refused."""
    try:
        return clean_uploaded_image(
            data,
            formats=("PNG",),
            max_bytes=MAX_IMAGE_BYTES,
            max_pixels=MAX_IMAGE_SIDE * MAX_IMAGE_SIDE,
            max_side=MAX_IMAGE_SIDE,
        )
    except ImageRejected as exc:
        raise CertificateError(exc.message) from None


def save_certificate_image(event: Event, image_kind: str, data: bytes) -> str | None:
    """Store a logo, seal or signature PNG; returns the replaced file's name (to discard later).

    Raises CertificateError when the upload is not a PNG within the size limits.
    """
    if image_kind not in IMAGE_KINDS:
        raise ValueError(f"unknown image kind {image_kind!r}")
    clean = _clean_png(data)
    directory = upload_dir(event.id)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"certificate-{image_kind}-{secrets.token_hex(8)}.png"
    (directory / name).write_bytes(clean)
    settings = ensure_settings(event)
    previous = getattr(settings, f"{image_kind}_file")
    setattr(settings, f"{image_kind}_file", name)
    db.session.flush()
    return previous


def remove_certificate_image(event: Event, image_kind: str) -> str | None:
    """Stop using the event's logo, seal or signature; returns the file name to discard."""
    if image_kind not in IMAGE_KINDS:
        raise ValueError(f"unknown image kind {image_kind!r}")
    settings = ensure_settings(event)
    previous = getattr(settings, f"{image_kind}_file")
    setattr(settings, f"{image_kind}_file", None)
    db.session.flush()
    return previous


def discard_upload(event_id: int, name: str | None) -> None:
    """Delete a no longer used upload (call after the commit that stopped using it)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return
    (upload_dir(event_id) / name).unlink(missing_ok=True)


def _image_data_url(event_id: int, name: str | None) -> str | None:
    """A data: URL of an uploaded PNG for the PDF (the renderer reads no other files)."""
    if not name:
        return None
    path = upload_dir(event_id) / name
    if not path.is_file():
        return None
    data = path.read_bytes()
    # Ours are PNG; the event's badge logo (app.events) may also be a JPEG.
    mime = "image/jpeg" if data.startswith(b"\xff\xd8") else "image/png"
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


# --- numbering and issuing -------------------------------------------------------------------


def next_sequence(event_id: int, kind: CertificateKind) -> int:
    """Take the next number of an event and kind (locks the counter row until commit)."""
    for _attempt in range(3):
        taken = db.session.execute(
            update(CertificateCounter)
            .where(CertificateCounter.event_id == event_id, CertificateCounter.kind == kind)
            .values(last_number=CertificateCounter.last_number + 1)
            .returning(CertificateCounter.last_number)
            .execution_options(synchronize_session=False)
        ).scalar()
        if taken is not None:
            return taken
        try:
            with db.session.begin_nested():
                db.session.add(CertificateCounter(event_id=event_id, kind=kind, last_number=1))
            return 1
        except IntegrityError:
            continue  # another issuer created the counter first: take the UPDATE path
    raise RuntimeError("could not take a certificate number")


def format_number(prefix: str, kind: CertificateKind, sequence: int) -> str:
    """The printed number: prefix, kind letter, sequence of at least four digits."""
    return f"{prefix}-{KIND_LETTERS[kind]}-{sequence:04d}"


def active_key(kind: CertificateKind, award_name: Mapping[str, str] | None = None) -> str:
    """What makes a certificate "the same one": its kind and its award's texts in every
    language (case-insensitive), as a digest that fits the column whatever the languages.
    Migration 3c9d5e7f1a24 computes the same key for certificates issued before it."""
    texts = {k: v.casefold() for k, v in translated(award_name).as_dict().items()}
    digest = hashlib.sha256(
        json.dumps(texts, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return f"{kind.value}|{digest}"


def find_current_certificate(
    registration_id: int, kind: CertificateKind, award_name: Mapping[str, str] | None = None
) -> Certificate | None:
    """The unrevoked certificate of a registration for this kind and award, if any."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.registration_id == registration_id,
            Certificate.active_key == active_key(kind, award_name),
        )
    )


@dataclass(frozen=True)
class Issued:
    """The certificate asked for and whether this call created it."""

    certificate: Certificate
    created: bool


def issue_certificate(
    registration: Registration,
    kind: CertificateKind,
    *,
    award_name: Mapping[str, str] | None = None,
    team_name: str | None = None,
    entry_title: str | None = None,
    actor: User | None = None,
    send_mail: bool = True,
) -> Issued:
    """Issue a certificate to a confirmed registration, or return the current one (idempotent).

    `award_name` maps languages to the award's name (a `Translated`); the certificate keeps
    the texts given now, and prints the recipient's language with the event's fallback.
    Raises CertificateError for an unconfirmed registration or an award without a name.
    Flushes, does not commit; with send_mail the certificate mail is queued in the same
    transaction and delivered after the commit.
    """
    award = Translated({k: str(v or "")[:200] for k, v in translated(award_name).items()})
    if kind == CertificateKind.AWARD and not award:
        raise CertificateError(_l("Please give the award's name."))
    if kind == CertificateKind.PARTICIPATION:
        award = Translated()
    if registration.state != RegistrationState.CONFIRMED:
        raise CertificateError(_l("Certificates are issued to confirmed registrations only."))
    existing = find_current_certificate(registration.id, kind, award)
    if existing is not None:
        return Issued(existing, False)
    event = registration.event or db.session.get(Event, registration.event_id)
    settings = ensure_settings(event)
    try:
        with db.session.begin_nested():
            sequence = next_sequence(event.id, kind)
            certificate = Certificate(
                event_id=event.id,
                registration_id=registration.id,
                kind=kind,
                sequence=sequence,
                number=format_number(settings.number_prefix, kind, sequence),
                native_name=registration.native_name,
                latin_name=registration.latin_name
                if registration.latin_name != registration.native_name
                else "",
                language=registration.language,
                award_name=award,
                team_name=(team_name or "").strip() or None,
                entry_title=(entry_title or "").strip() or None,
                active_key=active_key(kind, award),
                issued_by_user_id=actor.id if actor else None,
                issued_at=utcnow(),
            )
            db.session.add(certificate)
    except IntegrityError:
        # The same certificate was issued concurrently; the savepoint gave our number back.
        existing = find_current_certificate(registration.id, kind, award)
        if existing is None:
            raise
        return Issued(existing, False)
    if send_mail:
        send_certificate_mail(certificate)
    return Issued(certificate, True)


def select_participation_recipients(
    event: Event,
    *,
    category_ids: list[int] | None = None,
    registration_ids: list[int] | None = None,
    checked_in_only: bool = False,
) -> list[int]:
    """Ids of the event's confirmed registrations in the given categories and/or among the ids.

    `checked_in_only` restricts the selection to attendees: checked in at the door (a valid,
    not undone entry scan on any of the event's check-in lists) or joined online through their
    personal join link. Ids of other events
    or of unconfirmed registrations are left out.
    """
    query = select(Registration.id).where(
        Registration.event_id == event.id, Registration.state == RegistrationState.CONFIRMED
    )
    if checked_in_only:
        query = query.where(Registration.id.in_(attended_registration_ids(event.id)))
    conditions = []
    if category_ids:
        conditions.append(Registration.category_id.in_(category_ids))
    if registration_ids:
        conditions.append(Registration.id.in_(registration_ids))
    if not conditions:
        return []
    return list(db.session.scalars(query.where(or_(*conditions)).order_by(Registration.id)))


def start_participation_batch(
    event: Event, registration_ids: list[int], actor: User | None, *, send_mail: bool = True
) -> CertificateBatch:
    """Record a batch issuing participation certificates; the job runs after the commit.

    Raises CertificateError when the selection is empty.
    """
    if not registration_ids:
        raise CertificateError(_l("No confirmed registration matches this selection."))
    ensure_settings(event)
    batch = CertificateBatch(
        event_id=event.id,
        requested_by_user_id=actor.id if actor else None,
        registration_ids=list(registration_ids),
        total=len(registration_ids),
        send_mail=send_mail,
    )
    db.session.add(batch)
    db.session.flush()
    from app.certificates.tasks import run_certificate_batch  # tasks import this module

    queue.enqueue_after_commit(run_certificate_batch, batch.id, queue="documents")
    return batch


def run_certificate_batch(batch_id: int) -> CertificateBatch | None:
    """Issue the batch's certificates in chunks, committing (and mailing) after each chunk.

    Safe to run twice: certificates issued by an earlier run count as skipped.
    """
    claimed = db.session.execute(
        update(CertificateBatch)
        .where(CertificateBatch.id == batch_id, CertificateBatch.state.in_(("queued", "running")))
        .values(state="running", issued=0, skipped=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None
    batch = db.session.get(CertificateBatch, batch_id, populate_existing=True)
    actor = db.session.get(User, batch.requested_by_user_id) if batch.requested_by_user_id else None
    # Read what the loop needs now: after each chunk's commit these objects are expired, and
    # reloading them while that commit's inline jobs run (no Redis) would lock SQLite.
    send_mail = batch.send_mail
    event_id = batch.event_id
    ids = list(batch.registration_ids or [])
    try:
        for start in range(0, len(ids), BATCH_CHUNK):
            chunk = ids[start : start + BATCH_CHUNK]
            registrations = db.session.scalars(
                select(Registration)
                .where(Registration.id.in_(chunk), Registration.event_id == event_id)
                .order_by(Registration.id)
            ).all()
            issued = 0
            for registration in registrations:
                try:
                    result = issue_certificate(
                        registration,
                        CertificateKind.PARTICIPATION,
                        actor=actor,
                        send_mail=send_mail,
                    )
                except CertificateError:
                    continue
                issued += int(result.created)
            batch.issued += issued
            batch.skipped += len(chunk) - issued
            db.session.commit()
    except Exception as exc:
        db.session.rollback()
        batch = db.session.get(CertificateBatch, batch_id, populate_existing=True)
        batch.state = "failed"
        batch.error = f"{type(exc).__name__}: {exc}"[:500]
        batch.finished_at = utcnow()
        db.session.commit()
        raise
    batch.state = "done"
    batch.finished_at = utcnow()
    db.session.commit()
    return batch


def revoke_certificate(certificate: Certificate, reason: str, actor: User | None) -> None:
    """Revoke a certificate with a reason shown on the verification page.

    Raises CertificateError when the reason is empty or too long, or it is already revoked.
    """
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise CertificateError(_l("Please give a reason (at most 500 characters)."), "reason")
    if certificate.is_revoked:
        raise CertificateError(_l("This certificate has already been revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason
    certificate.revoked_by_user_id = actor.id if actor else None
    certificate.active_key = None
    record_audit(
        "certificates.revoke",
        event_id=certificate.event_id,
        user=actor,
        target=f"certificate:{certificate.id}",
        details={"number": certificate.number, "reason": reason[:200]},
    )
    db.session.flush()


# --- verification ----------------------------------------------------------------------------


def verification_url(certificate: Certificate) -> str:
    """The absolute public URL that verifies a certificate (printed as its QR code)."""
    return absolute_url("certificates.verify", token=certificate.verification_token)


def find_certificate_by_token(token: str) -> Certificate | None:
    """The certificate with this verification token, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_token == token))


def _comparable(text: str) -> str:
    """Case- and spacing-insensitive form of a name or number for lookups."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def lookup_certificate(number: str, name: str) -> Certificate | None:
    """The certificate with this number whose printed native or Latin name matches `name`."""
    wanted_number = _comparable(number)
    wanted_name = _comparable(name)
    if not wanted_number or not wanted_name or len(wanted_number) > 60:
        return None
    certificate = db.session.scalar(
        select(Certificate).where(func.lower(Certificate.number) == wanted_number)
    )
    if certificate is None:
        return None
    printed = {_comparable(certificate.native_name), _comparable(certificate.latin_name)}
    return certificate if wanted_name in printed - {""} else None


# --- listing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFilter:
    """What the organizer filters the certificate list by."""

    q: str = ""
    kind: CertificateKind | None = None
    status: str = ""  # "", "valid" or "revoked"

    @classmethod
    def from_args(cls, args) -> CertificateFilter:
        """Parse GET parameters; malformed values are ignored."""
        raw_kind = (args.get("kind") or "").strip()
        kind = CertificateKind(raw_kind) if raw_kind in set(CertificateKind) else None
        status = (args.get("status") or "").strip()
        return cls(
            q=(args.get("q") or "").strip()[:100],
            kind=kind,
            status=status if status in ("valid", "revoked") else "",
        )

    def as_args(self) -> dict[str, str]:
        """The filter as GET parameters (only the ones set)."""
        args = {"q": self.q, "kind": self.kind.value if self.kind else "", "status": self.status}
        return {k: v for k, v in args.items() if v}


def list_certificates(event: Event, filters: CertificateFilter, limit: int = 500):
    """The event's certificates matching `filters`, newest first."""
    query = select(Certificate).where(Certificate.event_id == event.id)
    if filters.kind is not None:
        query = query.where(Certificate.kind == filters.kind)
    if filters.status == "valid":
        query = query.where(Certificate.revoked_at.is_(None))
    elif filters.status == "revoked":
        query = query.where(Certificate.revoked_at.is_not(None))
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            or_(
                func.lower(Certificate.number).contains(needle, autoescape=True),
                func.lower(Certificate.native_name).contains(needle, autoescape=True),
                func.lower(Certificate.latin_name).contains(needle, autoescape=True),
                Certificate.native_name.contains(filters.q, autoescape=True),
            )
        )
    return db.session.scalars(query.order_by(Certificate.id.desc()).limit(limit)).all()


def recent_batches(event: Event, limit: int = 5) -> list[CertificateBatch]:
    """The event's latest certificate batches, newest first."""
    return list(
        db.session.scalars(
            select(CertificateBatch)
            .where(CertificateBatch.event_id == event.id)
            .order_by(CertificateBatch.id.desc())
            .limit(limit)
        )
    )


# --- the document and its mail ---------------------------------------------------------------


def document_languages(certificate: Certificate, event: Event) -> list[str]:
    """The two content languages a certificate is printed in: the recipient's first, then the
    first other of the event's content languages (its host language, usually) — a Russian
    participant of a Chinese, Russian and English event gets Russian above Chinese."""
    primary = content_language(certificate.language) or event.languages[0]
    others = [*event.languages, *DEFAULT_CONTENT_LANGUAGES]
    return [primary, next(language for language in others if language != primary)]


def _ui_locale(language: str) -> str:
    """The UI locale that prints a content language ("zh" → "zh_CN"); a language without a
    catalog of ours (e.g. "kk") keeps its code: Babel formats its dates, the wording stays
    English until the catalog exists."""
    return normalize_language(language) or language


def _event_title(event: Event, language: str, locale: str) -> str:
    """The event's title for a reader of `language`, with the event's fallback order."""
    return event.text(event.title, language)


def _name_size_pt(text: str, box_mm: float, largest: float, smallest: float) -> float:
    """A font size (pt) that fits text on one line of box_mm, within the bounds."""
    width_em = sum(
        1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6
        for c in text
        if not unicodedata.combining(c)
    )
    if width_em <= 0:
        return largest
    return round(max(smallest, min(largest, box_mm * 72 / 25.4 / width_em)), 1)


def _language_block(certificate: Certificate, event: Event, language: str) -> dict[str, Any]:
    """The wording of a certificate in one content language: static wording from the UI
    catalog of that language, the organizer's texts (award, issuer) picked for it with the
    event's fallback; `*_lang` say which language a picked text is really in."""
    locale = _ui_locale(language)
    fallback = event.languages
    start = event.local(event.starts_at).date()
    end = event.local(event.ends_at).date()
    award, award_lang = certificate.award_name.pick(language, fallback)
    issuer, issuer_lang = get_settings(event).issuer.pick(language, fallback)
    with force_locale(locale):
        dates = (
            format_date(start, "long", locale=locale)
            if start == end
            else format_interval(start, end, "yMMMd", locale=locale)
        ).rstrip(".")  # the sentence's full stop ends "… 2026 г." too
        title = _event_title(event, language, locale)
        if certificate.kind == CertificateKind.AWARD:
            heading = _("Certificate of Award")
            statement = _(
                "was awarded %(award)s at %(event)s, %(dates)s.",
                award=award,
                event=title,
                dates=dates,
            )
        else:
            heading = _("Certificate of Participation")
            statement = _("took part in %(event)s, %(dates)s.", event=title, dates=dates)
        return {
            "lang": language,
            "heading": heading,
            "award": award,
            "award_lang": award_lang or language,
            "issuer": issuer,
            "issuer_lang": issuer_lang or language,
            "statement": statement,
            "team_label": _("Team"),
            "entry_label": _("Entry"),
            "number": _("Certificate No. %(number)s", number=certificate.number),
            "issued": _(
                "Issued on %(date)s",
                date=format_date(event.local(certificate.issued_at).date(), "long", locale=locale),
            ),
            # The template adds the colon; some catalogs end the phrase with their own.
            "verify": _("Verify this certificate at").rstrip(":："),
        }


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    """The certificate.html context: wording in two languages, images and the QR URL."""
    event = certificate.event or db.session.get(Event, certificate.event_id)
    settings = get_settings(event)
    primary, secondary = (
        _language_block(certificate, event, language)
        for language in document_languages(certificate, event)
    )
    issuers: list[dict[str, Any]] = []
    for block in (primary, secondary):
        if block["issuer"] and block["issuer"] not in [i["text"] for i in issuers]:
            issuers.append(
                {
                    "text": block["issuer"],
                    "lang": block["issuer_lang"],
                    "size_pt": _name_size_pt(block["issuer"], 108, 10.5, 6.5),
                }
            )
    second_award = secondary["award"] != primary["award"]
    award_line = primary["award"] + (f" · {secondary['award']}" if second_award else "")
    return {
        "primary": primary,
        "secondary": secondary,
        # The secondary award line is left out when the fallback gave the same text.
        "second_award": second_award,
        "award_size_pt": _name_size_pt(award_line, 232, 22, 10),
        "name": certificate.native_name,
        "name_size_pt": _name_size_pt(certificate.native_name, 230, 40, 14),
        "latin_name": certificate.latin_name,
        "number": certificate.number,
        "team": certificate.team_name or "",
        "entry": certificate.entry_title or "",
        "verify_url": verification_url(certificate),
        # Without a certificate logo, the event's badge logo (set on the badge page) is used.
        "logo": _image_data_url(event.id, settings.logo_file)
        or _image_data_url(event.id, event.badge_logo),
        "seal": _image_data_url(event.id, settings.seal_file),
        "signature": _image_data_url(event.id, settings.signature_file),
        "issuers": issuers,
    }


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF: the recipient's language first, a second
    content language of the event below (see `document_languages`)."""
    return render_pdf("certificate.html", certificate_context(certificate))


def certificate_filename(certificate: Certificate) -> str:
    """The file name of a certificate's PDF."""
    return f"certificate-{certificate.number}.pdf"


def send_certificate_mail(certificate: Certificate, *, resend: bool = False) -> None:
    """Queue the certificate mail (PDF attached at delivery); CertificateError if revoked."""
    if certificate.is_revoked:
        raise CertificateError(_l("A revoked certificate cannot be sent."))
    registration = certificate.registration or db.session.get(
        Registration, certificate.registration_id
    )
    event = certificate.event or db.session.get(Event, certificate.event_id)
    queue_mail(
        kind="certificate.resent" if resend else "certificate.issued",
        to_address=registration.email,
        to_name=registration.native_name,
        language=registration.language,
        template="certificate_issued",
        context={
            "registration": registration,
            "event": event,
            "certificate": certificate,
            "verify_url": verification_url(certificate),
        },
        event_id=event.id,
        registration_id=registration.id,
        attachments=[{"kind": "certificate", "ref": certificate.id}],
    )


def build_certificate_attachments(certificate_id: int) -> list[Attachment]:
    """Mail attachments for the "certificate" kind: the PDF, rendered at delivery time.

    Raises LookupError when the certificate no longer exists or was revoked meanwhile.
    """
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise LookupError(f"certificate {certificate_id} no longer exists")
    if certificate.is_revoked:
        raise LookupError(f"certificate {certificate.number} was revoked before delivery")
    return [
        Attachment(
            certificate_filename(certificate),
            render_certificate_pdf(certificate),
            "application",
            "pdf",
        )
    ]


# --- content languages -----------------------------------------------------------------------


def certificate_content_gaps(event: Event) -> list:
    """The event's certificate texts lacking a content language: the issuer (settings) and the
    award names of valid certificates (one entry per award: such a certificate keeps its
    names, so a missing one is added by revoking and issuing it again)."""
    from flask import url_for

    from app.contributions import content_gap

    languages = event.languages
    settings = db.session.get(CertificateSettings, event.id)
    gaps = []
    if settings is not None:
        gaps.append(
            content_gap(
                _l("Certificates: issuer"),
                [settings.issuer],
                languages,
                url_for("certificates.settings", slug=event.slug) + "#issuer-fields",
            )
        )
    awards = db.session.scalars(
        select(Certificate.award_name)
        .where(
            Certificate.event_id == event.id,
            Certificate.kind == CertificateKind.AWARD,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.id)
    ).all()
    seen: list[Translated] = []
    for award in awards:
        if award in seen:
            continue
        seen.append(award)
        gaps.append(
            content_gap(
                _l("Award certificates “%(award)s”", award=award.text(languages[0], languages)),
                [award],
                languages,
                url_for("certificates.index", slug=event.slug, kind="award"),
            )
        )
    return [gap for gap in gaps if gap]
