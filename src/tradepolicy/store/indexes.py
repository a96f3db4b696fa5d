"""Indexes added by migration 0005_hardening, declared on the models' tables (metadata = schema)."""

from __future__ import annotations

from sqlalchemy import Index

from tradepolicy.store.models import Proceeding, Run, RunAttachment

INDEXES = (
    Index("ix_runs_kind_id", Run.kind, Run.id),
    Index("ix_run_attachments_proceeding", RunAttachment.proceeding_id),
    Index("ix_run_attachments_run", RunAttachment.run_id),
    Index("ix_proceedings_procedure", Proceeding.procedure),
)
