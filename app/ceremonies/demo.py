"""Demo: the launch ceremony of the China–SCO Technology Transfer Center with its 7 signing items.

The seed names two of the seven projects (中挪未来创新科技平台, 北欧（青岛）跨境产业创新合作中心);
the other five, every partner organization and every person below are invented for the demo
and say so in the item notes. Loading twice changes nothing: the ceremony is found by its
Chinese title and left alone once it exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import EventRole, Role, User
from app.ceremonies.models import Ceremony, HostLanguage, SegmentKind, SigningStatus
from app.ceremonies.services import (
    CeremonyData,
    PartyData,
    SegmentData,
    SigningItemData,
    WitnessData,
    add_segment,
    add_signing_item,
    change_signing_status,
    create_ceremony,
)
from app.events.models import Event
from app.extensions import db

TITLE_ZH = "中国—上海合作组织技术转移中心启用仪式暨项目签约仪式"
TITLE_EN = "Launch of the China–SCO Technology Transfer Center and Project Signing Ceremony"
CENTER_ZH = "中国—上海合作组织技术转移中心"
CENTER_EN = "China–SCO Technology Transfer Center"
DEMO_NOTE = "演示数据：项目签约方与人员均为虚构。Demo data: parties and people are invented."
SEED_NOTE = (
    "项目名称见种子材料；签约方与人员为演示虚构。"
    "Project named in the seed; parties and people invented."
)

SEGMENTS = [
    (
        SegmentKind.OPENING,
        "主持人开场，介绍与会嘉宾",
        "Opening and introduction of guests",
        "主持人 林晓雯",
        5,
    ),
    (SegmentKind.SPEECH, "领导致辞", "Welcome address", "市南区人民政府 区长（演示）", 6),
    (
        SegmentKind.SPEECH,
        "上合组织国家嘉宾致辞（视频连线）",
        "Address by an SCO guest (video link)",
        "Dr. Aigerim Nurlanovna（演示）",
        5,
    ),
    (SegmentKind.VIDEO, "技术转移中心宣传片", "Film: the Technology Transfer Center", "", 4),
    (SegmentKind.OTHER, "中心启用仪式", "Launch of the Center", "主要领导共同触屏启动", 3),
    (SegmentKind.SIGNING, "项目签约", "Project signing", "", 24),
    (
        SegmentKind.WITNESS_PHOTO,
        "见证嘉宾与签约代表合影",
        "Group photo of witnesses and signatories",
        "",
        3,
    ),
    (SegmentKind.CLOSING, "主持人结束语", "Closing", "主持人 林晓雯", 2),
]

WITNESSES = [
    WitnessData("周建国", "区科技局局长", "青岛市市南区科学技术局（演示）"),
    WitnessData("Олег Смирнов", "Советник", "Секретариат ШОС (демо)"),
]


def _party(zh, en, country, name, title) -> PartyData:
    return PartyData(zh, en, country, name, title)


ITEMS = [
    SigningItemData(
        "中挪未来创新科技平台",
        "China–Norway Future Innovation Technology Platform",
        [
            _party(CENTER_ZH, CENTER_EN, "CN", "王海峰", "主任"),
            _party(
                "挪威未来创新联盟（演示）",
                "Norway Future Innovation Alliance (demo)",
                "NO",
                "Ingrid Solberg",
                "CEO",
            ),
        ],
        WITNESSES,
        notes=SEED_NOTE,
    ),
    SigningItemData(
        "北欧（青岛）跨境产业创新合作中心",
        "Nordic (Qingdao) Cross-border Industrial Innovation Cooperation Center",
        [
            _party(CENTER_ZH, CENTER_EN, "CN", "李晓明", "副主任"),
            _party(
                "北欧创新商会（演示）",
                "Nordic Innovation Chamber (demo)",
                "FI",
                "Mikko Laine",
                "Chairman",
            ),
            _party(
                "丹麦清洁技术集群（演示）",
                "Danish Cleantech Cluster (demo)",
                "DK",
                "Sofie Jensen",
                "Director",
            ),
        ],
        WITNESSES,
        notes=SEED_NOTE,
    ),
    SigningItemData(
        "中俄海洋仪器联合实验室（演示）",
        "China–Russia Joint Laboratory for Marine Instruments (demo)",
        [
            _party(
                "青岛海洋仪器仪表科技中心（演示）",
                "Qingdao Marine Instrument Technology Center (demo)",
                "CN",
                "赵志强",
                "总经理",
            ),
            _party(
                "圣彼得堡海洋技术大学（演示）",
                "St Petersburg Marine Technical University (demo)",
                "RU",
                "Алексей Петров",
                "Проректор",
            ),
        ],
        [WitnessData("周建国", "区科技局局长", "青岛市市南区科学技术局（演示）")],
        notes=DEMO_NOTE,
    ),
    SigningItemData(
        "中哈智慧农业技术转移项目（演示）",
        "China–Kazakhstan Smart Agriculture Technology Transfer (demo)",
        [
            _party(
                "青岛农业科技创新有限公司（演示）",
                "Qingdao Agritech Innovation Co. (demo)",
                "CN",
                "孙丽娜",
                "董事长",
            ),
            _party(
                "阿斯塔纳农业创新中心（演示）",
                "Astana Agricultural Innovation Hub (demo)",
                "KZ",
                "Айгерим Нурланова",
                "Директор",
            ),
        ],
        [],
        with_previous=True,
        notes=DEMO_NOTE,
    ),
    SigningItemData(
        "上合组织国家工业互联网应用合作项目（演示）",
        "SCO Industrial Internet Application Cooperation (demo)",
        [
            _party(
                "青岛时尚工业互联网平台公司（演示）",
                "Qingdao Fashion Industrial Internet Co. (demo)",
                "CN",
                "陈思远",
                "总裁",
            ),
            _party(
                "塔什干IT园（演示）",
                "Tashkent IT Park (demo)",
                "UZ",
                "Rustam Karimov",
                "Deputy Director",
            ),
        ],
        [WitnessData("Олег Смирнов", "Советник", "Секретариат ШОС (демо)")],
        notes=DEMO_NOTE,
    ),
    SigningItemData(
        "中巴数字医疗联合创新中心（演示）",
        "China–Pakistan Digital Health Joint Innovation Center (demo)",
        [
            _party(
                "青岛医合网科技有限公司（演示）",
                "Qingdao Yihe Health Tech Co. (demo)",
                "CN",
                "刘洋",
                "首席执行官",
            ),
            _party(
                "拉合尔健康科技园（演示）",
                "Lahore Health Technology Park (demo)",
                "PK",
                "Ayesha Khan",
                "Managing Director",
            ),
        ],
        [],
        with_previous=True,
        notes=DEMO_NOTE,
    ),
    SigningItemData(
        "上合组织成员国科技成果转化基金合作协议（演示）",
        "SCO Technology Commercialisation Fund Cooperation Agreement (demo)",
        [
            _party(CENTER_ZH, CENTER_EN, "CN", "王海峰", "主任"),
            _party(
                "青岛科创投资管理有限公司（演示）",
                "Qingdao Sci-Tech Venture Capital Co. (demo)",
                "CN",
                "高明",
                "董事长",
            ),
            _party(
                "吉尔吉斯斯坦创新发展基金（演示）",
                "Kyrgyz Innovation Development Fund (demo)",
                "KG",
                "Bakyt Osmonov",
                "Chairman",
            ),
        ],
        WITNESSES,
        notes=DEMO_NOTE,
    ),
]
# Where each item stands a few weeks before the conference.
STATUSES = [
    SigningStatus.CONFIRMED,
    SigningStatus.CONFIRMED,
    SigningStatus.CONFIRMED,
    SigningStatus.CONFIRMED,
    SigningStatus.PROPOSED,
    SigningStatus.CONFIRMED,
    SigningStatus.PROPOSED,
]


def ensure_demo_ceremony(event: Event, organizer: User | None, starts_local: datetime) -> int:
    """Create the demo ceremony of `event` if missing; returns the number of records created."""
    existing = db.session.scalar(
        select(Ceremony.id).where(Ceremony.event_id == event.id, Ceremony.title_zh == TITLE_ZH)
    )
    if existing is not None:
        return 0
    ceremony = create_ceremony(
        event,
        CeremonyData(
            title_zh=TITLE_ZH,
            title_en=TITLE_EN,
            starts_local=starts_local,
            venue_zh="中国—上海合作组织技术转移中心 一楼多功能厅",
            venue_en="Multi-purpose Hall, China–SCO Technology Transfer Center",
            host_name="林晓雯",
            host_language=HostLanguage.ZH,
            slot_minutes=55,
        ),
    )
    for kind, title_zh, title_en, performer, minutes in SEGMENTS:
        add_segment(ceremony, SegmentData(kind, minutes, title_zh, title_en, performer))
    for data, status in zip(ITEMS, STATUSES, strict=True):
        item = add_signing_item(ceremony, data, organizer)
        if status != SigningStatus.PROPOSED:
            change_signing_status(item, status, organizer)
    db.session.flush()
    return 1 + len(SEGMENTS) + len(ITEMS)


def load_demo_ceremony(event: Event, summary) -> None:
    """The demo loader's entry point: the ceremony half an hour after the event opens, created
    as the event's first organizer; counts what it created in `summary.created`."""
    organizer = db.session.scalar(
        select(User)
        .join(EventRole, EventRole.user_id == User.id)
        .where(EventRole.event_id == event.id, EventRole.role == Role.ORGANIZER)
        .order_by(User.id)
    )
    starts_local = event.local(event.starts_at).replace(tzinfo=None) + timedelta(minutes=30)
    created = ensure_demo_ceremony(event, organizer, starts_local)
    if created:
        summary.created["ceremony records"] = created
