"""The Advanced Guide's GE-PPML loop reproduces the book's own Chapter 2 runs.

Oracle: the iteration logs of the book's Stata code, Chapter2/Applications/2_RTAsEffects/
Results/RTAsEffects.log (NAFTA) and 1_TradeWithoutBorder/Results/TradeWithoutBorder.log
(pachadotdev/tradepolicy at bc5d4da / 342a655), which print, for each pass of
the full-endowment loop, the summary of dif = dp_(s-2) - dp_(s-3) over the 4,761 rows
(mean, sd, min, max) until the book's stopping rule fires (3 passes for NAFTA, 5 for trade
without borders). Printed with Stata's %9.0g;
tolerance half a unit of the last printed decimal plus 1e-7 (Stata's ``ppml ... iter(30)``).
The problems (estimation stages, t_BLN and tau_hat) are built by the scenario layer's
``chapter2.nafta`` and ``chapter2.trade_without_borders``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.ge import GEData, solve_ge, solve_ge_ppml

NAFTA_LOG = [  # (mean, sd, min, max) of dif per printed "iteration number", as printed
    (".9994758", ".0031412", ".978553", "1.000545"),
    (".0006048", ".0036707", "-.0006441", ".025059"),
    ("-.0001521", ".000977", "-.0066189", ".0001341"),
]
TWB_LOG = [
    ("1.305293", ".0796225", ".9666225", "1.468882"),
    ("-.3126514", ".0902139", "-.4959582", ".0765771"),
    (".0074778", ".0139545", "-.0659928", ".0318213"),
    (".0009588", ".0067648", "-.005722", ".0355494"),
    ("-.0022108", ".0044307", "-.0200164", ".0032467"),
]
STATA_SLACK = 1e-7  # Stata's ppml stops at iter(30) / its own tolerance


def printed_tol(text: str) -> float:
    """Half a unit of the last printed decimal, plus Stata's slack."""
    return 0.5 * 10.0 ** -len(text.split(".")[1]) + STATA_SLACK


def check_log(res, n: int, log: list[tuple[str, str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    assert res.stopped_by_rule and res.iterations == len(log)
    path = res.price_path
    dp = [np.zeros(n), path[0], *(path[k] / path[k - 1] for k in range(1, len(path)))]
    for k, printed in enumerate(log, start=1):
        dif = np.repeat(dp[k] - dp[k - 1], n)  # "over all rows": one row per pair
        got = (dif.mean(), dif.std(ddof=1), dif.min(), dif.max())
        for value, text in zip(got, printed, strict=True):
            assert abs(value - float(text)) <= printed_tol(text), (k, value, text)


@requires_dataset("agtpa")
@pytest.mark.slow
def test_nafta_loop_matches_the_books_iteration_log() -> None:
    from tradepolicy.datasets.readers.gravity import read_agtpa
    from tradepolicy.economics.scenarios.chapter2 import nafta

    prob = nafta(read_agtpa())
    data = GEData.from_frame(prob.frame, cost="cost")
    res = solve_ge_ppml(data, tau_hat=prob.tau_hat, sigma=7, reference="DEU")
    check_log(res, data.n, NAFTA_LOG)
    # The exact solver on the same problem: the book's early stop is within 0.05 pp of
    # real GDP for the members (economics-methods section 5.1).
    exact = solve_ge(data, tau_hat=prob.tau_hat, sigma=7, reference="DEU")
    book = res.to_frame()
    ef = exact.to_frame()
    for iso in ("CAN", "MEX", "USA"):
        assert abs(book.loc[iso, "full_real_gdp"] - ef.loc[iso, "full_real_gdp"]) < 0.05


@requires_dataset("agtpa")
def test_trade_without_borders_loop_matches_the_books_iteration_log() -> None:
    from tradepolicy.datasets.readers.gravity import read_agtpa
    from tradepolicy.economics.scenarios.chapter2 import trade_without_borders

    prob = trade_without_borders(read_agtpa())
    data = GEData.from_frame(prob.frame, cost="cost")
    res = solve_ge_ppml(data, tau_hat=prob.tau_hat, sigma=7, reference="DEU")
    check_log(res, data.n, TWB_LOG)
