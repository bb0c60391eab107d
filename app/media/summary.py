"""The coverage summary paragraph, in Chinese and in English, in the style of annual reports:

    中央电视台《晚间新闻》、新华网、《科技日报》等中央媒体，《山东新闻联播》《大众日报》《青岛日报》
    以及凤凰网、今日头条等近百家重要媒体进行报道650余次，视频累计播放量达20000多次。

Counts are rounded the way such reports round them: just under a round number is "近百家"
("nearly 100"), otherwise the number is cut to its leading digits and marked "余/多" ("+").

Why the wording is written here and not taken from the UI catalogs: the paragraph is a
product in two fixed languages, generated side by side whatever the reader's UI language,
and its grammar (measure words, 《》 around titles, 、 between names) differs per language
in ways a single translatable sentence cannot express.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# "Nearly N" when the count is within this share below the next round number.
NEARLY_SHARE = 0.05
_ZH_ROUND_WORDS = {100: "百", 1000: "千", 10000: "万"}


@dataclass(frozen=True)
class ApproxCount:
    """A count as reports state it: `value` with a qualifier "nearly", "over" or "exact"."""

    value: int
    qualifier: str


def approximate(n: int) -> ApproxCount:
    """Round a count the way reports do: 98 → nearly 100, 653 → over 650, 20345 → over 20000,
    14 → over 10, 7 → exactly 7, 650 → exactly 650."""
    if n < 0:
        raise ValueError("counts are never negative")
    if n < 10:
        return ApproxCount(n, "exact")
    digits = len(str(n))
    step = 10 ** (digits - 1)
    upper = math.ceil(n / step) * step
    if n < upper and upper - n <= NEARLY_SHARE * upper:
        return ApproxCount(upper, "nearly")
    # Two significant digits from 100 on (653 → 650, 1234 → 1200); tens below (57 → 50).
    keep = step // 10 if n >= 100 else step
    floor = n // keep * keep
    if floor == n:
        return ApproxCount(n, "exact")
    return ApproxCount(floor, "over")


def zh_count(n: int, unit: str, more: str = "余", use_wan: bool = False) -> str:
    """A count in Chinese report style: zh_count(98, "家") → "近百家", zh_count(653, "次") →
    "650余次", zh_count(20345, "次", "多") → "20000多次", with use_wan → "2万余次"."""
    approx = approximate(n)
    if approx.qualifier == "nearly":
        word = _ZH_ROUND_WORDS.get(approx.value)
        return f"近{word or approx.value}{unit}"
    number = str(approx.value)
    if use_wan and approx.value >= 10000 and approx.value % 10000 == 0:
        number = f"{approx.value // 10000}万"
    elif use_wan and approx.value >= 10000:
        number = f"{approx.value / 10000:g}万"
    if approx.qualifier == "over":
        return f"{number}{more}{unit}"
    return f"{number}{unit}"


def en_count(n: int, noun: str, plural: str | None = None) -> str:
    """A count in English report style: "nearly 100 outlets", "650+ reports", "20,000+ plays"."""
    approx = approximate(n)
    plural = plural or noun + "s"
    word = noun if approx.value == 1 and approx.qualifier == "exact" else plural
    if approx.qualifier == "nearly":
        return f"nearly {approx.value:,} {word}"
    if approx.qualifier == "over":
        return f"{approx.value:,}+ {word}"
    return f"{approx.value:,} {word}"


@dataclass(frozen=True)
class NamedOutlet:
    """An outlet named in the summary: both names and how it is written in Chinese text."""

    name_zh: str
    name_en: str
    level: str
    type: str


def _zh_join(names: list[str]) -> str:
    # Titles in 《》 follow each other without a separator, other names take 、 (as in the seed).
    out = ""
    for index, name in enumerate(names):
        if index and not (name.startswith("《") and out.endswith("》")):
            out += "、"
        out += name
    return out


def _en_join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class SummaryInput:
    """What the paragraph is made of: named outlets by group, totals."""

    central: list[NamedOutlet]
    regional: list[NamedOutlet]  # provincial and municipal
    online: list[NamedOutlet]  # websites and new media of any other level
    outlets: int
    reports: int
    plays: int
    has_video: bool


def summary_zh(data: SummaryInput) -> str:
    """The Chinese paragraph."""
    if data.reports == 0:
        return "暂无媒体报道记录。"
    parts = []
    if data.central:
        parts.append(_zh_join([o.name_zh for o in data.central]) + "等中央媒体")
    regional = _zh_join([o.name_zh for o in data.regional])
    online = _zh_join([o.name_zh for o in data.online])
    tail = regional
    if regional and online:
        tail = f"{regional}以及{online}"
    elif online:
        tail = online
    level = "省市" if data.regional else ""
    count = zh_count(data.outlets, "家")
    reports = zh_count(data.reports, "次")
    if tail:
        parts.append(f"{tail}等{level}{count}重要媒体")
    else:
        parts.append(f"共{count}媒体")
    text = "，".join([*parts[:-1], parts[-1] + f"进行报道{reports}"])
    if data.has_video and data.plays:
        text += f"，现场视频累计播放量达{zh_count(data.plays, '次', more='多')}"
    return text + "。"


def summary_en(data: SummaryInput) -> str:
    """The English paragraph."""
    if data.reports == 0:
        return "No media coverage has been logged yet."
    groups = []
    if data.central:
        groups.append(f"central media such as {_en_join([o.name_en for o in data.central])}")
    if data.regional:
        groups.append(
            "provincial and municipal media such as " + _en_join([o.name_en for o in data.regional])
        )
    if data.online:
        groups.append(f"online media such as {_en_join([o.name_en for o in data.online])}")
    outlets = en_count(data.outlets, "important media outlet")
    reports = en_count(data.reports, "time")
    if groups:
        lead = "; ".join(groups)
        text = f"{lead[0].upper()}{lead[1:]} — {outlets} in all — reported on the event {reports}"
    else:
        text = f"{outlets[0].upper()}{outlets[1:]} reported on the event {reports}"
    if data.has_video and data.plays:
        text += f"; the videos were played {en_count(data.plays, 'time')}"
    return text + "."
