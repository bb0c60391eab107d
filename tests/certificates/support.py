"""Helpers for certificate tests: a desk with a category and confirmed registrations."""

from __future__ import annotations

import html
import re

from app.certificates.models import CertificateKind
from app.certificates.services import issue_certificate
from app.extensions import db
from tests.registration.organizer_support import add_registration, sign_in_organizer

__all__ = ["add_registration", "issued", "page_status", "sign_in_organizer", "text_of"]


def issued(registration, kind=CertificateKind.PARTICIPATION, **kwargs):
    """Issue a certificate through the service and commit; returns the certificate."""
    kwargs.setdefault("send_mail", False)
    certificate = issue_certificate(registration, kind, **kwargs).certificate
    db.session.commit()
    return certificate


def page_status(page: str) -> str | None:
    """The data-status of the verification result on a page."""
    match = re.search(r'id="verification-result" data-status="(\w+)"', page)
    return match.group(1) if match else None


def text_of(page: str) -> str:
    """The page's text without tags, unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))
