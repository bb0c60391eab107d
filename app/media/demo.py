"""Demo: a coverage log consistent with the seed — "nearly 100 important media outlets reported
650+ times; the live video was played 20,000+ times" — naming the seed's outlets.

The outlets the seed names are real; every report below (titles, dates, URLs under the
reserved .example domain, plays) is generated for the demo. Deterministic (fixed random seed)
and idempotent: outlets are found by name, reports by (outlet, date, title), journalists'
links by registration, so loading twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.media.models import (
    CoverageItem,
    CoverageKind,
    Outlet,
    OutletLevel,
    OutletType,
    PressAccreditation,
)
from app.media.services import name_key
from app.registration.models import ACTIVE_STATES, Category, Registration
from app.translated import Translated

RANDOM_SEED = 20201123
TOTAL_OUTLETS = 97
TOTAL_REPORTS = 653
TOTAL_PLAYS = 20345
DEMO_NOTE = "演示数据 demo"

C, P, M, IND, OVS = (
    OutletLevel.CENTRAL,
    OutletLevel.PROVINCIAL,
    OutletLevel.MUNICIPAL,
    OutletLevel.INDUSTRY,
    OutletLevel.OVERSEAS,
)
TV, PAPER, WEB, NEW, VIDEO = (
    OutletType.TV,
    OutletType.NEWSPAPER,
    OutletType.NEWS_WEBSITE,
    OutletType.NEW_MEDIA,
    OutletType.VIDEO_PLATFORM,
)

# name_zh, name_en, level, type, weight (how much it reports)
OUTLETS = [
    # Named in the seed.
    ("中央电视台《晚间新闻》", "CCTV Evening News", C, TV, 3),
    ("新华网", "Xinhuanet", C, WEB, 14),
    ("《科技日报》", "Science and Technology Daily", C, PAPER, 11),
    ("《山东新闻联播》", "Shandong News Broadcast", P, TV, 4),
    ("《大众日报》", "Dazhong Daily", P, PAPER, 8),
    ("《青岛日报》", "Qingdao Daily", M, PAPER, 12),
    ("凤凰网", "ifeng.com", IND, WEB, 16),
    ("今日头条", "Toutiao", IND, NEW, 14),
    # Other central outlets.
    ("人民网", "People's Daily Online", C, WEB, 7),
    ("中国新闻网", "China News", C, WEB, 7),
    ("央广网", "CNR News", C, WEB, 6),
    ("光明网", "Guangming Online", C, WEB, 5),
    ("中国日报网", "China Daily Online", C, WEB, 6),
    ("中国青年网", "Youth.cn", C, WEB, 4),
    ("中国科技网", "Stdaily.com", C, WEB, 7),
    # Provincial.
    ("大众网", "Dzwww.com", P, WEB, 9),
    ("齐鲁网", "Iqilu.com", P, WEB, 8),
    ("《齐鲁晚报》", "Qilu Evening News", P, PAPER, 5),
    ("闪电新闻", "Lightning News", P, NEW, 10),
    ("海报新闻", "Poster News", P, NEW, 8),
    ("《山东科技报》", "Shandong Science and Technology News", P, PAPER, 4),
    # Municipal.
    ("青岛电视台《青岛新闻》", "Qingdao TV News", M, TV, 4),
    ("青岛新闻网", "Qingdaonews.com", M, WEB, 14),
    ("《半岛都市报》", "Peninsula Metropolis Daily", M, PAPER, 8),
    ("观海新闻", "Guanhai News", M, NEW, 12),
    ("《青岛早报》", "Qingdao Morning Post", M, PAPER, 6),
    ("《青岛财经日报》", "Qingdao Finance Daily", M, PAPER, 4),
    ("青岛西海岸新闻网", "West Coast News", M, WEB, 3),
    # Industry.
    ("《中国高新技术产业导报》", "China High-Tech Industry Herald", IND, PAPER, 3),
    ("中国高新网", "Chinahightech.com", IND, WEB, 3),
    ("科学网", "ScienceNet.cn", IND, WEB, 3),
    ("《中国科学报》", "China Science Daily", IND, PAPER, 2),
    ("《科技金融时报》", "Sci-Tech Finance Times", IND, PAPER, 2),
    ("中国技术市场网", "China Technology Market Online", IND, WEB, 3),
    # Online platforms.
    ("腾讯新闻", "Tencent News", IND, NEW, 9),
    ("网易新闻", "NetEase News", IND, NEW, 9),
    ("新浪新闻", "Sina News", IND, NEW, 9),
    ("搜狐新闻", "Sohu News", IND, NEW, 7),
    ("澎湃新闻", "The Paper", IND, WEB, 6),
    ("百度百家号", "Baijiahao", IND, NEW, 10),
    ("抖音", "Douyin", IND, VIDEO, 8),
    ("快手", "Kuaishou", IND, VIDEO, 5),
    ("哔哩哔哩", "Bilibili", IND, VIDEO, 4),
    ("西瓜视频", "Xigua Video", IND, VIDEO, 4),
    ("微博", "Weibo", IND, NEW, 8),
    # Overseas (SCO media).
    ("塔斯社", "TASS", OVS, WEB, 3),
    ("俄罗斯卫星通讯社", "Sputnik", OVS, WEB, 3),
    ("白俄罗斯通讯社", "BelTA", OVS, WEB, 2),
    ("哈萨克斯坦国际通讯社", "Kazinform", OVS, WEB, 2),
    ("乌兹别克斯坦国家通讯社", "UzA", OVS, WEB, 2),
]
# The Russian names the outlets publish under (the SCO agencies, and the Chinese central media
# with a Russian service); the others are known in Chinese and English only.
RUSSIAN_NAMES = {
    "中央电视台《晚间新闻》": "Центральное телевидение Китая, «Вечерние новости»",
    "新华网": "Синьхуа Новости",
    "人民网": "Жэньминь Жибао онлайн",
    "中国日报网": "China Daily онлайн",
    "塔斯社": "ТАСС",
    "俄罗斯卫星通讯社": "Спутник",
    "白俄罗斯通讯社": "БЕЛТА",
    "哈萨克斯坦国际通讯社": "Казинформ",
    "乌兹别克斯坦国家通讯社": "УзА",
}
DISTRICTS = [
    ("市南", "Shinan"),
    ("市北", "Shibei"),
    ("李沧", "Licang"),
    ("崂山", "Laoshan"),
    ("城阳", "Chengyang"),
    ("即墨", "Jimo"),
    ("胶州", "Jiaozhou"),
    ("平度", "Pingdu"),
    ("莱西", "Laixi"),
    ("西海岸", "West Coast"),
]
TITLES = [
    "中国—上海合作组织技术转移中心在青岛正式启用",
    "2020青岛国际技术转移大会开幕 7个项目现场签约",
    "中挪未来创新科技平台落户青岛",
    "北欧（青岛）跨境产业创新合作中心签约",
    "第二届上合组织成员国青年创新创业大赛举行",
    "上合青年双创大赛决赛：国际团队同台路演",
    "近300位中外嘉宾线上线下共话技术转移",
    "疫情常态化下国际技术成果精准对接新机制",
    "青岛打造全国首个以技术转移为核心的跨境科技服务平台",
    "技术转移大会现场直击",
    "上合组织成员国科技成果转化基金筹建",
    "市南区科技局：构建科技创新服务新体系",
    "图集｜2020青岛国际技术转移大会",
    "视频｜中国—上合组织技术转移中心启用仪式",
    "直播回放｜技术转移大会开幕式暨签约仪式",
    "专家解读：多边机制下的国际技术转移",
    "上合青年创业者：在青岛找到合作伙伴",
    "“一网一库一平台”上线 科技成果库超500项",
]
VIDEO_TITLES = [
    "视频｜中国—上合组织技术转移中心启用仪式",
    "直播回放｜技术转移大会开幕式暨签约仪式",
    "技术转移大会现场直击",
    "上合青年双创大赛决赛：国际团队同台路演",
]
# Journalists' organizations (demo registrations) → the outlet they are linked to.
JOURNALIST_OUTLETS = {
    "中央广播电视总台": "中央电视台《晚间新闻》",
    "新华社": "新华网",
    "科技日报": "《科技日报》",
    "大众日报": "《大众日报》",
    "青岛日报": "《青岛日报》",
    "山东广播电视台": "《山东新闻联播》",
    "青岛广播电视台": "青岛电视台《青岛新闻》",
    "凤凰网": "凤凰网",
    "今日头条": "今日头条",
    "中国日报": "中国日报网",
    "ТАСС": "塔斯社",
    "МИА «Россия сегодня»": "俄罗斯卫星通讯社",
    "БелТА": "白俄罗斯通讯社",
    "Казинформ": "哈萨克斯坦国际通讯社",
}


def demo_outlets() -> list[tuple[str, str, OutletLevel, OutletType, int]]:
    """All demo outlets: the list above, district accounts, then self-media accounts up to 97."""
    outlets = list(OUTLETS)
    outlets += [(f"{zh}发布", f"{en} Release", M, NEW, 2) for zh, en in DISTRICTS]
    number = 1
    while len(outlets) < TOTAL_OUTLETS:
        outlets.append(
            (f"科创观察号{number:02d}（演示）", f"Sci-Tech Watch {number:02d} (demo)", IND, NEW, 1)
        )
        number += 1
    return outlets


def _kind(rng: random.Random, outlet_type: OutletType) -> CoverageKind:
    if outlet_type == TV:
        return CoverageKind.VIDEO
    if outlet_type == VIDEO:
        return rng.choice([CoverageKind.VIDEO, CoverageKind.VIDEO, CoverageKind.LIVE_STREAM])
    if outlet_type == PAPER:
        return CoverageKind.ORIGINAL
    return rng.choice(
        [CoverageKind.ORIGINAL, CoverageKind.REPOST, CoverageKind.REPOST, CoverageKind.VIDEO]
    )


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that add up to `total` (largest remainder)."""
    scale = sum(weights) or 1
    exact = [total * w / scale for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def demo_reports(first_day: date) -> list[dict]:
    """The generated reports: outlet index, date, title, url, kind, plays (deterministic)."""
    rng = random.Random(RANDOM_SEED)
    outlets = demo_outlets()
    counts = [1] * len(outlets)
    extra = _split(TOTAL_REPORTS - len(outlets), [w for *_, w in outlets])
    counts = [c + e for c, e in zip(counts, extra, strict=True)]
    # Coverage peaks on the two conference days and fades over three weeks.
    day_weights = [1, 1, 2, 3, 4, 5, 40, 30, 12, 8, 6, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1]
    days = [first_day + timedelta(days=n - 6) for n in range(len(day_weights))]
    reports = []
    for index, ((_, _, _, outlet_type, _), count) in enumerate(zip(outlets, counts, strict=True)):
        used = set()
        for _ in range(count):
            for _attempt in range(50):
                day = rng.choices(days, day_weights)[0]
                kind = _kind(rng, outlet_type)
                pool = (
                    VIDEO_TITLES
                    if kind in (CoverageKind.VIDEO, CoverageKind.LIVE_STREAM)
                    else TITLES
                )
                title = rng.choice(pool)
                if (day, title) not in used:
                    break
            else:
                title = f"{title}（{len(used) + 1}）"
            used.add((day, title))
            reports.append(
                {
                    "outlet": index,
                    "day": day,
                    "title": title,
                    "kind": kind,
                    "url": None
                    if outlet_type == TV
                    else f"https://news-demo.example/o{index + 1:03d}/{len(used):04d}.html",
                }
            )
    videos = [r for r in reports if r["kind"] in (CoverageKind.VIDEO, CoverageKind.LIVE_STREAM)]
    weights = [
        rng.uniform(0.2, 3.0) * (6 if r["kind"] == CoverageKind.LIVE_STREAM else 1) for r in videos
    ]
    for report, plays in zip(videos, _split(TOTAL_PLAYS, weights), strict=True):
        report["plays"] = plays
    return reports


def load_demo_media(event: Event, summary) -> None:
    """The demo loader's entry point: outlets, reports and journalists' links if missing;
    counts what it created in `summary.created`."""
    existing = {
        o.name.get("zh"): o
        for o in db.session.scalars(select(Outlet).where(Outlet.event_id == event.id))
    }
    outlets = []
    created_outlets = 0
    for name_zh, name_en, level, outlet_type, _ in demo_outlets():
        outlet = existing.get(name_zh)
        if outlet is None:
            outlet = Outlet(
                event_id=event.id,
                name=Translated(zh=name_zh, ru=RUSSIAN_NAMES.get(name_zh), en=name_en),
                name_key=name_key(name_zh),
                level=level,
                type=outlet_type,
            )
            db.session.add(outlet)
            created_outlets += 1
        outlets.append(outlet)
    db.session.flush()
    known = {
        (outlet_id, day, title)
        for outlet_id, day, title in db.session.execute(
            select(CoverageItem.outlet_id, CoverageItem.published_on, CoverageItem.title).where(
                CoverageItem.event_id == event.id
            )
        )
    }
    first_day = event.local(event.starts_at).date()
    created_reports = 0
    for report in demo_reports(first_day):
        outlet = outlets[report["outlet"]]
        if (outlet.id, report["day"], report["title"]) in known:
            continue
        db.session.add(
            CoverageItem(
                event_id=event.id,
                outlet_id=outlet.id,
                published_on=report["day"],
                title=report["title"],
                url=report["url"],
                kind=report["kind"],
                plays=report.get("plays"),
                notes=DEMO_NOTE,
            )
        )
        created_reports += 1
    db.session.flush()
    linked = _link_journalists(event, {name: o for o in outlets for name in o.name.values()})
    for label, count in (
        ("outlets", created_outlets),
        ("coverage items", created_reports),
        ("press accreditations", linked),
    ):
        if count:
            summary.created[label] = count


def _link_journalists(event: Event, outlets: dict[str, Outlet]) -> int:
    by_key = {name_key(name): outlet for name, outlet in outlets.items()}
    journalists = db.session.scalars(
        select(Registration)
        .join(Category, Category.id == Registration.category_id)
        .where(
            Registration.event_id == event.id,
            Category.code == "media",
            Registration.state.in_(ACTIVE_STATES),
        )
    )
    linked = set(db.session.scalars(select(PressAccreditation.registration_id)))
    created = 0
    for registration in journalists:
        if registration.id in linked:
            continue
        target = JOURNALIST_OUTLETS.get(registration.organization)
        outlet = outlets.get(target) if target else by_key.get(name_key(registration.organization))
        if outlet is None:
            continue
        db.session.add(PressAccreditation(outlet_id=outlet.id, registration_id=registration.id))
        created += 1
    db.session.flush()
    return created
