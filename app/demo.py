"""Demo data from the seed document: the 2020 Qingdao conference + 2nd SCO youth competition.

Loading twice changes nothing: every record is looked up by a natural key first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.services import create_user, find_user, grant_role
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.registration.models import AttendanceRule, Category, Question, QuestionKind

DEMO_SLUG = "qingdao-ittc-2020"
DEMO_PASSWORD = "huiwu-demo-2020"  # noqa: S105 - printed for the demo on purpose

DEMO_USERS = [
    ("admin@huiwu.local", "系统管理员 Admin", True, []),
    ("organizer@huiwu.local", "会务组 Organizer", False, [Role.ORGANIZER]),
    ("staff@huiwu.local", "签到员 Check-in", False, [Role.CHECKIN_STAFF]),
    ("judge@huiwu.local", "评委 Judge", False, [Role.JUDGE]),
]

PRIVACY_ZH = (
    "我们收集您的姓名、单位、职务、联系方式和国家/地区，仅用于本次大会的报名、证件制作、"
    "现场签到和会务联系。数据保存至大会结束后一年，之后匿名化处理。您可随时通过报名确认邮件中的"
    "链接查看、修改或取消报名，并可联系主办方导出或删除您的个人数据。"
)
PRIVACY_EN = (
    "We collect your name, organization, title, contact details and country/region only to "
    "handle your registration, print your badge, check you in and contact you about this "
    "conference. The data is kept until one year after the conference and then anonymized. "
    "You can view, change or cancel your registration through the link in the confirmation "
    "email, and ask the organizers to export or delete your personal data at any time."
)

CATEGORIES = [
    # code, zh, en, ru, capacity, approval, attendance, colour
    (
        "government",
        "政府嘉宾",
        "Government guest",
        "Представитель власти",
        60,
        True,
        AttendanceRule.EITHER,
        "#b42318",
    ),
    (
        "enterprise",
        "企业代表",
        "Enterprise",
        "Представитель компании",
        120,
        False,
        AttendanceRule.EITHER,
        "#1f6feb",
    ),
    (
        "academia",
        "高校及科研院所",
        "Academia and research",
        "Наука и образование",
        80,
        False,
        AttendanceRule.EITHER,
        "#8250df",
    ),
    ("media", "媒体记者", "Media", "СМИ", 40, True, AttendanceRule.ONSITE, "#bf8700"),
    (
        "team",
        "参赛团队成员",
        "Competition team member",
        "Участник команды конкурса",
        100,
        True,
        AttendanceRule.EITHER,
        "#1a7f37",
    ),
    (
        "online",
        "线上参会",
        "Online attendee",
        "Онлайн-участник",
        None,
        False,
        AttendanceRule.ONLINE,
        "#57606a",
    ),
]


@dataclass
class DemoSummary:
    """What the loader created or found, for printing."""

    event_slug: str
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def describe(self) -> str:
        """Human-readable summary with the demo logins."""
        lines = [f"demo event: /e/{self.event_slug}/"]
        lines += [f"  created {name}: {count}" for name, count in self.created.items()]
        lines.append(f"logins (password for all: {DEMO_PASSWORD}):")
        lines += [f"  {email:28} {role}" for email, _, role in self.logins]
        return "\n".join(lines)


def _shanghai(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def _ensure_event(summary: DemoSummary) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if event is not None:
        return event
    event = Event(
        slug=DEMO_SLUG,
        title_zh="2020青岛国际技术转移大会暨第二届上合组织成员国青年创新创业大赛",
        title_en="2020 Qingdao International Technology Transfer Conference and the 2nd SCO "
        "Member States Youth Innovation and Entrepreneurship Competition",
        description_zh="中国—上海合作组织技术转移中心启用仪式暨项目签约，国际技术成果对接，"
        "上合组织成员国青年创新创业大赛路演与决赛。线上线下多种形式参与。",
        description_en="Launch of the China–SCO Technology Transfer Center with a signing "
        "ceremony, international technology matchmaking, and the pitches and final of the SCO "
        "youth innovation and entrepreneurship competition. On site and online.",
        venue_zh="青岛·中国—上海合作组织技术转移中心",
        venue_en="China–SCO Technology Transfer Center, Qingdao",
        starts_at=_shanghai(2026, 12, 16, 9),
        ends_at=_shanghai(2026, 12, 17, 18),
        timezone="Asia/Shanghai",
        status=EventStatus.OPEN,
        kind=EventKind.BOTH,
        privacy_text_zh=PRIVACY_ZH,
        privacy_text_en=PRIVACY_EN,
        contact_email="ittc@huiwu.local",
    )
    db.session.add(event)
    db.session.flush()
    summary.created["events"] = summary.created.get("events", 0) + 1
    return event


def _ensure_categories(event: Event, summary: DemoSummary) -> dict[str, Category]:
    existing = {c.code: c for c in event.categories}
    for position, (code, zh, en, ru, capacity, approval, rule, color) in enumerate(CATEGORIES):
        if code in existing:
            continue
        category = Category(
            event_id=event.id,
            code=code,
            name_zh=zh,
            name_en=en,
            name_ru=ru,
            capacity=capacity,
            requires_approval=approval,
            attendance_rule=rule,
            color=color,
            position=position,
        )
        db.session.add(category)
        existing[code] = category
        summary.created["categories"] = summary.created.get("categories", 0) + 1
    db.session.flush()
    return existing


def _ensure_questions(event: Event, summary: DemoSummary) -> None:
    if event.questions:
        return
    db.session.add_all(
        [
            Question(
                event_id=event.id,
                kind=QuestionKind.SINGLE_CHOICE,
                position=0,
                required=True,
                label_zh="餐饮需求",
                label_en="Dietary requirements",
                label_ru="Особенности питания",
                choices=[
                    {"value": "none", "zh": "无", "en": "None", "ru": "Нет"},
                    {
                        "value": "vegetarian",
                        "zh": "素食",
                        "en": "Vegetarian",
                        "ru": "Вегетарианское",
                    },
                    {"value": "halal", "zh": "清真", "en": "Halal", "ru": "Халяль"},
                ],
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.MULTIPLE_CHOICE,
                position=1,
                required=False,
                label_zh="感兴趣的环节",
                label_en="Sessions you plan to attend",
                label_ru="Сессии, которые вы планируете посетить",
                choices=[
                    {
                        "value": "opening",
                        "zh": "开幕式及签约仪式",
                        "en": "Opening and signing ceremony",
                        "ru": "Открытие и церемония подписания",
                    },
                    {
                        "value": "matchmaking",
                        "zh": "技术成果对接会",
                        "en": "Technology matchmaking",
                        "ru": "Встречи по трансферу технологий",
                    },
                    {
                        "value": "final",
                        "zh": "青年创新创业大赛决赛",
                        "en": "Youth competition final",
                        "ru": "Финал молодёжного конкурса",
                    },
                ],
            ),
            Question(
                event_id=event.id,
                kind=QuestionKind.YES_NO,
                position=2,
                required=False,
                label_zh="是否需要大会协助预订酒店",
                label_en="Do you need help booking a hotel?",
                label_ru="Нужна ли помощь с бронированием гостиницы?",
            ),
        ]
    )
    summary.created["questions"] = 3


def _ensure_users(event: Event, summary: DemoSummary) -> None:
    for email, name, is_admin, roles in DEMO_USERS:
        user = find_user(email)
        if user is None:
            user = create_user(email, name, DEMO_PASSWORD, is_admin=is_admin)
            summary.created["users"] = summary.created.get("users", 0) + 1
        for role in roles:
            grant_role(user, event, role)
        label = "site administrator" if is_admin else ", ".join(r.value for r in roles)
        summary.logins.append((email, DEMO_PASSWORD, label))


def load_demo() -> DemoSummary:
    """Create the demo event, categories, questions, staff logins and guests if missing."""
    summary = DemoSummary(event_slug=DEMO_SLUG)
    event = _ensure_event(summary)
    _ensure_categories(event, summary)
    _ensure_questions(event, summary)
    _ensure_users(event, summary)
    db.session.commit()
    return summary
