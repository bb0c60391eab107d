"""Benchmark badge PDFs: single badges on a warm process, then a 1,000-badge A4 sheet.

Run: .venv/bin/python benchmarks/badges.py [--single N] [--sheet N]
Prints the figures as JSON on its last line (bars: median ≤ 25 ms; sheet ≤ 30 s, ≤ 1 GiB).

The machine may be shared, so every figure comes with CPU time (time.process_time, which
other processes do not inflate as much as wall time) and the load average before and after.
The sheet's peak RSS is the largest sum of the resident sizes of the sheet process and its
forked workers, sampled every 50 ms from /proc (and once a second as PSS, shared pages
counted once); the sampler's own CPU time is left out of the sheet's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉"
RARE = "喆堃玥𠮷彧昇翀珺婳旻"
CATEGORIES = [("嘉宾 Guest", "#C62828"), ("媒体 Media", "#FFEB3B"), ("评委 Judge", "#2E7D32")]


def make_badges(count: int, seed: int = 1):
    """Return varied badges: Chinese names, one in ten with a character outside GB2312."""
    from app.documents.badges import BadgeData
    from app.documents.tickets import issue_ticket_code

    rng = random.Random(seed)
    key = bytes(range(32))
    badges = []
    for index in range(count):
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if index % 10 == 9:
            given = rng.choice(RARE) + given[:1]
        label, color = CATEGORIES[index % len(CATEGORIES)]
        badges.append(
            BadgeData(
                name=rng.choice(SURNAMES) + given,
                latin_name="Zhang Wei",
                organization="北京大学 Peking University",
                title="教授 Professor",
                category_label=label,
                category_color=color,
                event_name="第二届上合组织青年创新创业大赛 2nd SCO Youth Competition",
                event_dates="2020-11-26 — 11-28",
                ticket_code=issue_ticket_code(key, 7, 10_000 + index, 1),
            )
        )
    return badges


def single(count: int) -> dict:
    """Render count single badges after a warm-up; return wall/CPU median and p95 (ms)."""
    from app.documents.badges import render_badge_pdf
    from app.documents.render import warm_up

    warm_up()
    for badge in make_badges(20, seed=99):
        render_badge_pdf(badge)
    wall, cpu = [], []
    for badge in make_badges(count):
        started, started_cpu = time.perf_counter(), time.process_time()
        render_badge_pdf(badge)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "single_n": count,
        "single_median_ms": round(statistics.median(wall), 1),
        "single_p95_ms": round(statistics.quantiles(wall, n=20)[-1], 1),
        "single_cpu_median_ms": round(statistics.median(cpu), 1),
        "single_cpu_p95_ms": round(statistics.quantiles(cpu, n=20)[-1], 1),
    }


def _rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (0 if it is gone); cheap to read."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    """Proportional set size of a process in KiB (0 if it is gone); costly to read.

    Forked workers share the parent's pages copy-on-write: RSS counts a shared page in every
    process that maps it, PSS divides it among them, so a sum of PSS is the real footprint.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Direct child process ids of a process (Linux /proc)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found.extend(int(child) for child in children.read().split())
    except OSError:
        pass
    return found


class TreeRSS(threading.Thread):
    """Samples the summed RSS of this process and its children; keeps the peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.peak_pss_kib = 0
        self.cpu_seconds = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        tick = 0
        while not self.stopped.wait(0.05):
            pids = (me, *_children(me))
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(pid) for pid in pids))
            tick += 1
            if tick % 20 == 0:  # PSS once a second: smaps_rollup walks every mapping
                self.peak_pss_kib = max(self.peak_pss_kib, sum(_pss_kib(pid) for pid in pids))
        self.cpu_seconds = time.thread_time()


def sheet_child(count: int) -> None:
    """In a child process: render a count-badge sheet and print seconds and pages."""
    from app.documents.badges import render_badge_sheet_pdf
    from app.documents.render import warm_up

    badges = make_badges(count, seed=7)
    warm_up()
    sampler = TreeRSS()
    sampler.start()
    started, started_cpu = time.perf_counter(), time.process_time()
    pdf = render_badge_sheet_pdf(badges)
    seconds = time.perf_counter() - started
    parent_cpu = time.process_time() - started_cpu
    sampler.stopped.set()
    sampler.join()
    parent_cpu -= sampler.cpu_seconds  # the sampler's own CPU is not the sheet's
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_parent": parent_cpu,
                "cpu_workers": children.ru_utime + children.ru_stime,
                "bytes": len(pdf),
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "worker_peak_rss_kib": children.ru_maxrss,
                "tree_peak_rss_kib": sampler.peak_kib,
                "tree_peak_pss_kib": sampler.peak_pss_kib,
            }
        )
    )


def sheet(count: int) -> dict:
    """Run the sheet in a fresh process so its peak RSS is its own."""
    result = subprocess.run(
        [sys.executable, __file__, "--sheet-child", str(count)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    child = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "sheet_badges": count,
        "sheet_seconds": round(child["seconds"], 2),
        # CPU seconds of the sheet process (HTML, merge) and of its forked layout workers.
        "sheet_cpu_parent_s": round(child["cpu_parent"], 2),
        "sheet_cpu_workers_s": round(child["cpu_workers"], 2),
        "sheet_peak_rss_mib": round(child["peak_rss_kib"] / 1024, 1),
        # Chunks are laid out in up to 2 forked workers; this is the largest of them.
        "sheet_worker_peak_rss_mib": round(child["worker_peak_rss_kib"] / 1024, 1),
        # Parent + workers at the same moment (sampled): the figure for the 1 GiB bar.
        "sheet_tree_peak_rss_mib": round(child["tree_peak_rss_kib"] / 1024, 1),
        # The same with shared pages divided among the processes (real memory footprint).
        "sheet_tree_peak_pss_mib": round(child["tree_peak_pss_kib"] / 1024, 1),
        "sheet_pdf_mib": round(child["bytes"] / 2**20, 2),
    }


def main() -> None:
    """Parse arguments, run both benchmarks, print the JSON summary last."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=200)
    parser.add_argument("--sheet", type=int, default=1000)
    parser.add_argument("--sheet-child", type=int, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.sheet_child is not None:
        sheet_child(arguments.sheet_child)
        return
    load_before = os.getloadavg()
    figures = single(arguments.single) if arguments.single > 0 else {}
    if figures:
        print(f"single: median {figures['single_median_ms']} ms", file=sys.stderr)
    if arguments.sheet > 0:
        figures.update(sheet(arguments.sheet))
    load_after = os.getloadavg()
    figures["load_average_1m_before"] = round(load_before[0], 2)
    figures["load_average_1m_after"] = round(load_after[0], 2)
    figures["load_average_5m_after"] = round(load_after[1], 2)
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
