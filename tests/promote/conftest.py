"""Fixtures of the promote tests: principals with and without grants, and a dataset skip helper."""

from __future__ import annotations

import pytest

from tradepolicy.platform.principal import ANONYMOUS, Grant, Principal

# Office staff: attorney with a restricted grant over every barrier (the platform's office-wide grant).
STAFF = Principal(name="staffer", role="attorney", grants=(Grant("restricted", "*"),), via="session")
# An analyst without grants: may write (barriers.write) but reads only public material.
ANALYST = Principal(name="analyst1", role="analyst", via="session")
VIEWER = Principal(name="viewer1", role="viewer", via="session")
ANON = ANONYMOUS


def needs(dataset: str) -> pytest.MarkDecorator:
    """Skip unless the dataset is in the mirror."""
    from tradepolicy.datasets.registry import is_available

    return pytest.mark.skipif(not is_available(dataset), reason=f"dataset {dataset} is not loaded in the mirror")
