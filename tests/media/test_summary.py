"""Report-style rounding and the summary paragraph."""

from __future__ import annotations

import pytest

from app.media.summary import (
    NamedOutlet,
    SummaryInput,
    approximate,
    en_count,
    summary_en,
    summary_zh,
    zh_count,
)


@pytest.mark.parametrize(
    ("n", "value", "qualifier"),
    [
        (7, 7, "exact"),
        (14, 10, "over"),
        (53, 50, "over"),
        (57, 60, "nearly"),
        (92, 90, "over"),
        (95, 100, "nearly"),
        (98, 100, "nearly"),
        (100, 100, "exact"),
        (653, 650, "over"),
        (650, 650, "exact"),
        (996, 1000, "nearly"),
        (1234, 1200, "over"),
        (20345, 20000, "over"),
    ],
)
def test_approximate_rounds_like_reports(n, value, qualifier):
    assert approximate(n) == (value, qualifier) or (
        approximate(n).value,
        approximate(n).qualifier,
    ) == (value, qualifier)


def test_seed_totals_in_chinese():
    assert zh_count(98, "家") == "近百家"
    assert zh_count(653, "次") == "650余次"
    assert zh_count(20345, "次", more="多") == "20000多次"
    assert zh_count(20345, "次", use_wan=True) == "2万余次"
    assert zh_count(996, "次") == "近千次"
    assert zh_count(7, "家") == "7家"


def test_seed_totals_in_english():
    assert en_count(98, "outlet") == "nearly 100 outlets"
    assert en_count(653, "report") == "650+ reports"
    assert en_count(20345, "play") == "20,000+ plays"
    assert en_count(1, "report") == "1 report"


def outlet(zh, en, level="central", kind="tv"):
    return NamedOutlet(zh, en, level, kind)


SEED = SummaryInput(
    central=[
        outlet("中央电视台《晚间新闻》", "CCTV Evening News"),
        outlet("新华网", "Xinhuanet"),
        outlet("《科技日报》", "Science and Technology Daily"),
    ],
    regional=[
        outlet("《山东新闻联播》", "Shandong News Broadcast"),
        outlet("《大众日报》", "Dazhong Daily"),
        outlet("《青岛日报》", "Qingdao Daily"),
    ],
    online=[outlet("凤凰网", "ifeng.com"), outlet("今日头条", "Toutiao")],
    outlets=97,
    reports=653,
    plays=20345,
    has_video=True,
)


def test_chinese_paragraph_in_the_seed_style():
    assert summary_zh(SEED) == (
        "中央电视台《晚间新闻》、新华网、《科技日报》等中央媒体，《山东新闻联播》《大众日报》"
        "《青岛日报》以及凤凰网、今日头条等省市近百家重要媒体进行报道650余次，"
        "现场视频累计播放量达20000多次。"
    )


def test_english_paragraph_names_central_outlets_first_with_rounded_counts():
    text = summary_en(SEED)
    assert text.startswith("Central media such as CCTV Evening News, Xinhuanet and Science")
    assert "nearly 100 important media outlets" in text
    assert "650+ times" in text and "20,000+ times" in text


def test_empty_log_says_so():
    empty = SummaryInput([], [], [], 0, 0, 0, False)
    assert summary_zh(empty) == "暂无媒体报道记录。"
    assert summary_en(empty) == "No media coverage has been logged yet."
