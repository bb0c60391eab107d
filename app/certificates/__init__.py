"""Certificates: numbered, verifiable participation and award certificates."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the certificate pages, the certificate mail attachments, the certificates'
    part of personal data and their texts missing a content language."""
    from flask_babel import lazy_gettext as _l

    from app.accounts.models import Role
    from app.certificates.demo import load_demo_certificates
    from app.certificates.privacy import anonymize_certificates, export_certificates
    from app.certificates.routes import bp
    from app.certificates.services import build_certificate_attachments, certificate_content_gaps
    from app.contributions import (
        add_anonymizer,
        add_content_gaps,
        add_demo_loader,
        add_manage_section,
        add_personal_data,
    )
    from app.mail.services import register_attachment_builder

    app.register_blueprint(bp)
    add_manage_section(app, "certificates.index", _l("Certificates"), role=Role.ORGANIZER, order=80)
    register_attachment_builder("certificate", build_certificate_attachments)
    add_personal_data(app, "certificates", export_certificates, order=700)
    add_anonymizer(app, anonymize_certificates, order=500)
    add_content_gaps(app, certificate_content_gaps, order=700)
    add_demo_loader(app, load_demo_certificates, order=50)
