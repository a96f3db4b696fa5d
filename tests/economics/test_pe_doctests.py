"""The doctests of the PE engines and indicators run with the suite (worked examples)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["tradepolicy.economics.pe.smart", "tradepolicy.economics.pe.formulas",
                                    "tradepolicy.economics.indicators",
                                    "tradepolicy.datasets.readers.trade"])
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
