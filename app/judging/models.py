"""Judging models: entries with team members, rounds with criteria, assignments, conflicts,
score sheets with every version kept, awards."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import UTCDateTime, utcnow
from app.extensions import db
from app.i18n import enum_labels
from app.translated import Translated, TranslatedText

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.registration.models import Category, Registration


def _enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class Eligibility(enum.StrEnum):
    """Whether an entry may compete."""

    PENDING = "pending"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


class RoundKind(enum.StrEnum):
    """The stage a round belongs to."""

    PRELIMINARY = "preliminary"
    SEMIFINAL = "semifinal"
    FINAL = "final"


ROUND_KIND_LABELS = enum_labels(
    RoundKind,
    {
        RoundKind.PRELIMINARY: _l("Preliminary"),
        RoundKind.SEMIFINAL: _l("Semifinal"),
        RoundKind.FINAL: _l("Final"),
    },
)


class AggregationMethod(enum.StrEnum):
    """How judges' scores become an entry's score."""

    WEIGHTED_MEAN = "weighted_mean"
    TRIMMED_MEAN = "trimmed_mean"
    ZSCORE = "zscore"


AGGREGATION_METHOD_LABELS = enum_labels(
    AggregationMethod,
    {
        AggregationMethod.WEIGHTED_MEAN: _l("Weighted mean"),
        AggregationMethod.TRIMMED_MEAN: _l("Trimmed mean (drop highest and lowest)"),
        AggregationMethod.ZSCORE: _l("Per-judge z-score"),
    },
)


class AdvancementRule(enum.StrEnum):
    """Who goes through to the next round."""

    TOP_N = "top_n"
    TOP_N_PER_TRACK = "top_n_per_track"
    THRESHOLD = "threshold"


ADVANCEMENT_RULE_LABELS = enum_labels(
    AdvancementRule,
    {
        AdvancementRule.TOP_N: _l("Top N overall"),
        AdvancementRule.TOP_N_PER_TRACK: _l("Top N per track"),
        AdvancementRule.THRESHOLD: _l("Score threshold"),
    },
)


class SheetStatus(enum.StrEnum):
    """A judge's score sheet: editable draft or locked submission."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


SHEET_STATUS_LABELS = enum_labels(
    SheetStatus,
    {SheetStatus.DRAFT: _l("Draft"), SheetStatus.SUBMITTED: _l("Submitted")},
)


class ConflictSource(enum.StrEnum):
    """Where a recorded conflict of interest comes from."""

    DECLARED = "declared"  # the judge said so
    ORGANIZER = "organizer"  # added by hand


class RankingState(enum.StrEnum):
    """What the ranking screen shows: live updates, a frozen snapshot, or the published result."""

    LIVE = "live"
    FROZEN = "frozen"
    PUBLISHED = "published"


class TimerPhase(enum.StrEnum):
    """The stage timer: nothing running, the pitch, or the questions."""

    IDLE = "idle"
    PITCH = "pitch"
    QA = "qa"


class AwardLevel(enum.StrEnum):
    """Award levels, best first."""

    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"
    EXCELLENCE = "excellence"


class CompetitionSettings(db.Model):
    """How teams submit entries on the public site: the registration category team members
    join, the submission window, team size, tracks and the age limit (youth competitions).

    One row per event; an event without one takes no public submissions.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    # Every team member becomes a registration in this category.
    team_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL")
    )
    submissions_open: Mapped[bool] = mapped_column(default=False)
    # Teams can submit and edit their entry until then (None: while submissions are open).
    submission_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    min_team_size: Mapped[int] = mapped_column(default=1)
    max_team_size: Mapped[int] = mapped_column(default=5)
    # The tracks a team chooses from; empty: the track is free text.
    tracks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Oldest age (in full years) a team member may be; None: no limit, and no date of birth
    # is asked for.
    age_limit: Mapped[int | None] = mapped_column()
    # The day the age is counted on (None: the event's first day).
    age_reference_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    team_category: Mapped[Category | None] = relationship()


class Entry(db.Model):
    """A team's project in the competition."""

    __table_args__ = (Index("ix_entry_event_track", "event_id", "track"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    team_name: Mapped[str] = mapped_column(String(200), default="")
    track: Mapped[str] = mapped_column(String(80), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # File name of the pitch deck PDF under instance/judging/<event_id>/.
    deck_file: Mapped[str | None] = mapped_column(String(100))
    deck_size: Mapped[int] = mapped_column(default=0)
    eligibility: Mapped[Eligibility] = mapped_column(
        _enum(Eligibility), default=Eligibility.PENDING
    )
    eligibility_reason: Mapped[str] = mapped_column(String(500), default="")
    # When the organizers last accepted or rejected the entry.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set for entries a team submitted on the public site; None for organizer-entered ones.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The team's last change through the leader's self-service link.
    team_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="TeamMember.id"
    )

    def title(self, locale: str) -> str:
        """Title in the given locale (Chinese for zh, English otherwise, falling back)."""
        if locale.startswith("zh"):
            return self.title_zh or self.title_en
        return self.title_en or self.title_zh

    @property
    def leader(self) -> TeamMember | None:
        """The team leader, if one is set."""
        return next((m for m in self.members if m.is_leader), None)


class TeamMember(db.Model):
    """A registration that is part of an entry's team; one team per registration."""

    __table_args__ = (UniqueConstraint("registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    is_leader: Mapped[bool] = mapped_column(default=False)
    # Asked only when the competition has an age limit (the one personal fact it needs).
    date_of_birth: Mapped[date | None] = mapped_column(Date)

    entry: Mapped[Entry] = relationship(back_populates="members")
    registration: Mapped[Registration] = relationship()


class Round(db.Model):
    """One judging round with its criteria, assignment size, aggregation and advancement rule."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind))
    position: Mapped[int] = mapped_column(default=0)
    judges_per_entry: Mapped[int] = mapped_column(default=3)
    aggregation: Mapped[AggregationMethod] = mapped_column(
        _enum(AggregationMethod), default=AggregationMethod.WEIGHTED_MEAN
    )
    advancement_rule: Mapped[AdvancementRule] = mapped_column(
        _enum(AdvancementRule), default=AdvancementRule.TOP_N
    )
    advancement_value: Mapped[float] = mapped_column(Float, default=10)
    # Criterion ids, most important first, used to break ties.
    tie_break_criteria: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Bumped by every score write: the explicit invalidation of the cached ranking.
    score_version: Mapped[int] = mapped_column(default=0)
    advanced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Advancement or awards decided although some entries lacked submitted sheets: each
    # {decision, reason, at (ISO, UTC), by, entries: [[entry id, submitted, assigned]]}.
    incomplete_overrides: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Pitch-order draw (live final): the seed is kept so anyone can repeat the draw.
    draw_seed: Mapped[str | None] = mapped_column(String(64))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stage state for the live final.
    current_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entry.id", ondelete="SET NULL")
    )
    timer_phase: Mapped[TimerPhase] = mapped_column(_enum(TimerPhase), default=TimerPhase.IDLE)
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: paused
    timer_elapsed: Mapped[float] = mapped_column(Float, default=0)  # seconds before the pause
    pitch_seconds: Mapped[int] = mapped_column(default=480)
    qa_seconds: Mapped[int] = mapped_column(default=420)
    ranking_state: Mapped[RankingState] = mapped_column(
        _enum(RankingState), default=RankingState.LIVE
    )
    frozen_ranking: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        order_by="Criterion.position, Criterion.id",
    )
    round_entries: Mapped[list[RoundEntry]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundEntry.id"
    )


class Criterion(db.Model):
    """A scoring criterion of a round: weight (the weights of a round add up to 100), range, and
    its rubric: a description and level bands saying what earns which scores, in every content
    language of the event."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    name: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    description: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    weight: Mapped[int] = mapped_column()
    min_score: Mapped[float] = mapped_column(Float, default=0)
    max_score: Mapped[float] = mapped_column(Float, default=10)
    step: Mapped[float] = mapped_column(Float, default=0.5)
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[Round] = relationship(back_populates="criteria")
    levels: Mapped[list[CriterionLevel]] = relationship(
        back_populates="criterion",
        cascade="all, delete-orphan",
        order_by="CriterionLevel.low",
    )


class CriterionLevel(db.Model):
    """One band of a criterion's rubric: scores low–high and what earns them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criterion.id", ondelete="CASCADE"), index=True
    )
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    title: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)
    descriptor: Mapped[Translated] = mapped_column(TranslatedText, default=Translated)

    criterion: Mapped[Criterion] = relationship(back_populates="levels")


class RoundEntry(db.Model):
    """An entry taking part in a round, with its place in the pitch order once drawn."""

    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    draw_position: Mapped[int | None] = mapped_column()
    advanced: Mapped[bool] = mapped_column(default=False)

    round: Mapped[Round] = relationship(back_populates="round_entries")
    entry: Mapped[Entry] = relationship()


class JudgeProfile(db.Model):
    """What a judge declared for an event: the organization they work for."""

    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organization: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Conflict(db.Model):
    """A recorded conflict of interest between a judge and an entry (declared or by hand).

    Conflicts detected automatically (same organization) are computed, not stored.
    """

    __table_args__ = (UniqueConstraint("judge_user_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    judge_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    source: Mapped[ConflictSource] = mapped_column(_enum(ConflictSource))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped[User] = relationship()
    entry: Mapped[Entry] = relationship()


class Assignment(db.Model):
    """A judge asked to score one entry in one round."""

    __table_args__ = (
        UniqueConstraint("round_id", "entry_id", "judge_user_id"),
        Index("ix_assignment_round_judge", "round_id", "judge_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    judge_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    manual: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped[User] = relationship()
    entry: Mapped[Entry] = relationship()


class ScoreSheet(db.Model):
    """A judge's current scores for one entry in one round (draft or submitted)."""

    __table_args__ = (
        UniqueConstraint("round_id", "entry_id", "judge_user_id"),
        Index("ix_score_sheet_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    judge_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # {"<criterion id>": value}
    values: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # The same values in the round's criterion order as "v1 v2 …" (float reprs, a missing one
    # as the criterion's minimum), written with `values`: rankings read it without parsing
    # JSON. NULL (sheets written before it existed): read `values`.
    value_list: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SheetStatus] = mapped_column(_enum(SheetStatus), default=SheetStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=0)
    total: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped[User] = relationship()
    entry: Mapped[Entry] = relationship()
    versions: Mapped[list[ScoreVersion]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="ScoreVersion.version"
    )


class ScoreVersion(db.Model):
    """One saved version of a score sheet: who, when, what action, the values after it.

    The client id of the request that made it is unique per sheet, so a resent request is
    recognised and never stored twice.
    """

    __table_args__ = (UniqueConstraint("sheet_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("score_sheet.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(20))  # draft, submit, reopen
    values: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SheetStatus] = mapped_column(_enum(SheetStatus))
    client_id: Mapped[str | None] = mapped_column(String(64))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="versions")
    actor: Mapped[User | None] = relationship()


class Award(db.Model):
    """An award given to an entry on the ranking of a round."""

    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    level: Mapped[AwardLevel] = mapped_column(_enum(AwardLevel))
    rank: Mapped[int | None] = mapped_column()
    certificates_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
