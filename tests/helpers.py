"""Test helpers importable from any test module (``from tests.helpers import ...``)."""

from __future__ import annotations

import pytest


def requires_dataset(dataset_id: str, path: str | None = None) -> pytest.MarkDecorator:
    """Skip, with the reason, when a registered dataset (or file) is absent from mirror and cache."""
    from tradepolicy.datasets import how_to_get, is_available

    ok = is_available(dataset_id, path)
    what = f"{dataset_id}/{path}" if path else dataset_id
    return pytest.mark.skipif(not ok, reason=f"dataset {what} is absent: {how_to_get(dataset_id)}")
