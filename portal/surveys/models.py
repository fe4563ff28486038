"""Needs surveys (需求调查): a survey and its questions; who answered (never what) and what was answered (never who).

Anonymity is kept by the shape of the tables, not by a promise:

- `survey_participant` says that a person answered a survey (one row per person and survey: its primary key is the
  database's guarantee of one answer per person, for anonymous surveys too) and on which day, nothing more.
- `survey_response` and `survey_answer` hold what was answered. They have no column that names a person, no
  timestamp, and their keys are random (`uuid4`), so neither a key's order nor a time can be matched to the
  participants. On SQLite both tables are stored WITHOUT ROWID (in the order of their random keys, not of
  arrival). Only a named survey links its participant row to the response (`survey_participant.response_id`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import Unit
from portal.db import Base, TimestampMixin

SINGLE, MULTIPLE, SCALE, TEXT = "single", "multiple", "scale", "text"
QUESTION_KINDS = (SINGLE, MULTIPLE, SCALE, TEXT)
SCALE_VALUES = (1, 2, 3, 4, 5)


def random_key() -> str:
    return uuid.uuid4().hex


class Survey(TimestampMixin, Base):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    purpose: Mapped[str] = mapped_column(sa.Text)
    # The unit whose staff manage it; None: the leading group's office (an office account without a unit).
    owner_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    audience: Mapped[str] = mapped_column(sa.String(16))  # a kind registered in surveys.audiences
    audience_param: Mapped[str | None] = mapped_column(sa.String(64))  # county code, application type, event id
    anonymous: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    opens_on: Mapped[date] = mapped_column(sa.Date)  # Asia/Shanghai days, both inclusive
    closes_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", index=True)
    opened_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # `flask surveys demo`

    owner_unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),)


class SurveyQuestion(Base):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(sa.String(12))  # single, multiple, scale, text
    text: Mapped[str] = mapped_column(sa.String(300))
    required: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    options: Mapped[list] = mapped_column(sa.JSON, default=list)  # single and multiple: the labels, in order
    max_choices: Mapped[int | None] = mapped_column()  # multiple: at most this many (None: any number)
    scale_low: Mapped[str | None] = mapped_column(sa.String(20))  # scale: what 1 means
    scale_high: Mapped[str | None] = mapped_column(sa.String(20))  # scale: what 5 means

    survey: Mapped[Survey] = relationship(back_populates="questions")

    __table_args__ = (sa.CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),)


class SurveyParticipant(Base):
    """That a person answered a survey (one row per person and survey), never what they answered."""

    __tablename__ = "survey_participant"

    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True, index=True)
    answered_on: Mapped[date] = mapped_column(sa.Date)  # the day only (Asia/Shanghai): no time to match
    # Named surveys only: which response is this person's. Always NULL for an anonymous survey.
    response_id: Mapped[str | None] = mapped_column(
        sa.String(32), sa.ForeignKey("survey_response.id", ondelete="SET NULL"), unique=True
    )

    user: Mapped[User] = relationship()

    __table_args__: ClassVar[dict] = {"sqlite_with_rowid": False}


class SurveyResponse(Base):
    """One person's answers to one survey, without any column naming the person or the time."""

    __tablename__ = "survey_response"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_key)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan")

    __table_args__: ClassVar[dict] = {"sqlite_with_rowid": False}


class SurveyAnswer(Base):
    """One chosen option (single, multiple), one scale value (option = 1–5), or one free text (option = 0)."""

    __tablename__ = "survey_answer"

    response_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    option: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__: ClassVar[dict] = {"sqlite_with_rowid": False}
