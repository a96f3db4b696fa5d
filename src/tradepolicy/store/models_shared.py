"""State every server worker process must share, kept in the database (migration 0007_shared_state).

``sign_in_failures``: failed sign-ins per name, so that the throttle (``services/people.sign_in``)
holds across ``serve --workers N`` processes and restarts. Not history: rows of a name are
deleted on its next successful sign-in and once older than the throttle window.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tradepolicy.store.models import Base, utcnow


class SignInFailure(Base):
    """One failed sign-in for a name (existing or not), with its time."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_name_at", "name", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
