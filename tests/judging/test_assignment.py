"""Balanced assignment: every entry k judges, loads within one, never a conflicted pair."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.judging import assignment_services, judge_services
from app.judging.assignment import balanced_assignment
from app.judging.models import ConflictSource


def _check(result, entries, judges, k, conflicts):
    per_entry = dict.fromkeys(entries, 0)
    for entry, judge in result.pairs:
        per_entry[entry] += 1
        assert (entry, judge) not in conflicts
    loads = result.load()
    all_loads = [loads.get(j, 0) for j in judges]
    return per_entry, all_loads


def test_every_entry_gets_k_judges_and_loads_differ_by_at_most_one():
    entries, judges = list(range(20)), list(range(100, 106))
    result = balanced_assignment(entries, judges, 5, seed=1)
    per_entry, loads = _check(result, entries, judges, 5, set())
    assert set(per_entry.values()) == {5}
    assert max(loads) - min(loads) <= 1
    assert sum(loads) == 100
    assert result.short_entries == [] and result.balanced


def test_conflicted_pairs_are_never_assigned_and_balance_holds():
    entries, judges = list(range(10)), ["a", "b", "c", "d"]
    conflicts = {(0, "a"), (1, "a"), (2, "a"), (3, "b"), (4, "c"), (0, "d")}
    result = balanced_assignment(entries, judges, 2, conflicts, seed="x")
    per_entry, loads = _check(result, entries, judges, 2, conflicts)
    assert set(per_entry.values()) == {2}
    assert max(loads) - min(loads) <= 1


def test_entry_with_too_few_free_judges_is_reported_short():
    result = balanced_assignment([1, 2], ["a", "b"], 2, {(1, "a")})
    assert result.short_entries == [1]
    assert (1, "a") not in result.pairs


def test_the_same_seed_gives_the_same_assignment():
    entries, judges = list(range(15)), list(range(7))
    first = balanced_assignment(entries, judges, 3, seed=42).pairs
    assert balanced_assignment(entries, judges, 3, seed=42).pairs == first


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_entries=st.integers(1, 25),
    n_judges=st.integers(1, 12),
    k=st.integers(1, 6),
    conflict_bits=st.lists(st.booleans(), min_size=0, max_size=300),
    seed=st.integers(0, 10_000),
)
def test_assignment_invariants_hold_for_any_conflicts(n_entries, n_judges, k, conflict_bits, seed):
    entries = list(range(n_entries))
    judges = [f"j{i}" for i in range(n_judges)]
    pairs = [(e, j) for e in entries for j in judges]
    conflicts = {pair for pair, bit in zip(pairs, conflict_bits, strict=False) if bit}
    result = balanced_assignment(entries, judges, k, conflicts, seed=seed)
    per_entry, loads = _check(result, entries, judges, k, conflicts)
    for entry in entries:
        free = sum(1 for j in judges if (entry, j) not in conflicts)
        # Every entry gets k judges whenever k non-conflicted judges exist for it …
        if entry not in result.short_entries:
            assert per_entry[entry] == k
        # … and is short only when the conflicts leave it too few, or balance is impossible.
        assert per_entry[entry] <= min(k, free)
    if not conflicts and k <= n_judges:
        assert result.short_entries == []
        assert max(loads) - min(loads) <= 1
    if result.balanced:
        assert max(loads) - min(loads) <= 1


@settings(max_examples=60, deadline=None)
@given(
    n_entries=st.integers(1, 30),
    n_judges=st.integers(2, 10),
    k=st.integers(1, 5),
    seed=st.integers(0, 1000),
    blocked=st.sets(st.tuples(st.integers(0, 29), st.integers(0, 9)), max_size=20),
)
def test_sparse_conflicts_keep_full_coverage_and_balance(n_entries, n_judges, k, seed, blocked):
    entries = list(range(n_entries))
    judges = list(range(n_judges))
    k = min(k, n_judges - 1)
    conflicts = {(e, j) for e, j in blocked if e < n_entries and j < n_judges}
    # Keep at least k free judges per entry so a full assignment exists.
    conflicts = {
        (e, j) for e, j in conflicts if sum(1 for c in conflicts if c[0] == e) <= n_judges - k
    }
    result = balanced_assignment(entries, judges, k, conflicts, seed=seed)
    per_entry, loads = _check(result, entries, judges, k, conflicts)
    assert all(per_entry[e] == k for e in entries if e not in result.short_entries)
    if result.balanced:
        assert max(loads) - min(loads) <= 1


def test_assign_automatically_stores_a_conflict_free_balanced_assignment(competition):
    comp = competition(entries=7, judges=4, k=3)
    member = comp.members[comp.entries[0].id][0]
    judge_services.set_judge_organization(comp.event, comp.judges[0], member.organization.upper())
    judge_services.record_conflict(
        comp.event, comp.judges[1], comp.entries[1], ConflictSource.DECLARED
    )
    result = assignment_services.assign_automatically(comp.round)
    stored = {(a.entry_id, a.judge_user_id) for a in assignment_services.assignments_of(comp.round)}
    assert stored == result.pairs
    assert (comp.entries[0].id, comp.judges[0].id) not in stored
    assert (comp.entries[1].id, comp.judges[1].id) not in stored
    per_entry = {e.id: 0 for e in comp.entries}
    loads = {j.id: 0 for j in comp.judges}
    for entry_id, judge_id in stored:
        per_entry[entry_id] += 1
        loads[judge_id] += 1
    assert set(per_entry.values()) == {3}
    assert max(loads.values()) - min(loads.values()) <= 1
    overview = assignment_services.assignment_overview(comp.round)
    assert (comp.entries[0].id, comp.judges[0].id) in overview.conflicts


def test_assignment_page_buttons_assign_and_adjust_by_hand(competition, client, auth):
    comp = competition(entries=3, judges=3, k=1)
    auth.login(comp.organizer)
    base = f"/manage/{comp.event.slug}/judging/rounds/{comp.round.id}"
    assert client.post(f"{base}/assign").status_code == 302
    assert len(assignment_services.assignments_of(comp.round)) == 3
    entry, judge = comp.entries[0], comp.judges[0]
    client.post(
        f"{base}/assignments", data={"action": "remove", "entry": entry.id, "judge": judge.id}
    )
    client.post(f"{base}/assignments", data={"action": "add", "entry": entry.id, "judge": judge.id})
    pairs = {(a.entry_id, a.judge_user_id) for a in assignment_services.assignments_of(comp.round)}
    assert (entry.id, judge.id) in pairs
    page = client.get(f"{base}/").get_data(as_text=True)
    assert "cell-assigned" in page
