"""Demo: the 2nd SCO youth innovation and entrepreneurship competition's judging.

20 international entries (projects, teams and people invented for the demo), each led by a
registration of the demo's team category with two more team members registered the same way;
six judges (judge1…judge6@huiwu.local) besides the demo judge; three rounds with the
competition's rubric (app/judging/demo_rubric.py: innovation 25, market potential 20,
business model 15, team 15, feasibility and progress 15, social value 10, each with four level
bands, in Chinese, Russian and English). The preliminary and the semifinal are scored and
advanced; the final has its pitch order drawn with a recorded seed and two teams scored so far.

Loading twice changes nothing: entries are found by English title, rounds by English name,
people by email, and scores by their fixed client ids.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import Role, User
from app.accounts.services import create_user, find_user, grant_role
from app.events.models import Event, EventStatus
from app.extensions import db
from app.judging import (
    advancement_services,
    assignment_services,
    entry_services,
    judge_services,
    live_services,
    round_services,
    scoring_services,
    submission_services,
)
from app.judging.demo_rubric import RUBRIC
from app.judging.entry_services import EntryData
from app.judging.models import (
    AdvancementRule,
    AggregationMethod,
    ConflictSource,
    Eligibility,
    Entry,
    Round,
    RoundKind,
    ScoreSheet,
)
from app.judging.round_services import CriterionData, LevelData, RoundData
from app.judging.submission_services import SettingsData
from app.registration.models import (
    Attendance,
    Category,
    Registration,
    RegistrationState,
)
from app.registration.services import ParticipantData, approve_registration, register_participant
from app.translated import Translated

SEED = 20201028
FINAL_DRAW_SEED = "SCO-YOUTH-2020-FINAL"
VIDEO_BASE = "https://video.example.org/sco-youth-2020"

JUDGES = [
    ("judge1@huiwu.local", "王建华 Wang Jianhua", "青岛大学"),
    ("judge2@huiwu.local", "Ирина Соколова Irina Sokolova", "Skolkovo Foundation"),
    ("judge3@huiwu.local", "Aigerim Nurlanovna", "Astana Hub"),
    ("judge4@huiwu.local", "李慧敏 Li Huimin", "中国海洋大学"),
    ("judge5@huiwu.local", "Rahul Mehta", "IIT Delhi Incubator"),
    ("judge6@huiwu.local", "Bakhtiyor Karimov", "Tashkent IT Park"),
]


def demo_criteria() -> list[CriterionData]:
    """The competition's six criteria with their rubric in Chinese, Russian and English."""
    return [
        CriterionData(
            name=Translated(item["name"]),
            weight=item["weight"],
            min_score=0,
            max_score=10,
            step=0.5,
            description=Translated(item["description"]),
            levels=[
                LevelData(
                    low=level["low"],
                    high=level["high"],
                    title=Translated(level["title"]),
                    descriptor=Translated(level["descriptor"]),
                )
                for level in item["levels"]
            ],
        )
        for item in RUBRIC
    ]


TRACKS = (
    "智能制造 Smart manufacturing",
    "绿色能源 Green energy",
    "数字健康 Digital health",
    "现代农业 Agritech",
)

# title zh, title en, team name, track index, summary
ENTRIES = [
    (
        "高原光伏微电网",
        "Highland solar micro-grids",
        "SunPeak",
        1,
        "Containerised solar + battery micro-grids for mountain villages in Kyrgyzstan.",
    ),
    (
        "盐碱地智慧灌溉",
        "Smart irrigation for saline soils",
        "AquaSalt",
        3,
        "Soil-salinity sensors and drip control for cotton farms in the Aral region.",
    ),
    (
        "工业视觉质检平台",
        "Vision-based quality inspection",
        "InspectAI",
        0,
        "Low-cost camera kits that find defects on textile lines.",
    ),
    (
        "远程心电监护贴",
        "Remote ECG patch",
        "CardioLink",
        2,
        "A week-long ECG patch with offline-first phone app for rural clinics.",
    ),
    (
        "沙棘深加工",
        "Sea-buckthorn value chain",
        "Oblepikha Lab",
        3,
        "Cold-pressed oil and powders from wild sea-buckthorn with traceable sourcing.",
    ),
    (
        "氢能叉车",
        "Hydrogen forklifts for ports",
        "H2Dock",
        1,
        "Retrofitting port forklifts with fuel cells; pilot planned in Qingdao.",
    ),
    (
        "多语种医疗问诊机器人",
        "Multilingual triage assistant",
        "MedTalk",
        2,
        "Symptom triage in Russian, Uzbek, Kazakh and Chinese for cross-border clinics.",
    ),
    (
        "数控机床预测维护",
        "Predictive maintenance for CNC",
        "SpindleSense",
        0,
        "Vibration analytics that predict spindle failures two weeks ahead.",
    ),
    (
        "牦牛奶冻干",
        "Freeze-dried yak milk",
        "YakPure",
        3,
        "A shelf-stable yak-milk powder for export markets.",
    ),
    (
        "建筑光伏幕墙",
        "Building-integrated PV glass",
        "GlassWatt",
        1,
        "Semi-transparent PV glass panels for office façades.",
    ),
    (
        "AI辅助病理诊断",
        "AI pathology screening",
        "PathoScan",
        2,
        "Slide-scanning and screening for cervical cancer in district hospitals.",
    ),
    (
        "跨境冷链物联网",
        "Cross-border cold-chain IoT",
        "FrostTrack",
        0,
        "Tamper-proof temperature loggers for produce trucks crossing SCO borders.",
    ),
    (
        "小型风电叶片回收",
        "Wind blade recycling",
        "BladeLoop",
        1,
        "Turning retired composite blades into building boards.",
    ),
    (
        "智能温室控制器",
        "Greenhouse climate controller",
        "GreenBox",
        3,
        "A solar-powered controller for small greenhouses, sold with a seed subscription.",
    ),
    (
        "康复外骨骼",
        "Rehabilitation exoskeleton",
        "StepAgain",
        2,
        "A light knee exoskeleton for stroke rehabilitation at home.",
    ),
    (
        "工业机器人教学平台",
        "Robot training cells for colleges",
        "RoboClass",
        0,
        "Modular robot cells and curricula for vocational colleges.",
    ),
    (
        "生物质颗粒燃料",
        "Biomass pellets from cotton stalks",
        "StalkHeat",
        1,
        "Pellet fuel from cotton residue for rural heating.",
    ),
    (
        "无人机植保服务",
        "Crop-spraying drone service",
        "SkyFarm",
        3,
        "Pay-per-hectare drone spraying with agronomist support.",
    ),
    (
        "中亚罕见病登记平台",
        "Rare disease registry for Central Asia",
        "RareMap",
        2,
        "A shared, consent-based registry connecting patients with trials.",
    ),
    (
        "3D打印模具",
        "3D-printed tooling",
        "MoldFast",
        0,
        "Printed injection-mould inserts that cut tooling lead times to days.",
    ),
]
INELIGIBLE = {
    "Freeze-dried yak milk": "团队负责人年龄超过35岁 Team leader is over the age limit (35)."
}
AGE_LIMIT = 35

# Extra team members per entry, registered in the team category like any participant.
MEMBER_NAMES = [
    ("Алия Сейткали", "Aliya Seitkali", "KZ", "ru"),
    ("Тимур Ахмедов", "Timur Akhmedov", "UZ", "ru"),
    ("Ananya Rao", "Ananya Rao", "IN", "en"),
    ("Бекзат Токтогулов", "Bekzat Toktogulov", "KG", "ru"),
    ("Фарход Назаров", "Farkhod Nazarov", "TJ", "ru"),
    ("Ali Raza", "Ali Raza", "PK", "en"),
    ("Мария Ковалёва", "Maria Kovaleva", "RU", "ru"),
    ("刘洋", "Liu Yang", "CN", "zh_CN"),
    ("Дарья Лукашевич", "Darya Lukashevich", "BY", "ru"),
    ("Sara Ahmadi", "Sara Ahmadi", "IR", "en"),
]


def _ensure_judges(event: Event, summary, entries: list[Entry]) -> list:
    judges = []
    for index, (email, name, organization) in enumerate(JUDGES):
        if index == 3 and len(entries) > 3 and entries[3].leader is not None:
            # Same organization as a team leader, written differently: detected automatically.
            organization = f"  {entries[3].leader.registration.organization.upper()} "
        user = find_user(email)
        if user is None:
            user = create_user(email, name, summary.password)
            summary.created["judges"] = summary.created.get("judges", 0) + 1
        grant_role(user, event, Role.JUDGE)
        if judge_services.judge_profile(event, user) is None:
            judge_services.set_judge_organization(event, user, organization)
        summary.logins.append((email, summary.password, "judge"))
        judges.append(user)
    if len(entries) > 1:
        judge_services.record_conflict(
            event, judges[2], entries[1], ConflictSource.DECLARED, "mentored the team in 2019"
        )
    return judges


def _extra_member(
    event: Event,
    category: Category,
    entry_index: int,
    slot: int,
    leader: Registration,
    approver_email: str,
):
    native, latin, country, language = MEMBER_NAMES[(entry_index * 2 + slot) % len(MEMBER_NAMES)]
    email = f"team{entry_index + 1:02d}-{slot + 1}@demo.huiwu.local"
    existing = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email == email)
    )
    if existing is not None:
        return existing
    if event.status != EventStatus.OPEN:
        return None
    leader_registered_at = leader.created_at
    registration = register_participant(
        event,
        category,
        ParticipantData(
            native_name=native,
            latin_name=latin,
            email=email,
            country=country,
            attendance=Attendance.ONSITE,
            language=language,
            organization=leader.organization,
            job_title="Team member",
        ),
        notify=False,
    )
    if registration.state == RegistrationState.PENDING:
        approve_registration(registration, find_user(approver_email), notify=False)
    db.session.flush()
    # Registered with the leader, approved a day later, like the demo's other guests.
    registered = leader_registered_at + timedelta(minutes=5 + slot)
    moments = [registered + timedelta(days=i) for i in range(len(registration.changes))]
    for change, moment in zip(registration.changes, moments, strict=True):
        change.created_at = moment
    registration.created_at = registration.consent_at = registered
    registration.updated_at = moments[-1]
    return registration


def _ensure_entries(event: Event, summary) -> list[Entry]:
    category = db.session.scalar(
        select(Category).where(Category.event_id == event.id, Category.code == "team")
    )
    if category is None:
        summary.notes.append("judging demo skipped: no team category")
        return []
    leaders = db.session.scalars(
        select(Registration)
        .where(
            Registration.category_id == category.id,
            Registration.state.in_([RegistrationState.CONFIRMED, RegistrationState.PENDING]),
            ~Registration.email.like("%@demo.huiwu.local"),
        )
        .order_by(Registration.id)
    ).all()
    existing = {e.title_en: e for e in entry_services.list_entries(event)}
    entries = []
    created = 0
    for index, (title_zh, title_en, team, track, summary_text) in enumerate(ENTRIES):
        entry = existing.get(title_en)
        if entry is None:
            if index >= len(leaders):
                break
            leader = leaders[index]
            members = [leader]
            for slot in range(2):
                extra = _extra_member(event, category, index, slot, leader, summary.organizer_email)
                if extra is not None:
                    members.append(extra)
            entry = entry_services.create_entry(
                event,
                EntryData(
                    title_zh=title_zh,
                    title_en=title_en,
                    team_name=team,
                    track=TRACKS[track],
                    summary=summary_text,
                    video_url=f"{VIDEO_BASE}/{team.lower().replace(' ', '-')}",
                    member_ids=[m.id for m in members],
                    leader_id=leader.id,
                ),
            )
            reason = INELIGIBLE.get(title_en)
            entry_services.set_eligibility(
                entry, Eligibility.INELIGIBLE if reason else Eligibility.ELIGIBLE, reason or ""
            )  # no decision mail for demo data
            created += 1
        entries.append(entry)
    if created:
        summary.created["entries"] = created
    return entries


ROUNDS = [
    (
        {
            "zh": "初赛（网评）",
            "ru": "Отборочный тур (заочная экспертиза)",
            "en": "Preliminary (online review)",
        },
        RoundKind.PRELIMINARY,
        3,
        AggregationMethod.ZSCORE,
        AdvancementRule.TOP_N,
        12,
    ),
    (
        {"zh": "复赛", "ru": "Полуфинал", "en": "Semifinal"},
        RoundKind.SEMIFINAL,
        5,
        AggregationMethod.TRIMMED_MEAN,
        AdvancementRule.TOP_N_PER_TRACK,
        2,
    ),
    (
        {"zh": "决赛（路演）", "ru": "Финал (публичные презентации)", "en": "Final (live pitches)"},
        RoundKind.FINAL,
        5,
        AggregationMethod.TRIMMED_MEAN,
        AdvancementRule.TOP_N,
        3,
    ),
]


def _ensure_rounds(event: Event) -> list[Round]:
    existing = {r.name.get("en"): r for r in round_services.list_rounds(event)}
    rounds = []
    for names, kind, k, method, rule, value in ROUNDS:
        round_ = existing.get(names["en"])
        if round_ is None:
            round_ = round_services.create_round(
                event,
                RoundData(
                    name=Translated(names),
                    kind=kind,
                    judges_per_entry=k,
                    aggregation=method,
                    advancement_rule=rule,
                    advancement_value=value,
                    criteria=demo_criteria(),
                    tie_break_positions=[0, 1],
                ),
            )
        rounds.append(round_)
    return rounds


def _score(round_: Round, quality: dict[int, float], rng: random.Random, only=None) -> int:
    """Submit every assigned judge's score (entries in `only`, or all); returns how many."""
    count = 0
    for assignment in assignment_services.assignments_of(round_):
        if only is not None and assignment.entry_id not in only:
            continue
        client_id = f"demo-{round_.id}-{assignment.entry_id}-{assignment.judge_user_id}"
        sheet = db.session.scalar(
            select(ScoreSheet).where(
                ScoreSheet.round_id == round_.id,
                ScoreSheet.entry_id == assignment.entry_id,
                ScoreSheet.judge_user_id == assignment.judge_user_id,
            )
        )
        if sheet is not None:
            continue
        judge = db.session.get(User, assignment.judge_user_id)
        leniency = (assignment.judge_user_id % 5 - 2) * 0.4
        values = {}
        for criterion in round_.criteria:
            raw = quality[assignment.entry_id] + leniency + rng.gauss(0, 0.8)
            values[str(criterion.id)] = min(10.0, max(0.0, round(raw * 2) / 2))
        scoring_services.save_sheet(
            round_,
            assignment.entry_id,
            judge,
            values=values,
            comment="",
            submit=True,
            client_id=client_id,
        )
        count += 1
    return count


def _ensure_submission_settings(event: Event) -> None:
    """Teams of 2–5 submit on the public site in the team category; youth: at most 35."""
    if submission_services.competition_settings(event) is not None:
        return
    category = db.session.scalar(
        select(Category).where(Category.event_id == event.id, Category.code == "team")
    )
    if category is None:
        return
    submission_services.save_competition_settings(
        event,
        SettingsData(
            team_category_id=category.id,
            submissions_open=event.status == EventStatus.OPEN,
            min_team_size=2,
            max_team_size=5,
            tracks=list(TRACKS),
            age_limit=AGE_LIMIT,
        ),
    )


def _ensure_birth_dates(event: Event, entries: list[Entry]) -> None:
    """Dates of birth for the demo teams (the age limit asks for them): 20–34 on the first day,
    the leader of the entry rejected for their age 38 or 39."""
    day = event.local(event.starts_at).date()
    for entry in entries:
        rng = random.Random(f"{SEED}-{entry.title_en}")
        for member in entry.members:
            age = rng.randint(20, 33)
            if member.is_leader and entry.title_en in INELIGIBLE:
                age = 38
            born = date(day.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
            if member.date_of_birth is None:
                member.date_of_birth = born


def load_demo_judging(event: Event, summary) -> None:
    """The demo loader's entry point: submission settings, judges, entries, rounds,
    assignments and scores."""
    _ensure_submission_settings(event)
    entries = _ensure_entries(event, summary)
    _ensure_birth_dates(event, entries)
    db.session.flush()
    judges = _ensure_judges(event, summary, entries)
    if not entries or not judges:
        return
    db.session.flush()
    preliminary, semifinal, final = _ensure_rounds(event)
    rng = random.Random(SEED)
    quality = {e.id: rng.uniform(4.5, 9.0) for e in entries}
    scores = 0
    if not preliminary.round_entries:
        round_services.add_eligible_entries(preliminary)
        db.session.flush()
        assignment_services.assign_automatically(preliminary, seed=SEED)
    scores += _score(preliminary, quality, rng)
    if not semifinal.round_entries:
        advancement_services.advance_round(preliminary)
        db.session.flush()
        assignment_services.assign_automatically(semifinal, seed=SEED + 1)
    scores += _score(semifinal, quality, rng)
    if not final.round_entries:
        advancement_services.advance_round(semifinal)
        db.session.flush()
        db.session.refresh(final)
        live_services.draw_pitch_order(final, FINAL_DRAW_SEED)
        assignment_services.assign_automatically(final, seed=SEED + 2)
    order = [e.id for e in round_services.round_entries(final)]
    scores += _score(final, quality, rng, only=set(order[:2]))
    if scores:
        summary.created["scores"] = scores
