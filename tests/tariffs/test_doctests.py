"""The doctests of the tariff engines run with the suite."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["rate_text", "hts_code", "dated_measures", "formulas", "country_actions", "schema",
                                    "reference_prices", "ch99_exclusions"])
def test_doctests(module: str) -> None:
    mod = importlib.import_module(f"tradepolicy.tariffs.{module}")
    result = doctest.testmod(mod)
    assert result.attempted > 0 and result.failed == 0
