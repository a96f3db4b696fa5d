"""/api routes of gravity estimation and GE (issue 5, part A)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["economics"])
