"""Ceremony documents, always built from the current data: the bilingual agenda, the host
script in the host's language and the stage list (PDF, or the same HTML for a preview)."""

from __future__ import annotations

from flask_babel import force_locale, format_date, get_locale, get_translations
from flask_babel import gettext as _

from app.ceremonies.models import Ceremony, SegmentKind, SigningStatus
from app.ceremonies.services import (
    agenda_minutes,
    agenda_timeline,
    country_label,
    pre_print_checks,
    signing_rounds,
    stage_list,
)
from app.clock import to_local
from app.documents.render import render_html, render_pdf

LOCALES = {"zh": "zh_CN", "en": "en"}


def _title_and_name(title: str, name: str) -> str:
    """Return "title name" with a space between them, as the host reads it ("CEO Ingrid Solberg").

    A space even between Chinese title and name ("主任 王海峰"): the languages mix in one
    script, and "CEOIngrid Solberg" or "ПроректорАлексей Петров" cannot be read aloud.
    """
    return " ".join(part for part in (title.strip(), name.strip()) if part)


def _clock(value, timezone: str) -> str:
    return to_local(value, timezone).strftime("%H:%M") if value is not None else ""


def kind_labels() -> dict[str, str]:
    """Segment kinds in the current locale."""
    return {
        SegmentKind.OPENING: _("Opening"),
        SegmentKind.SPEECH: _("Speech"),
        SegmentKind.VIDEO: _("Video"),
        SegmentKind.SIGNING: _("Signing"),
        SegmentKind.WITNESS_PHOTO: _("Group photo with witnesses"),
        SegmentKind.CLOSING: _("Closing"),
        SegmentKind.OTHER: _("Other"),
    }


def status_labels() -> dict[str, str]:
    """Signing statuses in the current locale."""
    return {
        SigningStatus.PROPOSED: _("Proposed"),
        SigningStatus.CONFIRMED: _("Confirmed"),
        SigningStatus.DOCUMENTS_READY: _("Documents ready"),
        SigningStatus.SIGNED: _("Signed"),
    }


def _checks(ceremony: Ceremony) -> list[dict]:
    return [{"level": c.level, "message": c.message} for c in pre_print_checks(ceremony)]


def _agenda_labels() -> dict[str, object]:
    return {
        "agenda": _("Agenda"),
        "time": _("Time"),
        "programme": _("Programme"),
        "speaker": _("Speaker / performer"),
        "minutes": _("Min."),
        "venue": _("Venue"),
        "host": _("Host"),
        "signing_items": _("Signing items"),
        "checks": _("Check before printing"),
        "kinds": kind_labels(),
    }


def agenda_context(ceremony: Ceremony) -> dict:
    """Everything the bilingual agenda template prints (Chinese first, then English)."""
    timezone = ceremony.event.timezone
    local_start = to_local(ceremony.starts_at, timezone)
    labels = {}
    dates = {}
    for lang, locale in LOCALES.items():
        with force_locale(locale):
            labels[lang] = _agenda_labels()
            dates[lang] = format_date(local_start.date(), "long")
    rounds = {item.id: r for r in signing_rounds(ceremony) for item in r.items}
    rows = []
    for timed in agenda_timeline(ceremony):
        segment = timed.segment
        items = []
        if segment.kind == SegmentKind.SIGNING:
            for order, item in enumerate(ceremony.items, start=1):
                items.append(
                    {
                        "order": order,
                        "title_zh": item.title_zh,
                        "title_en": item.title_en,
                        "time": _clock(rounds[item.id].starts_at, timezone),
                        "parties_zh": "、".join(p.organization("zh") for p in item.parties),
                        "parties_en": "; ".join(p.organization("en") for p in item.parties),
                    }
                )
        rows.append(
            {
                "start": _clock(timed.starts_at, timezone),
                "end": _clock(timed.ends_at, timezone),
                "kind_zh": labels["zh"]["kinds"][segment.kind],
                "kind_en": labels["en"]["kinds"][segment.kind],
                "title_zh": segment.title_zh or labels["zh"]["kinds"][segment.kind],
                "title_en": segment.title_en or labels["en"]["kinds"][segment.kind],
                "performer": segment.performer,
                "minutes": segment.duration_minutes,
                "signings": items,
            }
        )
    return {
        "title_zh": ceremony.title_zh,
        "title_en": ceremony.title_en,
        "venue_zh": ceremony.venue_zh,
        "venue_en": ceremony.venue_en,
        "host": ceremony.host_name,
        "date_zh": dates["zh"],
        "date_en": dates["en"],
        "start": _clock(ceremony.starts_at, timezone),
        "total_minutes": agenda_minutes(ceremony),
        "labels_zh": labels["zh"],
        "labels_en": labels["en"],
        "rows": rows,
        "checks": _checks(ceremony),
    }


def host_script_context(ceremony: Ceremony) -> dict:
    """The host script's data in the host's language (call inside force_locale of it)."""
    lang = ceremony.host_language.value
    timezone = ceremony.event.timezone
    kinds = kind_labels()
    rounds = signing_rounds(ceremony)
    round_of = {item.id: r for r in rounds for item in r.items}
    order_of = {item.id: n for n, item in enumerate(ceremony.items, start=1)}
    segments = []
    for timed in agenda_timeline(ceremony):
        segment = timed.segment
        entry = {
            "kind": segment.kind.value,
            "kind_label": kinds[segment.kind],
            "title": segment.title(lang) or kinds[segment.kind],
            "performer": segment.performer,
            "start": _clock(timed.starts_at, timezone),
            "minutes": segment.duration_minutes,
            "signings": [],
        }
        if segment.kind == SegmentKind.SIGNING:
            for item in ceremony.items:
                signing_round = round_of[item.id]
                entry["signings"].append(
                    {
                        "order": order_of[item.id],
                        "title": item.title(lang),
                        "simultaneous": len(signing_round.items) > 1,
                        "round": signing_round.number,
                        "time": _clock(signing_round.starts_at, timezone),
                        "parties": [
                            {
                                "organization": p.organization(lang),
                                "country": country_label(p.country, lang),
                                "signatory": p.signatory_name,
                                "signatory_title": p.signatory_title,
                                "signatory_with_title": _title_and_name(
                                    p.signatory_title, p.signatory_name
                                ),
                            }
                            for p in item.parties
                        ],
                        "witnesses": [
                            {"name": w.name, "title": w.title, "organization": w.organization}
                            for w in item.witnesses
                        ],
                    }
                )
        segments.append(entry)
    local_start = to_local(ceremony.starts_at, timezone)
    return {
        "lang": lang,
        "ceremony_title": ceremony.title(lang),
        "event_title": ceremony.event.text(ceremony.event.title, lang),
        "venue": ceremony.venue(lang),
        "host": ceremony.host_name,
        "date": format_date(local_start.date(), "long"),
        "start": _clock(ceremony.starts_at, timezone),
        "item_count": len(ceremony.items),
        "segments": segments,
        "checks": _checks(ceremony),
    }


def stage_list_context(ceremony: Ceremony, locale: str) -> dict:
    """The stage list's data in `locale` (call inside force_locale of it)."""
    timezone = ceremony.event.timezone
    tables = []
    for table in stage_list(ceremony, locale):
        tables.append(
            {
                "round": table.round_number,
                "table": table.table,
                "order": table.order,
                "time": _clock(table.starts_at, timezone),
                "title": table.item.title(locale),
                "seats": [
                    {
                        "number": s.number,
                        "name": s.name,
                        "title": s.title,
                        "organization": s.organization,
                        "country": country_label(s.country, locale),
                    }
                    for s in table.seats
                ],
                "standing": [
                    {
                        "number": s.number,
                        "name": s.name,
                        "title": s.title,
                        "organization": s.organization,
                    }
                    for s in table.standing
                ],
            }
        )
    return {
        "lang": "zh" if locale.startswith("zh") else "en",
        "ceremony_title": ceremony.title(locale),
        "venue": ceremony.venue(locale),
        "date": format_date(to_local(ceremony.starts_at, timezone).date(), "long"),
        "tables": tables,
        "checks": _checks(ceremony),
    }


def render_agenda_pdf(ceremony: Ceremony) -> bytes:
    """The bilingual printable agenda (PDF)."""
    return render_pdf(
        "ceremony_agenda.html", agenda_context(ceremony), translations=get_translations()
    )


def _host_document(ceremony: Ceremony, renderer) -> bytes | str:
    with force_locale(LOCALES[ceremony.host_language.value]):
        return renderer(
            "ceremony_host_script.html",
            host_script_context(ceremony),
            translations=get_translations(),
        )


def render_host_script_pdf(ceremony: Ceremony) -> bytes:
    """The host script in the host's language (PDF)."""
    return _host_document(ceremony, render_pdf)


def render_host_script_html(ceremony: Ceremony) -> str:
    """The host script as HTML, exactly what the PDF lays out (for the on-screen preview)."""
    return _host_document(ceremony, render_html)


def render_stage_list_pdf(ceremony: Ceremony) -> bytes:
    """The stage list in the current UI language (PDF)."""
    locale = str(get_locale() or "zh_CN")
    return render_pdf(
        "ceremony_stage_list.html",
        stage_list_context(ceremony, locale),
        translations=get_translations(),
    )
