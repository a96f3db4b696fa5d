"""Fixtures of the tariff tests: the HTS editions read from the mirror."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def hts2025() -> pd.DataFrame:
    """The HTS 2025 Basic Edition rows as read from the mirror."""
    from tradepolicy.datasets.readers.hts import read_hts_edition

    return read_hts_edition(2025)


@pytest.fixture(scope="session")
def hts2024() -> pd.DataFrame:
    """The HTS 2024 Basic Edition rows as read from the mirror."""
    from tradepolicy.datasets.readers.hts import read_hts_edition

    return read_hts_edition(2024)


def text_of(df: pd.DataFrame, code: str, column: str) -> str:
    """Return a column's text of the row with HTS ``code`` (digits)."""
    rows = df.loc[df["hts"] == code, column]
    assert len(rows) == 1, f"{code} should appear once"
    return str(rows.iloc[0])
