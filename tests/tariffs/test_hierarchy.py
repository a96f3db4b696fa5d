"""HTS tree rebuilt from Indent: counts against PROVENANCE, rate inheritance."""

from __future__ import annotations

import pandas as pd

from tests.helpers import requires_dataset
from tradepolicy.tariffs.hierarchy import build_tree, leaf_lines, stats

pytestmark = requires_dataset("us-hts")


def test_counts_2024_match_provenance(hts2024: pd.DataFrame) -> None:
    # us-hts/PROVENANCE.md: "Counts (2024): 961 four-digit, 2,091 six-digit, 7,020 eight-digit,
    # 19,671 ten-digit codes; 425 rows under heading 9903." Exact.
    s = stats(build_tree(hts2024))
    assert (s.n_heading, s.n_subheading, s.n_hts8, s.n_hts10) == (961, 2091, 7020, 19671)
    assert int((hts2024["hts"].str[:4] == "9903").sum()) == 425


def test_statistical_lines_inherit_rates(hts2025: pd.DataFrame) -> None:
    # 0101.21.00 prints "Free"; its 10-digit children 0101.21.00.10/.20 print nothing and
    # inherit it. 0101.30.00.00 prints its own 6.8%.
    tree = build_tree(hts2025).set_index("hts", drop=False)
    child = tree.loc["0101210010"]
    assert child["rates_inherited"] and child["general"] == tree.loc["01012100", "general"]
    assert not tree.loc["0101300000", "rates_inherited"]
    assert child["path"].startswith("Live horses") and child["heading"] == "0101"


def test_leaf_lines_are_hts10_or_childless_hts8() -> None:
    rows = pd.DataFrame({
        "hts": ["0101", "01012100", "0101210010", "01013000"], "indent": [0, 1, 2, 1],
        "description": ["h", "a", "b", "c"], "units": ["", "", "No.", "No."],
        "general": ["", "Free", "", "5%"], "special": ["", "", "", ""], "col2": ["", "", "", ""],
        "additional": ["", "", "", ""],
    })
    leaf = leaf_lines(build_tree(rows))
    assert list(leaf["hts"]) == ["0101210010", "01013000"]
