"""Results exports of a round: an XLSX workbook (one sheet overall, one per track) and the PDF
results sheet (templates/documents/judging_results.html)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask_babel import get_translations
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.clock import utcnow
from app.events.models import Event
from app.extensions import db
from app.judging import ranking_services
from app.judging.models import Round
from app.judging.round_services import round_entries
from app.judging.rubric import has_rubric, round_rubric
from app.registration.export import neutralize


def _award_label(award) -> str:
    if award is None:
        return ""
    labels = {
        "gold": _("Gold"),
        "silver": _("Silver"),
        "bronze": _("Bronze"),
        "excellence": _("Excellence"),
    }
    return labels[str(award.level)]


def _incomplete_mark(line) -> str:
    if not line.incomplete:
        return ""
    return _(
        "incomplete (%(submitted)s/%(assigned)s)", submitted=line.judges, assigned=line.assigned
    )


def _rows(round_: Round, locale: str, track: str | None = None) -> list[list]:
    rows = []
    lines = ranking_services.result_lines(round_, track=track)
    for position, r in enumerate(lines, start=1):
        rank = position if track is not None and r.line.score is not None else r.line.rank
        rows.append(
            [
                rank,
                neutralize(r.entry.title(locale)),
                neutralize(r.entry.team_name),
                neutralize(r.entry.track),
                None if r.line.score is None else round(r.line.score, 2),
                r.line.judges,
                None if r.line.median_total is None else round(r.line.median_total, 2),
                _("tie %(n)d", n=r.line.tie_group) if r.line.tie_group else "",
                _award_label(r.award),
                _incomplete_mark(r.line),
            ]
        )
    return rows


def results_workbook(round_: Round, locale: str) -> bytes:
    """XLSX bytes: the overall ranking, then one sheet per track."""
    headers = [
        _("Rank"),
        _("Entry"),
        _("Team"),
        _("Track"),
        _("Score"),
        _("Judges"),
        _("Median total"),
        _("Tie"),
        _("Award"),
        _("Judging"),
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Overall")[:31]
    groups: list[tuple[object, str | None]] = [(sheet, None)]
    for index, track in enumerate(ranking_services.round_tracks(round_), start=1):
        title = "".join(ch for ch in track if ch not in "[]:*?/\\")[:28] or f"T{index}"
        groups.append((workbook.create_sheet(f"{index} {title}"[:31]), track))
    for worksheet, track in groups:
        worksheet.append(headers)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in _rows(round_, locale, track):
            worksheet.append(row)
        worksheet.column_dimensions["B"].width = 48
        worksheet.column_dimensions["C"].width = 24
        worksheet.column_dimensions["D"].width = 18
        worksheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def results_context(round_: Round, locale: str) -> dict:
    """What the PDF results sheet prints."""
    event = db.session.get(Event, round_.event_id)
    tracks = ranking_services.round_tracks(round_)
    sections = [(None, _rows(round_, locale))]
    sections += [(track, _rows(round_, locale, track)) for track in tracks]
    rubric = round_rubric(round_, event, locale)
    return {
        "event_title": event.text(event.title, locale),
        "round_name": round_.name.text(locale, event.languages),
        "method": str(round_.aggregation),
        "criteria": [(c.name.text, c.weight) for c in rubric],
        "rubric": rubric if has_rubric(rubric) else [],
        "sections": sections,
        "generated": event.local(utcnow()).strftime("%Y-%m-%d %H:%M"),
        "seed": round_.draw_seed,
        "lang": "zh" if locale.startswith("zh") else locale,
        "overrides": _overrides(round_, event, locale),
    }


def _overrides(round_: Round, event: Event, locale: str) -> list[dict]:
    """The round's decisions taken although judging was incomplete, readable."""
    titles_of = {
        "advance": _("Advancement decided although judging was incomplete"),
        "awards": _("Awards given although judging was incomplete"),
    }
    titles = {e.id: e.title(locale) for e in round_entries(round_)}
    out = []
    for item in round_.incomplete_overrides or []:
        at = datetime.fromisoformat(item["at"])
        entries = ", ".join(
            f"{titles.get(entry_id, entry_id)} ({submitted}/{assigned})"
            for entry_id, submitted, assigned in item.get("entries", [])
        )
        out.append(
            {
                "title": titles_of.get(item.get("decision"), item.get("decision")),
                "reason": item.get("reason", ""),
                "by": item.get("by", ""),
                "at": event.local(at).strftime("%Y-%m-%d %H:%M"),
                "entries": entries,
            }
        )
    return out


def results_pdf(round_: Round, locale: str) -> bytes:
    """The PDF results sheet of a round."""
    from app.documents.render import render_pdf

    return render_pdf(
        "judging_results.html", results_context(round_, locale), translations=get_translations()
    )
