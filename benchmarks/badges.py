"""Benchmark badge PDFs: single badges on a warm process, then a 1,000-badge A4 sheet.

Run: .venv/bin/python benchmarks/badges.py [--single N] [--sheet N]
Prints the figures as JSON on its last line (bars: median ≤ 25 ms; sheet ≤ 30 s, ≤ 1 GiB).
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
    }


def sheet_child(count: int) -> None:
    """In a child process: render a count-badge sheet and print seconds and pages."""
    from app.documents.badges import render_badge_sheet_pdf
    from app.documents.render import warm_up

    badges = make_badges(count, seed=7)
    warm_up()
    started = time.perf_counter()
    pdf = render_badge_sheet_pdf(badges)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bytes": len(pdf),
                "peak_rss_kib": peak_kib,
                "worker_peak_rss_kib": worker_kib,
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
        "sheet_peak_rss_mib": round(child["peak_rss_kib"] / 1024, 1),
        # Chunks are laid out in up to 2 forked workers; this is the largest of them.
        "sheet_worker_peak_rss_mib": round(child["worker_peak_rss_kib"] / 1024, 1),
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
    figures = single(arguments.single) if arguments.single > 0 else {}
    if figures:
        print(f"single: median {figures['single_median_ms']} ms", file=sys.stderr)
    figures.update(sheet(arguments.sheet))
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
