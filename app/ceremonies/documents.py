"""Ceremony documents, always built from the current data: the agenda in one or two content
languages side by side, the host script in the host's language and the stage list (PDF, or
the same HTML for a preview). Each text is the organizer's in that language, else the event's
fallback, marked with its `lang`."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, format_date, get_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup, escape

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
from app.translated import Translated, content_language

LOCALES = {"zh": "zh_CN"}


def _title_and_name(title: object, name: str) -> Markup:
    """Return "title name" with a space between them, as the host reads it ("CEO Ingrid Solberg");
    a title taken from another language keeps its `lang` mark (see Shown).

    A space even between Chinese title and name ("主任 王海峰"): the languages mix in one
    script, and "CEOIngrid Solberg" or "ПроректорАлексей Петров" cannot be read aloud.
    """
    parts = [part for part in (title, name.strip()) if str(part).strip()]
    return Markup(" ").join(escape(part) for part in parts)


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


@dataclass(frozen=True)
class Shown:
    """A translated text as one language of a document prints it: the text, the language it is
    really in, and whether that is a fallback (the template marks it with a `lang` attribute)."""

    text: str
    lang: str
    fallback: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __html__(self) -> str:
        """The text, in a <span lang> when it is in another language than the document's."""
        if self.fallback:
            return Markup('<span lang="{}" class="fallback">{}</span>').format(self.lang, self.text)
        return str(escape(self.text))


def shown(value: Translated, lang: str, languages: list[str], default: str = "") -> Shown:
    """`value` for a document in `lang`: that language, else the event's fallback order, else
    `default` (already in `lang`, such as a segment kind's label)."""
    text, actual = value.pick(lang, languages)
    if not text:
        return Shown(default, lang)
    return Shown(text, actual or lang, actual != lang)


def ui_locale(lang: str) -> str:
    """The interface locale printing a document in content language `lang` ("zh" → "zh_CN");
    a language without interface translations gets its dates from Babel and English labels."""
    return LOCALES.get(lang, lang)


def agenda_languages(ceremony: Ceremony, asked: str | None, reader: str) -> list[str]:
    """The one or two content languages the agenda is printed in, first the main one.

    `asked` is "ru" or "ru,zh" (`?languages=`); codes that are not content languages of the
    event are ignored. Without a usable choice: the reader's language (or the event's first)
    and the event's next content language, so a Chinese reader of a Chinese–English event
    gets the Chinese–English agenda it always had."""
    event_languages = ceremony.event.languages
    chosen: list[str] = []
    for code in (asked or "").split(","):
        code = content_language(code)
        if code in event_languages and code not in chosen:
            chosen.append(code)
    if chosen:
        return chosen[:2]
    first = content_language(reader)
    if first not in event_languages:
        first = event_languages[0]
    others = [code for code in event_languages if code != first]
    return [first, *others[:1]]


def agenda_context(ceremony: Ceremony, languages: list[str] | None = None) -> dict:
    """Everything the agenda template prints, in `languages` (one, or two side by side: the
    main language first, the second under it in grey). A text missing in a language is printed
    in the event's fallback language, marked; in the second line it is left out when the
    fallback would repeat the first line."""
    event_languages = ceremony.event.languages
    languages = languages or agenda_languages(ceremony, None, event_languages[0])
    timezone = ceremony.event.timezone
    local_start = to_local(ceremony.starts_at, timezone)
    labels: dict[str, dict] = {}
    dates: dict[str, str] = {}
    for lang in languages:
        with force_locale(ui_locale(lang)):
            labels[lang] = _agenda_labels()
            dates[lang] = format_date(local_start.date(), "long")

    def per_language(value: Translated, defaults: dict[str, str] | None = None) -> list[Shown]:
        texts: list[Shown] = []
        for lang in languages:
            text = shown(value, lang, event_languages, (defaults or {}).get(lang, ""))
            if text and text.lang in {t.lang for t in texts if t}:
                text = Shown("", lang)  # the first line already says it in that language
            texts.append(text)
        return texts

    main = languages[0]
    separator = "、" if main == "zh" else "; "
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
                        "title": per_language(item.title),
                        "time": _clock(rounds[item.id].starts_at, timezone),
                        "parties": [
                            shown(p.organization, main, event_languages) for p in item.parties
                        ],
                    }
                )
        kinds = {lang: labels[lang]["kinds"][segment.kind] for lang in languages}
        rows.append(
            {
                "start": _clock(timed.starts_at, timezone),
                "end": _clock(timed.ends_at, timezone),
                "kind": [kinds[lang] for lang in languages],
                "title": per_language(segment.title, kinds),
                "performer": per_language(segment.performer),
                "minutes": segment.duration_minutes,
                "signings": items,
            }
        )
    return {
        "languages": languages,
        "lang": main,
        "title": per_language(ceremony.title),
        "venue": per_language(ceremony.venue),
        "host": ceremony.host_name,
        "dates": [dates[lang] for lang in languages],
        "start": _clock(ceremony.starts_at, timezone),
        "total_minutes": agenda_minutes(ceremony),
        "labels": [labels[lang] for lang in languages],
        "separator": separator,
        "rows": rows,
        "checks": _checks(ceremony),
    }


def _event_title(event, lang: str) -> str:
    """The event's title in `lang`, with the event's fallback order."""
    return event.text(event.title, lang)


def host_script_context(ceremony: Ceremony) -> dict:
    """The host script's data in the host's language (call inside force_locale of it); a text
    the organizer has not written in it is taken from the event's fallback order, marked."""
    lang = ceremony.host_language
    languages = ceremony.event.languages
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
            "title": shown(segment.title, lang, languages, kinds[segment.kind]),
            "performer": shown(segment.performer, lang, languages),
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
                        "title": shown(item.title, lang, languages),
                        "simultaneous": len(signing_round.items) > 1,
                        "round": signing_round.number,
                        "time": _clock(signing_round.starts_at, timezone),
                        "parties": [
                            {
                                "organization": shown(p.organization, lang, languages),
                                "country": country_label(p.country, lang),
                                "signatory": p.signatory_name,
                                "signatory_title": shown(p.signatory_title, lang, languages),
                                "signatory_with_title": _title_and_name(
                                    shown(p.signatory_title, lang, languages), p.signatory_name
                                ),
                            }
                            for p in item.parties
                        ],
                        "witnesses": [
                            {
                                "name": w.name,
                                "title": shown(w.title, lang, languages),
                                "organization": shown(w.organization, lang, languages),
                            }
                            for w in item.witnesses
                        ],
                    }
                )
        segments.append(entry)
    local_start = to_local(ceremony.starts_at, timezone)
    return {
        "lang": lang,
        "ceremony_title": shown(ceremony.title, lang, languages),
        "event_title": _event_title(ceremony.event, lang),
        "venue": shown(ceremony.venue, lang, languages),
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
    lang = content_language(locale)
    languages = ceremony.event.languages
    tables = []
    for table in stage_list(ceremony, locale):
        tables.append(
            {
                "round": table.round_number,
                "table": table.table,
                "order": table.order,
                "time": _clock(table.starts_at, timezone),
                "title": shown(table.item.title, lang, languages),
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
        "lang": lang,
        "ceremony_title": shown(ceremony.title, lang, languages),
        "venue": shown(ceremony.venue, lang, languages),
        "date": format_date(to_local(ceremony.starts_at, timezone).date(), "long"),
        "tables": tables,
        "checks": _checks(ceremony),
    }


def render_agenda_pdf(ceremony: Ceremony, languages: list[str] | None = None) -> bytes:
    """The printable agenda in one or two content languages (PDF)."""
    return render_pdf(
        "ceremony_agenda.html",
        agenda_context(ceremony, languages),
        translations=get_translations(),
    )


def render_agenda_html(ceremony: Ceremony, languages: list[str] | None = None) -> str:
    """The agenda as HTML, exactly what the PDF lays out."""
    return render_html(
        "ceremony_agenda.html",
        agenda_context(ceremony, languages),
        translations=get_translations(),
    )


def _host_document(ceremony: Ceremony, renderer) -> bytes | str:
    with force_locale(ui_locale(ceremony.host_language)):
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
