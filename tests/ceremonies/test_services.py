"""Ceremony rules: computed times, ordering, rounds, status history, checks, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.accounts.models import Role
from app.ceremonies.models import SegmentKind, SigningStatus
from app.ceremonies.services import (
    CeremonyError,
    SegmentData,
    add_signing_item,
    agenda_timeline,
    change_signing_status,
    move_segment,
    move_signing_item,
    pre_print_checks,
    reorder_segments,
    reorder_signing_items,
    signing_rounds,
    stage_list,
    update_segment,
)
from app.extensions import db
from app.translated import Translated
from tests.ceremonies.conftest import item_data, party


def clock(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%H:%M")  # 09:30 Shanghai is 01:30 UTC


def starts(ceremony) -> list[tuple[str, str]]:
    return [(t.segment.title["zh"], clock(t.starts_at)) for t in agenda_timeline(ceremony)]


def test_start_times_are_computed_from_the_start_and_durations(make_ceremony):
    ceremony = make_ceremony()
    assert starts(ceremony) == [
        ("开场", "01:30"),
        ("致辞", "01:35"),
        ("签约", "01:45"),
        ("结束", "02:05"),
    ]


def test_times_recompute_after_a_reorder(make_ceremony):
    ceremony = make_ceremony()
    ids = [s.id for s in ceremony.segments]
    reorder_segments(ceremony, [ids[1], ids[0], ids[2], ids[3]])
    db.session.commit()
    assert starts(ceremony)[:3] == [("致辞", "01:30"), ("开场", "01:40"), ("签约", "01:45")]


def test_times_recompute_after_a_move_and_a_duration_change(make_ceremony):
    ceremony = make_ceremony()
    speech = ceremony.segments[1]
    update_segment(speech, SegmentData(SegmentKind.SPEECH, 25, Translated(zh="致辞", en="致辞")))
    closing = ceremony.segments[3]
    move_segment(closing, -1)
    db.session.commit()
    assert starts(ceremony) == [
        ("开场", "01:30"),
        ("致辞", "01:35"),
        ("结束", "02:00"),
        ("签约", "02:05"),
    ]


def test_reorder_with_ids_of_another_list_is_refused(make_ceremony):
    ceremony = make_ceremony()
    ids = [s.id for s in ceremony.segments]
    with pytest.raises(CeremonyError):
        reorder_segments(ceremony, ids[:-1])
    with pytest.raises(CeremonyError):
        reorder_segments(ceremony, [*ids[:-1], 999999])


def test_signing_item_without_parties_or_with_one_is_refused(make_ceremony):
    ceremony = make_ceremony()
    with pytest.raises(CeremonyError, match="at least two parties"):
        add_signing_item(ceremony, item_data("项目", []))
    with pytest.raises(CeremonyError, match="at least two parties"):
        add_signing_item(ceremony, item_data("项目", [party("甲方")]))
    db.session.rollback()
    assert ceremony.items == []


def test_party_with_unknown_country_is_refused(make_ceremony):
    ceremony = make_ceremony()
    with pytest.raises(CeremonyError, match="country"):
        add_signing_item(ceremony, item_data("项目", [party("甲"), party("乙", country="XX")]))


def test_items_with_previous_share_a_round_and_rounds_are_timed_in_the_signing_segment(
    make_ceremony,
):
    ceremony = make_ceremony(
        items=[
            item_data("一", [party("甲", name="A"), party("乙", name="B")]),
            item_data("二", [party("丙", name="C"), party("丁", name="D")], with_previous=True),
            item_data("三", [party("戊", name="E"), party("己", name="F")], duration_minutes=4),
        ]
    )
    rounds = signing_rounds(ceremony)
    assert [[i.title["zh"] for i in r.items] for r in rounds] == [["一", "二"], ["三"]]
    assert [clock(r.starts_at) for r in rounds] == ["01:45", "01:48"]
    tables = stage_list(ceremony, "zh_CN")
    assert [(t.order, t.round_number, t.table) for t in tables] == [(1, 1, 1), (2, 1, 2), (3, 2, 1)]
    assert [s.name for s in tables[0].seats] == ["A", "B"]


def test_status_changes_are_recorded_with_who_and_when(make_ceremony, make_user):
    ceremony = make_ceremony(
        items=[item_data("一", [party("甲", name="A"), party("乙", name="B")])]
    )
    user = make_user(Role.ORGANIZER, event=ceremony.event)
    item = ceremony.items[0]
    change_signing_status(item, SigningStatus.CONFIRMED, user)
    change_signing_status(item, SigningStatus.DOCUMENTS_READY, user)
    change_signing_status(item, SigningStatus.CONFIRMED, user)
    db.session.commit()
    history = [(c.from_status, c.to_status, c.changed_by_id) for c in item.status_changes]
    assert history == [
        (None, SigningStatus.PROPOSED, None),
        (SigningStatus.PROPOSED, SigningStatus.CONFIRMED, user.id),
        (SigningStatus.CONFIRMED, SigningStatus.DOCUMENTS_READY, user.id),
        (SigningStatus.DOCUMENTS_READY, SigningStatus.CONFIRMED, user.id),
    ]
    assert all(c.changed_at is not None for c in item.status_changes)


def test_status_cannot_skip_a_step(make_ceremony):
    ceremony = make_ceremony(
        items=[item_data("一", [party("甲", name="A"), party("乙", name="B")])]
    )
    with pytest.raises(CeremonyError):
        change_signing_status(ceremony.items[0], SigningStatus.SIGNED, None)
    assert ceremony.items[0].status == SigningStatus.PROPOSED


def messages(ceremony, level):
    return [c.message for c in pre_print_checks(ceremony) if c.level == level]


def test_confirmed_item_missing_a_signatory_is_an_error(make_ceremony):
    ceremony = make_ceremony(items=[item_data("一", [party("甲", name="A"), party("乙方单位")])])
    assert messages(ceremony, "error") == []  # proposed items may lack signatories
    change_signing_status(ceremony.items[0], SigningStatus.CONFIRMED, None)
    errors = messages(ceremony, "error")
    assert len(errors) == 1 and "乙方单位" in errors[0] and "no signatory" in errors[0]


def test_same_signatory_in_two_simultaneous_items_is_an_error(make_ceremony):
    ceremony = make_ceremony(
        items=[
            item_data("一", [party("甲", name="王海峰"), party("乙", name="B")]),
            item_data(
                "二", [party("丙", name="王 海峰"), party("丁", name="D")], with_previous=True
            ),
        ]
    )
    errors = messages(ceremony, "error")
    assert len(errors) == 1 and "王海峰" in errors[0] and "two places" in errors[0]


def test_witness_signing_at_the_same_time_is_an_error(make_ceremony):
    ceremony = make_ceremony(
        items=[
            item_data("一", [party("甲", name="Anna Li"), party("乙", name="B")]),
            item_data(
                "二",
                [party("丙", name="C"), party("丁", name="D")],
                witnesses=[("anna li", "Director", "X")],
                with_previous=True,
            ),
        ]
    )
    assert any("two places" in m for m in messages(ceremony, "error"))


def test_same_person_in_consecutive_rounds_is_fine(make_ceremony):
    ceremony = make_ceremony(
        items=[
            item_data("一", [party("甲", name="王海峰"), party("乙", name="B")]),
            item_data("二", [party("丙", name="王海峰"), party("丁", name="D")]),
        ]
    )
    assert messages(ceremony, "error") == []


def test_agenda_longer_than_its_slot_is_a_warning(make_ceremony):
    ceremony = make_ceremony(slot_minutes=30)
    warnings = messages(ceremony, "warning")
    assert any("40 minutes" in w and "10 more" in w for w in warnings)
    assert messages(make_ceremony(slot_minutes=40), "warning") == []


def test_reordering_signing_items_changes_the_order_and_the_stage_list(make_ceremony):
    ceremony = make_ceremony(
        items=[
            item_data("一", [party("甲", name="A"), party("乙", name="B")]),
            item_data("二", [party("丙", name="C"), party("丁", name="D")]),
            item_data("三", [party("戊", name="E"), party("己", name="F")]),
        ]
    )
    first, second, third = ceremony.items
    reorder_signing_items(ceremony, [third.id, first.id, second.id])
    move_signing_item(second, -1)
    db.session.commit()
    assert [i.title["zh"] for i in ceremony.items] == ["三", "二", "一"]
    assert [t.item.title["zh"] for t in stage_list(ceremony, "en")] == ["三", "二", "一"]
