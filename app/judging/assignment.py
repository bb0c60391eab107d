"""Balanced judge assignment as a flow problem: plain functions, no database.

Every entry needs k judges, no judge may get an entry they conflict with, and judge loads may
differ by at most one. With E entries and J judges the loads must be q = ⌊kE/J⌋ or q + 1.
The assignment is a maximum flow source → entry (capacity k) → judge (1, only when not
conflicted) → sink: first with every judge capped at q, which must fill every judge to q,
then with the cap raised to q + 1. Augmenting paths never take flow away from the sink, so
the second phase keeps every judge at q or more. A random (seeded) greedy start makes the
pairs vary between rounds; augmenting paths (BFS) repair what the greedy could not place.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass
class AssignmentResult:
    """Pairs (entry, judge), and the entries that could not get k judges, if any."""

    pairs: set[tuple[Hashable, Hashable]]
    short_entries: list[Hashable]
    balanced: bool

    def load(self) -> dict[Hashable, int]:
        """Entries per judge."""
        counts: dict[Hashable, int] = {}
        for _, judge in self.pairs:
            counts[judge] = counts.get(judge, 0) + 1
        return counts


def balanced_assignment(
    entries: Sequence[Hashable],
    judges: Sequence[Hashable],
    k: int,
    conflicts: Iterable[tuple[Hashable, Hashable]] = (),
    seed: int | str = 0,
) -> AssignmentResult:
    """Assign k judges to every entry, loads within one of each other, no conflicted pair.

    When the conflicts make that impossible the result says which entries are short of
    judges (`short_entries`) and whether the loads are balanced.
    """
    entries = list(dict.fromkeys(entries))
    judges = list(dict.fromkeys(judges))
    blocked = set(conflicts)
    if not entries or not judges or k <= 0:
        return AssignmentResult(set(), list(entries) if k > 0 else [], True)
    rng = random.Random(str(seed))
    allowed: dict[Hashable, list[Hashable]] = {
        e: [j for j in judges if (e, j) not in blocked] for e in entries
    }
    need = {e: min(k, len(allowed[e])) for e in entries}
    total = sum(need.values())
    q = total // len(judges)

    assigned: dict[Hashable, set[Hashable]] = {e: set() for e in entries}
    judge_entries: dict[Hashable, set[Hashable]] = {j: set() for j in judges}
    order = list(entries)
    rng.shuffle(order)
    # The most constrained entries first, so the greedy start wastes few of their judges.
    order.sort(key=lambda e: len(allowed[e]))
    tiebreak = {j: rng.random() for j in judges}

    def greedy(cap: int) -> None:
        for e in order:
            candidates = sorted(
                (j for j in allowed[e] if j not in assigned[e] and len(judge_entries[j]) < cap),
                key=lambda j: (len(judge_entries[j]), tiebreak[j]),
            )
            for j in candidates[: need[e] - len(assigned[e])]:
                assigned[e].add(j)
                judge_entries[j].add(e)

    def augment(cap: int) -> bool:
        """One BFS augmenting path from an entry with room to a judge with room."""
        parent: dict[tuple[str, Hashable], tuple[str, Hashable] | None] = {}
        queue: deque[tuple[str, Hashable]] = deque()
        for e in entries:
            if len(assigned[e]) < need[e]:
                node = ("e", e)
                parent[node] = None
                queue.append(node)
        while queue:
            kind, value = queue.popleft()
            if kind == "e":
                for j in allowed[value]:
                    if j in assigned[value] or ("j", j) in parent:
                        continue
                    parent[("j", j)] = (kind, value)
                    if len(judge_entries[j]) < cap:
                        _apply_path(("j", j), parent, assigned, judge_entries)
                        return True
                    queue.append(("j", j))
            else:
                for e in judge_entries[value]:
                    if ("e", e) not in parent:
                        parent[("e", e)] = (kind, value)
                        queue.append(("e", e))
        return False

    for cap in (q, q + 1):
        greedy(cap)
        while sum(len(s) for s in assigned.values()) < total and augment(cap):
            pass

    pairs = {(e, j) for e, js in assigned.items() for j in js}
    short = [e for e in entries if len(assigned[e]) < k]
    loads = [len(judge_entries[j]) for j in judges]
    return AssignmentResult(pairs, short, max(loads) - min(loads) <= 1)


def _apply_path(
    end: tuple[str, Hashable],
    parent: dict,
    assigned: dict[Hashable, set[Hashable]],
    judge_entries: dict[Hashable, set[Hashable]],
) -> None:
    """Flip the pairs along an alternating path ending at a judge with room."""
    node = end
    while parent[node] is not None:
        previous = parent[node]
        if node[0] == "j":  # entry → judge: add the pair
            entry, judge = previous[1], node[1]
            assigned[entry].add(judge)
            judge_entries[judge].add(entry)
        else:  # judge → entry along an existing pair: remove it
            judge, entry = previous[1], node[1]
            assigned[entry].discard(judge)
            judge_entries[judge].discard(entry)
        node = previous
