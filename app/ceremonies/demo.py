"""Demo: the launch ceremony of the China–SCO Technology Transfer Center with its 7 signing items.

The seed names two of the seven projects (中挪未来创新科技平台, 北欧（青岛）跨境产业创新合作中心);
the other five, every partner organization and every person below are invented for the demo
and say so in the item notes. Loading twice changes nothing: the ceremony is found by its
Chinese title and left alone once it exists. Every text is written in Chinese, Russian and
English (the demo event's content languages), the Russian as an SCO organizer would print it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts.models import EventRole, Role, User
from app.ceremonies.models import SegmentKind, SigningStatus
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
    list_ceremonies,
)
from app.events.models import Event
from app.extensions import db
from app.translated import Translated

TITLE_ZH = "中国—上海合作组织技术转移中心启用仪式暨项目签约仪式"
TITLE = Translated(
    zh=TITLE_ZH,
    ru="Церемония открытия Центра трансфера технологий Китай — ШОС и подписания проектов",
    en="Launch of the China–SCO Technology Transfer Center and Project Signing Ceremony",
)
VENUE = Translated(
    zh="中国—上海合作组织技术转移中心 一楼多功能厅",
    ru="Многофункциональный зал (1-й этаж), Центр трансфера технологий Китай — ШОС",
    en="Multi-purpose Hall, China–SCO Technology Transfer Center",
)
CENTER = Translated(
    zh="中国—上海合作组织技术转移中心",
    ru="Центр трансфера технологий Китай — ШОС",
    en="China–SCO Technology Transfer Center",
)
HOST = Translated(zh="主持人 林晓雯", ru="Ведущая — Линь Сяовэнь", en="Host: Lin Xiaowen")
DEMO_NOTE = "演示数据：项目签约方与人员均为虚构。Demo data: parties and people are invented."
SEED_NOTE = (
    "项目名称见种子材料；签约方与人员为演示虚构。"
    "Project named in the seed; parties and people invented."
)


def _t(zh: str, ru: str, en: str) -> Translated:
    return Translated(zh=zh, ru=ru, en=en)


SEGMENTS = [
    (
        SegmentKind.OPENING,
        _t(
            "主持人开场，介绍与会嘉宾",
            "Вступительное слово ведущей, представление почётных гостей",
            "Opening and introduction of guests",
        ),
        HOST,
        5,
    ),
    (
        SegmentKind.SPEECH,
        _t("领导致辞", "Приветственное слово", "Welcome address"),
        _t(
            "市南区人民政府 区长（演示）",
            "Глава народного правительства района Шинань г. Циндао (демо)",
            "Head of the Shinan District Government (demo)",
        ),
        6,
    ),
    (
        SegmentKind.SPEECH,
        _t(
            "上合组织国家嘉宾致辞（视频连线）",
            "Выступление гостя из государства — члена ШОС (по видеосвязи)",
            "Address by an SCO guest (video link)",
        ),
        _t(
            "艾格林·努尔兰诺夫娜 博士（演示）",
            "Д-р Айгерим Нурлановна (демо)",
            "Dr Aigerim Nurlanovna (demo)",
        ),
        5,
    ),
    (
        SegmentKind.VIDEO,
        _t(
            "技术转移中心宣传片",
            "Видеоролик о Центре трансфера технологий",
            "Film: the Technology Transfer Center",
        ),
        Translated(),
        4,
    ),
    (
        SegmentKind.OTHER,
        _t("中心启用仪式", "Церемония открытия Центра", "Launch of the Center"),
        _t(
            "主要领导共同触屏启动",
            "Руководители совместно запускают Центр на сенсорном экране",
            "The leaders launch the Center together on the touch screen",
        ),
        3,
    ),
    (
        SegmentKind.SIGNING,
        _t("项目签约", "Подписание соглашений по проектам", "Project signing"),
        Translated(),
        24,
    ),
    (
        SegmentKind.WITNESS_PHOTO,
        _t(
            "见证嘉宾与签约代表合影",
            "Совместное фотографирование почётных гостей и подписантов",
            "Group photo of witnesses and signatories",
        ),
        Translated(),
        3,
    ),
    (
        SegmentKind.CLOSING,
        _t("主持人结束语", "Заключительное слово ведущей", "Closing"),
        HOST,
        2,
    ),
]

ZHOU = WitnessData(
    "周建国",
    _t("区科技局局长", "Начальник районного бюро по науке и технологиям", "Director"),
    _t(
        "青岛市市南区科学技术局（演示）",
        "Бюро по науке и технологиям района Шинань г. Циндао (демо)",
        "Shinan District Science and Technology Bureau, Qingdao (demo)",
    ),
)
SMIRNOV = WitnessData(
    "Олег Смирнов",
    _t("顾问", "Советник", "Counsellor"),
    _t("上海合作组织秘书处（演示）", "Секретариат ШОС (демо)", "SCO Secretariat (demo)"),
)
WITNESSES = [ZHOU, SMIRNOV]

# Signatories' positions as each language prints them (the names are written once).
POSITIONS = {
    "主任": _t("主任", "Директор", "Director"),
    "副主任": _t("副主任", "Заместитель директора", "Deputy Director"),
    "CEO": _t("首席执行官", "Генеральный директор", "CEO"),
    "Chairman": _t("主席", "Председатель", "Chairman"),
    "Director": _t("总监", "Директор", "Director"),
    "总经理": _t("总经理", "Генеральный директор", "General Manager"),
    "Проректор": _t("副校长", "Проректор", "Vice-Rector"),
    "董事长": _t("董事长", "Председатель совета директоров", "Chairman of the Board"),
    "Директор": _t("主任", "Директор", "Director"),
    "总裁": _t("总裁", "Президент", "President"),
    "Deputy Director": _t("副主任", "Заместитель директора", "Deputy Director"),
    "首席执行官": _t("首席执行官", "Генеральный директор", "CEO"),
    "Managing Director": _t("执行董事", "Управляющий директор", "Managing Director"),
}


def _party(organization, country, name, position) -> PartyData:
    return PartyData(organization, country, name, POSITIONS[position])


ITEMS = [
    SigningItemData(
        _t(
            "中挪未来创新科技平台",
            "Китайско-норвежская платформа инновационных технологий будущего",
            "China–Norway Future Innovation Technology Platform",
        ),
        [
            _party(CENTER, "CN", "王海峰", "主任"),
            _party(
                _t(
                    "挪威未来创新联盟（演示）",
                    "Норвежский альянс «Инновации будущего» (демо)",
                    "Norway Future Innovation Alliance (demo)",
                ),
                "NO",
                "Ingrid Solberg",
                "CEO",
            ),
        ],
        WITNESSES,
        notes=SEED_NOTE,
    ),
    SigningItemData(
        _t(
            "北欧（青岛）跨境产业创新合作中心",
            "Северноевропейский (Циндао) центр трансграничного сотрудничества "
            "в области промышленных инноваций",
            "Nordic (Qingdao) Cross-border Industrial Innovation Cooperation Center",
        ),
        [
            _party(CENTER, "CN", "李晓明", "副主任"),
            _party(
                _t(
                    "北欧创新商会（演示）",
                    "Северноевропейская инновационная палата (демо)",
                    "Nordic Innovation Chamber (demo)",
                ),
                "FI",
                "Mikko Laine",
                "Chairman",
            ),
            _party(
                _t(
                    "丹麦清洁技术集群（演示）",
                    "Датский кластер чистых технологий (демо)",
                    "Danish Cleantech Cluster (demo)",
                ),
                "DK",
                "Sofie Jensen",
                "Director",
            ),
        ],
        WITNESSES,
        notes=SEED_NOTE,
    ),
    SigningItemData(
        _t(
            "中俄海洋仪器联合实验室（演示）",
            "Российско-китайская совместная лаборатория морского приборостроения (демо)",
            "China–Russia Joint Laboratory for Marine Instruments (demo)",
        ),
        [
            _party(
                _t(
                    "青岛海洋仪器仪表科技中心（演示）",
                    "Циндаоский научно-технический центр морского приборостроения (демо)",
                    "Qingdao Marine Instrument Technology Center (demo)",
                ),
                "CN",
                "赵志强",
                "总经理",
            ),
            _party(
                _t(
                    "圣彼得堡海洋技术大学（演示）",
                    "Санкт-Петербургский морской технический университет (демо)",
                    "St Petersburg Marine Technical University (demo)",
                ),
                "RU",
                "Алексей Петров",
                "Проректор",
            ),
        ],
        [ZHOU],
        notes=DEMO_NOTE,
    ),
    SigningItemData(
        _t(
            "中哈智慧农业技术转移项目（演示）",
            "Китайско-казахстанский проект трансфера технологий "
            "«умного» сельского хозяйства (демо)",
            "China–Kazakhstan Smart Agriculture Technology Transfer (demo)",
        ),
        [
            _party(
                _t(
                    "青岛农业科技创新有限公司（演示）",
                    "ООО «Циндао Агротех Инновации» (демо)",
                    "Qingdao Agritech Innovation Co. (demo)",
                ),
                "CN",
                "孙丽娜",
                "董事长",
            ),
            _party(
                _t(
                    "阿斯塔纳农业创新中心（演示）",
                    "Астанинский центр агроинноваций (демо)",
                    "Astana Agricultural Innovation Hub (demo)",
                ),
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
        _t(
            "上合组织国家工业互联网应用合作项目（演示）",
            "Проект сотрудничества стран ШОС в области промышленного интернета (демо)",
            "SCO Industrial Internet Application Cooperation (demo)",
        ),
        [
            _party(
                _t(
                    "青岛时尚工业互联网平台公司（演示）",
                    "Компания «Циндао Фэшн Индастриал Интернет» (демо)",
                    "Qingdao Fashion Industrial Internet Co. (demo)",
                ),
                "CN",
                "陈思远",
                "总裁",
            ),
            _party(
                _t(
                    "塔什干IT园（演示）",
                    "IT-парк Ташкента (демо)",
                    "Tashkent IT Park (demo)",
                ),
                "UZ",
                "Rustam Karimov",
                "Deputy Director",
            ),
        ],
        [SMIRNOV],
        notes=DEMO_NOTE,
    ),
    SigningItemData(
        _t(
            "中巴数字医疗联合创新中心（演示）",
            "Китайско-пакистанский совместный инновационный центр цифрового здравоохранения (демо)",
            "China–Pakistan Digital Health Joint Innovation Center (demo)",
        ),
        [
            _party(
                _t(
                    "青岛医合网科技有限公司（演示）",
                    "ООО «Циндао Ихэ Хелс Тек» (демо)",
                    "Qingdao Yihe Health Tech Co. (demo)",
                ),
                "CN",
                "刘洋",
                "首席执行官",
            ),
            _party(
                _t(
                    "拉合尔健康科技园（演示）",
                    "Лахорский технопарк здравоохранения (демо)",
                    "Lahore Health Technology Park (demo)",
                ),
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
        _t(
            "上合组织成员国科技成果转化基金合作协议（演示）",
            "Соглашение о сотрудничестве в рамках фонда коммерциализации "
            "научно-технических разработок государств — членов ШОС (демо)",
            "SCO Technology Commercialisation Fund Cooperation Agreement (demo)",
        ),
        [
            _party(CENTER, "CN", "王海峰", "主任"),
            _party(
                _t(
                    "青岛科创投资管理有限公司（演示）",
                    "ООО «Циндао Сай-Тек Венчур Кэпитал» (демо)",
                    "Qingdao Sci-Tech Venture Capital Co. (demo)",
                ),
                "CN",
                "高明",
                "董事长",
            ),
            _party(
                _t(
                    "吉尔吉斯斯坦创新发展基金（演示）",
                    "Фонд инновационного развития Кыргызстана (демо)",
                    "Kyrgyz Innovation Development Fund (demo)",
                ),
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
    if any(c.title.get("zh") == TITLE_ZH for c in list_ceremonies(event)):
        return 0
    ceremony = create_ceremony(
        event,
        CeremonyData(
            title=TITLE,
            starts_local=starts_local,
            venue=VENUE,
            host_name="林晓雯",
            host_language="zh",
            slot_minutes=55,
        ),
    )
    for kind, title, performer, minutes in SEGMENTS:
        add_segment(ceremony, SegmentData(kind, minutes, title, performer))
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
