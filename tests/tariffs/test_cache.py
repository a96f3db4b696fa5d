"""The one cache object of the tariff services: tests can clear it and the tables rebuild."""

from __future__ import annotations

import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariff_effective  # noqa: F401  (registers its memos)
from tradepolicy.services import tariffs as svc

pytestmark = [requires_dataset("us-hts"), requires_dataset("section232"), requires_dataset("section301-china")]


def test_clear_empties_every_memo_and_stacks_rebuild() -> None:
    before = svc.stack("7208.51.00", "CHN", "2019-06-01").total_ave
    info = svc.CACHE.info()
    assert info["tradepolicy.services.tariffs.common.measures"] == 1 and "tariff_effective.cells" in info
    svc.CACHE.clear()
    assert all(v == 0 for v in svc.CACHE.info().values())
    assert svc.stack("7208.51.00", "CHN", "2019-06-01").total_ave == pytest.approx(before)
    assert svc.CACHE.info()["tradepolicy.services.tariffs.common.measures"] == 1
